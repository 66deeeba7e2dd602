"""Analytics: the statistics behind the organisational activity reports.

The statistical primitives live in `concerns.analytics.stats` and are
re-exported here. They are loaded on first use, so importing this package
(for example from the CLI) does not pay for SciPy.
"""

from __future__ import annotations

import importlib
from typing import Any

_STATS_EXPORTS = (
    "Interval",
    "Estimate",
    "NotAvailable",
    "Reason",
    "wilson_interval",
    "wilson_intervals",
    "poisson_interval",
    "poisson_intervals",
    "rate",
    "rate_per_1000",
    "Funnel",
    "FunnelUnit",
    "Position",
    "funnel_ratio",
    "funnel_rate",
    "funnel_proportion",
    "exact_poisson_upper_p",
    "exact_poisson_upper_ps",
    "MultipleTests",
    "benjamini_hochberg",
    "RelativeLikelihood",
    "relative_likelihood",
    "Trend",
    "TrendVerdict",
    "poisson_trend",
)

# The analysis over canonical frames, by the private module that defines each name.
_ANALYSIS_EXPORTS = {
    "Period": "_period",
    "Profile": "_profile",
    "Breakdown": "_profile",
    "Rate": "_rates",
    "PeerGroup": "_peers",
    "PeerComparison": "_peers",
    "Clusters": "_clusters",
    "ClusterTest": "_clusters",
    "Equality": "_equality",
    "EqualityMeasures": "_equality",
    "Settings": "_analysis",
    "Context": "_analysis",
    "OrganisationAnalysis": "_analysis",
    "NationalAnalysis": "_analysis",
    "prepare": "_analysis",
    "analyse_organisation": "_analysis",
    "analyse_national": "_analysis",
    "organisation_codes": "_analysis",
}

__all__ = [*_STATS_EXPORTS, *_ANALYSIS_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _STATS_EXPORTS:
        return getattr(importlib.import_module("concerns.analytics.stats"), name)
    if name in _ANALYSIS_EXPORTS:
        return getattr(importlib.import_module(f"concerns.analytics.{_ANALYSIS_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
