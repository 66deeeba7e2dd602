"""The rate model and everything decided before any case is drawn.

Rate model. Each practitioner has a yearly rate of new cases

    rate = base[profession] x r_ethnicity x r_pmq x r_sex x r_age x r_grade x r_disability

(times an optional organisation factor, 1 by default, so an organisation's rate
differs from another's only through its workforce: no size effect beyond exposure).
The expected cases of an organisation-year-profession are the sum of that rate over
its workforce cells. Ethnic group and place of qualification are taken jointly (the
fitted joint table of the workforce), the other dimensions as independent.

Calibration. Because ethnicity and qualification are correlated, the relative risks
r_ethnicity (ethnic minority vs white) and r_pmq (EEA, international vs UK) that
produce the *marginal* relative likelihoods seen in the published data are smaller
than those likelihoods. They are found by fixed-point iteration on the reference
nation (the default 220 fictional organisations for the seed): compute the expected
cases by group, compare the marginal ratios (cases per head in each group, pooled
over organisations, years and professions) with the targets, rescale, repeat. The
base rates are set in the same loop so that the reference nation has the target
yearly volume and profession shares. A given registry gets the same per-practitioner
rates, so its volume follows its headcount; `total_cases` rescales every rate.

Counts. Cases per organisation-year-profession are Poisson; a case's demographics
are then drawn from the cell weights headcount x relative risk (which is the same as
independent Poisson counts per cell). Planted clusters add extra doctor cases in one
specialty group x grade at one organisation over 2-3 years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from concerns import vocabulary as v
from concerns.synth import _random as r
from concerns.synth._config import SynthConfig
from concerns.synth._orgs import fictional_organisations, read_organisations
from concerns.synth._specialty import SPECIALTY_CODES, specialty_probabilities
from concerns.synth._workforce import GROUPS, PROFESSIONS, Population, build_population, read_workforce

__all__ = ["CLUSTER_PEERS", "REFERENCE_ORGS", "Cluster", "Plan", "Risks", "make_plan"]

REFERENCE_ORGS = 220
_EPOCH = dt.date(1970, 1, 1)
_MINORITY_PATTERN = {"mixed": 0.8, "asian": 1.0, "black": 1.25, "other": 0.95}
_OTHER_DIMENSIONS = ("sex", "age_band", "grade", "disability")
DOCTOR = PROFESSIONS.index("doctor")
CLUSTER_PEERS = 20  # clusters only at organisations with at least this many of the same type


@dataclass(frozen=True)
class Risks:
    """Relative risk of each group (vocabulary order) in every dimension."""

    by_dimension: dict[str, np.ndarray]

    def __getitem__(self, dimension: str) -> np.ndarray:
        return self.by_dimension[dimension]

    def as_json(self) -> dict[str, dict[str, float]]:
        return {
            d: {g: round(float(x), 6) for g, x in zip(GROUPS[d], values, strict=True)}
            for d, values in self.by_dimension.items()
        }


# The calibrated parameters: (dimension, groups it multiplies, group compared, reference group, target).
_Calibrated = tuple[str, tuple[str, ...], str, str, str]
_CALIBRATED: tuple[_Calibrated, ...] = (
    ("ethnicity", v.ETHNIC_MINORITY_GROUPS, "ethnic_minority", "white", "ethnic_minority_vs_white"),
    ("pmq", ("eea",), "eea", "uk", "eea_vs_uk"),
    ("pmq", ("international",), "international", "uk", "international_vs_uk"),
    ("sex", ("male",), "male", "female", "male_vs_female"),
    ("disability", ("yes",), "yes", "no", "disabled_vs_not"),
)


def _risks(config: SynthConfig, parameters: np.ndarray) -> Risks:
    by_dimension = {
        "ethnicity": np.ones(len(GROUPS["ethnicity"])),
        "pmq": np.ones(len(GROUPS["pmq"])),
        "sex": np.ones(len(GROUPS["sex"])),
        "age_band": np.array([config.age_risks.get(g, 1.0) for g in GROUPS["age_band"]]),
        "grade": np.array([config.grade_risks.get(g, 1.0) for g in GROUPS["grade"]]),
        "disability": np.ones(len(GROUPS["disability"])),
    }
    for (dimension, groups, *_), value in zip(_CALIBRATED, parameters, strict=True):
        for group in groups:
            by_dimension[dimension][GROUPS[dimension].index(group)] = value * _MINORITY_PATTERN.get(
                group, 1.0
            )
    return Risks(by_dimension)


def _exposure_parts(
    pop: Population, risks: Risks, years: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Risk-weighted persons by ethnicity x pmq [O, Y, P, 6, 4], and each other dimension's mean risk [O, Y, P]."""
    joint = pop.joint[:, years] * risks["ethnicity"][:, None] * risks["pmq"][None, :]
    totals = np.maximum(pop.totals[:, years], 1).astype(float)
    means = {d: (pop.counts[d][:, years] @ risks[d]) / totals for d in _OTHER_DIMENSIONS}
    return joint, means


def exposure(pop: Population, risks: Risks, years: np.ndarray) -> np.ndarray:
    """Person-years at reference risk, [O, Y, P]."""
    joint, means = _exposure_parts(pop, risks, years)
    person_years: np.ndarray = joint.sum(axis=(-1, -2)) * np.prod(list(means.values()), axis=0)
    return person_years


@dataclass(frozen=True)
class Calibration:
    risks: Risks
    base_rates: np.ndarray  # per person-year at reference risk, by profession
    parameters: dict[str, float]  # the calibrated relative risks


def _expected_by_group(
    reference: Population, risks: Risks, years: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Base rates meeting the volume targets, and the expected cases of every group of every dimension."""
    joint, means = _exposure_parts(reference, risks, years)
    other = np.prod(list(means.values()), axis=0)
    base = targets / np.maximum((joint.sum(axis=(-1, -2)) * other).sum(axis=(0, 1)), 1e-12)
    rate = other * base  # per risk-weighted person, [O, Y, P]
    ethnicity_pmq = (joint * rate[..., None, None]).sum(axis=(0, 1, 2))
    cases = {"ethnicity": ethnicity_pmq.sum(axis=1), "pmq": ethnicity_pmq.sum(axis=0)}
    persons = joint.sum(axis=(-1, -2))
    totals = np.maximum(reference.totals[:, years], 1)
    for dimension in _OTHER_DIMENSIONS:
        mean = means[dimension]
        without = np.divide(rate, mean, out=np.zeros_like(rate), where=mean > 0) * persons / totals
        weighted = reference.counts[dimension][:, years] * risks[dimension]
        cases[dimension] = (weighted * without[..., None]).sum(axis=(0, 1, 2))
    return base, cases


def _marginal_ratio(
    reference: Population, years: np.ndarray, cases: dict[str, np.ndarray], row: _Calibrated
) -> float:
    dimension, groups, _, reference_group, _ = row
    heads = reference.counts[dimension][:, years].sum(axis=(0, 1, 2)).astype(float)
    at = [GROUPS[dimension].index(g) for g in groups]
    ref = GROUPS[dimension].index(reference_group)
    ratio: float = cases[dimension][at].sum() / heads[at].sum() / (cases[dimension][ref] / heads[ref])
    return ratio


def calibrate(config: SynthConfig, reference: Population, years: np.ndarray) -> Calibration:
    """Relative risks and base rates that give the target marginals and volume on the reference nation."""
    per_year = config.cases_per_org_year * len(reference.orgs)
    targets = np.array([per_year * config.profession_shares[p] for p in PROFESSIONS]) * len(years)
    wanted = np.array([getattr(config, row[-1]) for row in _CALIBRATED], dtype=float)
    parameters = wanted.copy()
    for _ in range(500):
        risks = _risks(config, parameters)
        base, cases = _expected_by_group(reference, risks, years, targets)
        ratios = np.array([_marginal_ratio(reference, years, cases, row) for row in _CALIBRATED])
        if np.allclose(ratios, wanted, rtol=1e-9, atol=0):
            break
        parameters = parameters * wanted / ratios
    names = [f"{row[2]}_vs_{row[3]}" for row in _CALIBRATED]
    return Calibration(risks, base, dict(zip(names, (float(x) for x in parameters), strict=True)))


@dataclass(frozen=True)
class Cluster:
    org_index: int
    org_code: str
    specialty_group: str
    grade: str
    fiscal_years: tuple[str, ...]
    extra_by_year: tuple[int, ...]
    expected_without: float  # expected recorded cases in the cell over the complete years

    @property
    def extra_cases(self) -> int:
        return sum(self.extra_by_year)


@dataclass
class Plan:
    config: SynthConfig
    as_of: dt.date
    population: Population
    complete_years: tuple[str, ...]
    partial_year: str
    year_at: np.ndarray  # workforce year index of each case year
    first_day: np.ndarray  # days since 1970-01-01, per case year
    last_day: np.ndarray
    calibration: Calibration
    org_factor: np.ndarray
    scale: float
    expected: np.ndarray  # [O, Yc, P] expected base cases, after scaling
    counts: np.ndarray  # [O, Yc, P] base cases
    clusters: list[Cluster]
    extras: np.ndarray  # [O, Yc] extra doctor cases from clusters
    exclusions: np.ndarray  # [O, Yc, P] cases with exclusion advice
    sequence_start: np.ndarray  # [O, Yc] first case number of the organisation in each year
    sequence_width: int
    dropped_workforce_rows: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def case_years(self) -> tuple[str, ...]:
        return (*self.complete_years, self.partial_year)

    @property
    def org_codes(self) -> list[str]:
        return self.population.orgs.get_column("org_code").to_list()

    def cases_of(self, org: int) -> int:
        return int(self.counts[org].sum() + self.extras[org].sum())


def _case_years(as_of: dt.date, years: int) -> tuple[tuple[str, ...], str]:
    return tuple(v.fiscal_years_before(as_of, years)), v.fiscal_year_of(as_of)


def _days(day: dt.date) -> int:
    return (day - _EPOCH).days


def _fictional_population(config: SynthConfig, count: int, years: tuple[str, ...]) -> Population:
    orgs = fictional_organisations(r.stream(config.seed, r.ORGS), count)
    return build_population((r.stream(config.seed, r.SIZES), r.stream(config.seed, r.SHARES)), orgs, years)


def make_plan(config: SynthConfig) -> Plan:
    config.check()
    as_of = config.resolved_as_of()
    complete, partial = _case_years(as_of, config.years)
    case_years = (*complete, partial)
    population, dropped = _population(config, case_years)
    if config.organisations is None and config.orgs == REFERENCE_ORGS:
        reference = population
    else:
        reference = _fictional_population(config, REFERENCE_ORGS, case_years)
    calibration = calibrate(config, reference, np.arange(len(complete)))
    year_at = np.array([population.year_index(y) for y in case_years])
    first = np.array([_days(v.fiscal_year_start(y)) for y in case_years])
    last = np.array([_days(v.fiscal_year_end(y)) for y in complete] + [_days(as_of)])
    fraction = (last - first + 1) / np.array(
        [_days(v.fiscal_year_end(y)) - _days(v.fiscal_year_start(y)) + 1 for y in case_years]
    )
    org_factor = _org_factor(config, len(population.orgs))
    rate = exposure(population, calibration.risks, year_at) * calibration.base_rates[None, None, :]
    expected = rate * fraction[None, :, None] * org_factor[:, None, None]
    clusters = _choose_clusters(config, population, calibration.risks, expected, complete)
    nominal_extra = sum(c.extra_cases for c in clusters)
    scale = (
        1.0 if config.total_cases is None else config.total_cases / max(expected.sum() + nominal_extra, 1e-12)
    )
    clusters = [_scaled(c, scale) for c in clusters]
    counts_rng = r.stream(config.seed, r.COUNTS)
    counts = counts_rng.poisson(expected * scale)
    extras = np.zeros(counts.shape[:2], dtype=np.int64)
    for cluster in clusters:
        for year, extra in zip(cluster.fiscal_years, cluster.extra_by_year, strict=True):
            extras[cluster.org_index, case_years.index(year)] += extra
    exclusions = _exclusion_quotas(config, counts_rng, counts, extras)
    per_org_year = counts.sum(axis=2) + extras
    sequence_start = np.cumsum(per_org_year, axis=0) - per_org_year + 1
    width = max(5, len(str(int(per_org_year.sum(axis=0).max(initial=0)))))
    return Plan(
        config=config,
        as_of=as_of,
        population=population,
        complete_years=complete,
        partial_year=partial,
        year_at=year_at,
        first_day=first,
        last_day=last,
        calibration=calibration,
        org_factor=org_factor,
        scale=scale,
        expected=expected * scale,
        counts=counts,
        clusters=clusters,
        extras=extras,
        exclusions=exclusions,
        sequence_start=sequence_start,
        sequence_width=width,
        dropped_workforce_rows=dropped,
        notes=list(population.notes),
    )


def _population(config: SynthConfig, case_years: tuple[str, ...]) -> tuple[Population, int]:
    if config.organisations is None:
        return _fictional_population(config, config.orgs, case_years), 0
    orgs = read_organisations(config.organisations)
    given, dropped = (None, 0) if config.workforce is None else read_workforce(config.workforce, orgs)
    years = case_years
    if given is not None and given.height:
        years = tuple(sorted(set(case_years) | set(given.get_column("fiscal_year").to_list())))
    streams = (r.stream(config.seed, r.SIZES), r.stream(config.seed, r.SHARES))
    return build_population(streams, orgs, years, given), dropped


def _org_factor(config: SynthConfig, count: int) -> np.ndarray:
    if config.org_rate_sd <= 0:
        return np.ones(count)
    sd = config.org_rate_sd
    return np.exp(r.stream(config.seed, r.RATES).normal(-sd * sd / 2, sd, size=count))


def _grade_probabilities(pop: Population, risks: Risks, years: np.ndarray, profession: int) -> np.ndarray:
    """Probability of each grade for a case, [O, Y, G]."""
    weights = pop.counts["grade"][:, years, profession] * risks["grade"]
    probabilities: np.ndarray = weights / np.maximum(weights.sum(axis=-1, keepdims=True), 1e-12)
    return probabilities


def _choose_clusters(
    config: SynthConfig, pop: Population, risks: Risks, expected: np.ndarray, complete: tuple[str, ...]
) -> list[Cluster]:
    """Organisation x specialty group x grade cells expecting a few cases, one per organisation."""
    if config.clusters == 0:
        return []
    rng = r.stream(config.seed, r.CLUSTERS)
    years = np.arange(len(complete))
    grade_p = _grade_probabilities(pop, risks, _workforce_years(pop, complete), DOCTOR)
    recorded = (1 - config.not_stated_shares.get("grade", 0)) * (
        1 - config.not_stated_shares.get("specialty", 0)
    )
    by_grade = (expected[:, years, DOCTOR, None] * grade_p).sum(axis=1) * recorded  # [O, G]
    doctor_cases = expected[:, years, DOCTOR].sum(axis=1)
    low, high = config.cluster_expected
    candidates = []
    org_types = pop.orgs.get_column("org_type").to_list()
    for o, org_type in enumerate(org_types):
        if org_types.count(org_type) < CLUSTER_PEERS:
            continue  # too few similar organisations to tell a cluster from a different mix
        for g, grade in enumerate(GROUPS["grade"]):
            if grade in ("other", "not_stated") or by_grade[o, g] <= 0:
                continue
            cell = by_grade[o, g] * specialty_probabilities(org_type, "doctor", grade)
            for s, group in enumerate(SPECIALTY_CODES):
                small = cell[s] <= config.cluster_max_share * doctor_cases[o]
                if group not in ("other", "not_stated") and low <= cell[s] <= high and small:
                    candidates.append((o, group, grade, float(cell[s])))
    chosen: list[Cluster] = []
    used: set[int] = set()
    codes = pop.orgs.get_column("org_code").to_list()
    for i in rng.permutation(len(candidates)):
        o, group, grade, cell_expected = candidates[i]
        if o in used:
            continue
        used.add(o)
        length = min(len(complete), int(rng.integers(2, 4)))
        start = int(rng.integers(0, len(complete) - length + 1))
        extra = int(rng.integers(config.cluster_extra_cases[0], config.cluster_extra_cases[1] + 1))
        split = rng.multinomial(extra, np.full(length, 1 / length))
        chosen.append(
            Cluster(
                o,
                codes[o],
                group,
                grade,
                complete[start : start + length],
                tuple(int(x) for x in split),
                cell_expected,
            )
        )
        if len(chosen) == config.clusters:
            break
    return sorted(chosen, key=lambda c: c.org_code)


def _workforce_years(pop: Population, years: tuple[str, ...]) -> np.ndarray:
    return np.array([pop.year_index(y) for y in years])


def _scaled(cluster: Cluster, scale: float) -> Cluster:
    if scale == 1.0:
        return cluster
    extra = max(1, round(cluster.extra_cases * scale))
    split = np.diff(np.round(np.cumsum([0, *cluster.extra_by_year]) / cluster.extra_cases * extra)).astype(
        int
    )
    return Cluster(
        cluster.org_index,
        cluster.org_code,
        cluster.specialty_group,
        cluster.grade,
        cluster.fiscal_years,
        tuple(int(x) for x in split),
        cluster.expected_without * scale,
    )


def _exclusion_quotas(
    config: SynthConfig, rng: np.random.Generator, counts: np.ndarray, extras: np.ndarray
) -> np.ndarray:
    """Cases with exclusion advice per organisation-year-profession: a fixed share of each year's
    cases of the profession, spread over organisations in proportion to their cases."""
    cases = counts.copy()
    cases[:, :, DOCTOR] += extras
    quotas = np.zeros_like(cases)
    others = [p for p in range(len(PROFESSIONS)) if p != DOCTOR]
    for y in range(cases.shape[1]):
        doctors = cases[:, y, DOCTOR]
        wanted = round(config.exclusion_share_doctor * int(doctors.sum()))
        quotas[:, y, DOCTOR] = _spread(rng, doctors, wanted)
        rest = cases[:, y, others]
        wanted = round(config.exclusion_share_other * int(rest.sum()))
        quotas[:, y, others] = _spread(rng, rest.ravel(), wanted).reshape(rest.shape)
    return quotas


def _spread(rng: np.random.Generator, colours: np.ndarray, sample: int) -> np.ndarray:
    if sample <= 0 or colours.sum() == 0:
        return np.zeros_like(colours)
    return rng.multivariate_hypergeometric(colours.astype(np.int64), min(sample, int(colours.sum())))
