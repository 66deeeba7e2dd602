"""Drawn cases (arrays of indices) as the contract's `cases` rows (text columns)."""

from __future__ import annotations

import numpy as np
import polars as pl

from concerns import vocabulary as v
from concerns.synth import _casemix as mix
from concerns.synth._plan import Plan
from concerns.synth._specialty import specialty_texts
from concerns.synth._workforce import GROUPS, PROFESSIONS

__all__ = ["CASE_COLUMNS", "case_frame", "empty_case_frame"]

CASE_COLUMNS = (
    "case_id",
    "org_code",
    "opened_on",
    "closed_on",
    "practitioner_id",
    "profession",
    "grade",
    "specialty",
    "sex",
    "age_band",
    "ethnicity",
    "pmq",
    "disability",
    "concerns",
    "services",
    "outcome",
)
_CROCKFORD = np.frombuffer(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ", dtype=np.uint8)
_ID_LENGTH = 12


def empty_case_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=dict.fromkeys(CASE_COLUMNS, pl.String))


def _lookup(values: tuple[str, ...] | list[str], index: np.ndarray) -> pl.Series:
    """values[index], null where index is -1 (a null entry is appended to the values)."""
    positions = np.where(index >= 0, index, len(values)).astype(np.int64)
    return pl.Series([*values, None], dtype=pl.String).gather(positions)


def _dates(days: np.ndarray) -> pl.Series:
    """ISO dates from days since 1970-01-01, null where -1 (through a table of the days in range)."""
    known = days[days >= 0]
    if known.size == 0:
        return pl.Series([None] * days.size, dtype=pl.String)
    first = int(known.min())
    calendar = pl.Series(np.arange(first, int(known.max()) + 1, dtype=np.int32)).cast(pl.Date).cast(pl.String)
    return _lookup(tuple(calendar.to_list()), np.where(days >= 0, days - first, -1))


def _pseudonyms(keys: np.ndarray) -> pl.Series:
    digits = np.empty((keys.size, _ID_LENGTH), dtype=np.uint8)
    for k in range(_ID_LENGTH):
        digits[:, k] = _CROCKFORD[((keys >> np.uint64(5 * k)) & np.uint64(31)).astype(np.intp)]
    return pl.Series(digits.view(f"S{_ID_LENGTH}").ravel()).cast(pl.String)


def _case_ids(plan: Plan, years: np.ndarray, sequence: np.ndarray) -> pl.Series:
    starts = [str(v.parse_fiscal_year(y)) for y in plan.case_years]
    frame = pl.DataFrame({"year": _lookup(starts, years), "n": pl.Series(sequence.astype(np.int64))})
    return frame.select(
        pl.concat_str(
            [pl.lit("ADV"), "year", pl.lit("-"), pl.col("n").cast(pl.String).str.zfill(plan.sequence_width)]
        )
    ).to_series()


def _code_lists(bits: np.ndarray, codes: tuple[str, ...], blank: np.ndarray | None = None) -> pl.Series:
    texts, index = mix.bits_to_text(bits, codes)
    if blank is not None:
        index = np.where(blank, -1, index)
    return _lookup(texts, index)


def case_frame(plan: Plan, cases: dict[str, np.ndarray]) -> pl.DataFrame:
    """Rows in file order (organisation, then opening day), every column text as written."""
    if not cases or cases["opened"].size == 0:
        return empty_case_frame()
    spellings, _, _ = specialty_texts()
    spellings = (*spellings, *(text.lower() for text in spellings))  # index + count: typed in lower case
    columns = {
        "case_id": _case_ids(plan, cases["year"], cases["sequence"]),
        "org_code": _lookup(plan.org_codes, cases["org"]),
        "opened_on": _dates(cases["opened"]),
        "closed_on": _dates(cases["closed"]),
        "practitioner_id": _pseudonyms(cases["practitioner_key"]),
        "profession": _lookup(PROFESSIONS, cases["profession"]),
        "grade": _lookup(GROUPS["grade"], cases["grade"]),
        "specialty": _lookup(spellings, cases["specialty"]),
        "sex": _lookup(GROUPS["sex"], cases["sex"]),
        "age_band": _lookup(GROUPS["age_band"], cases["age_band"]),
        "ethnicity": _lookup(mix.ETHNICITY_TEXTS, cases["ethnicity_text"]),
        "pmq": _lookup(GROUPS["pmq"], cases["pmq"]),
        "disability": _lookup(GROUPS["disability"], cases["disability"]),
        "concerns": _code_lists(cases["concerns"], mix.CONCERN_CODES),
        "services": _code_lists(cases["services"], mix.SERVICE_CODES, cases["services_blank"]),
        "outcome": _lookup(mix.OUTCOME_CODES, cases["outcome"]),
    }
    return pl.DataFrame({name: series.alias(name) for name, series in columns.items()})
