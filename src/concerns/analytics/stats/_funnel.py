"""Funnel plots for comparing organisations (Spiegelhalter 2005).

Each unit (an organisation) has an observed count and a precision: the
expected count for an indirectly standardised ratio, the exposure (headcount,
person-years) for a rate, the denominator for a proportion.

A unit's *position* is decided by the exact tail probability of its own count
under the target (Poisson or binomial): above the 95% limits when
P(X ≥ observed) < 2.5%, and so on. Being discrete, this never flags more often
than the nominal rate. The control limits, exact quantiles interpolated as in
the paper's appendix so that they are smooth in the precision, are for
drawing only: deciding against the interpolated lines flags too often.

Overdispersion is estimated on a transformed scale (log for ratios and rates,
arcsine square root for proportions) from winsorised z-scores, and only when a
χ² test of dispersion rejects at 5% is an additive random-effects variance τ²
(DerSimonian–Laird) added; positions then come from the normal tail on that
scale, and the limits are widened and transformed back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from scipy import stats

from concerns.analytics.stats._intervals import normal_quantile
from concerns.analytics.stats._results import (
    Interval,
    NotAvailable,
    Reason,
    check_count,
    check_denominator,
    check_level,
)

DEFAULT_LEVELS = (0.95, 0.998)
DEFAULT_WINSOR = 0.10
DISPERSION_ALPHA = 0.05  # the dispersion test must reject at this level before τ² is added
ZERO_CONTINUITY = 0.5  # a zero count on the log scale is read as half a case


class FunnelKind(StrEnum):
    RATIO = "ratio"  # observed ÷ expected, target 1
    RATE = "rate"  # observed per `per` of exposure
    PROPORTION = "proportion"  # observed ÷ denominator


class Position(StrEnum):
    """Where a unit lies against its control limits at one level."""

    ABOVE = "above"
    BELOW = "below"
    WITHIN = "within"
    NOT_AVAILABLE = "not_available"  # no usable precision: not placed


@dataclass(frozen=True)
class FunnelLimit:
    """A unit's control limits at one level, and its position against them."""

    level: float
    low: float
    high: float
    position: Position


@dataclass(frozen=True)
class FunnelUnit:
    """One unit on the funnel.

    `value` is on the reported scale (a ratio, a rate per `per`, or a share).
    `z` is the unit's standardised difference from the target on the
    transformed scale (log or arcsine square root); `z_adjusted` also counts
    the between-unit variance τ² (the two are equal when τ² is 0).
    `p_high` and `p_low` are the one-sided tail probabilities P(X ≥ observed)
    and P(X ≤ observed) under the target (normal on the transformed scale when
    τ² is used); `p` is the two-sided min(1, 2·min(p_high, p_low)). Units without
    a usable precision have these, `value` and limits of None/empty and
    position `NOT_AVAILABLE`, with the reason in `not_available`.
    """

    label: str
    observed: int
    precision: float | None
    value: float | None
    z: float | None
    z_adjusted: float | None
    limits: tuple[FunnelLimit, ...]
    not_available: NotAvailable | None = None
    p_high: float | None = None
    p_low: float | None = None
    expected: float | None = None  # the count expected under the target

    @property
    def p(self) -> float | None:
        if self.p_high is None or self.p_low is None:
            return None
        return min(1.0, 2 * min(self.p_high, self.p_low))

    def limit(self, level: float) -> FunnelLimit | None:
        """The unit's limits at `level`, or None for a unit that is not placed."""
        for limit in self.limits:
            if math.isclose(limit.level, level):
                return limit
        if self.not_available is None:
            raise ValueError(f"no control limits at level {level}")
        return None

    def position(self, level: float) -> Position:
        limit = self.limit(level)
        return limit.position if limit else Position.NOT_AVAILABLE


@dataclass(frozen=True)
class Funnel:
    """The funnel: target, per-unit positions at each level, overdispersion.

    `target` is on the reported scale. `phi` is the (winsorised) mean squared
    z-score on the transformed scale; `overdispersion_p` is P(χ²(n − 1) ≥ n·φ),
    and `overdispersed` means that test rejected at DISPERSION_ALPHA. `tau2` is
    the additive between-unit variance on the transformed scale (log or arcsine
    square root), 0 unless overdispersed and the adjustment was asked for.
    `units_placed` counts the units with a usable precision (the n above).
    `phi` is None with fewer than two.
    """

    kind: FunnelKind
    target: float
    per: float
    levels: tuple[float, ...]
    units: tuple[FunnelUnit, ...]
    units_placed: int
    phi: float | None
    overdispersed: bool
    overdispersion_p: float | None
    tau2: float
    winsor: float
    _target_raw: float = field(repr=False)
    _tau2_raw: float = field(repr=False)

    def outside(self, level: float) -> tuple[FunnelUnit, ...]:
        """Units above the upper or below the lower limit at `level`."""
        return tuple(u for u in self.units if u.position(level) in (Position.ABOVE, Position.BELOW))

    def above(self, level: float) -> tuple[FunnelUnit, ...]:
        return tuple(u for u in self.units if u.position(level) is Position.ABOVE)

    def below(self, level: float) -> tuple[FunnelUnit, ...]:
        return tuple(u for u in self.units if u.position(level) is Position.BELOW)

    def limits_at(self, precision: float, level: float) -> Interval:
        """Control limits at one precision, on the reported scale (for drawing)."""
        return self.curve(level, [precision])[0]

    def curve(self, level: float, precisions: Sequence[float]) -> list[Interval]:
        """Control limits along a grid of precisions: the funnel's lines."""
        grid = np.asarray(precisions, dtype=float)
        if grid.size and (~np.isfinite(grid) | (grid <= 0)).any():
            raise ValueError("precisions must be finite and > 0")
        if self.kind is FunnelKind.PROPORTION and (grid != np.floor(grid)).any():
            raise ValueError("denominators of a proportion must be whole numbers")
        low, high = _limits(self.kind, self._target_raw, self._tau2_raw, grid, level)
        return [
            Interval(float(lo * self.per), float(hi * self.per), level)
            for lo, hi in zip(low, high, strict=True)
        ]


def funnel_ratio(
    observed: Sequence[int],
    expected: Sequence[float | None],
    *,
    labels: Sequence[str] | None = None,
    target: float = 1.0,
    levels: Sequence[float] = DEFAULT_LEVELS,
    overdispersion: bool = True,
    winsor: float = DEFAULT_WINSOR,
) -> Funnel | NotAvailable:
    """Funnel for indirectly standardised ratios observed ÷ expected, plotted against expected.

    Limits are exact Poisson with mean target × expected.
    """
    return _funnel(FunnelKind.RATIO, observed, expected, labels, target, 1.0, levels, overdispersion, winsor)


def funnel_rate(
    observed: Sequence[int],
    exposure: Sequence[float | None],
    *,
    per: float = 1000,
    labels: Sequence[str] | None = None,
    target: float | None = None,
    levels: Sequence[float] = DEFAULT_LEVELS,
    overdispersion: bool = True,
    winsor: float = DEFAULT_WINSOR,
) -> Funnel | NotAvailable:
    """Funnel for rates per `per` of exposure (default per 1,000), plotted against exposure.

    The target, on the per-`per` scale, defaults to the pooled rate of the
    units with a usable exposure. Limits are exact Poisson with mean
    target × exposure.
    """
    return _funnel(FunnelKind.RATE, observed, exposure, labels, target, per, levels, overdispersion, winsor)


def funnel_proportion(
    observed: Sequence[int],
    denominator: Sequence[int | None],
    *,
    labels: Sequence[str] | None = None,
    target: float | None = None,
    levels: Sequence[float] = DEFAULT_LEVELS,
    overdispersion: bool = True,
    winsor: float = DEFAULT_WINSOR,
) -> Funnel | NotAvailable:
    """Funnel for proportions observed ÷ denominator, plotted against the denominator.

    The target defaults to the pooled proportion. Limits are exact binomial.
    """
    return _funnel(
        FunnelKind.PROPORTION, observed, denominator, labels, target, 1.0, levels, overdispersion, winsor
    )


# --- building the funnel -----------------------------------------------------------------


def _funnel(
    kind: FunnelKind,
    observed: Sequence[int],
    precision: Sequence[float | None],
    labels: Sequence[str] | None,
    target: float | None,
    per: float,
    levels: Sequence[float],
    overdispersion: bool,
    winsor: float,
) -> Funnel | NotAvailable:
    counts, precisions, reasons = _inputs(kind, observed, precision)
    names = _labels(labels, len(counts))
    levels = _levels(levels)
    if not 0 <= winsor < 0.5:
        raise ValueError(f"winsor must be in [0, 0.5), got {winsor!r}")
    placed = np.array([reason is None for reason in reasons], dtype=bool)
    if not placed.any():
        return NotAvailable(Reason.MISSING_DENOMINATOR, "no unit has a usable denominator")
    target_raw = _target_raw(kind, counts[placed], precisions[placed], target, per)
    if isinstance(target_raw, NotAvailable):
        return target_raw

    rho = precisions[placed]
    placed_observed = counts[placed]
    y, s2, centre = _transformed(kind, placed_observed, rho, target_raw)
    z = (y - centre) / np.sqrt(s2)
    n = len(z)
    phi, tau2_estimate = _overdispersion(z, s2, winsor)
    dispersion_p = None if phi is None else float(stats.chi2.sf(n * phi, n - 1))
    overdispersed = (
        phi is not None and dispersion_p is not None and phi > 1 and dispersion_p < DISPERSION_ALPHA
    )
    tau2 = tau2_estimate if overdispersion and overdispersed else 0.0
    z_adjusted = (y - centre) / np.sqrt(s2 + tau2)
    if tau2 > 0:
        p_high, p_low = stats.norm.sf(z_adjusted), stats.norm.cdf(z_adjusted)
    else:
        p_high, p_low = _exact_tails(kind, placed_observed, rho, target_raw)
    bounds = [_limits(kind, target_raw, tau2, rho, level) for level in levels]

    placed_names = [name for name, reason in zip(names, reasons, strict=True) if reason is None]
    placed_units = iter(
        FunnelUnit(
            name,
            int(placed_observed[i]),
            float(rho[i]),
            float(placed_observed[i] / rho[i] * per),
            float(z[i]),
            float(z_adjusted[i]),
            tuple(
                FunnelLimit(
                    level, float(low[i] * per), float(high[i] * per), _position(p_high[i], p_low[i], level)
                )
                for level, (low, high) in zip(levels, bounds, strict=True)
            ),
            p_high=float(p_high[i]),
            p_low=float(p_low[i]),
            expected=float(target_raw * rho[i]),
        )
        for i, name in enumerate(placed_names)
    )
    units = tuple(
        next(placed_units)
        if reason is None
        else FunnelUnit(name, int(count), None, None, None, None, (), reason)
        for name, count, reason in zip(names, counts, reasons, strict=True)
    )
    return Funnel(
        kind=kind,
        target=target_raw * per,
        per=per,
        levels=levels,
        units=units,
        units_placed=n,
        phi=phi,
        overdispersed=overdispersed,
        overdispersion_p=dispersion_p,
        tau2=tau2,
        winsor=winsor,
        _target_raw=target_raw,
        _tau2_raw=tau2,
    )


def _transformed(
    kind: FunnelKind, observed: np.ndarray, rho: np.ndarray, target_raw: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Each unit on the variance-stabilising scale: values, their variances under the target, the target.

    Log for ratios and rates (variance 1/expected; a zero count read as
    ZERO_CONTINUITY cases), arcsine square root for proportions (variance 1/4n).
    """
    if kind is FunnelKind.PROPORTION:
        return np.arcsin(np.sqrt(observed / rho)), 1 / (4 * rho), float(np.arcsin(np.sqrt(target_raw)))
    expected = target_raw * rho
    return np.log(np.maximum(observed, ZERO_CONTINUITY) / rho), 1 / expected, math.log(target_raw)


def _exact_tails(
    kind: FunnelKind, observed: np.ndarray, rho: np.ndarray, target_raw: float
) -> tuple[np.ndarray, np.ndarray]:
    """P(X ≥ observed) and P(X ≤ observed) under the target: Poisson, or binomial for a proportion."""
    if kind is FunnelKind.PROPORTION:
        distribution = stats.binom(rho.astype(int), target_raw)
    else:
        distribution = stats.poisson(target_raw * rho)
    return distribution.sf(observed - 1), distribution.cdf(observed)


def _inputs(
    kind: FunnelKind, observed: Sequence[int], precision: Sequence[float | None]
) -> tuple[np.ndarray, np.ndarray, list[NotAvailable | None]]:
    """Counts, precisions (NaN where unusable) and, per unit, why it cannot be placed."""
    if len(observed) != len(precision):
        raise ValueError(f"got {len(observed)} observed counts but {len(precision)} precisions")
    counts = np.array([check_count(value, "observed") for value in observed], dtype=float)
    precisions = np.full(len(counts), np.nan)
    reasons: list[NotAvailable | None] = []
    for i, value in enumerate(precision):
        usable = check_denominator(value, "denominator" if kind is FunnelKind.PROPORTION else "precision")
        if isinstance(usable, NotAvailable):
            reasons.append(usable)
            continue
        if kind is FunnelKind.PROPORTION:
            usable = check_count(usable, "denominator")
            if counts[i] > usable:
                raise ValueError(f"observed ({counts[i]:.0f}) exceeds the denominator ({usable})")
        precisions[i] = usable
        reasons.append(None)
    return counts, precisions, reasons


def _labels(labels: Sequence[str] | None, count: int) -> list[str]:
    if labels is None:
        return [str(i + 1) for i in range(count)]
    if len(labels) != count:
        raise ValueError(f"got {len(labels)} labels for {count} units")
    return [str(label) for label in labels]


def _levels(levels: Sequence[float]) -> tuple[float, ...]:
    checked = tuple(sorted({check_level(level) for level in levels}))
    if not checked:
        raise ValueError("at least one level is needed")
    return checked


def _target_raw(
    kind: FunnelKind, counts: np.ndarray, precisions: np.ndarray, target: float | None, per: float
) -> float | NotAvailable:
    """The target per unit of precision: given (on the reported scale) or pooled."""
    if target is None:
        raw = float(counts.sum() / precisions.sum())
        if raw == 0:
            return NotAvailable(Reason.TOO_FEW_CASES, "no cases in any unit")
        if kind is FunnelKind.PROPORTION and raw == 1:
            return NotAvailable(Reason.NOT_ESTIMABLE, "every unit is at 100%")
        return raw
    raw = float(target) / per
    upper = 1 if kind is FunnelKind.PROPORTION else math.inf
    if not 0 < raw < upper:
        raise ValueError(f"target must be > 0{' and < 1' if upper == 1 else ''}, got {target!r}")
    return raw


def _overdispersion(z: np.ndarray, variance: np.ndarray, winsor: float) -> tuple[float | None, float]:
    """φ from winsorised z-scores, and the DerSimonian–Laird τ² on the same scale (0 when n·φ ≤ n − 1)."""
    n = len(z)
    if n < 2:
        return None, 0.0
    clipped = np.clip(z, np.quantile(z, winsor), np.quantile(z, 1 - winsor))
    phi = float(np.mean(clipped**2))
    weights = 1 / variance
    spread = weights.sum() - (weights**2).sum() / weights.sum()
    if n * phi <= n - 1 or spread <= 0:
        return phi, 0.0
    return phi, float((n * phi - (n - 1)) / spread)


def _limits(
    kind: FunnelKind, target_raw: float, tau2: float, precisions: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits per unit of precision, for drawing: exact, or widened by τ²."""
    if tau2 > 0:
        return _random_effects_limits(kind, target_raw, tau2, precisions, level)
    tail = (1 - check_level(level)) / 2
    low = np.maximum(_exact_limit(kind, target_raw, precisions, tail), 0.0)
    high = _exact_limit(kind, target_raw, precisions, 1 - tail)
    return low, high


def _exact_limit(kind: FunnelKind, target_raw: float, precisions: np.ndarray, p: float) -> np.ndarray:
    """The p-quantile, interpolated between counts (Spiegelhalter 2005, appendix A.1).

    r is the smallest count with P(R ≤ r) ≥ p; α = (P(R ≤ r) − p) / P(R = r);
    the limit is (r − α) / precision. Near zero the lower limit can come out
    negative; the caller truncates it at 0.
    """
    if kind is FunnelKind.PROPORTION:
        distribution = stats.binom(precisions.astype(int), target_raw)
    else:
        distribution = stats.poisson(target_raw * precisions)
    r = distribution.ppf(p)
    alpha = (distribution.cdf(r) - p) / distribution.pmf(r)
    limits: np.ndarray = (r - alpha) / precisions
    return limits


def _random_effects_limits(
    kind: FunnelKind, target_raw: float, tau2: float, precisions: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """centre ± z·sqrt(s² + τ²) on the transformed scale, transformed back (never below 0, nor above 1)."""
    _, s2, centre = _transformed(kind, np.ones_like(precisions), precisions, target_raw)
    half = normal_quantile(level) * np.sqrt(s2 + tau2)
    if kind is FunnelKind.PROPORTION:
        low = np.sin(np.clip(centre - half, 0, math.pi / 2)) ** 2
        high = np.sin(np.clip(centre + half, 0, math.pi / 2)) ** 2
        return low, high
    return np.exp(centre - half), np.exp(centre + half)


def _position(p_high: float, p_low: float, level: float) -> Position:
    """Outside the limits at `level` when the tail probability is below (1 − level)/2."""
    tail = (1 - level) / 2
    if p_high < tail:
        return Position.ABOVE
    if p_low < tail:
        return Position.BELOW
    return Position.WITHIN


@dataclass(frozen=True)
class SpreadTest:
    """Whether a rate funnel's units vary more than chance: the Monte Carlo p-value of its dispersion
    statistic φ given the total count (exact up to simulation error, at any number of units and any
    count), and the verdict at `alpha`."""

    phi: float
    p: float
    alpha: float
    simulations: int

    @property
    def beyond_chance(self) -> bool:
        return self.p < self.alpha


def spread_test(
    funnel: Funnel, *, alpha: float = DISPERSION_ALPHA, simulations: int = 4999, seed: int = 20261202
) -> SpreadTest | NotAvailable:
    """The dispersion test of a rate (or ratio) funnel, calibrated by simulation.

    Given their total, Poisson counts with one underlying rate are multinomial with probabilities in
    proportion to each unit's precision, and the pooled target stays what it is; φ (winsorised mean
    squared z-score on the log scale, as the funnel computes it) is worked out for every simulated set,
    and p = (1 + #{φ_sim ≥ φ}) / (1 + simulations). The χ² approximation the funnel uses to decide
    whether to widen its limits flags a type of 10 organisations with about 7 cases each 6.2% of the
    time at 5%; this test keeps its level (bench/bench_spread.py).
    """
    if funnel.kind is FunnelKind.PROPORTION:
        raise ValueError("spread_test is for rates and ratios")
    placed = [u for u in funnel.units if u.precision is not None]
    if len(placed) < 3 or funnel.phi is None:
        return NotAvailable(Reason.NOT_ESTIMABLE, "fewer than three units placed")
    rho = np.array([u.precision for u in placed], dtype=float)
    observed = np.array([u.observed for u in placed], dtype=float)
    total = int(observed.sum())
    rng = np.random.default_rng(seed)
    simulated = rng.multinomial(total, rho / rho.sum(), size=simulations).astype(float)
    phi = _phi_rows(observed[None, :], rho, funnel._target_raw, funnel.winsor)[0]
    phis = _phi_rows(simulated, rho, funnel._target_raw, funnel.winsor)
    p = (1 + int(np.count_nonzero(phis >= phi - 1e-12))) / (1 + simulations)
    return SpreadTest(float(phi), p, alpha, simulations)


def _phi_rows(counts: np.ndarray, rho: np.ndarray, target_raw: float, winsor: float) -> np.ndarray:
    """φ of each row of counts, as `_overdispersion` computes it for one."""
    y = np.log(np.maximum(counts, ZERO_CONTINUITY) / rho)
    z = (y - math.log(target_raw)) * np.sqrt(target_raw * rho)
    low = np.quantile(z, winsor, axis=1, keepdims=True)
    high = np.quantile(z, 1 - winsor, axis=1, keepdims=True)
    phis: np.ndarray = np.mean(np.clip(z, low, high) ** 2, axis=1)
    return phis
