"""A best estimate of each organisation's relative likelihood, borrowing strength from all organisations.

An organisation with a handful of cases in a group cannot say much about its own relative likelihood:
its interval is wide or there is none. A random-effects (empirical Bayes) model lets it lean on what
every organisation shows:

- Given an organisation's cases in the two groups, n = a + b, the cases in group a follow
  Binomial(n, p) with logit p = θ + log(A / B): θ is the log relative likelihood and A, B are the
  groups' person-years (exact for two Poisson counts; no normal approximation, so zeros and small
  counts need no correction).
- Organisations' θ vary around the national log ratio μ with a between-organisation spread τ:
  θ ~ Normal(μ, τ²). μ is the national ratio's log (a published figure); τ is not fixed but weighed:
  a half-normal prior (scale 0.5: a spread of ratios by a factor of about 1.6 either way is unremarkable,
  fourfold is not) updated by every organisation's counts, each organisation's likelihood integrated
  over θ by Gauss–Hermite quadrature.
- Each organisation's best estimate is its posterior median of exp(θ), with the equal-tailed interval,
  averaged over the weighed values of τ: an organisation with many cases keeps close to its own
  ratio, one with few is drawn towards the national pattern, as far as the spread between
  organisations says it should be.

`docs/statistics.md` ("Best estimates") records the simulation that checks the intervals' coverage.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

TAU_PRIOR_SCALE = 0.5
_TAU_GRID = np.linspace(0.0, 2.0, 81)
_THETA_HALF_WIDTH = 5.0  # log ratios within ±5 of the national one: ratios 150 times smaller or larger
_THETA_POINTS = 2001
_NODES, _WEIGHTS = special.roots_hermite(40)


@dataclass(frozen=True)
class Unit:
    """One organisation's cases and person-years in the two groups of a comparison."""

    cases_a: int
    person_years_a: float
    cases_b: int
    person_years_b: float

    @property
    def offset(self) -> float:
        return math.log(self.person_years_a / self.person_years_b)


@dataclass(frozen=True)
class BestEstimate:
    """A posterior median ratio and its interval; `own_weight`: how much of the estimate rests on the
    organisation's own cases (1 − posterior variance ÷ prior variance of θ, 0 with no cases)."""

    ratio: float
    low: float
    high: float
    level: float
    own_weight: float


@dataclass(frozen=True)
class Spread:
    """The national log ratio and the weighed values of the between-organisation spread τ."""

    mu: float
    taus: tuple[float, ...]  # each the spread of θ about μ: τ, with μ's own standard error added
    weights: tuple[float, ...]

    @property
    def tau(self) -> float:
        """The posterior mean of the spread."""
        return float(np.dot(self.taus, self.weights))

    @functools.cached_property
    def _grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """θ's grid, the weights of the τ that count, and each one's prior on the grid (a row)."""
        theta = self.mu + np.linspace(-_THETA_HALF_WIDTH, _THETA_HALF_WIDTH, _THETA_POINTS)
        weights = np.array(self.weights)
        kept = weights >= 1e-9
        priors = np.array([_prior_on_grid(theta, self.mu, tau) for tau in np.array(self.taus)[kept]])
        return theta, weights[kept] / weights[kept].sum(), priors

    def estimate(self, unit: Unit, level: float = 0.95) -> BestEstimate:
        """The organisation's best estimate: its posterior for θ on a grid, over the weighed τ."""
        theta, weights, priors = self._grid
        n = unit.cases_a + unit.cases_b
        own = stats.binom.logpmf(unit.cases_a, n, special.expit(theta + unit.offset))
        joint = priors * np.exp(own - own.max())[None, :]
        conditional = joint / joint.sum(axis=1, keepdims=True)  # θ's posterior for each τ
        posterior = weights @ conditional
        low, median, high = _quantiles(theta, posterior, ((1 - level) / 2, 0.5, (1 + level) / 2))
        return BestEstimate(
            math.exp(median),
            math.exp(low),
            math.exp(high),
            level,
            _own_weight(theta, weights, priors, conditional),
        )


def fit_spread(units: Sequence[Unit], national_ratio: float, national_se: float = 0.0) -> Spread:
    """Weigh τ on its grid by every organisation's counts, around the national ratio (whose log has
    standard error `national_se`: the centre is an estimate too)."""
    mu = math.log(national_ratio)
    spreads = np.sqrt(_TAU_GRID**2 + national_se**2)
    used = [unit for unit in units if unit.cases_a + unit.cases_b > 0]
    log_weights = stats.halfnorm.logpdf(_TAU_GRID, scale=TAU_PRIOR_SCALE)
    if used:
        a = np.array([unit.cases_a for unit in used], dtype=float)
        n = a + np.array([unit.cases_b for unit in used], dtype=float)
        offsets = np.array([unit.offset for unit in used])
        log_weights = log_weights + np.array([_log_marginal(a, n, offsets, mu, tau) for tau in spreads])
    weights = np.exp(log_weights - log_weights.max())
    weights /= weights.sum()
    return Spread(mu, tuple(float(t) for t in spreads), tuple(float(w) for w in weights))


def _log_marginal(a: np.ndarray, n: np.ndarray, offsets: np.ndarray, mu: float, tau: float) -> float:
    """Σ over organisations of log ∫ Binomial(a | n, expit(θ + offset)) Normal(θ; μ, τ²) dθ."""
    theta = mu + math.sqrt(2) * tau * _NODES  # Gauss–Hermite: ∫ f(θ) N(θ; μ, τ²) dθ ≈ Σ w f(θ_k) / √π
    logp = stats.binom.logpmf(a[:, None], n[:, None], special.expit(theta[None, :] + offsets[:, None]))
    return float(np.sum(special.logsumexp(logp, axis=1, b=_WEIGHTS[None, :] / math.sqrt(math.pi))))


def _prior_on_grid(theta: np.ndarray, mu: float, tau: float) -> np.ndarray:
    step = theta[1] - theta[0]
    if tau < step:  # no spread: all the prior's weight on the grid point nearest μ
        prior = np.zeros_like(theta)
        prior[int(np.argmin(np.abs(theta - mu)))] = 1.0
        return prior
    prior = stats.norm.pdf(theta, mu, tau)
    normalised: np.ndarray = prior / prior.sum()
    return normalised


def _quantiles(theta: np.ndarray, weights: np.ndarray, probabilities: Sequence[float]) -> list[float]:
    cumulative = np.cumsum(weights) / weights.sum()
    return [float(np.interp(p, cumulative, theta)) for p in probabilities]


def _own_weight(theta: np.ndarray, weights: np.ndarray, priors: np.ndarray, conditional: np.ndarray) -> float:
    """For each τ, how far the organisation's cases narrow θ (1 − posterior ÷ prior variance), averaged."""
    shares = []
    for prior, posterior in zip(priors, conditional, strict=True):
        before = _variance(theta, prior)
        shares.append(1 - _variance(theta, posterior) / before if before > 0 else 0.0)
    return float(np.clip(np.dot(weights, shares), 0.0, 1.0))


def _variance(theta: np.ndarray, weights: np.ndarray) -> float:
    weights = weights / weights.sum()
    mean = float(np.dot(theta, weights))
    return float(np.dot((theta - mean) ** 2, weights))
