"""Statistical primitives for the analytics: pure functions over numbers.

Every function takes counts and denominators (no frames) and returns a small
frozen dataclass, or a `NotAvailable` saying why there is no number. Method
notes and references: docs/statistics.md.

Intervals and rates
    wilson_interval, wilson_intervals, poisson_interval, poisson_intervals,
    rate, rate_per_1000
Funnel plots (Spiegelhalter 2005)
    funnel_ratio, funnel_rate, funnel_proportion -> Funnel
    spread_test(Funnel) -> SpreadTest (do units vary more than chance? calibrated by simulation)
Tests and multiplicity
    exact_poisson_upper_p(s), benjamini_hochberg -> MultipleTests
Equality (WRES)
    relative_likelihood -> RelativeLikelihood
    fit_spread -> Spread; Spread.estimate(Unit) -> BestEstimate (empirical Bayes)
Trends
    poisson_trend -> Trend
"""

from concerns.analytics.stats._funnel import (
    DEFAULT_LEVELS,
    DEFAULT_WINSOR,
    Funnel,
    FunnelKind,
    FunnelLimit,
    FunnelUnit,
    Position,
    SpreadTest,
    funnel_proportion,
    funnel_rate,
    funnel_ratio,
    spread_test,
)
from concerns.analytics.stats._intervals import (
    normal_quantile,
    poisson_interval,
    poisson_intervals,
    rate,
    rate_per_1000,
    wilson_interval,
    wilson_intervals,
)
from concerns.analytics.stats._likelihood import (
    DEFAULT_MIN_CASES,
    EQUITY_BAND,
    ChangeVerdict,
    LikelihoodChange,
    RelativeLikelihood,
    Span,
    likelihood_change,
    relative_likelihood,
)
from concerns.analytics.stats._results import Estimate, Interval, NotAvailable, Reason
from concerns.analytics.stats._shrinkage import BestEstimate, Spread, Unit, fit_spread
from concerns.analytics.stats._significance import (
    MultipleTests,
    benjamini_hochberg,
    exact_poisson_upper_p,
    exact_poisson_upper_ps,
)
from concerns.analytics.stats._trend import (
    DEFAULT_MIN_PERIODS,
    DEFAULT_MIN_TOTAL,
    Trend,
    TrendVerdict,
    poisson_trend,
)

__all__ = [
    # best estimates
    "BestEstimate",
    "Spread",
    "Unit",
    "fit_spread",
    # vocabulary
    "Interval",
    "Estimate",
    "NotAvailable",
    "Reason",
    # intervals and rates
    "normal_quantile",
    "wilson_interval",
    "wilson_intervals",
    "poisson_interval",
    "poisson_intervals",
    "rate",
    "rate_per_1000",
    # funnels
    "DEFAULT_LEVELS",
    "DEFAULT_WINSOR",
    "Funnel",
    "FunnelKind",
    "FunnelLimit",
    "FunnelUnit",
    "Position",
    "funnel_ratio",
    "funnel_rate",
    "funnel_proportion",
    "SpreadTest",
    "spread_test",
    # tests and multiplicity
    "exact_poisson_upper_p",
    "exact_poisson_upper_ps",
    "benjamini_hochberg",
    "MultipleTests",
    # equality
    "DEFAULT_MIN_CASES",
    "EQUITY_BAND",
    "RelativeLikelihood",
    "relative_likelihood",
    "ChangeVerdict",
    "LikelihoodChange",
    "Span",
    "likelihood_change",
    # trends
    "DEFAULT_MIN_PERIODS",
    "DEFAULT_MIN_TOTAL",
    "Trend",
    "TrendVerdict",
    "poisson_trend",
]
