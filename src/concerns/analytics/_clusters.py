"""Clusters: staff groups in which an organisation has more cases than expected.

Every organisation's cases in the period are counted by specialty group, grade,
specialty group × grade and the demographic groups, and each count is set
against an expected count drawn from the *other* organisations of the same type
(leave-one-out). Where the workforce gives a headcount for the group in every
year, the expected count is the reference rate per person-year times the
organisation's person-years ("rate per headcount"); otherwise it is the
reference share of cases in the group times the organisation's cases ("case
mix"). Both are standardised by profession. An exact one-sided Poisson test asks whether the observed count
is more than chance allows, and Benjamini–Hochberg controls the false discovery
rate across all of an organisation's tests. Method notes: docs/statistics.md.

The counting is one pass of group-bys over the (lazy) frames for every
organisation at once; only the Benjamini–Hochberg step runs per organisation.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import polars as pl

from concerns import vocabulary as v
from concerns.analytics._period import Period

RATE = "rate per headcount"
CASE_MIX = "case mix"
DEFAULT_Q = 0.05
DEFAULT_MIN_OBSERVED = 3
NOT_STATED = "not_stated"
ALL_TYPES = "*"  # the reference key meaning "every other organisation, whatever its type"
_JOIN = "|"  # joins the codes of a crossed group (specialty group | grade) into one key

# Each dimension, the case columns it crosses, and how its groups are labelled.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "specialty_group": ("specialty_group",),
    "grade": ("grade",),
    "specialty_grade": ("specialty_group", "grade"),
    "ethnic_group": ("ethnic_group",),
    "sex": ("sex",),
    "age_band": ("age_band",),
    "pmq": ("pmq",),
    "disability": ("disability",),
}
TITLES: dict[str, str] = {
    "specialty_group": "Specialty group",
    "grade": "Grade",
    "specialty_grade": "Specialty group and grade",
    "ethnic_group": "Ethnic group",
    "sex": "Sex",
    "age_band": "Age band",
    "pmq": "Place of primary qualification",
    "disability": "Disability",
}
_CODESETS: dict[str, v.CodeSet] = {
    "specialty_group": v.SPECIALTY_GROUPS,
    "grade": v.GRADES,
    "ethnic_group": v.ETHNIC_GROUPS,
    "sex": v.SEXES,
    "age_band": v.AGE_BANDS,
    "pmq": v.PMQS,
    "disability": v.DISABILITIES,
}
# The dimensions the workforce has headcounts for: case column → workforce dimension.
WITH_HEADCOUNT: dict[str, str] = {column: dimension for dimension, column in v.DIMENSION_CASE_COLUMN.items()}

_CELL = ["org_code", "dimension", "code"]


@dataclass(frozen=True)
class ClusterTest:
    """One staff group of one organisation: observed against expected cases."""

    dimension: str  # a key of DIMENSIONS
    codes: tuple[str, ...]  # ("surgery", "consultant") for specialty group × grade
    label: str  # "Surgery · Consultant"
    observed: int
    practitioners: int  # distinct practitioners among the observed cases
    expected: float
    ratio: float | None  # observed ÷ expected; None when nothing is expected
    p: float  # exact one-sided Poisson P(X ≥ observed); 1 when nothing is expected
    q: float | None  # Benjamini–Hochberg adjusted p; None when not eligible
    flagged: bool  # a discovery at the false discovery rate, and an excess
    basis: str  # RATE or CASE_MIX
    eligible: bool  # at least min_observed cases about as many practitioners, and something expected


@dataclass(frozen=True)
class Clusters:
    """An organisation's tests, in report order, and the settings they were made with."""

    org_code: str
    period: Period
    tests: tuple[ClusterTest, ...]
    family_size: int  # every test, eligible or not, in the Benjamini–Hochberg family
    q: float
    min_observed: int
    reference_type: str | None  # the org_type compared with; None when every other organisation
    reference_organisations: int  # how many organisations the reference pools

    @property
    def flagged(self) -> tuple[ClusterTest, ...]:
        """The flagged tests, largest excess (lowest q) first."""
        return tuple(sorted((t for t in self.tests if t.flagged), key=lambda t: (t.q, -t.observed)))

    def get(self, dimension: str, *codes: str) -> ClusterTest | None:
        """The test of one group, e.g. get("specialty_grade", "surgery", "consultant"); None if not in the family."""
        return next((t for t in self.tests if t.dimension == dimension and t.codes == codes), None)

    @property
    def reference(self) -> str:
        """The comparison in words, for a methods note."""
        if self.reference_organisations == 0:
            return "no other organisation to compare with"
        if self.reference_type is None:
            return f"all {self.reference_organisations} other organisations (none of the same type has cases)"
        kind = (
            v.ORG_TYPES.label(self.reference_type)
            if self.reference_type in v.ORG_TYPES
            else self.reference_type
        )
        kind = kind.lower()
        return f"the {self.reference_organisations} other organisations of the same type ({kind})"


def find_clusters(
    cases: pl.DataFrame | pl.LazyFrame,
    workforce: pl.DataFrame | pl.LazyFrame,
    organisations: pl.DataFrame,
    period: Period,
    *,
    q: float = DEFAULT_Q,
    min_observed: int = DEFAULT_MIN_OBSERVED,
) -> dict[str, Clusters]:
    """Every organisation's cluster tests, keyed by org_code (every organisation listed gets one)."""
    from concerns.analytics.stats import exact_poisson_upper_ps

    if not 0 < q < 1:
        raise ValueError(f"q must be between 0 and 1, got {q!r}")
    if min_observed < 1:
        raise ValueError(f"min_observed must be at least 1, got {min_observed!r}")
    table, references = _cluster_table(cases, workforce, organisations, period)
    testable = table["expected"] > 0
    p = np.ones(table.height)
    if testable.any():
        p[testable.to_numpy()] = exact_poisson_upper_ps(
            table.filter(testable)["observed"].to_numpy(), table.filter(testable)["expected"].to_numpy()
        )
    table = table.with_columns(
        # Repeat cases about one practitioner are not a cluster in a staff group, and flagging
        # them would point at a person: the minimum applies to distinct practitioners too.
        p=pl.Series(p),
        eligible=(pl.col("expected") > 0)
        & (pl.col("observed") >= min_observed)
        & (pl.col("practitioners") >= min_observed),
    )
    by_org = table.partition_by("org_code", as_dict=True, maintain_order=True)
    results = {}
    for org_code, reference_type, reference_organisations in references.iter_rows():
        rows = by_org.get((org_code,))
        tests = _tests(rows, q) if rows is not None else ()
        results[org_code] = Clusters(
            org_code,
            period,
            tests,
            len(tests),
            q,
            min_observed,
            None if reference_type == ALL_TYPES else reference_type,
            reference_organisations,
        )
    return results


def clusters_for(
    cases: pl.DataFrame | pl.LazyFrame,
    workforce: pl.DataFrame | pl.LazyFrame,
    organisations: pl.DataFrame,
    period: Period,
    org_code: str,
    *,
    q: float = DEFAULT_Q,
    min_observed: int = DEFAULT_MIN_OBSERVED,
) -> Clusters:
    """One organisation's cluster tests (the reference needs every organisation's counts anyway)."""
    found = find_clusters(cases, workforce, organisations, period, q=q, min_observed=min_observed)
    if org_code not in found:
        raise ValueError(f"no organisation {org_code!r} in the organisations file")
    return found[org_code]


def _tests(rows: pl.DataFrame, q: float) -> tuple[ClusterTest, ...]:
    """One organisation's rows, with Benjamini–Hochberg over all of them (the ineligible included)."""
    from concerns.analytics.stats import benjamini_hochberg

    corrected = benjamini_hochberg(rows["p"].to_list(), q, eligible=rows["eligible"].to_list())
    tests = []
    for row, q_value, rejected in zip(
        rows.iter_rows(named=True), corrected.qvalues, corrected.rejected, strict=True
    ):
        observed, expected = row["observed"], row["expected"]
        tests.append(
            ClusterTest(
                dimension=row["dimension"],
                codes=tuple(row["code"].split(_JOIN)),
                label=row["label"],
                observed=observed,
                practitioners=row["practitioners"],
                expected=expected,
                ratio=observed / expected if expected > 0 else None,
                p=row["p"],
                q=q_value,
                flagged=rejected and observed > expected,
                basis=row["basis"],
                eligible=row["eligible"],
            )
        )
    return tuple(tests)


# --- the expected counts, for every organisation at once ---------------------------------


def cluster_table(
    cases: pl.DataFrame | pl.LazyFrame,
    workforce: pl.DataFrame | pl.LazyFrame,
    organisations: pl.DataFrame,
    period: Period,
) -> pl.DataFrame:
    """Observed and expected cases by organisation and staff group, before any test.

    One row per organisation and group that has cases or expects some. Columns:
    org_code, dimension, code (crossed codes joined by "|"), label, observed,
    expected, basis; in report order within each organisation.
    """
    return _cluster_table(cases, workforce, organisations, period)[0]


def _cluster_table(
    cases: pl.DataFrame | pl.LazyFrame,
    workforce: pl.DataFrame | pl.LazyFrame,
    organisations: pl.DataFrame,
    period: Period,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The cluster table and each organisation's reference (see `_references`)."""
    counts = _case_counts(cases, period).collect().lazy()
    types = _organisation_types(organisations)
    references = _references(types, counts).collect().lazy()
    by_rate = _expected_by_rate(counts, _person_years(workforce, period), types, references)
    by_mix = _expected_by_case_mix(counts, types, references)
    cells = (
        by_mix.join(by_rate, on=_CELL, how="full", coalesce=True)
        .with_columns(pl.col("observed").fill_null(0))
        .with_columns(
            # A headcount that explains no case (no staff in the group, yet cases) is not a usable basis.
            use_rate=pl.col("rate_expected").is_not_null()
            & ((pl.col("rate_expected") > 0) | (pl.col("observed") == 0))
        )
        .select(
            *_CELL,
            "observed",
            pl.when("use_rate")
            .then("rate_expected")
            .otherwise("mix_expected")
            .fill_null(0.0)
            .alias("expected"),
            pl.when("use_rate").then(pl.lit(RATE)).otherwise(pl.lit(CASE_MIX)).alias("basis"),
        )
        .filter((pl.col("observed") > 0) | (pl.col("expected") > 0))
    )
    table = (
        cells.join(_catalogue().lazy(), on=["dimension", "code"], how="inner")
        .join(_practitioner_counts(cases, period), on=_CELL, how="left")
        .with_columns(pl.col("practitioners").fill_null(0))
        .sort("org_code", "order")
        .select(*_CELL, "label", "observed", "practitioners", "expected", "basis")
        .collect()
    )
    return table, references.collect()


def _case_counts(cases: pl.DataFrame | pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Cases in the period by organisation, profession, dimension and stated group (zeros absent).

    Also a row per organisation and profession with dimension "total" (every
    case, stated or not), which says which professions the organisation has cases of.
    """
    columns = list(dict.fromkeys(column for crossed in DIMENSIONS.values() for column in crossed))
    # One pass over the cases; every margin is summed from these (far fewer) combinations.
    combinations = (
        period.select(cases)
        .group_by("org_code", "profession", *columns)
        .agg(pl.len().alias("cases"))
        .collect()
        .lazy()
    )
    parts = [
        combinations.group_by("org_code", "profession")
        .agg(pl.col("cases").sum())
        .with_columns(dimension=pl.lit("total"), code=pl.lit("total"))
    ]
    for dimension, crossed in DIMENSIONS.items():
        stated = [pl.col(c).is_not_null() & (pl.col(c).cast(pl.String) != NOT_STATED) for c in crossed]
        parts.append(
            combinations.group_by("org_code", "profession", *crossed)
            .agg(pl.col("cases").sum())
            .filter(*stated)
            .with_columns(
                dimension=pl.lit(dimension),
                code=pl.concat_str([pl.col(c).cast(pl.String) for c in crossed], separator=_JOIN),
            )
        )
    return pl.concat(
        [
            part.select(
                "org_code",
                pl.col("profession").cast(pl.String),
                "dimension",
                "code",
                pl.col("cases").cast(pl.Int64),
            )
            for part in parts
        ]
    )


def _practitioner_counts(cases: pl.DataFrame | pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Distinct practitioners with cases in the period, by organisation and staff group."""
    selected = period.select(cases)
    parts = [
        selected.group_by("org_code", *crossed)
        .agg(pl.col("practitioner_id").n_unique().cast(pl.Int64).alias("practitioners"))
        .select(
            "org_code",
            dimension=pl.lit(dimension),
            code=pl.concat_str([pl.col(c).cast(pl.String) for c in crossed], separator=_JOIN),
            practitioners="practitioners",
        )
        for dimension, crossed in DIMENSIONS.items()
    ]
    return pl.concat(parts)


def _person_years(workforce: pl.DataFrame | pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Person-years by organisation, profession, dimension and group, where every year's headcount is known."""
    return (
        period.select(workforce)
        .filter(
            pl.col("dimension").cast(pl.String).is_in(list(WITH_HEADCOUNT.values())),
            pl.col("headcount").is_not_null(),
            pl.col("group").cast(pl.String) != NOT_STATED,
        )
        .group_by(
            "org_code",
            pl.col("profession").cast(pl.String),
            pl.col("dimension").cast(pl.String).replace(v.DIMENSION_CASE_COLUMN).alias("dimension"),
            pl.col("group").cast(pl.String).alias("code"),
        )
        .agg(pl.col("headcount").sum().alias("person_years"), pl.col("fiscal_year").n_unique().alias("years"))
        .filter(pl.col("years") == len(period))
        .select("org_code", "profession", "dimension", "code", pl.col("person_years").cast(pl.Float64))
    )


def _organisation_types(organisations: pl.DataFrame) -> pl.LazyFrame:
    return (
        organisations.lazy()
        .select("org_code", pl.col("org_type").cast(pl.String).fill_null("unknown"))
        .unique("org_code", keep="first", maintain_order=True)
    )


def _references(types: pl.LazyFrame, counts: pl.LazyFrame) -> pl.LazyFrame:
    """Each organisation's reference: its own type, or every organisation when no other of its type has cases.

    Columns: org_code, reference (an org_type, or ALL_TYPES), organisations (how
    many other organisations the reference pools).
    """
    active = (
        counts.filter(pl.col("dimension") == "total")
        .select("org_code")
        .unique()
        .with_columns(active=pl.lit(1))
    )
    orgs = types.join(active, on="org_code", how="left").with_columns(pl.col("active").fill_null(0))
    others_active = pl.col("active").sum().over("org_type") - pl.col("active")
    return orgs.select(
        "org_code",
        pl.when(others_active > 0).then("org_type").otherwise(pl.lit(ALL_TYPES)).alias("reference"),
        pl.when(others_active > 0)
        .then(pl.len().over("org_type") - 1)
        .otherwise(pl.len() - 1)
        .cast(pl.Int64)
        .alias("organisations"),
    )


def _reference_sums(
    frame: pl.LazyFrame, types: pl.LazyFrame, keys: list[str], values: list[str]
) -> pl.LazyFrame:
    """Sums of `values` by `keys` within each org_type, and over every organisation (reference ALL_TYPES)."""
    typed = frame.join(types, on="org_code", how="inner")
    sums = [pl.col(value).sum() for value in values]
    return pl.concat(
        [
            typed.group_by(pl.col("org_type").alias("reference"), *keys).agg(sums),
            typed.group_by(*keys).agg(sums).with_columns(reference=pl.lit(ALL_TYPES)),
        ],
        how="diagonal",
    )


def _expected_by_rate(
    counts: pl.LazyFrame, person_years: pl.LazyFrame, types: pl.LazyFrame, references: pl.LazyFrame
) -> pl.LazyFrame:
    """Σ over professions of (the organisation's person-years × the leave-one-out reference rate).

    Null (so case mix is used) unless every profession the organisation has
    cases of has a headcount for the group in every year, and the reference
    has person-years wherever the organisation has staff.
    """
    unit = ["org_code", "profession", "dimension", "code"]
    rated = counts.filter(pl.col("dimension").is_in(list(WITH_HEADCOUNT)))
    known = (
        rated.join(person_years, on=unit, how="full", coalesce=True)
        .filter(pl.col("person_years").is_not_null())
        .with_columns(pl.col("cases").fill_null(0))
    )
    sums = _reference_sums(known, types, unit[1:], ["cases", "person_years"]).rename(
        {"cases": "reference_cases", "person_years": "reference_person_years"}
    )
    case_professions = counts.filter(pl.col("dimension") == "total").select(
        "org_code", "profession", has_cases=pl.lit(True)
    )
    professions_needed = case_professions.group_by("org_code").agg(pl.len().alias("needed"))
    # The organisation is in its own reference sums (its headcount is known): take it out.
    others_cases = pl.col("reference_cases") - pl.col("cases")
    others_years = pl.col("reference_person_years") - pl.col("person_years")
    contributions = (
        known.join(references.select("org_code", "reference"), on="org_code", how="inner")
        .join(sums, on=["reference", *unit[1:]], how="left")
        .join(case_professions, on=["org_code", "profession"], how="left")
        .with_columns(
            contribution=pl.when(pl.col("person_years") == 0)
            .then(0.0)
            .when(others_years > 0)
            .then(pl.col("person_years") * others_cases / others_years)
        )
    )
    return (
        contributions.group_by(_CELL)
        .agg(
            pl.col("contribution").sum().alias("expected"),
            pl.col("contribution").is_null().any().alias("unusable"),
            pl.col("has_cases").fill_null(False).sum().alias("covered"),
        )
        .join(professions_needed, on="org_code", how="left")
        .select(
            *_CELL,
            pl.when(~pl.col("unusable") & (pl.col("covered") == pl.col("needed").fill_null(0)))
            .then("expected")
            .alias("rate_expected"),
        )
    )


def _expected_by_case_mix(
    counts: pl.LazyFrame, types: pl.LazyFrame, references: pl.LazyFrame
) -> pl.LazyFrame:
    """Σ over professions of (the organisation's stated cases × the reference share of the group), leave-one-out.

    The share is that of the profession's stated cases in the reference, so an
    organisation with many dentists does not find "clusters" of dental cases;
    where no other reference organisation has stated cases of the profession,
    the reference share over all professions is used for it. One row per
    organisation and group of every dimension it has stated cases in.
    """
    unit = ["org_code", "profession", "dimension"]
    cells = counts.filter(pl.col("dimension") != "total")
    stated = cells.group_by(unit).agg(pl.col("cases").sum().alias("stated"))
    by_profession = (
        _reference_sums(cells, types, ["profession", "dimension", "code"], ["cases"]).rename(
            {"cases": "ref_cell"}
        ),
        _reference_sums(stated, types, ["profession", "dimension"], ["stated"]).rename(
            {"stated": "ref_stated"}
        ),
    )
    overall = (
        _reference_sums(cells, types, ["dimension", "code"], ["cases"]).rename({"cases": "ref_cell_all"}),
        _reference_sums(stated, types, ["dimension"], ["stated"]).rename({"stated": "ref_stated_all"}),
    )
    grid = (
        stated.join(references.select("org_code", "reference"), on="org_code", how="inner")
        .join(cells.select("dimension", "code").unique(), on="dimension", how="inner")
        .join(cells, on=[*unit, "code"], how="left")
        .with_columns(pl.col("cases").fill_null(0))
        .join(by_profession[0], on=["reference", "profession", "dimension", "code"], how="left")
        .join(by_profession[1], on=["reference", "profession", "dimension"], how="left")
        .join(overall[0], on=["reference", "dimension", "code"], how="left")
        .join(overall[1], on=["reference", "dimension"], how="left")
    )
    # Leave-one-out: the organisation's own counts come out of the reference sums.
    own_cell_all = pl.col("cases").sum().over(_CELL)
    own_stated_all = pl.col("stated").sum().over(_CELL)
    others = {
        "cell": pl.col("ref_cell").fill_null(0) - pl.col("cases"),
        "stated": pl.col("ref_stated").fill_null(0) - pl.col("stated"),
        "cell_all": pl.col("ref_cell_all").fill_null(0) - own_cell_all,
        "stated_all": pl.col("ref_stated_all").fill_null(0) - own_stated_all,
    }
    share = (
        pl.when(others["stated"] > 0)
        .then(others["cell"] / others["stated"])
        .when(others["stated_all"] > 0)
        .then(others["cell_all"] / others["stated_all"])
    )
    return (
        grid.with_columns(contribution=pl.col("stated") * share)
        .group_by(_CELL)
        .agg(
            pl.col("cases").sum().alias("observed"),
            pl.when(pl.col("contribution").is_null().any())
            .then(None)
            .otherwise(pl.col("contribution").sum())
            .alias("mix_expected"),
        )
    )


def _catalogue() -> pl.DataFrame:
    """Every stated group of every dimension: its key, label and report order."""
    rows = []
    for dimension, columns in DIMENSIONS.items():
        members = [[m for m in _CODESETS[c] if m.code != NOT_STATED] for c in columns]
        for combination in itertools.product(*members):
            rows.append(
                {
                    "dimension": dimension,
                    "code": _JOIN.join(m.code for m in combination),
                    "label": " · ".join(m.label for m in combination),
                }
            )
    return pl.DataFrame(rows).with_row_index("order")
