"""A terminal workbench for fact-checking claims across news articles about one event."""


def __getattr__(name: str) -> str:
    # The version is looked up when asked for: importlib.metadata costs ~30 ms at start-up,
    # which every command would pay.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("workbench")
    except PackageNotFoundError:  # running from a source tree that is not installed
        found = "0.0.0+source"
    globals()["__version__"] = found
    return found
