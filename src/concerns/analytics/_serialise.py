"""Analysis results as plain JSON-ready data (`concerns analyse`).

These are the insights team's working figures: unsuppressed, so not for
release. An organisation's results never carry another organisation's own
figures: peers appear as a list of names and as aggregates, funnels as limits
and this organisation's own position.
"""

from __future__ import annotations

import dataclasses
import math
from enum import Enum
from typing import Any

from concerns.analytics._analysis import NationalAnalysis, OrganisationAnalysis
from concerns.analytics._funnels import unit_of
from concerns.analytics._period import Period

NOTICE = "Unsuppressed working figures for the insights team: not for release outside it."


def to_data(value: Any) -> Any:
    """Dataclasses, enums, periods and numbers as JSON-ready values (NaN → null)."""
    if isinstance(value, Period):
        return {"fiscal_years": list(value.fiscal_years), "label": value.label()}
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr}
        if getattr(value, "available", True) is False:
            data = {"available": False, **data}
            if hasattr(value, "message"):
                data["message"] = value.message
        return data
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_data(item) for item in value]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if hasattr(value, "item"):  # numpy scalars
        return to_data(value.item())
    return value


def _own_funnel(funnel: Any, org_code: str) -> dict[str, Any]:
    from concerns.analytics.stats import Funnel

    if not isinstance(funnel, Funnel):
        reason: dict[str, Any] = to_data(funnel)  # a NotAvailable: the reason only
        return reason
    return {
        "kind": to_data(funnel.kind),
        "target": funnel.target,
        "per": funnel.per,
        "levels": list(funnel.levels),
        "organisations": funnel.units_placed,
        "phi": to_data(funnel.phi),
        "overdispersed": funnel.overdispersed,
        "tau2": to_data(getattr(funnel, "tau2", None)),
        "this_organisation": to_data(unit_of(funnel, org_code)),
    }


def organisation_data(analysis: OrganisationAnalysis) -> dict[str, Any]:
    code = analysis.organisation.code
    data = {
        "notice": NOTICE,
        "kind": "organisation",
        **{f.name: to_data(getattr(analysis, f.name)) for f in dataclasses.fields(analysis) if f.repr},
    }
    data["funnels"] = {
        "rate_per_1000": _own_funnel(analysis.funnels.rate, code),
        **{f"share_{name}": _own_funnel(f, code) for name, f in analysis.funnels.shares.items()},
    }
    data["settings"] = to_data(analysis.settings)
    return data


def national_data(analysis: NationalAnalysis) -> dict[str, Any]:
    data = {"notice": NOTICE, "kind": "national"}
    data.update({f.name: to_data(getattr(analysis, f.name)) for f in dataclasses.fields(analysis) if f.repr})
    data["settings"] = to_data(analysis.settings)
    return data
