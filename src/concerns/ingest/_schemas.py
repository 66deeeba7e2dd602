"""The per-column rules of the data contract as pandera schemas over the prepared frames.

Every column of a prepared frame is text, so the schemas check content, not
types: required cells are not empty, codes are in the vocabulary, dates are
real dates in range, headcounts are whole and not negative. Checks ignore
empty cells; emptiness is the `not_nullable` rule of required columns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from concerns import canonical as c
from concerns import vocabulary as v
from concerns.ingest import _contract as k

# Check names: the failure cases carry them, and _reasons turns them into sentences.
NOT_EMPTY = "not_nullable"  # pandera's own name for a null in a non-nullable column
KNOWN_CODE = "known_code"
KNOWN_ITEMS = "known_items"
IS_DATE = "is_date"
IN_RANGE = "date_in_range"
WHOLE_NUMBER = "whole_number"
NOT_NEGATIVE = "not_negative"
FISCAL_YEAR = "fiscal_year"
NO_FORMULA = "no_formula_start"


def schema_for(file: str, today: dt.date) -> pa.DataFrameSchema:
    builders = {"organisations": _organisations, "workforce": _workforce, "cases": _cases}
    columns = builders[file](today)
    for name in k.NO_FORMULA[file]:
        columns[name] = columns[name].set_checks([*columns[name].checks, _check(NO_FORMULA, _no_formula)])
    return pa.DataFrameSchema(columns, strict=False, coerce=False, name=file)


def _organisations(today: dt.date) -> dict[str, pa.Column]:
    return {
        "org_code": _text(required=True),
        "name": _text(required=True),
        **_code_columns("organisations"),
        "region": _text(required=False),
    }


def _workforce(today: dt.date) -> dict[str, pa.Column]:
    return {
        "org_code": _text(required=True),
        "fiscal_year": _text(required=True, checks=[_check(FISCAL_YEAR, _is_fiscal_year)]),
        **_code_columns("workforce"),
        "group": _text(required=True, checks=[_known(c.WORKFORCE_GROUPS)]),
        "headcount": _text(
            required=True,
            checks=[_check(WHOLE_NUMBER, _is_whole_number), _check(NOT_NEGATIVE, _is_not_negative)],
        ),
    }


def _cases(today: dt.date) -> dict[str, pa.Column]:
    return {
        "case_id": _text(required=True),
        "org_code": _text(required=True),
        "opened_on": _date(required=True, today=today),
        "closed_on": _date(required=False, today=today),
        "practitioner_id": _text(required=True),
        **_code_columns("cases"),
        "ethnicity": _text(required=True, checks=[_known(k.ETHNIC_TOKENS)]),
        "concerns": _text(required=True, checks=[_known_items(v.CONCERNS)]),
        "services": _text(required=False, checks=[_known_items(v.SERVICES)]),
        "specialty": _text(required=False),
    }


def _text(*, required: bool, checks: list[pa.Check] | None = None) -> pa.Column:
    return pa.Column(pl.String, nullable=not required, checks=checks or [])


def _code_columns(file: str) -> dict[str, pa.Column]:
    return {
        name: _text(required=name in k.REQUIRED[file], checks=[_known(codes.codes)])
        for name, codes in k.CODE_COLUMNS[file].items()
    }


def _date(*, required: bool, today: dt.date) -> pa.Column:
    earliest = dt.date.fromisoformat(k.EARLIEST_DATE)
    # Prepared dates are ISO text; anything else is the person's own text, which is not a date.
    return _text(
        required=required,
        checks=[
            _check(IS_DATE, lambda text: _as_date(text).is_not_null()),
            _check(IN_RANGE, lambda text: _as_date(text).is_between(earliest, today).fill_null(True)),
        ],
    )


def _check(name: str, rule: Callable[[pl.Expr], pl.Expr]) -> pa.Check:
    """A vectorised check: `rule` maps the column to a boolean column, True where the value is valid.

    Empty cells pass: whether a column may be empty is the schema's `nullable`.
    """

    def check(data: PolarsData) -> pl.LazyFrame:
        value = pl.col(data.key)
        return data.lazyframe.select(value.is_null() | rule(value))

    return pa.Check(check, name=name)


def _known(codes: tuple[str, ...]) -> pa.Check:
    allowed = list(codes)
    return _check(KNOWN_CODE, lambda text: text.is_in(allowed))


def _known_items(codes: v.CodeSet) -> pa.Check:
    """Every `;`-separated item is a code (one regular expression: far quicker than splitting)."""
    code = "|".join(re.escape(code) for code in codes.codes)
    pattern = f"^(?:{code})(?:{re.escape(k.LIST_SEPARATOR)}(?:{code}))*$"
    return _check(KNOWN_ITEMS, lambda text: text.str.contains(pattern))


def _no_formula(text: pl.Expr) -> pl.Expr:
    starts = "".join(re.escape(start) for start in k.FORMULA_STARTS)
    return ~text.str.contains(f"^[{starts}]")


def _as_date(text: pl.Expr) -> pl.Expr:
    return text.str.to_date("%Y-%m-%d", strict=False)


def _is_whole_number(text: pl.Expr) -> pl.Expr:
    # Digits only (no "1e3"), and small enough to be a 64-bit integer.
    return text.str.contains(r"^[+-]?\d+$") & text.str.to_integer(strict=False).is_not_null()


def _is_not_negative(text: pl.Expr) -> pl.Expr:
    number = text.cast(pl.Float64, strict=False)
    return number.is_null() | (number >= 0)


def _is_fiscal_year(text: pl.Expr) -> pl.Expr:
    """vocabulary.is_fiscal_year, vectorised: 2023/24, the second year following the first."""
    start = text.str.extract(r"^(\d{4})/\d{2}$", 1).cast(pl.Int32)
    end = text.str.extract(r"^\d{4}/(\d{2})$", 1).cast(pl.Int32)
    return ((start + 1) % 100 == end).fill_null(False)
