"""The examples in docs/disclosure.md and in the package docstring run and print what they say."""

from __future__ import annotations

import doctest
from pathlib import Path

import concerns.disclosure

DOCS = Path(__file__).resolve().parents[2] / "docs" / "disclosure.md"
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_it_runs_every_example_of_the_method_note():
    result = doctest.testfile(str(DOCS), module_relative=False, optionflags=OPTIONS, verbose=False)
    assert result.attempted > 20
    assert result.failed == 0


def test_it_runs_the_package_docstring_example():
    result = doctest.testmod(concerns.disclosure, optionflags=OPTIONS, verbose=False)
    assert result.attempted >= 3
    assert result.failed == 0


def test_it_runs_the_batch_differencing_example():
    import concerns.disclosure._difference

    result = doctest.testmod(concerns.disclosure._difference, optionflags=OPTIONS, verbose=False)
    assert result.attempted >= 3
    assert result.failed == 0
