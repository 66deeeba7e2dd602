"""Drawing one organisation's cases, as arrays of codes (indices into the vocabulary).

Each organisation draws from its own random stream, so its cases are the same
however organisations are batched for writing. Within an organisation:

1. for each year and profession, the planned number of cases gets demographics
   from the workforce cells weighted by headcount x relative risk (cluster cases
   have their grade and specialty group fixed), a specialty and an opening day;
2. some cases are about a practitioner the organisation has already referred:
   they take that practitioner's pseudonym and characteristics;
3. concerns, exclusion advice (the planned number, weighted towards the cases
   MHPS data says are most often excluded), other services, duration, outcome;
4. the recorded values: a share of each field is "not stated".
"""

from __future__ import annotations

from functools import cache

import numpy as np

from concerns import vocabulary as v
from concerns.synth import _casemix as mix
from concerns.synth import _random as r
from concerns.synth._plan import DOCTOR, Plan
from concerns.synth._specialty import SPECIALTY_CODES, specialty_probabilities, specialty_texts
from concerns.synth._workforce import GROUPS, PROFESSIONS

__all__ = ["draw_org"]

_LOWER_CASE_SPECIALTY = 0.05  # specialties typed in lower case
_WEEKEND_KEPT = 0.15  # share of cases opened on a Saturday or Sunday that stay there
_NOT_STATED = {d: GROUPS[d].index("not_stated") for d in GROUPS}
_ETHNIC_GROUP_CODES = v.ETHNIC_GROUPS.codes


def draw_org(plan: Plan, org: int) -> dict[str, np.ndarray]:
    """Every case of one organisation, sorted by opening day."""
    rng = r.stream(plan.config.seed, r.CASES, org)
    blocks = [
        (year, profession)
        for year in range(len(plan.year_at))
        for profession in range(len(PROFESSIONS))
        if sum(_block_sizes(plan, org, year, profession))
    ]
    if not blocks:
        return {}
    cases = _draw_people(plan, rng, org, blocks)
    order = np.lexsort((rng.random(cases["opened"].size), cases["opened"]))
    cases = {name: values[order] for name, values in cases.items()}
    _repeat_practitioners(plan, rng, cases)
    _add_casework(plan, rng, org, cases)
    _record(plan, rng, org, cases)
    return cases


def _block_sizes(plan: Plan, org: int, year: int, profession: int) -> tuple[int, int]:
    """Base cases and planted extra cases of one year and profession."""
    extra = int(plan.extras[org, year]) if profession == DOCTOR else 0
    return int(plan.counts[org, year, profession]), extra


def _draw_people(
    plan: Plan, rng: np.random.Generator, org: int, blocks: list[tuple[int, int]]
) -> dict[str, np.ndarray]:
    """Who each case is about: one block of rows per (year, profession), all drawn at once."""
    sizes = np.array([sum(_block_sizes(plan, org, y, p)) for y, p in blocks])
    row_block = np.repeat(np.arange(len(blocks)), sizes)
    years = np.array([y for y, _ in blocks])
    professions = np.array([p for _, p in blocks])
    position = np.arange(row_block.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    base = np.array([_block_sizes(plan, org, y, p)[0] for y, p in blocks])
    cases = {
        "year": years[row_block],
        "profession": professions[row_block],
        "is_extra": position >= base[row_block],
    }
    risks = plan.calibration.risks
    at = (org, plan.year_at[years], professions)
    joint = plan.population.joint[at] * risks["ethnicity"][:, None] * risks["pmq"][None, :]
    cell = r.categorical_rows(rng, joint.reshape(len(blocks), -1), row_block)
    cases["ethnicity"], cases["pmq"] = cell // len(GROUPS["pmq"]), cell % len(GROUPS["pmq"])
    for dimension in ("sex", "age_band", "grade", "disability"):
        weights = plan.population.counts[dimension][at] * risks[dimension]
        cases[dimension] = r.categorical_rows(rng, weights, row_block)
    extra_grade, extra_group = _cluster_cell(plan, org)
    cases["grade"] = np.where(cases["is_extra"], extra_grade, cases["grade"])
    groups = _specialty_groups(rng, plan, org, cases["profession"], cases["grade"])
    cases["specialty_group"] = np.where(cases["is_extra"], extra_group, groups)
    cases["specialty"] = _specialty_text(rng, cases["specialty_group"])
    first, last = plan.first_day[years][row_block], plan.last_day[years][row_block]
    cases["opened"] = _opening_days(rng, first, last)
    return cases


def _cluster_cell(plan: Plan, org: int) -> tuple[int, int]:
    for cluster in plan.clusters:
        if cluster.org_index == org:
            return GROUPS["grade"].index(cluster.grade), SPECIALTY_CODES.index(cluster.specialty_group)
    return 0, 0


def _specialty_groups(
    rng: np.random.Generator, plan: Plan, org: int, professions: np.ndarray, grades: np.ndarray
) -> np.ndarray:
    org_type = plan.population.orgs.item(org, "org_type")
    table = np.array(
        [
            specialty_probabilities(org_type, profession, grade)
            for profession in PROFESSIONS
            for grade in GROUPS["grade"]
        ]
    )
    return r.categorical_rows(rng, table, professions * len(GROUPS["grade"]) + grades)


@cache
def _text_table() -> np.ndarray:
    """Weights of each spelling (columns) for each specialty group (rows)."""
    _, text_groups, weights = specialty_texts()
    table = np.zeros((len(SPECIALTY_CODES), text_groups.size))
    table[text_groups, np.arange(text_groups.size)] = weights
    return table


def _specialty_text(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """A spelling of each case's specialty group (-1, no text, for not stated)."""
    chosen = r.categorical_rows(rng, _text_table(), groups)
    return np.where(groups == SPECIALTY_CODES.index("not_stated"), -1, chosen)


def _opening_days(rng: np.random.Generator, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    span = last - first + 1
    days = first + np.floor(rng.random(first.size) * span).astype(np.int64)
    weekend = ((days + 3) % 7 >= 5) & (rng.random(first.size) >= _WEEKEND_KEPT)  # 1970-01-01 was a Thursday
    again = first + np.floor(rng.random(first.size) * span).astype(np.int64)
    opened: np.ndarray = np.where(weekend, again, days)
    return opened


_PRACTITIONER_FIELDS = (
    "ethnicity",
    "pmq",
    "sex",
    "age_band",
    "grade",
    "disability",
    "specialty_group",
    "specialty",
)


def _repeat_practitioners(plan: Plan, rng: np.random.Generator, cases: dict[str, np.ndarray]) -> None:
    """Some cases are about a practitioner with an earlier case here: copy who they are.

    The earlier case is a first case (never itself a repeat), so a practitioner rarely has more
    than two cases and repeats cannot pile up into a cluster of their own. Planted cluster cases
    are new practitioners and never the source of a repeat.
    """
    practitioner = np.arange(cases["opened"].size)
    for profession in range(len(PROFESSIONS)):
        rows = np.flatnonzero(cases["profession"] == profession)
        repeat = (rng.random(rows.size) < plan.config.repeat_share) & ~cases["is_extra"][rows]
        first_cases = ~repeat & ~cases["is_extra"][rows]
        earlier_first = np.cumsum(first_cases) - first_cases  # first cases before each row
        pick = np.floor(rng.random(rows.size) * earlier_first).astype(np.int64)
        repeat &= earlier_first > 0
        practitioner[rows[repeat]] = rows[np.flatnonzero(first_cases)[pick[repeat]]]
    for name in _PRACTITIONER_FIELDS:
        cases[name] = cases[name][practitioner]
    cases["practitioner"] = practitioner


def _add_casework(plan: Plan, rng: np.random.Generator, org: int, cases: dict[str, np.ndarray]) -> None:
    config = plan.config
    size = cases["opened"].size
    cases["concerns"] = mix.draw_concerns(rng, size, config)
    cases["excluded"] = _exclusions(plan, rng, org, cases)
    cases["services"] = mix.draw_services(rng, cases["concerns"], cases["excluded"], config)
    closed = cases["opened"] + mix.draw_durations(rng, size, cases["services"], config)
    is_open = closed > plan.last_day[-1]
    cases["closed"] = np.where(is_open, -1, closed)
    cases["outcome"] = mix.draw_outcomes(rng, is_open, cases["excluded"], cases["services"])


def _exclusions(plan: Plan, rng: np.random.Generator, org: int, cases: dict[str, np.ndarray]) -> np.ndarray:
    """The planned number of exclusion cases in each year and profession, chosen by weighted
    sampling without replacement (Efraimidis-Spirakis keys)."""
    weights = mix.exclusion_weights(
        cases["concerns"],
        male=cases["sex"] == GROUPS["sex"].index("male"),
        older=cases["age_band"] >= GROUPS["age_band"].index("55_64"),
        minority=np.isin(
            cases["ethnicity"], [_ETHNIC_GROUP_CODES.index(g) for g in v.ETHNIC_MINORITY_GROUPS]
        ),
        international=cases["pmq"] == GROUPS["pmq"].index("international"),
    )
    keys = np.log(rng.random(weights.size)) / weights
    excluded = np.zeros(weights.size, dtype=bool)
    for year in range(len(plan.year_at)):
        for profession in range(len(PROFESSIONS)):
            wanted = int(plan.exclusions[org, year, profession])
            if wanted == 0:
                continue
            rows = np.flatnonzero((cases["year"] == year) & (cases["profession"] == profession))
            excluded[rows[np.argsort(-keys[rows], kind="stable")[:wanted]]] = True
    return excluded


def _record(plan: Plan, rng: np.random.Generator, org: int, cases: dict[str, np.ndarray]) -> None:
    """What the extract records: some fields not stated, ethnicity as a letter, case numbers, pseudonyms."""
    size = cases["opened"].size
    shares = plan.config.not_stated_shares
    stated_ethnicity = _ethnicity_texts(plan, rng, cases)
    for dimension in ("sex", "age_band", "pmq", "disability", "grade", "ethnicity"):
        hidden = rng.random(size) < shares.get(dimension, 0.0)
        if dimension == "grade":
            hidden &= ~cases["is_extra"]  # a planted cluster is recorded in full
        cases[dimension] = np.where(hidden, _NOT_STATED[dimension], cases[dimension])
    not_stated = cases["ethnicity"] == _NOT_STATED["ethnicity"]
    unstated_text = mix.ethnicity_text_index(rng, np.full(size, _NOT_STATED["ethnicity"]), 0.0)
    cases["ethnicity_text"] = np.where(not_stated, unstated_text, stated_ethnicity)
    _record_specialty(rng, cases, shares.get("specialty", 0.0))
    advice_only = cases["services"] == 1 << mix.SERVICE_CODES.index("advice")
    cases["services_blank"] = advice_only & (rng.random(size) < plan.config.services_blank_share)
    cases["sequence"] = _sequence(plan, org, cases["year"])
    cases["practitioner_key"] = _pseudonym_keys(plan.config.seed, org, cases["practitioner"])


def _ethnicity_texts(plan: Plan, rng: np.random.Generator, cases: dict[str, np.ndarray]) -> np.ndarray:
    """How each case's ethnicity is written: the same for all of a practitioner's cases."""
    texts = mix.ethnicity_text_index(rng, cases["ethnicity"], plan.config.ethnicity_label_share)
    by_case: np.ndarray = texts[cases["practitioner"]]
    return by_case


def _record_specialty(
    rng: np.random.Generator, cases: dict[str, np.ndarray], not_stated_share: float
) -> None:
    size = cases["opened"].size
    missing = (rng.random(size) < not_stated_share) & ~cases["is_extra"]
    lower = rng.random(size) < _LOWER_CASE_SPECIALTY  # "gen surg": the mapping ignores case
    spellings = len(specialty_texts()[0])
    cases["specialty"] = np.where(missing, -1, cases["specialty"] + np.where(lower, spellings, 0))
    cases["specialty_group"] = np.where(
        missing, SPECIALTY_CODES.index("not_stated"), cases["specialty_group"]
    )


def _sequence(plan: Plan, org: int, years: np.ndarray) -> np.ndarray:
    sequence = np.zeros(years.size, dtype=np.int64)
    for year in np.unique(years):
        rows = np.flatnonzero(years == year)
        sequence[rows] = plan.sequence_start[org, year] + np.arange(rows.size)
    return sequence


def _pseudonym_keys(seed: int, org: int, practitioner: np.ndarray) -> np.ndarray:
    """A well-mixed 64-bit key per practitioner (splitmix64 of seed, organisation and first case)."""
    with np.errstate(over="ignore"):
        seeded = np.uint64(seed % 2**64) * np.uint64(0x9E3779B97F4A7C15)
        x = seeded ^ (np.uint64(org) << np.uint64(32)) ^ practitioner.astype(np.uint64)
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))
