"""What the analysis computes once for every organisation (`Context`), and the settings it is made with.

Kept apart from `_analysis` so that the modules `_analysis` uses (findings among them) can name these types
without importing it back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from concerns.analytics._clusters import Clusters
from concerns.analytics._equality import EqualityMeasures
from concerns.analytics._funnels import TypeFunnels
from concerns.analytics._peers import DEFAULT_PEERS
from concerns.analytics._period import Period
from concerns.analytics._profile import Profile
from concerns.analytics._rates import Rate


@dataclass(frozen=True)
class Settings:
    period: Period
    peers: int = DEFAULT_PEERS
    peers_same_nation: bool = False
    funnel_levels: tuple[float, ...] = (0.95, 0.998)
    overdispersion: bool = True
    cluster_q: float = 0.05
    cluster_min_observed: int = 3
    min_cases: int = 5

    @classmethod
    def as_of(cls, day: dt.date, years: int = 5, **options: Any) -> Settings:
        return cls(period=Period.before(day, years), **options)


@dataclass(frozen=True)
class NationalYear:
    fiscal_year: str
    profile: Profile


@dataclass(frozen=True)
class Context:
    """Everything computed once for all organisations."""

    settings: Settings
    fingerprint: str
    organisations: pl.DataFrame
    counts: pl.DataFrame
    profiles: dict[str, Profile]
    national: Profile
    rates: dict[tuple[str, str], Rate]  # (org_code, profession or "all") → rate over the period
    yearly: dict[tuple[str, str], Rate]  # (org_code, fiscal_year) → rate, all known professions
    sizes: pl.DataFrame
    funnels: dict[str, TypeFunnels]
    clusters: dict[str, Clusters]
    cluster_years: dict[
        str, dict[tuple[str, tuple[str, ...]], dict[str, int]]
    ]  # flagged groups' cases by year
    equality: dict[str, EqualityMeasures]
    national_years: tuple[NationalYear, ...]
