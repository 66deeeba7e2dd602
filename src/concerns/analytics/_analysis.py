"""The whole analysis: national figures computed once, then each organisation's.

`prepare` does every pass over the case rows (counts, rates, sizes, funnels,
clusters, equality) for all organisations together; `analyse_organisation`
and `analyse_national` then only cut typed results out of it, so a batch of
every organisation costs little more than one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import polars as pl

from concerns import vocabulary as v
from concerns.analytics._clusters import Clusters, find_clusters, flagged_cases_by_year
from concerns.analytics._context import Context, NationalYear, Settings
from concerns.analytics._equality import EqualityMeasures, equality_measures
from concerns.analytics._findings import Findings, NationalFindings, national_findings, organisation_findings
from concerns.analytics._funnels import TypeFunnels, funnels_by_type, unit_of
from concerns.analytics._peers import (
    PeerComparison,
    PeerGroup,
    choose_peers,
    compare,
    organisation_sizes,
)
from concerns.analytics._period import Period
from concerns.analytics._profile import NATIONAL, Profile, count_cases, national_counts, profile
from concerns.analytics._rates import ALL, Rate, rate_from_row, rates, yearly_rates

if TYPE_CHECKING:  # the stats load SciPy: imported where used, so importing analytics stays quick
    from concerns.analytics.stats import FunnelUnit, NotAvailable, Trend

# Profile dimensions whose shares are compared with peers.
COMPARED_DIMENSIONS = (
    "concern_category",
    "profession",
    "grade",
    "specialty_group",
    "ethnic_group",
    "service",
)


class Dataset(Protocol):
    @property
    def cases(self) -> pl.DataFrame: ...
    @property
    def organisations(self) -> pl.DataFrame: ...
    @property
    def workforce(self) -> pl.DataFrame: ...
    @property
    def fingerprint(self) -> str: ...


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    org_type: str
    nation: str
    region: str | None


@dataclass(frozen=True)
class YearFigures:
    fiscal_year: str
    cases: int
    peer_cases: PeerComparison
    rate: Rate
    peer_rate: PeerComparison


@dataclass(frozen=True)
class OrganisationAnalysis:
    organisation: Organisation
    period: Period
    fingerprint: str
    profile: Profile
    national: Profile
    rate: Rate
    rates_by_profession: dict[str, Rate]
    years: tuple[YearFigures, ...]
    trend: Trend | NotAvailable
    peers: PeerGroup
    peer_rate: PeerComparison
    peer_shares: dict[str, dict[str, PeerComparison]]  # dimension → code → comparison
    funnels: TypeFunnels
    clusters: Clusters
    equality: EqualityMeasures
    findings: Findings
    settings: Settings = field(repr=False)

    def funnel_unit(self, name: str = "rate") -> FunnelUnit | None:
        funnel = self.funnels.rate if name == "rate" else self.funnels.shares[name]
        return unit_of(funnel, self.organisation.code)


@dataclass(frozen=True)
class NationalAnalysis:
    period: Period
    fingerprint: str
    profile: Profile
    years: tuple[NationalYear, ...]
    trend: Trend | NotAvailable
    organisations: int
    organisations_with_cases: int
    equality: EqualityMeasures
    findings: NationalFindings
    settings: Settings = field(repr=False)


def prepare(data: Dataset, settings: Settings) -> Context:
    period = settings.period
    cases = data.cases.lazy()
    counts = count_cases(cases, period)
    all_rates = rates(cases, data.workforce, period)
    funnels = funnels_by_type(
        data.organisations,
        counts,
        all_rates,
        levels=settings.funnel_levels,
        overdispersion=settings.overdispersion,
    )
    clusters = find_clusters(
        data.cases,
        data.workforce,
        data.organisations,
        period,
        q=settings.cluster_q,
        min_observed=settings.cluster_min_observed,
    )
    equality = equality_measures(
        data.cases, data.workforce, period, organisations=data.organisations, min_cases=settings.min_cases
    )
    return Context(
        settings=settings,
        fingerprint=data.fingerprint,
        organisations=data.organisations,
        counts=counts,
        profiles=_profiles(counts, data.organisations, period),
        national=profile(national_counts(counts), NATIONAL, period),
        rates=_index_rates(all_rates, "profession"),
        yearly=_yearly_index(counts, yearly_rates(cases, data.workforce, period)),
        sizes=organisation_sizes(data.workforce, period),
        funnels=funnels,
        clusters=clusters,
        cluster_years=flagged_cases_by_year(data.cases, period, clusters),
        equality=equality,
        national_years=_national_years(cases, period),
    )


def _index_rates(frame: pl.DataFrame, key: str) -> dict[tuple[str, str], Rate]:
    return {(row["org_code"], row[key]): rate_from_row(row) for row in frame.iter_rows(named=True)}


def _yearly_index(counts: pl.DataFrame, yearly: pl.DataFrame) -> dict[tuple[str, str], Rate]:
    """Each organisation's yearly rate; a year without headcount keeps its cases, rate unknown."""
    index = _index_rates(yearly, "fiscal_year")
    for row in counts.filter(pl.col("dimension") == "fiscal_year").iter_rows(named=True):
        index.setdefault((row["org_code"], row["code"]), Rate(row["cases"], None, None, None, None, ()))
    return index


def _profiles(counts: pl.DataFrame, organisations: pl.DataFrame, period: Period) -> dict[str, Profile]:
    by_org = counts.partition_by("org_code", as_dict=True)
    empty = counts.clear()
    return {
        code: profile(by_org.get((code,), empty), code, period)
        for code in organisations["org_code"].to_list()
    }


def _national_years(cases: pl.LazyFrame, period: Period) -> tuple[NationalYear, ...]:
    years = []
    for year in period.fiscal_years:
        one = Period((year,))
        years.append(NationalYear(year, profile(national_counts(count_cases(cases, one)), NATIONAL, one)))
    return tuple(years)


def organisation_codes(context: Context) -> list[str]:
    return sorted(context.organisations["org_code"].to_list())


def analyse_organisation(context: Context, org_code: str) -> OrganisationAnalysis:
    settings, period = context.settings, context.settings.period
    row = context.organisations.filter(pl.col("org_code") == org_code)
    if row.is_empty():
        raise KeyError(f"no organisation {org_code!r} in the data")
    info = row.row(0, named=True)
    organisation = Organisation(org_code, info["name"], info["org_type"], info["nation"], info["region"])
    peers = choose_peers(
        context.organisations,
        context.sizes,
        org_code,
        k=settings.peers,
        same_nation=settings.peers_same_nation,
    )
    mine = context.profiles[org_code]
    rate = _lookup_rate(context.rates, org_code, ALL)
    trend = _trend(context, org_code)
    yearly = [_lookup_rate(context.yearly, org_code, year) for year in period.fiscal_years]
    return OrganisationAnalysis(
        organisation=organisation,
        period=period,
        fingerprint=context.fingerprint,
        profile=mine,
        national=context.national,
        rate=rate,
        rates_by_profession={
            code: _lookup_rate(context.rates, org_code, code) for code in v.PROFESSIONS.codes
        },
        years=_years(context, org_code, peers),
        trend=trend,
        peers=peers,
        peer_rate=compare(
            rate.per_1000, [_lookup_rate(context.rates, code, ALL).per_1000 for code in peers.peers]
        ),
        peer_shares=_peer_shares(context, mine, peers),
        funnels=context.funnels[organisation.org_type],
        clusters=context.clusters[org_code],
        equality=context.equality[org_code],
        findings=organisation_findings(context, org_code, organisation.org_type, peers.peers, trend, yearly),
        settings=settings,
    )


def _lookup_rate(index: dict[tuple[str, str], Rate], org_code: str, key: str) -> Rate:
    return index.get((org_code, key)) or Rate(0, None, None, None, None, ())


def _years(context: Context, org_code: str, peers: PeerGroup) -> tuple[YearFigures, ...]:
    figures = []
    for year in context.settings.period.fiscal_years:
        mine = _lookup_rate(context.yearly, org_code, year)
        theirs = [_lookup_rate(context.yearly, code, year) for code in peers.peers]
        figures.append(
            YearFigures(
                fiscal_year=year,
                cases=mine.cases,
                peer_cases=compare(mine.cases, [rate.cases for rate in theirs]),
                rate=mine,
                peer_rate=compare(mine.per_1000, [rate.per_1000 for rate in theirs]),
            )
        )
    return tuple(figures)


def _trend(context: Context, org_code: str) -> Trend | NotAvailable:
    from concerns.analytics.stats import poisson_trend

    years = context.settings.period.fiscal_years
    rates = [_lookup_rate(context.yearly, org_code, year) for year in years]
    # A trend in rates needs every year's headcount, for the same professions; otherwise counts.
    use_exposure = all(rate.person_years for rate in rates) and len({rate.professions for rate in rates}) == 1
    exposure = [rate.person_years for rate in rates] if use_exposure else None
    return poisson_trend([rate.cases for rate in rates], exposure, labels=list(years))


def _peer_shares(context: Context, mine: Profile, peers: PeerGroup) -> dict[str, dict[str, PeerComparison]]:
    peer_profiles = [context.profiles[code] for code in peers.peers]
    result: dict[str, dict[str, PeerComparison]] = {}
    for dimension in COMPARED_DIMENSIONS:
        result[dimension] = {}
        for row in mine[dimension].rows:
            values = [_share(p, dimension, row.code) for p in peer_profiles]
            result[dimension][row.code] = compare(row.share.value if row.share else None, values)
    return result


def _share(p: Profile, dimension: str, code: str) -> float | None:
    share = p[dimension].row(code).share
    return share.value if share else None


def analyse_national(context: Context) -> NationalAnalysis:
    period = context.settings.period
    with_cases = context.counts.filter(pl.col("dimension") == "total")["org_code"].n_unique()
    trend, organisations = national_trend(context)
    return NationalAnalysis(
        period=period,
        fingerprint=context.fingerprint,
        profile=context.national,
        years=context.national_years,
        trend=trend,
        organisations=context.organisations.height,
        organisations_with_cases=with_cases,
        equality=context.equality[NATIONAL],
        findings=national_findings(context, trend, organisations),
        settings=context.settings,
    )


def national_trend(context: Context) -> tuple[Trend | NotAvailable, int]:
    """The national trend per practitioner, over the organisations whose headcount is known every year
    for the professions it counts (and how many there are); in counts when there are none."""
    from concerns.analytics.stats import poisson_trend

    years = context.settings.period.fiscal_years
    cases, person_years, organisations = [0] * len(years), [0.0] * len(years), 0
    for code in organisation_codes(context):
        rates = [_lookup_rate(context.yearly, code, year) for year in years]
        if all(rate.person_years for rate in rates) and len({rate.professions for rate in rates}) == 1:
            organisations += 1
            for index, rate in enumerate(rates):
                cases[index] += rate.cases
                person_years[index] += rate.person_years or 0  # every rate has person-years here
    if organisations == 0:
        observed = [year.profile.total for year in context.national_years]
        return poisson_trend(observed, labels=list(years)), 0
    return poisson_trend(cases, person_years, labels=list(years)), organisations
