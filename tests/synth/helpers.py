"""Reading generated data back independently of the generator (vocabulary only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from concerns import vocabulary as v

AS_OF = dt.date(2025, 11, 23)  # fixed, so tests do not change with the date they run on


def _public_data() -> str:
    """shared/public-data beside the checkout (as CI lays it out), else where developers have it."""
    beside = Path(__file__).resolve().parents[3] / "shared" / "public-data"
    return str(beside if beside.is_dir() else Path("/work/shared/public-data"))


PUBLIC = _public_data()


def ethnic_group(text: str | None) -> str:
    """A recorded ethnicity (category letter or group name) as its ethnic group."""
    letter = v.ETHNIC_CATEGORIES.resolve(text)
    if letter is not None:
        return v.ETHNIC_CATEGORIES.group(letter)
    return v.ETHNIC_GROUPS.resolve(text) or "unknown"


def with_readings(cases: pl.DataFrame) -> pl.DataFrame:
    """Cases with fiscal year, ethnic group, specialty group and top-level concern flags."""
    return cases.with_columns(
        fiscal_year=pl.col("opened_on").str.to_date().map_elements(v.fiscal_year_of, return_dtype=pl.String),
        ethnic_group=pl.col("ethnicity").map_elements(ethnic_group, return_dtype=pl.String),
        specialty_group=pl.col("specialty").map_elements(
            v.specialty_group_of, return_dtype=pl.String, skip_nulls=False
        ),
        **{
            f"is_{category}": pl.col("concerns")
            .str.split(";")
            .list.eval(pl.element().str.split(".").list.first() == category)
            .list.any()
            for category in v.CONCERN_CATEGORIES.codes
        },
    ).with_columns(
        areas=pl.sum_horizontal(pl.col(f"is_{c}").cast(pl.Int8) for c in v.CONCERN_CATEGORIES.codes)
    )


def relative_likelihood(
    cases: pl.DataFrame,
    workforce: pl.DataFrame,
    years: list[str],
    column: str,
    dimension: str,
    groups: tuple[str, ...],
    reference: str,
) -> float:
    """(cases per head in `groups`) / (cases per head in `reference`), pooled over `years`."""
    counted = cases.filter(pl.col("fiscal_year").is_in(years)).group_by(column).len()
    heads = (
        workforce.filter(pl.col("fiscal_year").is_in(years), pl.col("dimension") == dimension)
        .group_by("group")
        .agg(pl.col("headcount").sum())
    )
    n = dict(counted.iter_rows())
    h = dict(heads.iter_rows())
    return (sum(n.get(g, 0) for g in groups) / sum(h[g] for g in groups)) / (n[reference] / h[reference])
