"""Rates per 1,000 practitioners, with exact Poisson intervals.

The denominator is person-years: each year's headcount of the profession,
summed over the years of the period. A profession's rate is available only when
its headcount is known for every year counted; a missing workforce row means
"unknown", never zero. The all-practitioner rate covers the professions whose
headcount is known and says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from concerns import vocabulary as v
from concerns.analytics._period import Period

ALL = "all"


@dataclass(frozen=True)
class Rate:
    cases: int
    person_years: int | None
    per_1000: float | None
    low: float | None
    high: float | None
    professions: tuple[str, ...]  # the professions the rate covers

    @property
    def available(self) -> bool:
        return self.per_1000 is not None


def headcounts(workforce: pl.DataFrame | pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Total headcount by organisation, year and profession within the period."""
    return (
        period.select(workforce)
        .filter(pl.col("dimension") == "total")
        .select("org_code", "fiscal_year", pl.col("profession").cast(pl.String), "headcount")
    )


def exposure(workforce: pl.DataFrame | pl.LazyFrame, period: Period) -> pl.DataFrame:
    """Person-years by organisation and profession; null where any year is unknown."""
    return (
        headcounts(workforce, period)
        .group_by("org_code", "profession")
        .agg(
            pl.col("headcount").sum().alias("person_years"),
            pl.col("fiscal_year").n_unique().alias("years_known"),
        )
        .with_columns(
            pl.when(pl.col("years_known") == len(period)).then(pl.col("person_years")).alias("person_years")
        )
        .drop("years_known")
        .collect()
    )


def rates(
    cases: pl.DataFrame | pl.LazyFrame, workforce: pl.DataFrame | pl.LazyFrame, period: Period
) -> pl.DataFrame:
    """Cases per 1,000 practitioners over the period, by organisation and profession.

    One row per organisation and profession with cases or headcount, plus a row
    with profession "all" covering the professions with known person-years.
    Columns: org_code, profession, cases, person_years, per_1000, low, high, professions.
    """
    counted = (
        period.select(cases)
        .group_by("org_code", pl.col("profession").cast(pl.String))
        .agg(pl.len().cast(pl.Int64).alias("cases"))
        .collect()
    )
    by_profession = counted.join(
        exposure(workforce, period), on=["org_code", "profession"], how="full", coalesce=True
    )
    by_profession = by_profession.with_columns(
        pl.col("cases").fill_null(0), pl.concat_list(pl.col("profession")).alias("professions")
    )
    known = pl.col("person_years").is_not_null()
    overall = (
        by_profession.sort("profession")
        .group_by("org_code")
        .agg(
            # With no known profession the rate is unavailable but the cases still count.
            pl.when(known.any()).then(pl.col("cases").filter(known).sum()).otherwise(pl.col("cases").sum()),
            pl.when(known.any()).then(pl.col("person_years").filter(known).sum()),
            pl.col("profession").filter(known).alias("professions"),
        )
        .with_columns(profession=pl.lit(ALL))
    )
    combined = pl.concat([by_profession, overall.select(by_profession.columns)])
    return _with_intervals(combined).sort("org_code", "profession")


def yearly_rates(
    cases: pl.DataFrame | pl.LazyFrame, workforce: pl.DataFrame | pl.LazyFrame, period: Period
) -> pl.DataFrame:
    """Cases per 1,000 practitioners by organisation and year, all known professions together."""
    known = headcounts(workforce, period).collect()
    counted = (
        period.select(cases)
        .group_by("org_code", "fiscal_year", pl.col("profession").cast(pl.String))
        .agg(pl.len().cast(pl.Int64).alias("cases"))
        .collect()
    )
    joined = known.join(counted, on=["org_code", "fiscal_year", "profession"], how="left").with_columns(
        pl.col("cases").fill_null(0)
    )
    yearly = joined.group_by("org_code", "fiscal_year").agg(
        pl.col("cases").sum(),
        pl.col("headcount").sum().alias("person_years"),
        pl.col("profession").sort().alias("professions"),
    )
    return _with_intervals(yearly).sort("org_code", "fiscal_year")


def _with_intervals(frame: pl.DataFrame) -> pl.DataFrame:
    from concerns.analytics.stats import poisson_intervals

    usable = pl.col("person_years").is_not_null() & (pl.col("person_years") > 0)
    low, high = poisson_intervals(frame["cases"].to_numpy())
    scale = 1000 / pl.col("person_years")
    return frame.with_columns(
        pl.when(usable).then(pl.col("cases") * scale).alias("per_1000"),
        pl.when(usable).then(pl.Series(low) * scale).alias("low"),
        pl.when(usable).then(pl.Series(high) * scale).alias("high"),
    )


def rate_of(frame: pl.DataFrame, org_code: str, profession: str = ALL) -> Rate:
    """One organisation's rate from the frame `rates` returns."""
    rows = frame.filter((pl.col("org_code") == org_code) & (pl.col("profession") == profession))
    if rows.is_empty():
        return Rate(0, None, None, None, None, ())
    return rate_from_row(rows.row(0, named=True))


def rate_from_row(row: dict[str, Any]) -> Rate:
    """A row of `rates` or `yearly_rates` as a Rate, its professions in vocabulary order."""
    professions = tuple(code for code in v.PROFESSIONS.codes if code in (row["professions"] or []))
    return Rate(row["cases"], row["person_years"], row["per_1000"], row["low"], row["high"], professions)
