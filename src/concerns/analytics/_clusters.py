"""Clusters: staff groups of an organisation that have more practitioners with cases than its own
total and workforce mix would give.

The question is asked *within* the organisation. Its practitioners with cases
are shared out over its staff groups (grade, specialty group, specialty group ×
grade, and specialty: the recorded specialty mapped to the standard list); under no cluster, each practitioner falls in a group with a probability
set by the organisation's own workforce and by how cases spread over groups in
the other organisations of its type (leave-one-out):

- by grade, in proportion to the organisation's person-years in each
  profession and grade times the reference rate of practitioners with cases
  per person-year there ("rate per headcount"); where the organisation's
  headcount by grade is not known for every year, in proportion to its own
  practitioners of each profession times the reference share of each grade
  ("case mix");
- by specialty group (the workforce has no specialty), each grade's share times
  the reference share of each specialty group within that profession and grade;
- by specialty, the specialty group's chance times the reference share of the
  specialty within that group, profession and grade (cases whose specialty names
  only the group count towards the group, never towards one of its specialties).
  Only specialties of a group that has several are tested: general practice is
  its own only specialty.

So a trust whose overall rate is high does not find a cluster in every large
group: only a group holding more of *its own* practitioners than its mix
explains stands out. The count is of distinct practitioners, so one person's
repeat cases are not a cluster. A group is examined when it holds at least
`min_observed` practitioners; its p-value is the exact one-sided binomial
tail conditional on being examined, P(X ≥ observed | X ≥ min_observed), so
choosing groups by their count does not inflate errors, and Benjamini–Hochberg
controls the false discovery rate over the groups examined in the
organisation. A group is flagged when it is a discovery and exceeds its
expectation. Demographic groups are equality questions (`_equality`), not
clusters. Method notes and calibration: docs/statistics.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np
import polars as pl

from concerns import vocabulary as v
from concerns.analytics._period import Period

RATE = "rate per headcount"
CASE_MIX = "case mix"
DEFAULT_Q = 0.05
DEFAULT_MIN_OBSERVED = 3
NOT_STATED = "not_stated"
UNSPECIFIED = "group:"  # a fine-specialty place for cases whose specialty names only its group
ALL_TYPES = "*"  # the reference key meaning "every other organisation, whatever its type"
PRIOR = 0.5  # practitioners added to every reference cell, so that no group is impossible

# The staff-group dimensions, in report order.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "specialty_group": ("specialty_group",),
    "grade": ("grade",),
    "specialty_grade": ("specialty_group", "grade"),
    "specialty": ("standard_specialty",),
}

_PROFESSIONS = list(v.PROFESSIONS.codes)
_GRADES = [code for code in v.GRADES.codes if code != NOT_STATED]
_SPECIALTIES = [code for code in v.SPECIALTY_GROUPS.codes if code != NOT_STATED]
# The finest specialty axis: every standard specialty, then one "only the group named" place per group.
_FINE = [*v.SPECIALTIES.codes, *(f"{UNSPECIFIED}{group}" for group in _SPECIALTIES)]
_FINE_GROUP: np.ndarray = np.array(
    [_SPECIALTIES.index(str(v.SPECIALTIES.group(code))) for code in v.SPECIALTIES.codes]
    + list(range(len(_SPECIALTIES)))
)
# A specialty is tested only when its group has others: a group's only specialty is the group itself.
_TESTED_FINE = [
    code
    for code in v.SPECIALTIES.codes
    if sum(1 for other in v.SPECIALTIES if other.group == v.SPECIALTIES.group(code)) > 1
]


@dataclass(frozen=True)
class ClusterTest:
    """One staff group of one organisation: practitioners with cases, against the number expected."""

    dimension: str  # a key of DIMENSIONS
    codes: tuple[str, ...]  # ("surgery", "consultant") for specialty group × grade
    label: str  # "Surgery · Consultant"
    observed: int  # distinct practitioners with a case in the group
    cases: int  # cases in the group
    expected: float  # practitioners expected from the organisation's own total and mix
    ratio: float | None  # observed ÷ expected; None when nothing is expected
    p: float  # exact one-sided binomial P(X ≥ observed); 1 when nothing is expected
    p_examined: float | None  # P(X ≥ observed | X ≥ min_observed), the p-value BH uses; None if not examined
    q: (
        float | None
    )  # Benjamini–Hochberg adjusted p (of the p-value conditional on being examined); None if not
    flagged: bool  # a discovery at the false discovery rate, an excess, and enough practitioners
    basis: str  # RATE or CASE_MIX: how the grade mix was expected
    eligible: bool  # examined: at least min_observed practitioners, and something expected

    @property
    def practitioners(self) -> int:
        return self.observed


@dataclass(frozen=True)
class Clusters:
    """An organisation's tests, in report order, and the settings they were made with."""

    org_code: str
    period: Period
    tests: tuple[ClusterTest, ...]
    family_size: (
        int  # the groups examined (at least min_observed practitioners): the Benjamini–Hochberg family
    )
    q: float
    min_observed: int
    reference_type: str | None  # the org_type compared with; None when every other organisation
    reference_organisations: int  # how many organisations the reference pools
    # The chance of each specialty (finest axis) × grade [F, G] under no cluster, and the practitioners shared out.
    null_model: tuple[np.ndarray, int] | None = field(default=None, repr=False, compare=False)

    def chance_of_a_flag(self, simulations: int = 400, seed: int = 0) -> float:
        """How often the same tests would flag at least one group if nothing stood out: simulated by
        sharing the organisation's practitioners out at random under its own null model."""
        if self.null_model is None or not self.family_size:
            return 0.0
        chances, total = self.null_model
        rng = np.random.default_rng(seed)
        draws = rng.multinomial(total, chances.ravel() / chances.sum(), size=simulations).reshape(
            simulations, *chances.shape
        )
        flagged = np.zeros(simulations, dtype=bool)
        groups = np.eye(len(_SPECIALTIES))[_FINE_GROUP]  # [F, S]: which group each specialty is in
        tested = [_FINE.index(code) for code in _TESTED_FINE]
        margins = (
            np.einsum("nfg,fs->ns", draws, groups),
            draws.sum(axis=1),
            np.einsum("nfg,fs->nsg", draws, groups).reshape(simulations, -1),
            draws.sum(axis=2)[:, tested],
        )
        probabilities = (
            chances.sum(axis=1) @ groups,
            chances.sum(axis=0),
            np.einsum("fg,fs->sg", chances, groups).ravel(),
            chances.sum(axis=1)[tested],
        )
        p_values, excess = [], []
        for observed, chance in zip(margins, probabilities, strict=True):
            p, over = _examined_p_values(observed, chance / chances.sum(), total, self.min_observed)
            p_values.append(p)
            excess.append(over)
        p = np.concatenate(p_values, axis=1)
        over = np.concatenate(excess, axis=1)
        for row in range(simulations):
            examined = ~np.isnan(p[row])
            if examined.any():
                rejected = _bh_rejected(p[row][examined], self.q)
                flagged[row] = (rejected & over[row][examined]).any()
        return float(flagged.mean())

    @property
    def flagged(self) -> tuple[ClusterTest, ...]:
        """The flagged tests, largest excess (lowest q) first."""
        return tuple(sorted((t for t in self.tests if t.flagged), key=lambda t: (t.q, -t.observed)))

    def get(self, dimension: str, *codes: str) -> ClusterTest | None:
        """The test of one group, e.g. get("specialty_grade", "surgery", "consultant"); None if not tested."""
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
        ).lower()
        return f"the {self.reference_organisations} other organisations of the same type ({kind})"


@dataclass(frozen=True)
class _Counts:
    """Every organisation's counts as arrays, organisations in `codes` order."""

    codes: list[str]
    types: list[str]
    units: np.ndarray  # [O, P, G] distinct practitioners by profession and stated grade
    cells: (
        np.ndarray
    )  # [O, P, G, S] distinct practitioners by profession, grade and specialty group, both stated
    fine: np.ndarray  # [O, P, G, F] the same by specialty (_FINE: standard specialties, then group only)
    person_years: np.ndarray  # [O, P, G] over the period; NaN unless every year is known
    observed: dict[str, np.ndarray]  # dimension → [O, groups] distinct practitioners
    cases: dict[str, np.ndarray]  # dimension → [O, groups] cases


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
    if not 0 < q < 1:
        raise ValueError(f"q must be between 0 and 1, got {q!r}")
    if min_observed < 1:
        raise ValueError(f"min_observed must be at least 1, got {min_observed!r}")
    counts = _counts(cases, workforce, organisations, period)
    active = counts.units.sum(axis=(1, 2)) > 0
    results = {}
    for index, code in enumerate(counts.codes):
        reference = _reference_members(counts, index, active)
        tests, examined, null_model = (
            _tests(counts, index, reference, q, min_observed) if reference.any() else ((), 0, None)
        )
        same_type = all(counts.types[o] == counts.types[index] for o in np.flatnonzero(reference))
        results[code] = Clusters(
            code,
            period,
            tests,
            examined,
            q,
            min_observed,
            counts.types[index] if same_type and reference.any() else None,
            int(reference.sum()) if same_type else len(counts.codes) - 1,
            null_model,
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


# --- the test of one organisation ---------------------------------------------------------


def _reference_members(counts: _Counts, index: int, active: np.ndarray) -> np.ndarray:
    """The other organisations of the same type, or every other one when none of its type has cases."""
    others = np.ones(len(counts.codes), dtype=bool)
    others[index] = False
    same = others & (np.array(counts.types) == counts.types[index])
    return same if (same & active).any() else others


def _tests(
    counts: _Counts, index: int, reference: np.ndarray, q: float, min_observed: int
) -> tuple[tuple[ClusterTest, ...], int, tuple[np.ndarray, int] | None]:
    from concerns.analytics.stats import benjamini_hochberg

    grade_share, basis = _grade_shares(counts, index, reference)
    specialty_given = _specialty_given_grade(counts.cells[reference].sum(axis=0))
    fine_given = _fine_given_group(counts.fine[reference].sum(axis=0))
    # [P, G, F]: the chance of each profession, grade and specialty.
    fine_chance = (grade_share[:, :, None] * specialty_given[:, :, _FINE_GROUP]) * fine_given
    probabilities = {
        "grade": grade_share.sum(axis=0),
        "specialty_group": np.einsum("pg,pgs->s", grade_share, specialty_given),
        "specialty_grade": np.einsum("pg,pgs->sg", grade_share, specialty_given).ravel(),
        "specialty": fine_chance.sum(axis=(0, 1)),
    }
    rows = []
    for dimension, labels in _GROUPS.items():
        observed = counts.observed[dimension][index]
        chance = probabilities[dimension]
        total = int(observed.sum())
        for g, (codes, label) in enumerate(labels):
            if total == 0 or (chance[g] <= 0 and observed[g] == 0) or not _tested(dimension, codes):
                continue
            rows.append(
                _row(
                    dimension,
                    codes,
                    label,
                    int(observed[g]),
                    int(counts.cases[dimension][index][g]),
                    total,
                    float(chance[g]),
                    min_observed,
                )
            )
    family = [row for row in rows if row["eligible"]]
    corrected = benjamini_hochberg([row["p_selected"] for row in family], q) if family else None
    adjusted = dict(
        zip(
            (id(row) for row in family),
            zip(corrected.qvalues, corrected.rejected, strict=True) if corrected else (),
            strict=True,
        )
    )
    tests = []
    for row in rows:
        q_value, rejected = adjusted.get(id(row), (None, False))
        tests.append(
            ClusterTest(
                dimension=row["dimension"],
                codes=row["codes"],
                label=row["label"],
                observed=row["observed"],
                cases=row["cases"],
                expected=row["expected"],
                ratio=row["observed"] / row["expected"] if row["expected"] > 0 else None,
                p=row["p"],
                p_examined=row["p_selected"] if row["eligible"] else None,
                q=q_value,
                flagged=rejected and row["observed"] > row["expected"],
                basis=basis,
                eligible=row["eligible"],
            )
        )
    cells = fine_chance.sum(axis=0).T  # [F, G]
    return tuple(tests), len(family), (cells, int(counts.observed["grade"][index].sum()))


def _tested(dimension: str, codes: tuple[str, ...]) -> bool:
    return dimension != "specialty" or codes[0] in _TESTED_FINE


class _Row(TypedDict):
    dimension: str
    codes: tuple[str, ...]
    label: str
    observed: int
    cases: int
    expected: float
    p: float
    p_selected: float
    eligible: bool


def _row(
    dimension: str,
    codes: tuple[str, ...],
    label: str,
    observed: int,
    cases: int,
    total: int,
    chance: float,
    min_observed: int,
) -> _Row:
    """One group's test. Only a group with at least `min_observed` practitioners is examined, and its
    p-value is conditional on that (P(X ≥ observed | X ≥ min_observed)), so the groups examined can be
    chosen by their count and the false discovery rate still holds over them."""
    from scipy import stats

    p = float(stats.binom.sf(observed - 1, total, chance)) if chance > 0 else 0.0
    eligible = observed >= min_observed and chance > 0
    selected = float(stats.binom.sf(min_observed - 1, total, chance)) if eligible else 1.0
    return {
        "dimension": dimension,
        "codes": codes,
        "label": label,
        "observed": observed,
        "cases": cases,
        "expected": total * chance,
        "p": p,
        "p_selected": min(1.0, p / selected) if eligible else 1.0,
        "eligible": eligible,
    }


def _examined_p_values(
    observed: np.ndarray, chance: np.ndarray, total: int, min_observed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Simulated counts [N, groups] → p-values given examination (NaN where not examined), and excess."""
    from scipy import stats

    with np.errstate(divide="ignore", invalid="ignore"):
        p = stats.binom.sf(observed - 1, total, chance) / stats.binom.sf(min_observed - 1, total, chance)
    examined = (observed >= min_observed) & (chance > 0)
    return np.where(examined, np.minimum(p, 1.0), np.nan), observed > total * chance


def _bh_rejected(p: np.ndarray, q: float) -> np.ndarray:
    """Benjamini–Hochberg step-up: which of the p-values are rejected at q."""
    order = np.argsort(p)
    passed = p[order] <= q * np.arange(1, len(p) + 1) / len(p)
    rejected = np.zeros(len(p), dtype=bool)
    if passed.any():
        rejected[order[: np.flatnonzero(passed).max() + 1]] = True
    return rejected


def _grade_shares(counts: _Counts, index: int, reference: np.ndarray) -> tuple[np.ndarray, str]:
    """The chance [P, G] that one of the organisation's practitioners with a case is of each profession
    and grade, given its own workforce: by headcount where known for every year, else by case mix.

    Reference counts get half a practitioner more in every cell (PRIOR), so a group no other
    organisation happens to have is unlikely, never impossible.
    """
    units = counts.units[index]
    professions = units.sum(axis=1) > 0
    reference_units = counts.units[reference].sum(axis=0) + PRIOR
    own_years = counts.person_years[index]
    reference_years = np.nansum(counts.person_years[reference], axis=0)
    needed = own_years[professions]
    if needed.size and not np.isnan(needed).any() and (needed.sum(axis=1) > 0).all():
        staffed = np.nan_to_num(own_years) > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            weights = np.where(staffed, np.nan_to_num(own_years) * reference_units / reference_years, 0.0)
        weights[~professions] = 0.0
        if np.isfinite(weights).all() and weights.sum() > 0:
            return weights / weights.sum(), RATE
    within = reference_units / reference_units.sum(axis=1, keepdims=True)
    weights = units.sum(axis=1)[:, None] * within
    return weights / max(weights.sum(), 1e-300), CASE_MIX


def _specialty_given_grade(cells: np.ndarray) -> np.ndarray:
    """Reference share of each specialty group within each profession and grade [P, G, S], with one
    practitioner more in each profession and grade shared out as the reference's overall mix (PRIOR)."""
    overall = cells.sum(axis=(0, 1)) + PRIOR
    overall = overall / overall.sum()
    totals = cells.sum(axis=2, keepdims=True)
    shares: np.ndarray = (cells + 2 * PRIOR * overall) / (totals + 2 * PRIOR)
    return shares


def _fine_given_group(fine: np.ndarray) -> np.ndarray:
    """Reference share of each specialty within its group, for each profession and grade [P, G, F], with
    one practitioner more in each group shared out as the reference's overall mix within it (PRIOR)."""
    groups = np.eye(len(_SPECIALTIES))[_FINE_GROUP]  # [F, S]
    overall = fine.sum(axis=(0, 1)) + PRIOR
    overall = overall / (overall @ groups)[_FINE_GROUP]
    totals = (fine @ groups)[:, :, _FINE_GROUP]
    shares: np.ndarray = (fine + 2 * PRIOR * overall) / (totals + 2 * PRIOR)
    return shares


# --- counting, for every organisation at once ---------------------------------------------


def _labelled(dimension: str) -> list[tuple[tuple[str, ...], str]]:
    if dimension == "grade":
        return [((g,), v.GRADES.label(g)) for g in _GRADES]
    if dimension == "specialty_group":
        return [((s,), v.SPECIALTY_GROUPS.label(s)) for s in _SPECIALTIES]
    if dimension == "specialty":
        return [((f,), v.SPECIALTIES.label(f) if f in v.SPECIALTIES else f) for f in _FINE]
    return [
        ((s, g), f"{v.SPECIALTY_GROUPS.label(s)} · {v.GRADES.label(g)}")
        for s in _SPECIALTIES
        for g in _GRADES
    ]


_GROUPS: dict[str, list[tuple[tuple[str, ...], str]]] = {d: _labelled(d) for d in DIMENSIONS}


def _counts(
    cases: pl.DataFrame | pl.LazyFrame,
    workforce: pl.DataFrame | pl.LazyFrame,
    organisations: pl.DataFrame,
    period: Period,
) -> _Counts:
    listed = organisations.unique("org_code", keep="first", maintain_order=True)
    codes = listed["org_code"].to_list()
    types = listed["org_type"].cast(pl.String).fill_null("unknown").to_list()
    position = {code: i for i, code in enumerate(codes)}
    selected = (
        period.select(cases)
        .select(
            "org_code",
            "practitioner_id",
            *(pl.col(c).cast(pl.String) for c in ("profession", "grade", "specialty_group")),
            pl.coalesce(
                pl.col("standard_specialty").cast(pl.String),
                pl.lit(UNSPECIFIED) + pl.col("specialty_group").cast(pl.String),
            ).alias("fine"),
        )
        .filter(pl.col("org_code").is_in(codes))
        .collect()
    )
    atoms = selected.unique()
    grade_stated = pl.col("grade") != NOT_STATED
    specialty_stated = pl.col("specialty_group") != NOT_STATED
    shape = (len(codes), len(_PROFESSIONS), len(_GRADES))
    units = _fill(shape, atoms.filter(grade_stated), ["org_code", "profession", "grade"], position)
    cells = _fill(
        (*shape, len(_SPECIALTIES)),
        atoms.filter(grade_stated & specialty_stated),
        ["org_code", "profession", "grade", "specialty_group"],
        position,
    )
    fine = _fill(
        (*shape, len(_FINE)),
        atoms.filter(grade_stated & specialty_stated),
        ["org_code", "profession", "grade", "fine"],
        position,
    )
    observed, case_counts = {}, {}
    for dimension, columns in DIMENSIONS.items():
        columns = ("fine",) if dimension == "specialty" else columns
        stated = [pl.col(c) != NOT_STATED for c in ("specialty_group" if c == "fine" else c for c in columns)]
        observed[dimension] = _groups(atoms.filter(*stated), columns, position, distinct=True)
        case_counts[dimension] = _groups(selected.filter(*stated), columns, position, distinct=False)
    return _Counts(
        codes,
        types,
        units,
        cells,
        fine,
        _person_years(workforce, period, position, shape),
        observed,
        case_counts,
    )


def _index(column: str) -> dict[str, int]:
    order = {
        "profession": _PROFESSIONS,
        "grade": _GRADES,
        "specialty_group": _SPECIALTIES,
        "fine": _FINE,
    }
    return {code: i for i, code in enumerate(order[column])}


def _fill(
    shape: tuple[int, ...], atoms: pl.DataFrame, columns: list[str], position: dict[str, int]
) -> np.ndarray:
    """Distinct practitioners by the given columns, as an array indexed like `shape`."""
    array = np.zeros(shape)
    grouped = atoms.group_by(columns).agg(pl.col("practitioner_id").n_unique().alias("n"))
    maps = [position, *(_index(c) for c in columns[1:])]
    for row in grouped.iter_rows():
        array[tuple(m[key] for m, key in zip(maps, row[:-1], strict=True))] = row[-1]
    return array


def _groups(
    frame: pl.DataFrame, columns: tuple[str, ...], position: dict[str, int], *, distinct: bool
) -> np.ndarray:
    """[O, groups] distinct practitioners (or cases) in each group of a dimension, in _GROUPS order."""
    measure = pl.col("practitioner_id").n_unique() if distinct else pl.len()
    grouped = frame.group_by("org_code", *columns).agg(measure.alias("n"))
    specialty, grade = _index("specialty_group"), _index("grade")
    dimension = (
        "specialty_grade" if len(columns) == 2 else "specialty" if columns[0] == "fine" else columns[0]
    )
    array = np.zeros((len(position), len(_GROUPS[dimension])))
    for row in grouped.iter_rows(named=True):
        if len(columns) == 2:
            column = specialty[row["specialty_group"]] * len(_GRADES) + grade[row["grade"]]
        else:
            column = _index(columns[0])[row[columns[0]]]
        array[position[row["org_code"]], column] = row["n"]
    return array


def _person_years(
    workforce: pl.DataFrame | pl.LazyFrame, period: Period, position: dict[str, int], shape: tuple[int, ...]
) -> np.ndarray:
    """[O, P, G] person-years over the period by profession and grade; NaN unless every year is known."""
    frame = (
        period.select(workforce)
        .filter(
            pl.col("dimension").cast(pl.String) == "grade",
            pl.col("headcount").is_not_null(),
            pl.col("group").cast(pl.String) != NOT_STATED,
            pl.col("org_code").is_in(list(position)),
        )
        .group_by("org_code", pl.col("profession").cast(pl.String), pl.col("group").cast(pl.String))
        .agg(pl.col("headcount").sum().alias("person_years"), pl.col("fiscal_year").n_unique().alias("years"))
        .filter(pl.col("years") == len(period))
        .collect()
    )
    array = np.full(shape, np.nan)
    known = np.zeros(shape[:2], dtype=bool)
    professions, grades = _index("profession"), _index("grade")
    for code, profession, group, person_years, _ in frame.iter_rows():
        if group in grades:
            array[position[code], professions[profession], grades[group]] = person_years
            known[position[code], professions[profession]] = True
    # A profession whose headcount by grade is known: a grade it does not list has no staff.
    return np.where(np.isnan(array) & known[:, :, None], 0.0, array)


def flagged_cases_by_year(
    cases: pl.DataFrame | pl.LazyFrame, period: Period, clusters: dict[str, Clusters]
) -> dict[str, dict[tuple[str, tuple[str, ...]], dict[str, int]]]:
    """Cases by financial year in each flagged staff group: which year a cluster falls in."""
    flagged = {code: c.flagged for code, c in clusters.items() if c.flagged}
    if not flagged:
        return {}
    frame = (
        period.select(cases)
        .filter(pl.col("org_code").is_in(list(flagged)))
        .select(
            "org_code",
            "fiscal_year",
            pl.col("grade").cast(pl.String),
            pl.col("specialty_group").cast(pl.String),
            pl.col("standard_specialty").cast(pl.String),
        )
        .collect()
    )
    result: dict[str, dict[tuple[str, tuple[str, ...]], dict[str, int]]] = {}
    for code, tests in flagged.items():
        mine = frame.filter(pl.col("org_code") == code)
        for test in tests:
            columns = DIMENSIONS[test.dimension]
            match = mine.filter(*(pl.col(c) == value for c, value in zip(columns, test.codes, strict=True)))
            by_year = dict(match.group_by("fiscal_year").len().iter_rows())
            result.setdefault(code, {})[(test.dimension, test.codes)] = by_year
    return result
