"""The ground truth: what was planted and what came out, for tests of later layers.

Counts are tallied from the recorded values (what the files say) batch by batch,
so truth.json describes the written data, not the model's intentions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from concerns import vocabulary as v
from concerns.synth import _casemix as mix
from concerns.synth._plan import CLUSTER_PEERS, DOCTOR, REFERENCE_ORGS, Plan
from concerns.synth._specialty import SPECIALTY_CODES
from concerns.synth._workforce import DIMENSIONS, GROUPS, PROFESSIONS

__all__ = ["Tally", "truth_document"]

# Each dimension's reference group for relative likelihoods.
_REFERENCE = {
    "ethnicity": "white",
    "pmq": "uk",
    "sex": "female",
    "age_band": "under_35",
    "grade": "consultant",
    "disability": "no",
}

_ASSUMPTIONS = (
    "All organisations, names, codes, practitioners and cases are fictional; figures are illustrative.",
    "Profession split of cases about 80% doctors, 13% dentists, 7% pharmacists: doctors are the large "
    "majority of Advice casework; dentists come next through primary care performers-list work (over 700 "
    "primary care cases in five years nationally); pharmacists are the smallest and newest group.",
    "Concern categories: almost 70% behaviour, just under half clinical, just under 20% health, 30% more than "
    "one area (NHS Resolution's five-year figures); 4% 'other'. The number of areas per case is 1 for 70%, "
    "then 2, 3 and 4 areas in the proportions the category shares require.",
    "Relative likelihoods calibrated to GMC 'Fair to refer?' (2019): ethnic minority about 2x white, "
    "international graduates about 2.5x UK graduates; EEA graduates 1.5x and men 1.5x women are assumptions "
    "in line with its direction; risk rises with age; disabled practitioners 1.3x.",
    "Exclusion advice: a fixed share of each year's cases (about 13% of doctor cases, 1.2% of others), about "
    "115 a year with the default volume, near the 136 a year of 2009-2019 and 94-131 a year of 2019/20-2024/25.",
    "Rates depend only on the workforce (headcount x relative risks): no organisation effect, so an "
    "organisation's expected cases grow in proportion to its risk-weighted headcount and nothing else "
    "(set org_rate_sd for between-organisation variation).",
    "Ethnic group and place of qualification are correlated in the workforce (fitted joint table); the other "
    "dimensions are independent of each other, so e.g. grade and age are not related.",
    "Specialty mix depends only on the organisation type and the practitioner's profession and grade; planted "
    "clusters are the only other source of specialty x grade differences between organisations of a type.",
    "Workforce headcounts are snapshots per financial year; rates per head pool the complete years' "
    "headcounts as person-years.",
)


class Tally:
    """Counts of recorded values by case year, accumulated batch by batch."""

    def __init__(self, plan: Plan) -> None:
        years, professions = len(plan.case_years), len(PROFESSIONS)
        self.plan = plan
        self.cases = np.zeros((years, professions), dtype=np.int64)
        self.excluded = np.zeros((years, professions), dtype=np.int64)
        self.categories = np.zeros((years, len(mix.CATEGORIES)), dtype=np.int64)
        self.more_than_one = np.zeros(years, dtype=np.int64)
        self.top_level_only = np.zeros(years, dtype=np.int64)
        self.open = np.zeros(years, dtype=np.int64)
        self.repeats = np.zeros(years, dtype=np.int64)
        self.services = np.zeros((years, len(mix.SERVICE_CODES)), dtype=np.int64)
        self.groups = {d: np.zeros((years, professions, len(GROUPS[d])), dtype=np.int64) for d in DIMENSIONS}
        self.cluster_cases = np.zeros((len(plan.clusters), years), dtype=np.int64)

    def add(self, cases: dict[str, np.ndarray]) -> None:
        if not cases:
            return
        year, profession = cases["year"], cases["profession"]
        years, professions = self.cases.shape
        self.cases += _count(year * professions + profession, self.cases.shape)
        self.excluded += _count(year * professions + profession, self.excluded.shape, cases["excluded"])
        flags = mix.category_flags(cases["concerns"])
        for c in range(flags.shape[1]):
            self.categories[:, c] += _count(year, (years,), flags[:, c])
        self.more_than_one += _count(year, (years,), flags.sum(axis=1) >= 2)
        top_bits = sum(1 << mix.CONCERN_CODES.index(c) for c in mix.CATEGORIES)
        self.top_level_only += _count(year, (years,), (cases["concerns"] & ~top_bits) == 0)
        self.open += _count(year, (years,), cases["closed"] < 0)
        self.repeats += _count(year, (years,), cases["practitioner"] != _first_case_positions(cases))
        for s in range(len(mix.SERVICE_CODES)):
            self.services[:, s] += _count(year, (years,), (cases["services"] >> s) & 1)
        for dimension in DIMENSIONS:
            width = len(GROUPS[dimension])
            index = (year * professions + profession) * width + cases[dimension]
            self.groups[dimension] += _count(index, self.groups[dimension].shape)
        for i, cluster in enumerate(self.plan.clusters):
            here = (
                (cases["org"] == cluster.org_index)
                & (cases["grade"] == GROUPS["grade"].index(cluster.grade))
                & (cases["specialty_group"] == SPECIALTY_CODES.index(cluster.specialty_group))
            )
            self.cluster_cases[i] += _count(year[here], (years,))


def _count(index: np.ndarray, shape: tuple[int, ...], weights: np.ndarray | None = None) -> np.ndarray:
    """How many rows (or how much weight) fall on each flat index, shaped."""
    size = int(np.prod(shape))
    weights = None if weights is None else weights.astype(np.int64)
    return np.bincount(index, weights=weights, minlength=size).astype(np.int64).reshape(shape)


def _first_case_positions(cases: dict[str, np.ndarray]) -> np.ndarray:
    """Each case's position within its organisation (practitioner ids are first-case positions)."""
    org = cases["org"]
    starts = np.r_[0, np.flatnonzero(np.diff(org)) + 1]
    lengths = np.diff(np.r_[starts, org.size])
    positions: np.ndarray = np.arange(org.size) - np.repeat(starts, lengths)
    return positions


def _r(x: float, digits: int = 4) -> float:
    return round(float(x), digits)


def _ratio(numerator: float, denominator: float) -> float | None:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.float64(numerator) / np.float64(denominator)
    return _r(value) if np.isfinite(value) else None


def _ratios(tally: Tally, plan: Plan, professions: list[int]) -> dict[str, dict[str, float | None]]:
    """Rate of each recorded group relative to the reference group, pooled over the complete years."""
    complete = np.arange(len(plan.complete_years))
    years = plan.year_at[complete]
    result: dict[str, dict[str, float | None]] = {}
    for dimension in DIMENSIONS:
        cases = (
            tally.groups[dimension][np.ix_(complete, np.asarray(professions))].sum(axis=(0, 1)).astype(float)
        )
        heads = (
            plan.population.counts[dimension][:, years][:, :, professions].sum(axis=(0, 1, 2)).astype(float)
        )
        rates = np.divide(cases, heads, out=np.full(cases.shape, np.nan), where=heads > 0)
        reference = rates[GROUPS[dimension].index(_REFERENCE[dimension])]
        result[dimension] = {
            g: _ratio(rate, reference)
            for g, rate in zip(GROUPS[dimension], rates, strict=True)
            if g != "not_stated" and heads[GROUPS[dimension].index(g)] > 0
        }
        if dimension == "ethnicity":
            minority = [GROUPS["ethnicity"].index(g) for g in v.ETHNIC_MINORITY_GROUPS]
            result[dimension]["ethnic_minority"] = _ratio(
                cases[minority].sum() / heads[minority].sum(), reference
            )
    return result


def _realised(tally: Tally, plan: Plan) -> dict[str, Any]:
    complete = slice(0, len(plan.complete_years))
    total = int(tally.cases[complete].sum())
    per_year = {}
    for y, year in enumerate(plan.case_years):
        per_year[year] = {
            "cases": int(tally.cases[y].sum()),
            "by_profession": {p: int(n) for p, n in zip(PROFESSIONS, tally.cases[y], strict=True)},
            "exclusion": int(tally.excluded[y].sum()),
            "exclusion_doctors": int(tally.excluded[y, DOCTOR]),
            "open_at_as_of": int(tally.open[y]),
            "partial": year == plan.partial_year,
        }
    share = (lambda n: _r(n / total)) if total else (lambda n: None)
    ratios_all = _ratios(tally, plan, list(range(len(PROFESSIONS))))
    return {
        "over": "the complete financial years",
        "cases": total,
        "cases_per_year": per_year,
        "profession_shares": {
            p: share(n) for p, n in zip(PROFESSIONS, tally.cases[complete].sum(axis=0), strict=True)
        },
        "concern_shares": {
            c: share(n) for c, n in zip(mix.CATEGORIES, tally.categories[complete].sum(axis=0), strict=True)
        },
        "more_than_one_area_share": share(tally.more_than_one[complete].sum()),
        "top_level_code_only_share": share(tally.top_level_only[complete].sum()),
        "service_shares": {
            s: share(n) for s, n in zip(mix.SERVICE_CODES, tally.services[complete].sum(axis=0), strict=True)
        },
        "repeat_case_share": share(tally.repeats[complete].sum()),
        "marginal_relative_likelihoods": {
            "note": "cases per head (complete years' headcounts pooled) relative to the reference group, "
            "recorded values; not stated left out",
            "reference_groups": dict(_REFERENCE),
            "all_professions": ratios_all,
            "doctors": _ratios(tally, plan, [DOCTOR]),
        },
        "ethnic_minority_vs_white": ratios_all["ethnicity"].get("ethnic_minority"),
        "international_vs_uk": ratios_all["pmq"].get("international"),
        "eea_vs_uk": ratios_all["pmq"].get("eea"),
        "male_vs_female": ratios_all["sex"].get("male"),
    }


def _targets(plan: Plan) -> dict[str, Any]:
    config = plan.config
    reference_volume = config.cases_per_org_year * REFERENCE_ORGS * plan.scale
    return {
        "cases_per_year_reference_nation": _r(reference_volume, 1),
        "cases_per_year_expected": _r(
            plan.expected[:, : len(plan.complete_years)].sum() / len(plan.complete_years), 1
        ),
        "profession_shares": dict(config.profession_shares),
        "concern_shares": dict(config.concern_shares),
        "more_than_one_area_share": config.more_than_one_area_share,
        "exclusion_share_doctor": config.exclusion_share_doctor,
        "exclusion_share_other": config.exclusion_share_other,
        "ethnic_minority_vs_white": config.ethnic_minority_vs_white,
        "international_vs_uk": config.international_vs_uk,
        "eea_vs_uk": config.eea_vs_uk,
        "male_vs_female": config.male_vs_female,
        "age_risks": dict(config.age_risks),
        "disabled_vs_not": config.disabled_vs_not,
        "grade_risks": dict(config.grade_risks),
        "tolerance_percentage_points": 3,
    }


def _clusters(tally: Tally, plan: Plan) -> list[dict[str, Any]]:
    complete = len(plan.complete_years)
    return [
        {
            "org_code": c.org_code,
            "profession": "doctor",
            "specialty_group": c.specialty_group,
            "grade": c.grade,
            "fiscal_years": list(c.fiscal_years),
            "extra_cases": c.extra_cases,
            "extra_cases_by_year": dict(zip(c.fiscal_years, c.extra_by_year, strict=True)),
            "expected_without_cluster": _r(c.expected_without, 3),
            "observed_over_complete_years": int(tally.cluster_cases[i, :complete].sum()),
        }
        for i, c in enumerate(plan.clusters)
    ]


def _rate_model(plan: Plan) -> dict[str, Any]:
    calibration = plan.calibration
    return {
        "description": "rate = base[profession] x product of relative risks of the practitioner's groups; "
        "Poisson counts per organisation-year-profession; demographics drawn from workforce cells "
        "weighted by headcount x relative risk",
        "calibrated_on": f"the default {REFERENCE_ORGS} fictional organisations for this seed",
        "base_rate_per_1000_person_years": {
            p: _r(1000 * rate * plan.scale, 4)
            for p, rate in zip(PROFESSIONS, calibration.base_rates, strict=True)
        },
        "relative_risks": calibration.risks.as_json(),
        "calibrated_relative_risks": {k: _r(x, 6) for k, x in calibration.parameters.items()},
        "rate_scale": _r(plan.scale, 6),
        "organisation_rate_sd": plan.config.org_rate_sd,
    }


def _organisations(plan: Plan) -> dict[str, Any]:
    orgs = plan.population.orgs

    def counts(column: str) -> dict[str, int]:
        return dict(sorted(orgs.group_by(column).len().iter_rows()))

    return {
        "source": "fictional" if plan.config.organisations is None else str(plan.config.organisations),
        "count": orgs.height,
        "by_type": counts("org_type"),
        "by_nation": counts("nation"),
    }


def truth_document(plan: Plan, tally: Tally, files: dict[str, str], rows: dict[str, int]) -> dict[str, Any]:
    notes = list(plan.notes)
    if len(plan.clusters) < plan.config.clusters:
        notes.append(
            f"{len(plan.clusters)} of the {plan.config.clusters} clusters asked for were planted: too few doctor cells "
            f"expecting {plan.config.cluster_expected[0]:g}-{plan.config.cluster_expected[1]:g} cases over the "
            f"complete years at organisations with at least {CLUSTER_PEERS} of the same type (short periods and "
            "small registries have fewer)"
        )
    if plan.dropped_workforce_rows:
        notes.append(
            f"{plan.dropped_workforce_rows} given workforce rows named organisations not in the registry "
            "and were left out"
        )
    return {
        "generator": "concerns.synth",
        "illustrative": True,
        "seed": plan.config.seed,
        "as_of": plan.as_of.isoformat(),
        "period": {
            "complete_fiscal_years": list(plan.complete_years),
            "partial_fiscal_year": {
                "fiscal_year": plan.partial_year,
                "from": v.fiscal_year_start(plan.partial_year).isoformat(),
                "to": plan.as_of.isoformat(),
                "note": "incomplete year up to as_of: generated so that period logic has something to exclude; "
                "not part of any five-year report period",
            },
        },
        "files": files,
        "rows": rows,
        "organisations": _organisations(plan),
        "targets": _targets(plan),
        "realised": _realised(tally, plan),
        "clusters": _clusters(tally, plan),
        "clusters_note": "the only planted differences between organisations: each adds extra doctor cases in "
        "one specialty group x grade at one organisation (recorded in full); observed counts use "
        "recorded values. An exact Poisson test of each doctor cell against the organisation's "
        "doctor cases times the cell's share among organisations of the same type, with "
        "Benjamini-Hochberg at q=0.05, finds every planted cluster (p below 1e-6 for the default "
        "settings). BH controls the share of false findings, it does not prevent them: a chance "
        "flag now and then is expected, typically a cell of 2-6 cases where 0.1-0.6 were "
        "expected, sometimes one practitioner's repeat cases (count distinct practitioners to "
        "avoid those). Profession mix differs between organisations with their workforce, so "
        "compare doctor cells with doctor cases.",
        "rate_model": _rate_model(plan),
        "assumptions": list(_ASSUMPTIONS),
        "notes": notes,
        "config": plan.config.as_json(),
    }
