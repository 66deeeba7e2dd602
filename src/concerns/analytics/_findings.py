"""Findings: every verdict a report states, decided once, here, with the test behind it.

A report's sentences, tiles, next steps and board questions are written from
these; none decides a verdict a second time. Each kind keeps its stated error
rate on data with no effect (the calibration bench, `bench/calibrate.py`,
measures it; docs/statistics.md records the figures):

- trend: rising or falling only when the trend's interval excludes no change,
  per practitioner wherever every year's headcount is known;
- funnels: the position from the exact tail probability of the organisation's
  own count (Poisson for the rate, binomial for shares), never from the drawn
  lines; not assessed when fewer than MIN_EXPECTED cases are expected (rate) or
  the organisation has fewer than MIN_CASES cases (shares);
- peer comparisons: higher or lower than similar sized organisations only when
  an exact test against the peers' pooled rate or share rejects (Holm across
  the concern categories), otherwise "similar";
- clusters: staff groups tested within the organisation (`_clusters`);
- years: a year far above the organisation's own other years, by the exact
  conditional binomial test with Bonferroni across the years, tied to the
  flagged staff group behind it when there is one;
- equality: "more likely" or "less likely" only when the interval excludes 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from concerns import vocabulary as v
from concerns.analytics._clusters import ClusterTest
from concerns.analytics._funnels import FUNNEL_SHARES, unit_of
from concerns.analytics._peers import PeerVerdict, rate_against_peers, shares_against_peers
from concerns.analytics._profile import MORE_THAN_ONE, NATIONAL

if TYPE_CHECKING:
    from concerns.analytics._context import Context
    from concerns.analytics._equality import Equality
    from concerns.analytics._profile import Profile
    from concerns.analytics._rates import Rate
    from concerns.analytics.stats import Funnel, NotAvailable, Trend

MIN_EXPECTED = 1.0  # a rate position needs at least one case expected over the period
MIN_CASES = 5  # a share position needs at least this many cases
YEAR_ALPHA = 0.05  # family-wise, across the years of the period
NOT_ASSESSED = "not_assessed"
EQUALITY_COMPARISONS = ("ethnic_minority_vs_white", "international_vs_uk", "eea_vs_uk", "male_vs_female")


@dataclass(frozen=True)
class TrendFinding:
    measure: str  # "rate" per practitioner where every year's headcount is known, else "count"
    verdict: str  # rising | falling | no_clear_trend | not_assessed
    change_per_year: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    reason: str | None = None  # why not assessed


@dataclass(frozen=True)
class FunnelFinding:
    indicator: str  # "rate" or a concern category code
    position: str  # inside | above_95 | above_99_8 | below_95 | below_99_8 | not_assessed
    p: float | None  # two-sided exact tail probability
    observed: int
    expected: float | None


@dataclass(frozen=True)
class YearFinding:
    fiscal_year: str
    observed: int
    expected: float  # from the organisation's own other years, per practitioner where known
    p: float  # one-sided, Bonferroni-adjusted across the years
    staff_group: ClusterTest | None  # the flagged staff group behind it, if any


BAND = (0.80, 1.25)  # WRES's non-adverse range, from the US four-fifths rule


@dataclass(frozen=True)
class BestFinding:
    """A best (empirical Bayes) estimate of a relative likelihood, leaning on every organisation
    (`stats.fit_spread`). `ratio` is None when only a range can be published (a group has too few
    cases: the interval then reaches as far as any small count would take it). `own_weight`: how much
    of it rests on the organisation's own cases (0 to 1)."""

    ratio: float | None
    ci_low: float
    ci_high: float
    own_weight: float | None

    @property
    def verdict(self) -> str:
        """As the interval is printed (two decimals): more or less likely only when it excludes 1."""
        if round(self.ci_low, 2) > 1:
            return "more_likely"
        if round(self.ci_high, 2) < 1:
            return "less_likely"
        return "no_clear_difference"


@dataclass(frozen=True)
class SpanFigure:
    """A relative likelihood over some of the period's years."""

    years: tuple[str, ...]
    ratio: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class ChangeFinding:
    """Whether a relative likelihood moved between the earlier years of the period and the latest ones
    (`stats.likelihood_change`). `verdict`: higher | lower | no_clear_change, or too_few_cases |
    withheld | not_available with no figures."""

    verdict: str
    earlier: SpanFigure | None = None
    later: SpanFigure | None = None
    p: float | None = None


@dataclass(frozen=True)
class TypeFinding:
    """A comparison pooled over every organisation of one type, as the batch may publish it: `verdict` as
    an equality finding's (withheld where the type's counts would give an organisation's hidden one
    away)."""

    org_type: str
    organisations: int
    verdict: str
    ratio: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class EqualityFinding:
    comparison: str
    verdict: str  # more_likely | less_likely | no_clear_difference | too_few_cases | not_available
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    national_ratio: float | None
    best: BestFinding | None = None
    over_time: ChangeFinding | None = None  # for the comparisons followed over time (OVER_TIME) only
    type_ratio: TypeFinding | None = None  # the organisation type's ratio, for those comparisons too

    @property
    def wres_band(self) -> str | None:
        """The point estimate against 0.80–1.25, as WRES classifies it (no interval): for comparability."""
        if self.ratio is None:
            return None
        return "below" if self.ratio < BAND[0] else "above" if self.ratio > BAND[1] else "within"

    @property
    def band_verdict(self) -> str | None:
        """The interval against 0.80–1.25: above or below only when it lies wholly beyond the band, within
        only when wholly inside it, otherwise "cannot_tell_yet"."""
        if self.ci_low is None or self.ci_high is None:
            return None
        if self.ci_low > BAND[1]:
            return "above"
        if self.ci_high < BAND[0]:
            return "below"
        if BAND[0] <= self.ci_low and self.ci_high <= BAND[1]:
            return "within"
        return "cannot_tell_yet"


@dataclass(frozen=True)
class Findings:
    trend: TrendFinding
    funnels: tuple[FunnelFinding, ...]
    peer_comparisons: tuple[PeerVerdict, ...]
    clusters: tuple[ClusterTest, ...]  # flagged staff groups only, strongest first
    years: tuple[YearFinding, ...]  # years that stand out
    equality: tuple[EqualityFinding, ...]
    explained_by: dict[tuple[str, tuple[str, ...]], ClusterTest] = field(default_factory=dict)

    def funnel(self, indicator: str) -> FunnelFinding:
        return next(f for f in self.funnels if f.indicator == indicator)

    def peer(self, indicator: str) -> PeerVerdict:
        return next(p for p in self.peer_comparisons if p.indicator == indicator)


@dataclass(frozen=True)
class ClusterFlags:
    organisations_flagged: int
    organisations_tested: int
    expected_by_chance: float  # flagged organisations to expect if nothing stood out anywhere (simulated)
    q: float
    p: float  # P(at least this many flagged | chance alone), Poisson with the expected number

    @property
    def more_than_chance(self) -> bool:
        return self.p < 0.05


@dataclass(frozen=True)
class NationalFindings:
    trend: TrendFinding
    trend_organisations: int  # organisations whose every year's headcount is known (the rate trend's base)
    cluster_flags: ClusterFlags
    equality: tuple[EqualityFinding, ...]


# --- trend --------------------------------------------------------------------------------


def trend_finding(result: Trend | NotAvailable) -> TrendFinding:
    """A fitted trend (or why there is none) as a finding."""
    from concerns.analytics.stats import Trend, TrendVerdict

    if not isinstance(result, Trend):
        reason = getattr(getattr(result, "reason", None), "value", "not_estimable")
        return TrendFinding("count", NOT_ASSESSED, None, None, None, None, reason)
    change = result.annual_change
    verdict = {TrendVerdict.RISING: "rising", TrendVerdict.FALLING: "falling"}.get(
        result.verdict, "no_clear_trend"
    )
    measure = "rate" if result.per_exposure else "count"
    return TrendFinding(measure, verdict, change.value, change.low, change.high, result.p)


# --- funnels ------------------------------------------------------------------------------


def level_name(level: float) -> str:
    """0.95 → "95", 0.998 → "99_8": the suffix of a position."""
    return f"{level * 100:g}".replace(".", "_")


def funnel_finding(
    indicator: str, funnel: Funnel | NotAvailable, org_code: str, *, minimum: float, on_expected: bool
) -> FunnelFinding:
    from concerns.analytics.stats import Funnel, Position

    unit = unit_of(funnel, org_code)
    if unit is None or unit.precision is None or unit.p is None:
        return FunnelFinding(indicator, NOT_ASSESSED, None, unit.observed if unit else 0, None)
    size = unit.expected if on_expected else unit.precision
    if size is None or size < minimum:
        return FunnelFinding(indicator, NOT_ASSESSED, None, unit.observed, unit.expected)
    assert isinstance(funnel, Funnel)
    position = "inside"
    for level in sorted(funnel.levels):
        side = unit.position(level)
        if side is Position.ABOVE:
            position = f"above_{level_name(level)}"
        elif side is Position.BELOW:
            position = f"below_{level_name(level)}"
    return FunnelFinding(indicator, position, unit.p, unit.observed, unit.expected)


def _funnel_findings(context: Context, org_type: str, org_code: str) -> tuple[FunnelFinding, ...]:
    funnels = context.funnels[org_type]
    found = [funnel_finding("rate", funnels.rate, org_code, minimum=MIN_EXPECTED, on_expected=True)]
    found += [
        funnel_finding(code, funnels.shares[code], org_code, minimum=MIN_CASES, on_expected=False)
        for code in FUNNEL_SHARES
    ]
    return tuple(found)


# --- peers --------------------------------------------------------------------------------


def _peer_findings(context: Context, org_code: str, peers: tuple[str, ...]) -> tuple[PeerVerdict, ...]:
    from concerns.analytics._rates import ALL

    weights = _profession_weights(context)

    def rate(code: str) -> tuple[int, float | None]:
        """Cases, and person-years weighted by each profession's national rate (so that a different
        mix of doctors, dentists and pharmacists is not read as a higher or lower rate)."""
        found = context.rates.get((code, ALL))
        if not found or not found.person_years:
            return (found.cases if found else 0, None)
        weighted = 0.0
        for profession in found.professions:
            own = context.rates.get((code, profession))
            if own is None or not own.person_years:
                return (found.cases, found.person_years)
            weighted += own.person_years * weights.get(profession, 1.0)
        return (found.cases, weighted)

    cases, person_years = rate(org_code)
    verdicts = [rate_against_peers(cases, person_years, [rate(code) for code in peers])]
    categories = (*v.CONCERN_CATEGORIES.codes, MORE_THAN_ONE)
    mine = context.profiles[org_code]
    theirs = [context.profiles[code] for code in peers]

    def counts(profile: Profile) -> dict[str, int]:
        return {code: profile["concern_category"].row(code).cases for code in categories}

    pooled = {code: sum(counts(p)[code] for p in theirs) for code in categories}
    shares = shares_against_peers(counts(mine), mine.total, pooled, sum(p.total for p in theirs))
    verdicts += [shares[code] for code in categories]
    return tuple(verdicts)


def _profession_weights(context: Context) -> dict[str, float]:
    """Each profession's national rate relative to all professions' (cases per person-year)."""
    totals: dict[str, list[float]] = {}
    for (_, profession), found in context.rates.items():
        if found.person_years:
            entry = totals.setdefault(profession, [0.0, 0.0])
            entry[0] += found.cases
            entry[1] += found.person_years
    overall = totals.get("all")
    if not overall or not overall[0]:
        return {}
    base = overall[0] / overall[1]
    return {p: (c / y) / base for p, (c, y) in totals.items() if p != "all" and y and c}


# --- years --------------------------------------------------------------------------------


def year_findings(
    years: tuple[str, ...],
    counts: list[int],
    exposure: Sequence[float | None] | None,
    clusters: tuple[ClusterTest, ...],
    cluster_years: dict[tuple[str, tuple[str, ...]], dict[str, int]],
) -> tuple[YearFinding, ...]:
    """Years with far more cases than the organisation's own other years give (per practitioner when
    every year's headcount is known): the exact conditional binomial test, Bonferroni across years."""
    from scipy import stats

    total = sum(counts)
    if total == 0 or len(counts) < 3:
        return ()
    weights = [w for w in exposure if w] if exposure and all(exposure) else [1.0] * len(counts)
    found = []
    for index, (year, observed) in enumerate(zip(years, counts, strict=True)):
        share = weights[index] / sum(weights)
        p = min(1.0, len(counts) * float(stats.binom.sf(observed - 1, total, share)))
        if p < YEAR_ALPHA:
            expected = (total - observed) * weights[index] / (sum(weights) - weights[index])
            found.append(
                YearFinding(
                    year, observed, expected, p, _behind(year, observed - expected, clusters, cluster_years)
                )
            )
    return tuple(found)


def _behind(
    year: str,
    excess: float,
    clusters: tuple[ClusterTest, ...],
    cluster_years: dict[tuple[str, tuple[str, ...]], dict[str, int]],
) -> ClusterTest | None:
    """The narrowest flagged staff group whose cases that year make up at least half the year's excess."""
    behind = [t for t in clusters if cluster_years.get((t.dimension, t.codes), {}).get(year, 0) >= excess / 2]
    return min(behind, key=lambda t: t.cases, default=None)


def explained_by(clusters: tuple[ClusterTest, ...]) -> dict[tuple[str, tuple[str, ...]], ClusterTest]:
    """A flagged group whose excess a narrower flagged group overlapping it accounts for: the same
    practitioners seen twice, reported as one story. A specialty group or a grade is explained by a
    specialty group × grade within it; a specialty group by a specialty in it too; a specialty by a
    specialty group × grade of its group (the two share that group's practitioners of the grade)."""
    found = {}
    for test in clusters:
        inside = [c for c in clusters if c is not test and _narrower_within(c, test)]
        best = max(
            inside, key=lambda c: (c.observed - c.expected, c.dimension == "specialty_grade"), default=None
        )
        if best is not None and best.observed - best.expected >= test.observed - test.expected:
            found[(test.dimension, test.codes)] = best
    for key, story in found.items():  # a group explained by one that is itself explained: the whole story
        while (story.dimension, story.codes) in found:
            story = found[(story.dimension, story.codes)]
        found[key] = story
    return found


def _narrower_within(candidate: ClusterTest, test: ClusterTest) -> bool:
    if candidate.dimension == "specialty_grade":
        if test.dimension == "specialty_group":
            return candidate.codes[0] == test.codes[0]
        if test.dimension == "grade":
            return candidate.codes[1] == test.codes[0]
        if test.dimension == "specialty":
            return candidate.codes[0] == v.SPECIALTIES.group(test.codes[0])
        return False
    if candidate.dimension == "specialty" and test.dimension == "specialty_group":
        return v.SPECIALTIES.group(candidate.codes[0]) == test.codes[0]
    return False


# --- equality -----------------------------------------------------------------------------


def equality_finding(result: Equality, national: Equality | None) -> EqualityFinding:
    from concerns.analytics.stats import Reason

    national_ratio = getattr(national, "ratio", None)
    comparison = result.comparison
    if result.not_available is not None:
        too_few = result.not_available.reason is Reason.TOO_FEW_CASES
        return EqualityFinding(
            comparison, "too_few_cases" if too_few else "not_available", None, None, None, national_ratio
        )
    assert result.low is not None and result.high is not None  # an available ratio has its interval
    if result.low > 1:
        verdict = "more_likely"
    elif result.high < 1:
        verdict = "less_likely"
    else:
        verdict = "no_clear_difference"
    return EqualityFinding(comparison, verdict, result.ratio, result.low, result.high, national_ratio)


def _equality_findings(context: Context, scope: str) -> tuple[EqualityFinding, ...]:
    national = context.equality[NATIONAL]
    measures = context.equality[scope]
    return tuple(
        equality_finding(measures[comparison], national[comparison] if scope != NATIONAL else None)
        for comparison in EQUALITY_COMPARISONS
    )


# --- an organisation, and the nation --------------------------------------------------------


def organisation_findings(
    context: Context,
    org_code: str,
    org_type: str,
    peers: tuple[str, ...],
    trend: Trend | NotAvailable,
    yearly: list[Rate],
) -> Findings:
    clusters = context.clusters[org_code].flagged
    exposure = [rate.person_years for rate in yearly]
    use_exposure = all(exposure) and len({rate.professions for rate in yearly}) == 1
    return Findings(
        trend=trend_finding(trend),
        funnels=_funnel_findings(context, org_type, org_code),
        peer_comparisons=_peer_findings(context, org_code, peers),
        clusters=clusters,
        years=year_findings(
            context.settings.period.fiscal_years,
            [rate.cases for rate in yearly],
            exposure if use_exposure else None,
            clusters,
            context.cluster_years.get(org_code, {}),
        ),
        equality=_equality_findings(context, org_code),
        explained_by=explained_by(clusters),
    )


def national_findings(
    context: Context, trend: Trend | NotAvailable, trend_organisations: int
) -> NationalFindings:
    tested = [c for c in context.clusters.values() if c.family_size]
    flagged = sum(1 for c in tested if c.flagged)
    from scipy import stats

    by_chance = sum(c.chance_of_a_flag() for c in tested)
    p = float(stats.poisson.sf(flagged - 1, by_chance)) if flagged else 1.0
    return NationalFindings(
        trend=trend_finding(trend),
        trend_organisations=trend_organisations,
        cluster_flags=ClusterFlags(flagged, len(tested), round(by_chance, 1), context.settings.cluster_q, p),
        equality=_equality_findings(context, NATIONAL),
    )


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value
