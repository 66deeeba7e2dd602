"""The generator's settings: every calibration target in one frozen dataclass.

Defaults reproduce the published national picture (domain-facts.md): about
1,100 new cases a year from 220 organisations, almost 70% about behaviour,
just under half clinical, just under 20% health, 30% in more than one area,
exclusion advice in about 115 cases a year (almost all doctors), and the GMC
"Fair to refer?" disproportionality (ethnic minority doctors about twice as
likely as white doctors, international graduates about 2.5 times UK graduates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from concerns import vocabulary as v

__all__ = ["DEFAULT_SEED", "SynthConfig", "SynthError"]

DEFAULT_SEED = 2001
FIRST_ALLOWED_DAY = dt.date(2001, 1, 1)
MAX_ORGS = 3000


class SynthError(ValueError):
    """A bad setting or unreadable input, with a one-line message for the user."""


def _profession_shares() -> dict[str, float]:
    # Doctors are the large majority of Advice casework; dentists come next (performers-list
    # work in primary care), then pharmacists, the newest group the service covers.
    return {"doctor": 0.80, "dentist": 0.13, "pharmacist": 0.07}


def _concern_shares() -> dict[str, float]:
    return {"behaviour": 0.69, "clinical": 0.47, "health": 0.18, "other": 0.04}


def _service_rates() -> dict[str, float]:
    # Base rates per case; _casemix makes them depend on the concerns and on exclusion.
    return {
        "restriction": 0.05,
        "clinical_assessment": 0.03,
        "behavioural_assessment": 0.02,
        "action_plan": 0.035,
        "team_review": 0.015,
        "hpan": 0.012,
        "education": 0.02,
    }


def _not_stated_shares() -> dict[str, float]:
    # Share of case rows whose field is recorded as not stated (on top of the workforce's
    # own not-stated groups, which are larger for disability, the worst-recorded field in NHS data).
    return {
        "sex": 0.05,
        "age_band": 0.06,
        "ethnicity": 0.07,
        "pmq": 0.08,
        "disability": 0.05,
        "grade": 0.02,
        "specialty": 0.06,
    }


def _age_risks() -> dict[str, float]:
    return {"under_35": 0.5, "35_44": 0.85, "45_54": 1.0, "55_64": 1.25, "65_plus": 1.4, "not_stated": 1.0}


def _grade_risks() -> dict[str, float]:
    # Resident doctors are mostly managed through deaneries, so few reach Advice.
    return {
        "consultant": 1.0,
        "sas": 1.5,
        "resident": 0.25,
        "locally_employed": 1.1,
        "gp": 1.0,
        "dentist": 1.0,
        "pharmacist": 1.0,
        "other": 1.0,
        "not_stated": 1.0,
    }


@dataclass(frozen=True)
class SynthConfig:
    """Everything the generator needs; the same config always gives the same files."""

    seed: int = DEFAULT_SEED
    as_of: dt.date | None = None  # None: today
    years: int = 5  # complete financial years before as_of (the partial current year is added)
    orgs: int = 220  # fictional organisations, when no registry is given
    organisations: Path | None = None  # a registry to generate for instead (CSV or Parquet)
    workforce: Path | None = None  # given headcounts for that registry, kept exactly
    total_cases: int | None = None  # approximate number of case rows; scales the rates
    cases_per_org_year: float = 5.0  # national volume: 5 x 220 organisations = 1,100 a year
    profession_shares: dict[str, float] = field(default_factory=_profession_shares)
    concern_shares: dict[str, float] = field(default_factory=_concern_shares)
    more_than_one_area_share: float = 0.30
    sub_code_share: float = 0.80  # of a case's categories, the share recorded with a sub-code
    second_sub_code_share: float = 0.12
    exclusion_share_doctor: float = 0.13  # of doctor cases each year, with exclusion advice
    exclusion_share_other: float = 0.012  # of dentist and pharmacist cases
    service_rates: dict[str, float] = field(default_factory=_service_rates)
    not_stated_shares: dict[str, float] = field(default_factory=_not_stated_shares)
    ethnicity_label_share: float = 0.03  # stated ethnicity written as a group name, not a letter
    services_blank_share: float = 0.10  # advice-only cases with `services` left empty
    repeat_share: float = 0.05  # cases about a practitioner already seen by the same organisation
    median_case_days: float = 140.0
    # Marginal relative likelihoods the rate model is calibrated to (pooled nationally).
    ethnic_minority_vs_white: float = 2.0
    international_vs_uk: float = 2.5
    eea_vs_uk: float = 1.5
    male_vs_female: float = 1.5
    disabled_vs_not: float = 1.3
    # Relative risks given the other characteristics (not calibrated to marginals).
    age_risks: dict[str, float] = field(default_factory=_age_risks)
    grade_risks: dict[str, float] = field(default_factory=_grade_risks)
    org_rate_sd: float = 0.0  # log-normal spread of organisation rates; 0: only exposure matters
    clusters: int = 4
    cluster_extra_cases: tuple[int, int] = (13, 17)  # inclusive range of planted extra cases
    cluster_expected: tuple[float, float] = (1.0, 2.0)  # five-year expectation of a cluster's cell
    cluster_max_share: float = 0.02  # of the organisation's doctor cases, so the cluster stands out

    def resolved_as_of(self) -> dt.date:
        return self.as_of or dt.date.today()

    def check(self) -> None:
        """Raise SynthError for settings the generator cannot honour."""
        as_of = self.resolved_as_of()
        if self.years < 1 or self.years > 20:
            raise SynthError(f"--years must be between 1 and 20, not {self.years}")
        first = v.fiscal_year_start(v.fiscal_years_before(as_of, self.years)[0])
        if first < FIRST_ALLOWED_DAY:
            raise SynthError(f"{self.years} years before {as_of} starts before 2001, when the service began")
        if as_of > dt.date.today():
            raise SynthError(f"--as-of {as_of} is in the future")
        if self.organisations is None and not 1 <= self.orgs <= MAX_ORGS:
            raise SynthError(f"--orgs must be between 1 and {MAX_ORGS}, not {self.orgs}")
        if self.workforce is not None and self.organisations is None:
            raise SynthError("--workforce needs --organisations (the registry it belongs to)")
        if self.total_cases is not None and self.total_cases < 1:
            raise SynthError(f"--cases must be at least 1, not {self.total_cases}")
        if self.seed < 0:
            raise SynthError(f"--seed must be 0 or more, not {self.seed}")
        self._check_shares()

    def _check_shares(self) -> None:
        if set(self.profession_shares) != set(v.PROFESSIONS.codes):
            raise SynthError("profession_shares needs a share for each of doctor, dentist, pharmacist")
        if abs(sum(self.profession_shares.values()) - 1) > 1e-9:
            raise SynthError("profession_shares must add up to 1")
        if set(self.concern_shares) != set(v.CONCERN_CATEGORIES.codes):
            raise SynthError("concern_shares needs a share for each top-level concern category")
        unknown = set(self.service_rates) - set(v.SERVICES.codes)
        if unknown or "exclusion" in self.service_rates or "advice" in self.service_rates:
            raise SynthError("service_rates takes the services other than advice and exclusion")
        low, high = self.cluster_extra_cases
        if self.clusters < 0 or not 1 <= low <= high:
            raise SynthError("clusters must be 0 or more, with 1 <= extra cases low <= high")

    def as_json(self) -> dict[str, Any]:
        """The settings as plain JSON values, for truth.json."""
        data = asdict(self)
        data["as_of"] = self.resolved_as_of().isoformat()
        for name in ("organisations", "workforce"):
            data[name] = str(data[name]) if data[name] is not None else None
        data["cluster_extra_cases"] = list(self.cluster_extra_cases)
        data["cluster_expected"] = list(self.cluster_expected)
        return data
