"""Build the report model from analysis results, with disclosure control applied.

    report = build_organisation_report(analysis, context, as_of=day, illustrative=True)
    report = build_national_report(analyse_national(context), context, as_of=day, illustrative=True)

Every count is protected under the chosen disclosure policy (`standard`,
`nhs-digital`, `ons-10-5`) across all the report's tables together; shares,
rates and ratios are worked out from published counts; text quotes only
published numbers. See `_protection` for how the tables are linked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from concerns.analytics import Context, NationalAnalysis, OrganisationAnalysis
from concerns.disclosure import Policy
from concerns.report._model import Report

SUMMARY_POLICY = "ons-10-5"  # the board summary may be published, so it takes a stricter policy


def build_organisation_report(
    analysis: OrganisationAnalysis,
    context: Context,
    *,
    policy: Policy | str = "standard",
    as_of: dt.date,
    illustrative: bool,
    names: Mapping[str, str] | None = None,
    link_adviser: str | None = None,
) -> Report:
    """One organisation's activity report. `names` overrides organisation names (code → name);
    `link_adviser` names the organisation's link adviser on the cover (else the service's contact)."""
    from concerns.report._build._organisation import build

    return build(
        analysis,
        context,
        policy=policy,
        as_of=as_of,
        illustrative=illustrative,
        names=names,
        link_adviser=link_adviser,
    )


def build_board_summary(
    analysis: OrganisationAnalysis,
    context: Context,
    *,
    as_of: dt.date,
    illustrative: bool,
    names: Mapping[str, str] | None = None,
    link_adviser: str | None = None,
) -> Report:
    """An organisation's two-page board summary, under the stricter policy for published board papers."""
    from concerns.report._build._organisation import build_summary

    return build_summary(
        analysis, context, as_of=as_of, illustrative=illustrative, names=names, link_adviser=link_adviser
    )


def build_national_report(
    analysis: NationalAnalysis,
    context: Context,
    *,
    policy: Policy | str = "standard",
    as_of: dt.date,
    illustrative: bool,
) -> Report:
    """The national insight report: every organisation's cases together."""
    from concerns.report._build._national import build

    return build(analysis, context, policy=policy, as_of=as_of, illustrative=illustrative)


__all__ = ["build_board_summary", "build_national_report", "build_organisation_report"]
