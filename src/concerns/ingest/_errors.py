"""The one error ingest raises for input it cannot work with at all, and how a library's panic becomes it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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


def is_panic(error: BaseException) -> bool:
    """Whether `error` is a Rust library's panic (Polars, fastexcel).

    pyo3 raises a PanicException, a BaseException rather than an Exception, and
    each library has its own class of that name, so it is known by its name.
    """
    return type(error).__name__ == "PanicException"


@contextmanager
def panics_as_unusable(path: Path) -> Iterator[None]:
    """A library panic while `path` is read or checked becomes UnusableInput naming the file."""
    try:
        yield
    except BaseException as error:
        if not is_panic(error):
            raise
        raise UnusableInput(
            f"{path.name} could not be read: a library concerns uses failed on it, which usually means the "
            f"file is damaged ({_detail(error)}); save it again from its source and retry, and if a freshly "
            "saved file fails too, tell the concerns maintainers"
        ) from None


def _detail(error: BaseException, most: int = 100) -> str:
    text = " ".join(str(error).split()) or "no detail"
    return text if len(text) <= most else text[: most - 1] + "…"
