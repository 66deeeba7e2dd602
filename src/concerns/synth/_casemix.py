"""What a case is about, what services it used and how it ended.

Concerns: a case's set of top-level categories is drawn from a distribution over
the 15 non-empty sets, built so that each category's share and the share of
cases in more than one area hit the targets exactly in expectation: the number
of areas follows from the targets (1 area for 70%, then 2, 3, 4 in the ratio the
total share requires), and within each size the sets are weighted by per-category
weights fitted by iterative scaling. Most categories carry a sub-code; a few cases
record only the top-level code.

Services and outcomes depend on the concerns and on exclusion (clinical concerns
lead to clinical assessments and restrictions, exclusions to HPANs, returns to
practice and referrals to the regulator).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from concerns import vocabulary as v
from concerns.synth._config import SynthConfig, SynthError
from concerns.synth._random import categorical, categorical_rows

__all__ = [
    "CATEGORIES",
    "CONCERN_CODES",
    "SERVICE_CODES",
    "OUTCOME_CODES",
    "ETHNICITY_TEXTS",
    "bits_to_text",
    "concern_set_probabilities",
    "draw_concerns",
    "draw_services",
    "draw_outcomes",
    "draw_durations",
    "ethnicity_text_index",
    "exclusion_weights",
]

CATEGORIES: tuple[str, ...] = v.CONCERN_CATEGORIES.codes
CONCERN_CODES: tuple[str, ...] = v.CONCERNS.codes
SERVICE_CODES: tuple[str, ...] = v.SERVICES.codes
OUTCOME_CODES: tuple[str, ...] = v.OUTCOMES.codes

_SUB_CODE_WEIGHTS: dict[str, float] = {
    "clinical.governance_safety": 0.45,
    "clinical.capability": 0.40,
    "clinical.record_keeping": 0.15,
    "behaviour.misconduct": 0.35,
    "behaviour.bullying_harassment": 0.20,
    "behaviour.team_relationships": 0.30,
    "behaviour.probity": 0.15,
    "health.physical": 0.30,
    "health.mental": 0.55,
    "health.addiction": 0.15,
    "other.work_environment": 0.60,
    "other.language": 0.40,
}
_SIZE_4_PER_SIZE_3 = 1 / 6  # cases in all four areas, per case in three

# Outcomes of closed cases: resolved locally, action plan, returned to practice, referred to
# the regulator, left the organisation, other, not recorded.
_CLOSED_OUTCOMES = np.array([0.44, 0.12, 0.07, 0.11, 0.14, 0.10, 0.02])
_EXCLUDED_OUTCOMES = np.array([0.20, 0.12, 0.22, 0.22, 0.18, 0.04, 0.02])
_OPEN_NOT_RECORDED = 0.05

# Ethnic category letters within each ethnic group, then the group's own label.
_LETTER_WEIGHTS = {
    "white": {"A": 0.70, "B": 0.04, "C": 0.26},
    "mixed": {"D": 0.25, "E": 0.20, "F": 0.30, "G": 0.25},
    "asian": {"H": 0.50, "J": 0.20, "K": 0.06, "L": 0.24},
    "black": {"M": 0.15, "N": 0.75, "P": 0.10},
    "other": {"R": 0.30, "S": 0.70},
    "not_stated": {"Z": 0.70, "99": 0.30},
}
ETHNICITY_TEXTS: tuple[str, ...] = v.ETHNIC_CATEGORIES.codes + tuple(m.label for m in v.ETHNIC_GROUPS)


def _sets() -> np.ndarray:
    """The 15 non-empty category sets as a [15, 4] boolean matrix (bit i = category i)."""
    masks = np.arange(1, 16)
    sets: np.ndarray = (masks[:, None] >> np.arange(4)[None, :]) & 1 == 1
    return sets


@cache
def _concern_set_probabilities(shares: tuple[float, ...], more_than_one: float) -> np.ndarray:
    sets = _sets()
    sizes = sets.sum(axis=1)
    surplus = sum(shares) - 1 - more_than_one  # areas beyond the second, per case
    three = surplus / (1 + 2 * _SIZE_4_PER_SIZE_3)
    size_shares = np.array(
        [
            0,
            1 - more_than_one,
            more_than_one - three * (1 + _SIZE_4_PER_SIZE_3),
            three,
            three * _SIZE_4_PER_SIZE_3,
        ]
    )
    if not 0 <= more_than_one < 1 or surplus < 0 or (size_shares < 0).any():
        raise SynthError("the concern shares and the share in more than one area do not fit together")
    target = np.array(shares)
    weights = np.ones(4)
    for _ in range(2000):
        probabilities = _set_probabilities(sets, sizes, size_shares, weights)
        marginal = probabilities @ sets
        if np.allclose(marginal, target, rtol=0, atol=1e-9):
            return probabilities
        weights *= target / marginal
    raise SynthError("the concern shares cannot be reached with that share in more than one area")


def _set_probabilities(
    sets: np.ndarray, sizes: np.ndarray, size_shares: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    within = np.prod(np.where(sets, weights[None, :], 1.0), axis=1)
    totals = np.bincount(sizes, weights=within, minlength=5)
    probabilities: np.ndarray = size_shares[sizes] * within / totals[sizes]
    return probabilities


def concern_set_probabilities(config: SynthConfig) -> np.ndarray:
    """Probability of each of the 15 category sets (bit i = category i in vocabulary order)."""
    shares = tuple(float(config.concern_shares[c]) for c in CATEGORIES)
    return _concern_set_probabilities(shares, float(config.more_than_one_area_share))


def draw_concerns(rng: np.random.Generator, size: int, config: SynthConfig) -> np.ndarray:
    """Concern codes per case as a bit mask over CONCERN_CODES (vocabulary order)."""
    chosen_sets = _sets()[categorical(rng, concern_set_probabilities(config), size)]
    bits = np.zeros(size, dtype=np.int64)
    for c, category in enumerate(CATEGORIES):
        present = chosen_sets[:, c]
        subs = [code for code in CONCERN_CODES if code.startswith(category + ".")]
        sub_weights = np.array([_SUB_CODE_WEIGHTS[s] for s in subs])
        with_sub = present & (rng.random(size) < config.sub_code_share)
        first = categorical(rng, sub_weights, size)
        second = (first + 1 + categorical(rng, np.ones(len(subs) - 1), size)) % len(subs)
        with_second = with_sub & (rng.random(size) < config.second_sub_code_share)
        sub_bits = np.array([1 << CONCERN_CODES.index(s) for s in subs], dtype=np.int64)
        bits |= np.where(present & ~with_sub, 1 << CONCERN_CODES.index(category), 0)
        bits |= np.where(with_sub, sub_bits[first], 0)
        bits |= np.where(with_second, sub_bits[second], 0)
    return bits


def category_flags(concern_bits: np.ndarray) -> np.ndarray:
    """[n, 4] booleans: which top-level categories each case involves."""
    flags = np.zeros((concern_bits.size, len(CATEGORIES)), dtype=bool)
    for i, code in enumerate(CONCERN_CODES):
        flags[:, CATEGORIES.index(code.split(".")[0])] |= (concern_bits >> i) & 1 == 1
    return flags


def has_code(concern_bits: np.ndarray, *codes: str) -> np.ndarray:
    mask = sum(1 << CONCERN_CODES.index(code) for code in codes)
    has: np.ndarray = (concern_bits & mask) != 0
    return has


def exclusion_weights(
    concern_bits: np.ndarray,
    male: np.ndarray,
    older: np.ndarray,
    minority: np.ndarray,
    international: np.ndarray,
) -> np.ndarray:
    """How much more likely a case is to involve exclusion advice (MHPS data: men, older,
    ethnic minority and internationally qualified practitioners; misconduct and probity)."""
    weights = np.ones(concern_bits.size)
    weights *= np.where(has_code(concern_bits, "behaviour.misconduct", "behaviour.probity"), 2.0, 1.0)
    weights *= np.where(has_code(concern_bits, "clinical.governance_safety", "health.addiction"), 1.4, 1.0)
    weights *= np.where(male, 1.5, 1.0) * np.where(older, 1.3, 1.0)
    weights *= np.where(minority, 1.3, 1.0) * np.where(international, 1.2, 1.0)
    return weights


def draw_services(
    rng: np.random.Generator, concern_bits: np.ndarray, excluded: np.ndarray, config: SynthConfig
) -> np.ndarray:
    """Services per case as a bit mask over SERVICE_CODES; advice and exclusion always set as given."""
    flags = category_flags(concern_bits)
    clinical, behaviour = flags[:, CATEGORIES.index("clinical")], flags[:, CATEGORIES.index("behaviour")]
    team = has_code(concern_bits, "behaviour.team_relationships")
    factors = {
        "restriction": np.where(clinical, 1.6, 0.6) * np.where(excluded, 2.0, 1.0),
        "clinical_assessment": np.where(clinical, 1.8, 0.2),
        "behavioural_assessment": np.where(behaviour, 1.5, 0.2),
        "team_review": np.where(team, 3.0, 0.6),
        "hpan": np.where(excluded, 6.0, 0.4),
    }
    bits = np.full(concern_bits.size, 1 << SERVICE_CODES.index("advice"), dtype=np.int64)
    bits |= np.where(excluded, 1 << SERVICE_CODES.index("exclusion"), 0)
    for service, rate in config.service_rates.items():
        probability = np.clip(rate * factors.get(service, 1.0), 0.0, 0.95)
        bits |= np.where(rng.random(concern_bits.size) < probability, 1 << SERVICE_CODES.index(service), 0)
    return bits


def draw_durations(
    rng: np.random.Generator, size: int, service_bits: np.ndarray, config: SynthConfig
) -> np.ndarray:
    """Days from opening to closing (assessments take months: about 18 weeks to report)."""
    days = config.median_case_days * np.exp(0.85 * rng.standard_normal(size))
    days *= np.where(service_bits & (1 << SERVICE_CODES.index("exclusion")), 1.3, 1.0)
    days *= np.where(service_bits & (1 << SERVICE_CODES.index("clinical_assessment")), 1.8, 1.0)
    return np.maximum(np.ceil(days), 1).astype(np.int64)


def draw_outcomes(
    rng: np.random.Generator, is_open: np.ndarray, excluded: np.ndarray, service_bits: np.ndarray
) -> np.ndarray:
    """Outcome index into OUTCOME_CODES per case, -1 where not recorded."""
    size = is_open.size
    plain = categorical(rng, _CLOSED_OUTCOMES, size)
    after_exclusion = categorical(rng, _EXCLUDED_OUTCOMES, size)
    closed = np.where(excluded, after_exclusion, plain)
    with_plan = (service_bits & (1 << SERVICE_CODES.index("action_plan"))) != 0
    closed = np.where(with_plan & (rng.random(size) < 0.5), 1, closed)
    closed_outcome = np.where(closed == len(_CLOSED_OUTCOMES) - 1, -1, closed + 1)
    open_outcome = np.where(rng.random(size) < _OPEN_NOT_RECORDED, -1, 0)
    return np.where(is_open, open_outcome, closed_outcome)


def ethnicity_text_index(rng: np.random.Generator, groups: np.ndarray, label_share: float) -> np.ndarray:
    """Index into ETHNICITY_TEXTS: a category letter, or for a few stated cases the group's label."""
    letters = v.ETHNIC_CATEGORIES.codes
    picks = categorical_rows(rng, _letter_table(), groups)
    as_label = (groups != v.ETHNIC_GROUPS.codes.index("not_stated")) & (rng.random(groups.size) < label_share)
    return np.where(as_label, len(letters) + groups, picks)


@cache
def _letter_table() -> np.ndarray:
    """Weight of each category letter (columns) within each ethnic group (rows)."""
    letters = v.ETHNIC_CATEGORIES.codes
    table = np.zeros((len(v.ETHNIC_GROUPS), len(letters)))
    for g, group in enumerate(v.ETHNIC_GROUPS.codes):
        for letter, weight in _LETTER_WEIGHTS[group].items():
            table[g, letters.index(letter)] = weight
    return table


def bits_to_text(bits: np.ndarray, codes: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
    """The distinct bit masks as `;`-joined code lists, and each row's index into them."""
    distinct, inverse = np.unique(bits, return_inverse=True)
    texts = [";".join(code for i, code in enumerate(codes) if (int(mask) >> i) & 1) for mask in distinct]
    return texts, inverse
