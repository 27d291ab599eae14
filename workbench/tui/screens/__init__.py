"""The app's screens: story list, review (also adjudication), and the modals."""
