"""A terminal workbench for fact-checking claims across news articles about one event."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("workbench")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
