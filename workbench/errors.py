"""Errors a user sees: each carries one line that says what is wrong and where."""


class WorkbenchError(Exception):
    """Base for every error the CLI reports as one line with exit status 1."""


class StoreError(WorkbenchError):
    """The database is missing, not a workbench database, locked, or read-only."""


class IngestError(WorkbenchError):
    """An input file cannot be imported; the message names the file and line."""


class NotFoundError(WorkbenchError):
    """A story, claim or mark named by the user does not exist."""


class TooLargeError(WorkbenchError):
    """A story is over a documented limit on the work it may take (articles, claims, pairs)."""
