"""The findings a report states, after disclosure control: what report.json's `findings` holds, and what
every sentence that judges a number is written from.

The verdicts are decided in `concerns.analytics` (the organisation's findings); here each one is kept,
or withheld when the figure behind it is hidden, so that a verdict is never a way round the threshold.
A staff group that stands out but whose practitioners must not be counted is still reported, as a
group that stands out, without its name or numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from concerns.analytics import (
    NOT_ASSESSED,
    ChangeFinding,
    ClusterTest,
    EqualityFinding,
    Findings,
    FunnelFinding,
    PeerVerdict,
    TrendFinding,
    TypeFinding,
    YearFinding,
    trend_finding,
)
from concerns.report._build._facts import Facts, Figure
from concerns.report._build._places import Place, Places, Spread
from concerns.report._build._plan import Likelihood, practitioners_key
from concerns.report._build._protection import TOTAL
from concerns.report._build._text import shown_as

if TYPE_CHECKING:
    from concerns.analytics import NationalFindings, NotAvailable, Trend

WITHHELD = "withheld"


@dataclass(frozen=True)
class ShownCluster:
    """A flagged staff group as published: `observed` is None when its count must be hidden."""

    test: ClusterTest
    observed: int | None  # practitioners, as published (rounded under a rounding policy)

    @property
    def hidden(self) -> bool:
        return self.observed is None


@dataclass(frozen=True)
class ReportFindings:
    trend: TrendFinding
    trend_shown: bool
    funnels: dict[str, FunnelFinding]
    peers: dict[str, PeerVerdict]
    clusters: tuple[ShownCluster, ...]
    years: tuple[YearFinding, ...]
    equality: tuple[EqualityFinding, ...]
    exact: bool  # an exact policy: p-values may be quoted
    explained: dict[tuple[str, tuple[str, ...]], ClusterTest] = field(default_factory=dict)
    equality_doctors: tuple[EqualityFinding, ...] = ()  # doctors alone, where others are counted too

    @property
    def named_clusters(self) -> tuple[ShownCluster, ...]:
        return tuple(c for c in self.clusters if not c.hidden)

    @property
    def hidden_clusters(self) -> int:
        return sum(1 for c in self.clusters if c.hidden)

    def within(self, cluster: ShownCluster) -> ShownCluster | None:
        """The named, narrower flagged group that accounts for this one's excess, if any."""
        test = self.explained.get((cluster.test.dimension, cluster.test.codes))
        return next((c for c in self.named_clusters if c.test is test), None) if test else None

    @property
    def headline_clusters(self) -> tuple[ShownCluster, ...]:
        """The named flagged groups that are not explained by a narrower one."""
        return tuple(c for c in self.named_clusters if self.within(c) is None)

    def peer_verdict(self, indicator: str) -> str:
        found = self.peers.get(indicator)
        return found.verdict if found else NOT_ASSESSED

    def equality_claims(self) -> tuple[EqualityFinding, ...]:
        return tuple(e for e in self.equality if e.verdict in ("more_likely", "less_likely"))

    def as_json(self) -> dict[str, Any]:
        trend = self.trend
        return {
            "trend": {
                "measure": trend.measure,
                "verdict": trend.verdict,
                "change_per_year": _round(trend.change_per_year),
                "ci_low": _round(trend.ci_low),
                "ci_high": _round(trend.ci_high),
                "p": _round(trend.p),
                **({"reason": trend.reason} if trend.reason else {}),
            },
            "funnels": [
                {"indicator": f.indicator, "position": f.position, "p": _round(f.p)}
                for f in self.funnels.values()
            ],
            "peer_comparisons": [
                {"indicator": p.indicator, "verdict": p.verdict, "p": _round(p.p)}
                for p in self.peers.values()
            ],
            "clusters": [_cluster_json(c, self.exact, self.within(c)) for c in self.clusters],
            "years": [
                {
                    "fiscal_year": y.fiscal_year,
                    "observed": y.observed,
                    "expected": _round(y.expected),
                    "p": _round(y.p),
                    "staff_group": None
                    if y.staff_group is None
                    else {"dimension": y.staff_group.dimension, "codes": list(y.staff_group.codes)},
                }
                for y in self.years
            ],
            "equality": [_equality_json(e) for e in self.equality],
            "equality_doctors": [_equality_json(e) for e in self.equality_doctors],
        }


def _equality_json(e: EqualityFinding) -> dict[str, Any]:
    return {
        "comparison": e.comparison,
        "verdict": e.verdict,
        "ratio": _round(e.ratio),
        "ci_low": _round(e.ci_low),
        "ci_high": _round(e.ci_high),
        "national_ratio": _round(e.national_ratio),
        "wres_band": e.wres_band,
        "band_verdict": e.band_verdict,
        "best_estimate": None
        if e.best is None
        else {
            "ratio": _round(e.best.ratio),
            "ci_low": _round(e.best.ci_low),
            "ci_high": _round(e.best.ci_high),
            "own_weight": _round(e.best.own_weight, 2),
            "verdict": e.best.verdict,
        },
        "over_time": _change_json(e.over_time),
        "type_ratio": type_json(e.type_ratio),
    }


def type_json(found: TypeFinding | None) -> dict[str, Any] | None:
    """An organisation type's ratio in report.json, alike in the organisation's and the national report."""
    if found is None:
        return None
    return {
        "org_type": found.org_type,
        "organisations": found.organisations,
        "verdict": found.verdict,
        "ratio": _round(found.ratio),
        "ci_low": _round(found.ci_low),
        "ci_high": _round(found.ci_high),
    }


def places_json(found: Places) -> dict[str, list[dict[str, Any]]]:
    """report.json's figures by nation and by organisation type, with how far each type's organisations
    spread against chance. A withheld place has null cases and rate."""

    def place(p: Place) -> dict[str, Any]:
        low_high = p.rate or (None, None, None)
        return {
            p.kind: p.code,
            "organisations": p.organisations,
            "status": "withheld" if p.withheld else "shown",
            "cases": p.cases,
            "person_years": p.person_years,
            "rate_per_1000": _round(low_high[0]),
            "ci_low": _round(low_high[1]),
            "ci_high": _round(low_high[2]),
        }

    def spread(s: Spread) -> dict[str, Any]:
        return {
            "assessed": s.assessed,
            "outside": [
                {
                    "level": level,
                    "above": above,
                    "below": below,
                    "expected_each_way": round(s.expected_each_way(level), 2),
                }
                for level, above, below in s.outside
            ],
            "beyond_chance": s.overdispersed,
            "p": _round(s.dispersion_p),
        }

    return {
        "by_nation": [place(p) for p in found.nations],
        "by_organisation_type": [
            {**place(p), "spread": spread(s)} for p, s in zip(found.types, found.spreads, strict=True)
        ],
    }


def publish(
    findings: Findings,
    facts: Facts,
    *,
    trend: Trend | NotAvailable,
    trend_shown: bool,
    rate: Figure,
    likelihoods: dict[str, tuple[Likelihood, Figure]],
    national_figures: dict[str, Figure],
    doctor_likelihoods: dict[str, tuple[Likelihood, Figure]] | None = None,
) -> ReportFindings:
    """The organisation's findings as its report may state them."""
    return ReportFindings(
        trend=_trend(trend, trend_shown),
        trend_shown=trend_shown,
        funnels={f.indicator: _funnel(f, facts, rate) for f in findings.funnels},
        peers={p.indicator: _peer(p, facts, rate) for p in findings.peer_comparisons},
        clusters=tuple(
            ShownCluster(test, facts.pub.value(practitioners_key(test.dimension, test.codes)))
            for test in findings.clusters
        ),
        years=tuple(
            _year(y, facts) for y in findings.years if facts.pub.shown(("fiscal_year", y.fiscal_year))
        ),
        equality=tuple(
            _equality(comparison, likelihoods, national_figures, facts) for comparison in likelihoods
        ),
        exact=facts.exact,
        explained=findings.explained_by,
        equality_doctors=tuple(
            _equality(comparison, doctor_likelihoods or {}, national_figures, facts)
            for comparison in doctor_likelihoods or {}
        ),
    )


def _year(year: YearFinding, facts: Facts) -> YearFinding:
    """A year as published: its count as its table shows it (rounded under a rounding policy), and its
    expected count no finer than the rounding, so that neither gives an unrounded count back."""
    observed = facts.pub.value(("fiscal_year", year.fiscal_year))
    assert observed is not None  # a year as published is shown
    base = facts.policy.rounding_base
    expected = year.expected if base == 1 else base * round(year.expected / base)
    return replace(year, observed=observed, expected=expected)


def equality_findings(
    facts: Facts, national_figures: dict[str, Figure] | None = None, *, doctors: bool = False
) -> dict[str, EqualityFinding]:
    """Every relative likelihood of a scope as published (or, with `doctors`, every doctors-alone one),
    by comparison id, with its change over time."""
    items = facts.doctor_likelihoods if doctors else facts.likelihoods
    likelihoods = {item.comparison.id: (item, facts.likelihood(item)) for item in items}
    return {
        comparison: replace(
            _equality(comparison, likelihoods, national_figures or {}),
            over_time=facts.over_time(*likelihoods[comparison]),
        )
        for comparison in likelihoods
    }


def national_json(
    findings: NationalFindings,
    trend: TrendFinding,
    equality: dict[str, EqualityFinding],
    doctors: dict[str, EqualityFinding] | None = None,
) -> dict[str, Any]:
    """report.json's `findings` of the national report: the trend and the cluster flags against chance."""
    flags = findings.cluster_flags
    data = ReportFindings(
        trend,
        True,
        {},
        {},
        (),
        (),
        tuple(equality.values()),
        True,
        equality_doctors=tuple((doctors or {}).values()),
    ).as_json()
    return {
        "trend": {**data["trend"], "organisations": findings.trend_organisations},
        "cluster_flags": {
            "organisations_flagged": flags.organisations_flagged,
            "organisations_tested": flags.organisations_tested,
            "expected_by_chance": flags.expected_by_chance,
            "p": _round(flags.p),
        },
        "equality": data["equality"],
        "equality_doctors": data["equality_doctors"],
    }


def _trend(trend: Trend | NotAvailable, shown: bool) -> TrendFinding:
    if not shown:
        return TrendFinding("count", NOT_ASSESSED, None, None, None, None, WITHHELD)
    return trend_finding(trend)


def _funnel(finding: FunnelFinding, facts: Facts, rate: Figure) -> FunnelFinding:
    """A position is withheld when the count it rests on is hidden."""
    hidden = (
        rate.hidden
        if finding.indicator == "rate"
        else facts.pub.hidden(("concern_category", finding.indicator))
    )
    if hidden or facts.pub.withheld:
        return FunnelFinding(finding.indicator, NOT_ASSESSED, None, 0, None)
    return finding


def _peer(verdict: PeerVerdict, facts: Facts, rate: Figure) -> PeerVerdict:
    hidden = (
        rate.hidden
        if verdict.indicator == "rate"
        else facts.pub.hidden(("concern_category", verdict.indicator))
    )
    if hidden or facts.pub.withheld or facts.pub.hidden(TOTAL):
        return PeerVerdict(verdict.indicator, NOT_ASSESSED, None, None, None)
    return verdict


def _equality(
    comparison: str,
    likelihoods: dict[str, tuple[Likelihood, Figure]],
    national: dict[str, Figure],
    facts: Facts | None = None,
) -> EqualityFinding:
    """A relative likelihood as published: withheld when hidden, too few cases when there are."""
    national_figure = national.get(comparison)
    national_ratio = (
        national_figure.value if national_figure is not None and national_figure.available else None
    )
    item, figure = likelihoods[comparison]
    best = facts.best_estimate(item, figure) if facts is not None else None
    moved = facts.over_time(item, figure) if facts is not None else None
    if item.status == "too_few" or _too_few(item):
        return EqualityFinding(
            comparison, "too_few_cases", None, None, None, national_ratio, best, over_time=moved
        )
    if figure.hidden:
        return EqualityFinding(comparison, WITHHELD, None, None, None, national_ratio, over_time=moved)
    if not figure.available:
        return EqualityFinding(comparison, "not_available", None, None, None, national_ratio, over_time=moved)
    # Judged on the interval as printed, so that "more likely" never sits beside "1.00 to …".
    assert figure.low is not None and figure.high is not None  # an available ratio has its interval
    low, high = shown_as(figure.low, "ratio"), shown_as(figure.high, "ratio")
    verdict = "more_likely" if low > 1 else "less_likely" if high < 1 else "no_clear_difference"
    return EqualityFinding(
        comparison, verdict, figure.value, figure.low, figure.high, national_ratio, best, moved
    )


def _too_few(item: Likelihood) -> bool:
    from concerns.analytics.stats import Reason

    missing = item.result.not_available
    return missing is not None and missing.reason is Reason.TOO_FEW_CASES


def _cluster_json(cluster: ShownCluster, exact: bool, within: ShownCluster | None) -> dict[str, Any]:
    test = cluster.test
    if cluster.hidden:
        return {
            "dimension": test.dimension,
            "codes": None,
            "observed": None,
            "expected": None,
            "p": None,
            "q": None,
        }
    return {
        "within": None
        if within is None
        else {"dimension": within.test.dimension, "codes": list(within.test.codes)},
        "dimension": test.dimension,
        "codes": list(test.codes),
        "observed": cluster.observed,
        "expected": _round(test.expected),
        "p": _round(test.p) if exact else None,
        "q": _round(test.q) if exact else None,
    }


def _change_json(change: ChangeFinding | None) -> dict[str, Any] | None:
    if change is None:
        return None
    spans = {
        name: None
        if span is None
        else {
            "fiscal_years": list(span.years),
            "ratio": _round(span.ratio),
            "ci_low": _round(span.ci_low),
            "ci_high": _round(span.ci_high),
        }
        for name, span in (("earlier", change.earlier), ("later", change.later))
    }
    return {"verdict": change.verdict, **spans, "p": _round(change.p)}


def _round(value: float | None, digits: int = 6) -> float | None:
    if value is None:
        return None
    return float(f"{float(value):.{digits}g}")
