"""The review app (Textual). The core never imports this package."""
