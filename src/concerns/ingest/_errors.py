"""The one error ingest raises for input it cannot work with at all."""

from __future__ import annotations


class UnusableInput(Exception):
    """The data directory cannot be read as a whole: a file is missing, unreadable or lacks a column.

    The message is one line a person can act on; problems with single rows are
    never raised, they become rejects.
    """

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return str(self)
