"""Funnel plots of every organisation of a type: the rate per 1,000 and key shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from concerns.analytics._profile import MORE_THAN_ONE

if TYPE_CHECKING:  # the stats load SciPy: imported where used, so importing analytics stays quick
    from concerns.analytics.stats import Funnel, FunnelUnit, NotAvailable

# The proportions that get a funnel: shares of cases in each concern area.
FUNNEL_SHARES: tuple[str, ...] = ("behaviour", "clinical", "health", MORE_THAN_ONE)


@dataclass(frozen=True)
class TypeFunnels:
    """Funnels for the organisations of one type; units are labelled by org_code."""

    org_type: str
    rate: Funnel | NotAvailable
    shares: dict[str, Funnel | NotAvailable]  # concern category → funnel


def funnels_by_type(
    organisations: pl.DataFrame,
    counts: pl.DataFrame,
    rates: pl.DataFrame,
    *,
    levels: tuple[float, ...],
    overdispersion: bool,
) -> dict[str, TypeFunnels]:
    """One set of funnels per organisation type, every organisation of the type a unit."""
    from concerns.analytics.stats import funnel_proportion, funnel_rate

    overall = rates.filter(pl.col("profession") == "all").select("org_code", "cases", "person_years")
    totals = counts.filter(pl.col("dimension") == "total").select("org_code", pl.col("cases").alias("total"))
    categories = counts.filter(pl.col("dimension") == "concern_category").pivot(
        on="code", index="org_code", values="cases"
    )
    result = {}
    for org_type, members in organisations.sort("org_code").group_by("org_type", maintain_order=True):
        kind = str(org_type[0])
        units = (
            members.select("org_code")
            .join(overall, on="org_code", how="left")
            .join(totals, on="org_code", how="left")
            .join(categories, on="org_code", how="left")
        )
        # Counts of nothing are zero; an unknown headcount stays unknown.
        units = units.with_columns(pl.exclude("org_code", "person_years").fill_null(0))
        labels = units["org_code"].to_list()
        rate = funnel_rate(
            units["cases"].to_list(),
            units["person_years"].to_list(),
            labels=labels,
            levels=levels,
            overdispersion=overdispersion,
        )
        shares = {
            category: funnel_proportion(
                _column(units, category),
                [n or None for n in units["total"].to_list()],
                labels=labels,
                levels=levels,
                overdispersion=overdispersion,
            )
            for category in FUNNEL_SHARES
        }
        result[kind] = TypeFunnels(kind, rate, shares)
    return result


def _column(frame: pl.DataFrame, name: str) -> list[int]:
    return frame[name].to_list() if name in frame.columns else [0] * frame.height


def unit_of(funnel: Funnel | NotAvailable, org_code: str) -> FunnelUnit | None:
    """This organisation's unit in a funnel, or None when there is no funnel."""
    from concerns.analytics.stats import Funnel

    if not isinstance(funnel, Funnel):
        return None
    return next((unit for unit in funnel.units if unit.label == org_code), None)
