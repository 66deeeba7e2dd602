"""Profiles: how an organisation's cases (or the nation's) break down.

Counts for every organisation are made in one pass over the cases as a long
frame (org_code, dimension, code, cases); typed profiles are cut from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from concerns import vocabulary as v
from concerns.analytics._period import Period

NATIONAL = "national"
MORE_THAN_ONE = "more_than_one"

# Each dimension a case has exactly one value of: its rows add up to the total.
SINGLE_VALUED: dict[str, v.CodeSet] = {
    "profession": v.PROFESSIONS,
    "grade": v.GRADES,
    "specialty_group": v.SPECIALTY_GROUPS,
    "ethnic_group": v.ETHNIC_GROUPS,
    "sex": v.SEXES,
    "age_band": v.AGE_BANDS,
    "pmq": v.PMQS,
    "disability": v.DISABILITIES,
}


SUBTYPES = tuple(code for code in v.CONCERNS.codes if "." in code)
SERVICES_SHOWN = tuple(code for code in v.SERVICES.codes if code != "advice")


@dataclass(frozen=True)
class Share:
    """A proportion with its Wilson 95% interval."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Count:
    code: str
    label: str
    cases: int
    share: Share | None  # of all the scope's cases; None when there are none


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    title: str
    total: int
    rows: tuple[Count, ...]
    additive: bool  # whether the rows add up to the total

    def count(self, code: str) -> int:
        return next(row.cases for row in self.rows if row.code == code)

    def row(self, code: str) -> Count:
        return next(row for row in self.rows if row.code == code)


@dataclass(frozen=True)
class Profile:
    scope: str  # an org_code, or "national"
    period: Period
    total: int
    breakdowns: dict[str, Breakdown]
    # (staff dimension, other staff dimension) -> the cases whose first is not stated, by the other's
    # code: which practitioners an unrecorded grade or specialty group belongs to (report disclosure
    # control needs it to tell a gap in recording from a small group of people).
    unrecorded: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)

    def __getitem__(self, dimension: str) -> Breakdown:
        return self.breakdowns[dimension]


def dimension_codes(dimension: str, period: Period) -> list[tuple[str, str]]:
    """The (code, label) rows a dimension is shown with, in report order."""
    if dimension == "fiscal_year":
        return [(year, year) for year in period.fiscal_years]
    if dimension == "concern_category":
        return [*v.CONCERN_CATEGORIES.labels().items(), (MORE_THAN_ONE, "More than one area")]
    if dimension == "concern_subtype":
        return [(code, v.CONCERNS.label(code)) for code in SUBTYPES]
    if dimension == "service":
        return [(code, v.SERVICES.label(code)) for code in SERVICES_SHOWN]
    if dimension == "outcome":
        return [*v.OUTCOMES.labels().items(), ("not_recorded", "Not recorded")]
    return list(SINGLE_VALUED[dimension].labels().items())


DIMENSIONS: tuple[str, ...] = tuple(v.DIMENSION_TITLES)
ADDITIVE: frozenset[str] = frozenset({"fiscal_year", *SINGLE_VALUED, "outcome"})


STAFF_DIMENSIONS = ("profession", "grade", "specialty_group")
UNRECORDED_PAIRS = tuple(
    (recorded, other)
    for recorded in STAFF_DIMENSIONS
    if "not_stated" in SINGLE_VALUED[recorded].codes
    for other in STAFF_DIMENSIONS
    if other != recorded
)


def unrecorded_dimension(recorded: str, other: str) -> str:
    """The long counts' name for the cases whose `recorded` is not stated, by `other`."""
    return f"{other} where {recorded} not stated"


def count_cases(cases: pl.DataFrame | pl.LazyFrame, period: Period) -> pl.DataFrame:
    """Cases in the period by organisation, dimension and code (long form, zeros absent)."""
    selected = period.select(cases)
    parts = [_count_column(selected, "fiscal_year", pl.col("fiscal_year"))]
    parts += [_count_column(selected, name, pl.col(name).cast(pl.String)) for name in SINGLE_VALUED]
    parts.append(
        _count_column(selected, "outcome", pl.col("outcome").cast(pl.String).fill_null("not_recorded"))
    )
    parts += [
        _count_column(
            selected.filter(pl.col(recorded).cast(pl.String) == "not_stated"),
            unrecorded_dimension(recorded, other),
            pl.col(other).cast(pl.String),
        )
        for recorded, other in UNRECORDED_PAIRS
    ]
    parts.append(_count_categories(selected))
    parts.append(_count_list(selected, "concern_subtype", "concerns", SUBTYPES))
    parts.append(_count_list(selected, "service", "services", SERVICES_SHOWN))
    parts.append(
        selected.group_by("org_code")
        .agg(pl.len().alias("cases"))
        .with_columns(dimension=pl.lit("total"), code=pl.lit("total"))
    )
    columns = ["org_code", "dimension", "code", "cases"]
    counted = pl.concat([part.select(columns) for part in parts]).with_columns(pl.col("cases").cast(pl.Int64))
    return counted.collect().sort(columns[:3])


def _count_column(frame: pl.LazyFrame, dimension: str, value: pl.Expr) -> pl.LazyFrame:
    return (
        frame.group_by("org_code", value.alias("code"))
        .agg(pl.len().alias("cases"))
        .with_columns(dimension=pl.lit(dimension))
    )


def _count_categories(frame: pl.LazyFrame) -> pl.LazyFrame:
    flags = [pl.col(f"concern_{code}").sum().alias(code) for code in v.CONCERN_CATEGORIES.codes]
    more = (pl.col("concern_areas") >= 2).sum().alias(MORE_THAN_ONE)
    return (
        frame.group_by("org_code")
        .agg([*flags, more])
        .unpivot(index="org_code", variable_name="code", value_name="cases")
        .filter(pl.col("cases") > 0)
        .with_columns(dimension=pl.lit("concern_category"))
    )


def _count_list(frame: pl.LazyFrame, dimension: str, column: str, codes: tuple[str, ...]) -> pl.LazyFrame:
    # A case counts once per code even if the code was written twice.
    return (
        frame.select("org_code", pl.col(column).list.unique().alias("code"))
        .explode("code")
        .with_columns(pl.col("code").cast(pl.String))
        .filter(pl.col("code").is_in(list(codes)))
        .group_by("org_code", "code")
        .agg(pl.len().alias("cases"))
        .with_columns(dimension=pl.lit(dimension))
    )


def national_counts(counts: pl.DataFrame) -> pl.DataFrame:
    """The long counts summed over every organisation, with org_code "national"."""
    return (
        counts.group_by("dimension", "code")
        .agg(pl.col("cases").sum())
        .with_columns(org_code=pl.lit(NATIONAL))
        .select(counts.columns)
        .sort("dimension", "code")
    )


def profile(counts: pl.DataFrame, scope: str, period: Period) -> Profile:
    """The typed profile of one scope (an org_code or "national") from long counts."""
    from concerns.analytics.stats import wilson_intervals

    own = counts.filter(pl.col("org_code") == scope)
    lookup = {(row["dimension"], row["code"]): row["cases"] for row in own.iter_rows(named=True)}
    total = lookup.get(("total", "total"), 0)
    breakdowns = {}
    for dimension in DIMENSIONS:
        codes = dimension_codes(dimension, period)
        values = [lookup.get((dimension, code), 0) for code, _ in codes]
        shares = wilson_intervals(values, [total] * len(values)) if total else [None] * len(values)
        rows = tuple(
            Count(code, label, value, Share(value / total, *interval) if interval else None)
            for (code, label), value, interval in zip(codes, values, shares, strict=True)
        )
        breakdowns[dimension] = Breakdown(
            dimension, v.DIMENSION_TITLES[dimension], total, rows, dimension in ADDITIVE
        )
    unrecorded = {
        (recorded, other): {
            code: lookup.get((unrecorded_dimension(recorded, other), code), 0)
            for code in SINGLE_VALUED[other].codes
        }
        for recorded, other in UNRECORDED_PAIRS
    }
    return Profile(scope, period, total, breakdowns, unrecorded)
