"""Equality measures: relative likelihoods between staff groups, by the WRES method.

The likelihood of a group is its cases divided by its headcount (person-years,
the yearly headcounts summed over the years counted); the relative likelihood
of group a against group b is the ratio of the two, with a log-method interval
(`concerns.analytics.stats.relative_likelihood`). Each result is made pooled
over the period and for each year, for every organisation and nationally (all
organisations pooled).

Only professions whose headcount by the characteristic is known for every year
counted are used, numerator and denominator alike, and each result says which.
Cases whose characteristic is not stated fall in neither group; their share is
reported. A missing headcount is "not available", never zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

import polars as pl

from concerns import vocabulary as v
from concerns.analytics._period import Period
from concerns.analytics._profile import NATIONAL

if TYPE_CHECKING:  # the stats load SciPy: imported where used, so importing analytics stays quick
    from concerns.analytics.stats import BestEstimate, NotAvailable, RelativeLikelihood, Span, Spread

NOT_STATED = "not_stated"
POOLED = "period"  # the span of a result pooled over the whole period
# Over time: the latest two years (as WRES reads its disciplinary indicator) against the years before,
# for one comparison of each characteristic with a workforce headcount, in this order.
LATEST_YEARS = 2
OVER_TIME = ("ethnic_minority_vs_white", "international_vs_uk", "male_vs_female", "disabled_vs_not")
AGE_REFERENCE = "35_44"
_PROFESSION_ORDER = v.PROFESSIONS.codes


@dataclass(frozen=True)
class Comparison:
    id: str  # as used in report.json, e.g. "ethnic_minority_vs_white"
    label: str  # "Ethnic minority compared with white"
    dimension: str  # the workforce dimension: ethnicity, pmq, sex, disability, age_band
    group_a: tuple[str, ...]  # the group of interest
    group_b: tuple[str, ...]  # the reference group
    noun_a: str  # "ethnic minority practitioners", for readings
    noun_b: str
    # For a comparison of doctors alone, the id of the same comparison of every profession counted.
    of_every_profession: str | None = None

    @property
    def doctors_alone(self) -> bool:
        return self.of_every_profession is not None


def _ethnic(code: str, noun: str) -> Comparison:
    label = "Mixed" if code == "mixed" else v.ETHNIC_GROUPS.label(code)
    return Comparison(
        f"{code}_vs_white",
        f"{label} compared with white",
        "ethnicity",
        (code,),
        ("white",),
        noun,
        "white practitioners",
    )


def _age(code: str) -> Comparison:
    def noun(band: str) -> str:
        return (
            "practitioners under 35"
            if band == "under_35"
            else f"practitioners aged {v.AGE_BANDS.label(band)}"
        )

    return Comparison(
        f"age_{code}_vs_{AGE_REFERENCE}",
        f"{v.AGE_BANDS.label(code)} compared with {v.AGE_BANDS.label(AGE_REFERENCE)}",
        "age_band",
        (code,),
        (AGE_REFERENCE,),
        noun(code),
        noun(AGE_REFERENCE),
    )


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "ethnic_minority_vs_white",
        "Ethnic minority compared with white",
        "ethnicity",
        v.ETHNIC_MINORITY_GROUPS,
        ("white",),
        "ethnic minority practitioners",
        "white practitioners",
    ),
    _ethnic("mixed", "practitioners of mixed ethnicity"),
    _ethnic("asian", "Asian or Asian British practitioners"),
    _ethnic("black", "Black or Black British practitioners"),
    _ethnic("other", "practitioners of other ethnic groups"),
    Comparison(
        "international_vs_uk",
        "Qualified outside the UK and EEA compared with the UK",
        "pmq",
        ("international",),
        ("uk",),
        "practitioners who qualified outside the UK and EEA",
        "practitioners who qualified in the UK",
    ),
    Comparison(
        "eea_vs_uk",
        "Qualified in the EEA compared with the UK",
        "pmq",
        ("eea",),
        ("uk",),
        "practitioners who qualified in the EEA",
        "practitioners who qualified in the UK",
    ),
    Comparison(
        "male_vs_female",
        "Male compared with female",
        "sex",
        ("male",),
        ("female",),
        "male practitioners",
        "female practitioners",
    ),
    Comparison(
        "disabled_vs_not",
        "Disabled compared with not disabled",
        "disability",
        ("yes",),
        ("no",),
        "disabled practitioners",
        "practitioners who are not disabled",
    ),
    *(_age(code) for code in v.AGE_BANDS.codes if code not in (AGE_REFERENCE, NOT_STATED)),
)
COMPARISON_IDS: tuple[str, ...] = tuple(c.id for c in COMPARISONS)


def _doctors(comparison: Comparison) -> Comparison:
    return replace(
        comparison,
        id=f"{comparison.id}_doctors",
        label=f"{comparison.label}: doctors alone",
        noun_a=comparison.noun_a.replace("practitioners", "doctors"),
        noun_b=comparison.noun_b.replace("practitioners", "doctors"),
        of_every_profession=comparison.id,
    )


# Doctors alone, for the comparisons followed over time: beside the same comparison of every profession
# where dentists or pharmacists are counted too.
DOCTOR_COMPARISONS: tuple[Comparison, ...] = tuple(_doctors(c) for c in COMPARISONS if c.id in OVER_TIME)
ALL_COMPARISONS: tuple[Comparison, ...] = (*COMPARISONS, *DOCTOR_COMPARISONS)
_BY_ID = {c.id: c for c in ALL_COMPARISONS}


@dataclass(frozen=True)
class Equality:
    """One relative likelihood of one scope (an organisation, or national) over one span of years."""

    comparison: str  # a COMPARISON_IDS id
    label: str
    scope: str  # an org_code, or "national"
    years: tuple[str, ...]  # the financial years pooled (one for a yearly result)
    group_a: tuple[str, ...]
    group_b: tuple[str, ...]
    professions: tuple[str, ...]  # counted: headcount by the characteristic known for every year
    organisations: int  # organisations whose figures are pooled (0 or 1 for one organisation)
    cases_a: int
    cases_b: int
    headcount_a: int | None  # person-years over `years`; None when not known
    headcount_b: int | None
    likelihood_a: float | None
    likelihood_b: float | None
    ratio: float | None
    low: float | None
    high: float | None
    level: float
    excludes_one: bool | None  # the interval lies wholly above or below 1
    outside_band: bool | None  # the ratio lies outside 0.80–1.25
    not_stated_share: (
        float | None
    )  # of the counted professions' cases, share with the characteristic not stated
    cases_left_out: int  # cases of professions without the headcount, not counted
    not_available: NotAvailable | None  # why there is no ratio
    reading: str  # one line of plain English that claims no more than the interval allows

    @property
    def available(self) -> bool:
        return self.not_available is None


@dataclass(frozen=True)
class EqualityMeasures:
    """Every comparison of one scope: pooled over the period, and year by year."""

    scope: str
    period: Period
    pooled: dict[str, Equality]  # comparison id → result, in COMPARISONS order
    by_year: dict[str, dict[str, Equality]]  # comparison id → financial year → result
    # comparison id → the spread between organisations around the national ratio, for best estimates
    # (the same for every scope; absent where there is no national ratio)
    spreads: dict[str, Spread] = field(default_factory=dict)
    # case column ("ethnic_group", "pmq", ...) → the share of the practitioners' person-years over the
    # period with the characteristic recorded (None: no headcount by it)
    workforce_recorded: dict[str, float | None] = field(default_factory=dict)

    def best_estimate(self, comparison: str, cases_a: int, cases_b: int) -> BestEstimate | None:
        """The empirical Bayes estimate for these cases of the two groups, with this scope's
        person-years; None without a spread or a headcount."""
        result, spread = self.pooled[comparison], self.spreads.get(comparison)
        if spread is None or not result.headcount_a or not result.headcount_b:
            return None
        unit = _stats().Unit(cases_a, result.headcount_a, cases_b, result.headcount_b)
        return spread.estimate(unit, result.level)

    def __getitem__(self, comparison: str) -> Equality:
        return self.pooled[comparison]

    def spans(
        self, comparison: str
    ) -> tuple[tuple[Span, Span], tuple[tuple[str, ...], tuple[str, ...]]] | None:
        """The comparison's counts in the years before the latest LATEST_YEARS and in those, each span
        the sum of its years, with the spans' years; None unless every year counts the same professions
        as the pooled result (so the spans add up to it) with a headcount for both groups."""
        pooled, yearly = self.pooled[comparison], self.by_year[comparison]
        years = self.period.fiscal_years
        if len(years) <= LATEST_YEARS or not pooled.professions or pooled.cases_left_out:
            return None
        if any(
            result.professions != pooled.professions or not result.headcount_a or not result.headcount_b
            for result in yearly.values()
        ):
            return None
        earlier, later = tuple(years[:-LATEST_YEARS]), tuple(years[-LATEST_YEARS:])
        return (_span([yearly[y] for y in earlier]), _span([yearly[y] for y in later])), (earlier, later)


def _span(results: list[Equality]) -> Span:
    from concerns.analytics import stats

    return stats.Span(
        sum(r.cases_a for r in results),
        sum(r.headcount_a or 0 for r in results),
        sum(r.cases_b for r in results),
        sum(r.headcount_b or 0 for r in results),
    )


def equality_measures(
    cases: pl.DataFrame | pl.LazyFrame,
    workforce: pl.DataFrame | pl.LazyFrame,
    period: Period,
    *,
    organisations: pl.DataFrame | None = None,
    level: float = 0.95,
    min_cases: int | None = None,
) -> dict[str, EqualityMeasures]:
    """Every comparison for every organisation, and "national" for all organisations pooled.

    Organisations listed in `organisations` get results even without any figures
    (all not available); otherwise those with cases or headcount in the period do.
    `min_cases` defaults to the stats' DEFAULT_MIN_CASES (5 in each group).
    """
    min_cases = _stats().DEFAULT_MIN_CASES if min_cases is None else min_cases
    table = equality_table(cases, workforce, period)
    scopes = sorted(set(table["scope"]) - {NATIONAL})
    if organisations is not None:
        scopes = list(dict.fromkeys([*organisations["org_code"], *scopes]))
    rows = {(row["scope"], row["span"], row["comparison"]): row for row in table.iter_rows(named=True)}
    spans = [POOLED, *period.fiscal_years]
    results = {}
    for scope in [*scopes, NATIONAL]:
        made = {
            span: {
                c.id: _result(c, scope, span, period, rows.get((scope, span, c.id)), level, min_cases)
                for c in ALL_COMPARISONS
            }
            for span in spans
        }
        by_year = {c.id: {year: made[year][c.id] for year in period.fiscal_years} for c in ALL_COMPARISONS}
        results[scope] = EqualityMeasures(scope, period, made[POOLED], by_year)
    spreads = _spreads(results)
    recorded = workforce_recorded(workforce, period)
    return {
        scope: replace(measures, spreads=spreads, workforce_recorded=recorded.get(scope, {}))
        for scope, measures in results.items()
    }


def workforce_recorded(
    workforce: pl.DataFrame | pl.LazyFrame, period: Period
) -> dict[str, dict[str, float | None]]:
    """By scope (org_code, and "national") and case column: the share of person-years over the period
    whose characteristic is recorded, from the workforce rows by that characteristic."""
    known = period.select(workforce).filter(
        pl.col("headcount").is_not_null()
        & pl.col("dimension").cast(pl.String).is_in(list(v.DIMENSION_CASE_COLUMN))
    )
    stated = pl.col("group").cast(pl.String) != NOT_STATED
    by_scope = pl.concat(
        [known.with_columns(scope=pl.col("org_code")), known.with_columns(scope=pl.lit(NATIONAL))]
    )
    rows = (
        by_scope.group_by("scope", pl.col("dimension").cast(pl.String))
        .agg(
            pl.col("headcount").filter(stated).sum().alias("recorded"), pl.col("headcount").sum().alias("all")
        )
        .collect()
    )
    shares: dict[str, dict[str, float | None]] = {}
    for row in rows.iter_rows(named=True):
        share = row["recorded"] / row["all"] if row["all"] else None
        shares.setdefault(row["scope"], {})[v.DIMENSION_CASE_COLUMN[row["dimension"]]] = share
    return shares


def _spreads(results: dict[str, EqualityMeasures]) -> dict[str, Spread]:
    """Each comparison's spread between organisations, from every organisation's pooled counts."""
    stats = _stats()
    spreads = {}
    for comparison in ALL_COMPARISONS:
        national = results[NATIONAL].pooled[comparison.id]
        if national.ratio is None:
            continue
        units = [
            stats.Unit(r.cases_a, r.headcount_a, r.cases_b, r.headcount_b)
            for scope, measures in results.items()
            if scope != NATIONAL
            for r in (measures.pooled[comparison.id],)
            if r.headcount_a and r.headcount_b and r.cases_a <= r.headcount_a and r.cases_b <= r.headcount_b
        ]
        se = math.sqrt(1 / national.cases_a + 1 / national.cases_b)
        spreads[comparison.id] = stats.fit_spread(units, national.ratio, se)
    return spreads


# --- the counts, for every organisation at once ------------------------------------------


def equality_table(
    cases: pl.DataFrame | pl.LazyFrame, workforce: pl.DataFrame | pl.LazyFrame, period: Period
) -> pl.DataFrame:
    """Counted cases and person-years by scope, span and comparison, before any ratio.

    One row per scope (org_code, and "national"), span ("period" or a financial
    year) and comparison with any figures. Columns: scope, span, comparison,
    professions (list), organisations, cases_a, cases_b, headcount_a,
    headcount_b, counted (cases of the counted professions), not_stated, left_out.
    """
    units = _unit_years(cases, workforce, period).collect().lazy()
    pooled = (
        units.group_by("org_code", "profession", "comparison")
        .agg(
            (pl.col("known").sum() == len(period)).alias("known"),
            *(pl.col(name).sum() for name in _SUMMED),
        )
        .with_columns(span=pl.lit(POOLED))
    )
    spans = pl.concat([units.rename({"fiscal_year": "span"}), pooled], how="diagonal")
    scoped = pl.concat(
        [
            spans.with_columns(scope=pl.col("org_code")),
            spans.with_columns(scope=pl.lit(NATIONAL)),
        ]
    )
    known = pl.col("known")
    return (
        scoped.group_by("scope", "span", "comparison")
        .agg(
            pl.col("profession").filter(known).unique().alias("professions"),
            pl.col("org_code").filter(known).n_unique().alias("organisations"),
            *(
                pl.col(name).filter(known).sum()
                for name in ("cases_a", "cases_b", "headcount_a", "headcount_b")
            ),
            pl.col("total").filter(known).sum().alias("counted"),
            pl.col("not_stated").filter(known).sum(),
            pl.col("total").filter(~known).sum().alias("left_out"),
        )
        .collect()
    )


_SUMMED = ("cases_a", "cases_b", "headcount_a", "headcount_b", "total", "not_stated")


def _sides() -> pl.LazyFrame:
    """(comparison, dimension, code, side): which groups each comparison sets against which."""
    rows = [
        {"comparison": c.id, "dimension": c.dimension, "code": code, "side": side}
        for c in ALL_COMPARISONS
        for side, codes in (("a", c.group_a), ("b", c.group_b))
        for code in codes
    ]
    return pl.LazyFrame(rows)


def _needed() -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "comparison": [c.id for c in ALL_COMPARISONS],
            "needed": [len(c.group_a) + len(c.group_b) for c in ALL_COMPARISONS],
        }
    )


def _case_counts(cases: pl.DataFrame | pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Cases by organisation, profession, year, dimension and code (not stated included)."""
    columns = {
        dimension: v.DIMENSION_CASE_COLUMN[dimension] for dimension in {c.dimension for c in COMPARISONS}
    }
    keys = ["org_code", "profession", "fiscal_year"]
    # One pass over the cases; each dimension's counts are summed from these combinations.
    combinations = (
        period.select(cases)
        .group_by("org_code", pl.col("profession").cast(pl.String), "fiscal_year", *columns.values())
        .agg(pl.len().alias("cases"))
        .collect()
        .lazy()
    )
    return pl.concat(
        [
            combinations.group_by(*keys, pl.col(column).cast(pl.String).fill_null(NOT_STATED).alias("code"))
            .agg(pl.col("cases").sum().cast(pl.Int64))
            .with_columns(dimension=pl.lit(dimension))
            .select(*keys, "dimension", "code", "cases")
            for dimension, column in sorted(columns.items())
        ]
    )


def _headcounts(workforce: pl.DataFrame | pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Known headcounts by organisation, profession, year, dimension and group."""
    return (
        period.select(workforce)
        .filter(pl.col("headcount").is_not_null())
        .group_by(
            "org_code",
            pl.col("profession").cast(pl.String),
            "fiscal_year",
            pl.col("dimension").cast(pl.String),
            pl.col("group").cast(pl.String).alias("code"),
        )
        .agg(pl.col("headcount").sum())
    )


def _unit_years(
    cases: pl.DataFrame | pl.LazyFrame, workforce: pl.DataFrame | pl.LazyFrame, period: Period
) -> pl.LazyFrame:
    """Per organisation, profession, year and comparison: whether the headcount is known, and the figures.

    A unit's headcount is known when every group the comparison needs has a
    workforce row that year. Columns: org_code, profession, fiscal_year,
    comparison, known, cases_a, cases_b, headcount_a, headcount_b, total (the
    unit's cases), not_stated (its cases with the characteristic not stated).
    """
    keys = ["org_code", "profession", "fiscal_year"]
    counts = _case_counts(cases, period)
    heads = _headcounts(workforce, period)
    sides = _sides()
    side_a, side_b = pl.col("side") == "a", pl.col("side") == "b"
    staff = (
        heads.join(sides, on=["dimension", "code"], how="inner")
        .group_by(*keys, "comparison")
        .agg(
            pl.col("code").n_unique().alias("groups_known"),
            pl.col("headcount").filter(side_a).sum().alias("headcount_a"),
            pl.col("headcount").filter(side_b).sum().alias("headcount_b"),
        )
        .join(_needed(), on="comparison", how="inner")
        .select(
            *keys,
            "comparison",
            "headcount_a",
            "headcount_b",
            (pl.col("groups_known") == pl.col("needed")).alias("known"),
        )
    )
    in_groups = (
        counts.join(sides, on=["dimension", "code"], how="inner")
        .group_by(*keys, "comparison")
        .agg(
            pl.col("cases").filter(side_a).sum().alias("cases_a"),
            pl.col("cases").filter(side_b).sum().alias("cases_b"),
        )
    )
    dimension_of = pl.LazyFrame(
        {"comparison": [c.id for c in ALL_COMPARISONS], "dimension": [c.dimension for c in ALL_COMPARISONS]}
    )
    # A doctors-alone comparison counts no other profession: their cases are left out, as when a
    # profession has no headcount.
    doctors_alone = [c.id for c in DOCTOR_COMPARISONS]
    other_profession = pl.col("comparison").is_in(doctors_alone) & (pl.col("profession") != "doctor")
    totals = (
        counts.group_by(*keys, "dimension")
        .agg(
            pl.col("cases").sum().alias("total"),
            pl.col("cases").filter(pl.col("code") == NOT_STATED).sum().alias("not_stated"),
        )
        .join(dimension_of, on="dimension", how="inner")
        .drop("dimension")
    )
    grid = (
        pl.concat([counts.select(keys), heads.select(keys)])
        .unique()
        .join(dimension_of.select("comparison"), how="cross")
    )
    return (
        grid.join(staff, on=[*keys, "comparison"], how="left")
        .join(in_groups, on=[*keys, "comparison"], how="left")
        .join(totals, on=[*keys, "comparison"], how="left")
        .with_columns(
            pl.col("known").fill_null(False) & ~other_profession,
            pl.col("cases_a", "cases_b", "headcount_a", "headcount_b", "total", "not_stated").fill_null(0),
        )
    )


# --- typed results -----------------------------------------------------------------------


def _result(
    comparison: Comparison,
    scope: str,
    span: str,
    period: Period,
    row: dict[str, Any] | None,
    level: float,
    min_cases: int,
) -> Equality:
    stats = _stats()
    years = period.fiscal_years if span == POOLED else (span,)
    row = row or {
        "professions": [],
        "organisations": 0,
        "cases_a": 0,
        "cases_b": 0,
        "headcount_a": 0,
        "headcount_b": 0,
        "counted": 0,
        "not_stated": 0,
        "left_out": 0,
    }
    professions = tuple(code for code in _PROFESSION_ORDER if code in row["professions"])
    known = bool(professions)
    heads = (row["headcount_a"], row["headcount_b"]) if known else (None, None)
    if not known:
        result = stats.NotAvailable(stats.Reason.MISSING_DENOMINATOR, _missing_detail(comparison, years))
    elif 0 in heads:
        noun = comparison.noun_a if heads[0] == 0 else comparison.noun_b
        result = stats.NotAvailable(stats.Reason.ZERO_DENOMINATOR, f"the headcount of {noun} is zero")
    else:
        result = stats.relative_likelihood(
            row["cases_a"], heads[0], row["cases_b"], heads[1], level, min_cases=min_cases
        )
    available = not isinstance(result, stats.NotAvailable)
    return Equality(
        comparison=comparison.id,
        label=comparison.label,
        scope=scope,
        years=tuple(years),
        group_a=comparison.group_a,
        group_b=comparison.group_b,
        professions=professions,
        organisations=row["organisations"],
        cases_a=row["cases_a"] if known else 0,
        cases_b=row["cases_b"] if known else 0,
        headcount_a=heads[0],
        headcount_b=heads[1],
        likelihood_a=row["cases_a"] / heads[0] if known and heads[0] else None,
        likelihood_b=row["cases_b"] / heads[1] if known and heads[1] else None,
        ratio=result.ratio if available else None,
        low=result.low if available else None,
        high=result.high if available else None,
        level=level,
        excludes_one=result.excludes_one if available else None,
        outside_band=result.outside_band(*stats.EQUITY_BAND) if available else None,
        not_stated_share=row["not_stated"] / row["counted"] if known and row["counted"] else None,
        cases_left_out=row["left_out"],
        not_available=None if available else result,
        reading=_reading(comparison, result, level),
    )


def _missing_detail(comparison: Comparison, years: tuple[str, ...]) -> str:
    characteristic = v.WORKFORCE_DIMENSIONS.label(comparison.dimension).lower()
    when = years[0] if len(years) == 1 else f"every year of {years[0]} to {years[-1]}"
    return f"no headcount by {characteristic} for {when}"


def _reading(comparison: Comparison, result: RelativeLikelihood | NotAvailable, level: float) -> str:
    """One line that claims no more than the interval allows."""
    from concerns.analytics import stats

    a, b = comparison.noun_a, comparison.noun_b
    if isinstance(result, stats.NotAvailable):
        if result.reason is stats.Reason.TOO_FEW_CASES:
            return f"No clear difference can be shown between {a} and {b}: too few cases to say ({result.detail})."
        return _sentence(result.message) + "."
    interval = f"{level:.0%} interval {result.low:.2f} to {result.high:.2f}"
    if result.excludes_one and result.ratio > 1:
        return f"{_sentence(a)} were {result.ratio:.2f} times as likely as {b} to be the subject of a case ({interval})."
    if result.excludes_one:
        return (
            f"{_sentence(a)} were less likely than {b} to be the subject of a case: "
            f"{result.ratio:.2f} times as likely ({interval})."
        )
    return (
        f"No clear difference between {a} and {b}: the {interval} includes 1 (equal likelihood), "
        f"so the ratio of {result.ratio:.2f} may be chance."
    )


@cache
def _stats() -> ModuleType:
    from concerns.analytics import stats

    return stats


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def comparison(comparison_id: str) -> Comparison:
    """The comparison with this id."""
    return _BY_ID[comparison_id]
