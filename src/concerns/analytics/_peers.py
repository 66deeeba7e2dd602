"""Similar sized peers, and where an organisation sits among them.

Peers are the k organisations of the same type (and, optionally, nation)
nearest in practitioner headcount on a log scale, so a trust of 400 doctors is
as far from one of 200 as from one of 800. Ties go to the lower org_code, so the
choice is deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from concerns import vocabulary as v
from concerns.analytics._period import Period
from concerns.analytics._rates import headcounts

DEFAULT_PEERS = 10
MIN_PEERS_FOR_QUARTILES = 4


@dataclass(frozen=True)
class PeerGroup:
    org_code: str
    size: float | None  # mean yearly practitioner headcount over the period
    peers: tuple[str, ...]  # nearest first
    by_size: bool  # False when the organisation's size is unknown: peers are all of its type
    method: str


@dataclass(frozen=True)
class PeerComparison:
    value: float | None
    median: float | None
    q1: float | None
    q3: float | None
    peers_with_value: int
    position: str  # "above", "below", "within", or "not available"

    @property
    def higher_than_most(self) -> bool:
        return self.position == "above"


def organisation_sizes(workforce: pl.DataFrame | pl.LazyFrame, period: Period) -> pl.DataFrame:
    """Mean yearly practitioner headcount (professions summed) over the years known."""
    return (
        headcounts(workforce, period)
        .group_by("org_code", "fiscal_year")
        .agg(pl.col("headcount").sum())
        .group_by("org_code")
        .agg(pl.col("headcount").mean().alias("size"))
        .collect()
    )


def choose_peers(
    organisations: pl.DataFrame,
    sizes: pl.DataFrame,
    org_code: str,
    *,
    k: int = DEFAULT_PEERS,
    same_nation: bool = False,
) -> PeerGroup:
    """The k similar sized peers of one organisation."""
    me = organisations.filter(pl.col("org_code") == org_code).row(0, named=True)
    candidates = organisations.filter(
        (pl.col("org_type") == me["org_type"]) & (pl.col("org_code") != org_code)
    )
    if same_nation:
        candidates = candidates.filter(pl.col("nation") == me["nation"])
    known = dict(sizes.select("org_code", "size").iter_rows())
    size = known.get(org_code)
    kind = v.ORG_TYPES.label(me["org_type"]).lower()
    where = f" in {v.NATIONS.label(me['nation'])}" if same_nation else ""
    if not size:
        peers = tuple(sorted(candidates["org_code"]))
        method = (
            f"This organisation's practitioner headcount is not known, so it is compared with every "
            f"{kind}{where} ({len(peers)} organisations) rather than with similar sized ones."
        )
        return PeerGroup(org_code, None, peers, False, method)
    ranked = sorted(
        (abs(math.log(known[code]) - math.log(size)), code)
        for code in candidates["org_code"]
        if known.get(code)
    )
    peers = tuple(code for _, code in ranked[:k])
    method = (
        f"Similar sized organisations are the {len(peers)} of the same type ({kind}{where}) whose mean "
        f"yearly practitioner headcount over the period is nearest to this organisation's "
        f"({size:,.0f}), measured on a logarithmic scale so that relative size counts; ties go to the "
        f"lower organisation code."
    )
    return PeerGroup(org_code, size, peers, True, method)


def _quantile(ordered: list[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default method), for short lists."""
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return float(ordered[below] + (ordered[above] - ordered[below]) * (position - below))


def compare(value: float | None, peer_values: list[float | None]) -> PeerComparison:
    """Where a value sits against its peers' median and quartiles."""
    present = sorted(x for x in peer_values if x is not None and not math.isnan(x))
    if len(present) < MIN_PEERS_FOR_QUARTILES:
        median = _quantile(present, 0.5) if present else None
        return PeerComparison(value, median, None, None, len(present), "not available")
    q1, median, q3 = (_quantile(present, q) for q in (0.25, 0.5, 0.75))
    if value is None or math.isnan(value):
        position = "not available"
    elif value > q3:
        position = "above"
    elif value < q1:
        position = "below"
    else:
        position = "within"
    return PeerComparison(value, median, q1, q3, len(present), position)


PEER_ALPHA = 0.05  # two-sided level of the exact tests against the peers


@dataclass(frozen=True)
class PeerVerdict:
    """Whether an organisation's rate or share differs from its peers' pooled figure, by an exact test.

    `verdict` is "higher", "lower", "similar" (the test did not reject: any difference could be
    chance) or "not_assessed" (no denominator, or too few peers with one). `p` is the two-sided
    exact p-value (after Holm's correction across a family, where one was asked for).
    """

    indicator: str
    verdict: str
    p: float | None
    value: float | None  # the organisation's rate per 1,000 or share
    pooled: float | None  # the peers' pooled rate per 1,000 or share

    @property
    def assessed(self) -> bool:
        return self.verdict != "not_assessed"


NOT_ASSESSED = "not_assessed"


def rate_against_peers(
    cases: int,
    person_years: float | None,
    peers: list[tuple[int, float | None]],
    *,
    alpha: float = PEER_ALPHA,
) -> PeerVerdict:
    """The organisation's rate against its peers' pooled rate: the exact conditional binomial test.

    Given the cases of the organisation and of its peers together, the organisation's share of them
    is binomial with the share of the person-years under equal rates, whatever the common rate is.
    """
    from scipy import stats

    known = [(c, py) for c, py in peers if py]
    if not person_years or len(known) < MIN_PEERS_FOR_QUARTILES:
        return PeerVerdict("rate", NOT_ASSESSED, None, None, None)
    peer_cases = sum(c for c, _ in known)
    peer_years = sum(py for _, py in known)
    total = cases + peer_cases
    value, pooled = 1000 * cases / person_years, 1000 * peer_cases / peer_years
    if total == 0:
        return PeerVerdict("rate", "similar", 1.0, value, pooled)
    p = float(stats.binomtest(cases, total, person_years / (person_years + peer_years)).pvalue)
    return PeerVerdict("rate", _direction(p, value, pooled, alpha), p, value, pooled)


def shares_against_peers(
    own: dict[str, int], own_total: int, peers: dict[str, int], peers_total: int, *, alpha: float = PEER_ALPHA
) -> dict[str, PeerVerdict]:
    """Each category's share of the organisation's cases against the peers' pooled share: Fisher's exact
    test, with Holm's correction across the categories so that the family errs at most `alpha`."""
    from scipy import stats

    if own_total == 0 or peers_total == 0:
        return {code: PeerVerdict(code, NOT_ASSESSED, None, None, None) for code in own}
    raw = {
        code: float(stats.fisher_exact([[k, own_total - k], [peers[code], peers_total - peers[code]]]).pvalue)
        for code, k in own.items()
    }
    adjusted = holm(list(raw.values()))
    result = {}
    for (code, k), p in zip(own.items(), adjusted, strict=True):
        value, pooled = k / own_total, peers[code] / peers_total
        result[code] = PeerVerdict(code, _direction(float(p), value, pooled, alpha), float(p), value, pooled)
    return result


def _direction(p: float, value: float, pooled: float, alpha: float) -> str:
    if p >= alpha or value == pooled:
        return "similar"
    return "higher" if value > pooled else "lower"


def holm(pvalues: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values (statsmodels' version calls gc.collect on every use)."""
    order = sorted(range(len(pvalues)), key=pvalues.__getitem__)
    adjusted, running = [0.0] * len(pvalues), 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(pvalues) - rank) * pvalues[index]))
        adjusted[index] = running
    return adjusted
