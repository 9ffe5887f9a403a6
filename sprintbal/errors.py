"""Errors a user can act on, each carrying a one-line message.

The CLI maps every :class:`SprintbalError` to a one-line message on stderr and
a non-zero exit code; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class SprintbalError(Exception):
    """Base of every error sprintbal reports to a user as one line.

    Attributes
    ----------
    exit_code : int
        Process exit code the CLI uses for this kind of error.
    """

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        """Return the one-line message."""
        return str(self)


class BadInputError(SprintbalError):
    """A path that does not exist, is a folder, or is not a readable video."""

    exit_code = 2


class BadVideoError(BadInputError):
    """A file that exists but cannot be decoded as a video (empty, truncated, not video)."""


class ConfigError(SprintbalError):
    """An invalid option value or configuration file."""

    exit_code = 2


class ModelError(SprintbalError):
    """The pose model cannot be loaded (missing or invalid ``.task`` file)."""

    exit_code = 3


class OutputError(SprintbalError):
    """The output folder cannot be created or written."""

    exit_code = 4
