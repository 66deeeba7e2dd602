"""An organisation's activity report: sections, tables, charts and text from its protected facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from concerns import __version__
from concerns import vocabulary as v
from concerns.analytics import Context, FunnelFinding, OrganisationAnalysis, Rate
from concerns.disclosure import Policy, resolve_policy
from concerns.report._build import SUMMARY_POLICY, _sections, _tables, _text
from concerns.report._build import _signposting as sign
from concerns.report._build._built import Built
from concerns.report._build._coarsen import members
from concerns.report._build._facts import Facts, Figure
from concerns.report._build._findings import ReportFindings, publish
from concerns.report._build._scope import organisation_facts
from concerns.report._build._types import type_figures
from concerns.report._model import KeyMessages, OrgInfo, PeerInfo, Report, Section, Table
from concerns.vocabulary import DIMENSION_TITLES, STAFF_GROUP_TITLES

if TYPE_CHECKING:
    from concerns.analytics import NotAvailable, Trend

TITLE = "Organisational activity report"
WHOSE = "This organisation"


def build(
    analysis: OrganisationAnalysis,
    context: Context,
    *,
    policy: Policy | str = "standard",
    as_of: dt.date,
    illustrative: bool,
    names: Mapping[str, str] | None = None,
    link_adviser: str | None = None,
) -> Report:
    chosen = resolve_policy(policy)
    names = {**_organisation_names(context), **(names or {})}
    built = _prepare(analysis, context, chosen, names)
    signposting = _signposting(built)
    sections = (
        _sections.at_a_glance(built, signposting),
        _sections.activity(built),
        _sections.position(built, names),
        _sections.concerns(built),
        _sections.who(built),
        _sections.equality(built),
        _sections.clusters(built),
        _sections.services(built, signposting),
        _sections.questions(built, signposting),
        _sections.data_quality(built),
        _sections.methods(built),
        _sections.glossary(built),
    )
    peers = PeerInfo(
        analysis.peers.method, tuple((code, names.get(code, code)) for code in analysis.peers.peers)
    )
    return _report(
        "organisation",
        TITLE,
        built,
        analysis,
        chosen,
        sections,
        peers,
        as_of=as_of,
        illustrative=illustrative,
        link_adviser=link_adviser,
    )


# Board papers are often published: the summary follows the 10-5 rule (docs/disclosure.md).
SUMMARY_TITLE = "Board summary"


def build_summary(
    analysis: OrganisationAnalysis,
    context: Context,
    *,
    as_of: dt.date,
    illustrative: bool,
    names: Mapping[str, str] | None = None,
    link_adviser: str | None = None,
) -> Report:
    """Two pages for a board paper that may be published: at a glance and equality, under SUMMARY_POLICY."""
    chosen = resolve_policy(SUMMARY_POLICY)
    names = {**_organisation_names(context), **(names or {})}
    built = _prepare(analysis, context, chosen, names)
    sections = (
        _sections.at_a_glance(built, _signposting(built)),
        _sections.equality_summary(built, chosen),
    )
    return _report(
        "summary",
        SUMMARY_TITLE,
        built,
        analysis,
        chosen,
        sections,
        None,
        as_of=as_of,
        illustrative=illustrative,
        link_adviser=link_adviser,
    )


def organisation_line(org_type: str, nation: str) -> str:
    """ "Acute trust, England": the organisation's type and nation as the report names them."""
    return f"{v.ORG_TYPES.label(org_type)}, {v.NATIONS.label(nation)}"


def _report(
    kind: Literal["organisation", "summary"],
    title: str,
    built: Built,
    analysis: OrganisationAnalysis,
    policy: Policy,
    sections: tuple[Section, ...],
    peers: PeerInfo | None,
    *,
    as_of: dt.date,
    illustrative: bool,
    link_adviser: str | None,
) -> Report:
    """An organisation's document: its sections, with the facts every rendering prints on its cover."""
    org = analysis.organisation
    key_messages = next(block.items for block in sections[0].blocks if isinstance(block, KeyMessages))
    adviser: dict[str, Any] = {"link_adviser": link_adviser} if link_adviser else {}
    return Report(
        kind=kind,
        title=title,
        org=OrgInfo(
            org.code, built.name, org.org_type, org.nation, organisation_line(org.org_type, org.nation)
        ),
        fiscal_years=tuple(analysis.period.fiscal_years),
        as_of=as_of.isoformat(),
        generated_by=f"concerns {__version__}",
        data_sha256=analysis.fingerprint,
        policy=policy.name,
        threshold=policy.threshold,
        peers=peers,
        key_messages=key_messages,
        sections=sections,
        illustrative=illustrative,
        findings=built.findings.as_json(),
        legend=_tables.symbol_legend(policy),
        disclosure_note=_tables.disclosure_note(policy),
        symbols=_tables.symbol_meanings(policy),
        **adviser,
    )


def _organisation_names(context: Context) -> dict[str, str]:
    return dict(context.organisations.select("org_code", "name").iter_rows())


def _prepare(
    analysis: OrganisationAnalysis, context: Context, policy: Policy, names: Mapping[str, str]
) -> Built:
    facts = organisation_facts(analysis, context, policy)
    pub = facts.pub
    years = analysis.period.fiscal_years
    trend_shown = not pub.withheld and all(pub.shown(("fiscal_year", year)) for year in years)
    rate = facts.overall_rate(analysis.rate)
    figures = {item.comparison.id: facts.likelihood(item) for item in facts.every_likelihood}
    trend = _trend(analysis, facts, trend_shown)
    national = facts.national
    findings = publish(
        analysis.findings,
        facts,
        trend=trend,
        trend_shown=trend_shown,
        rate=rate,
        likelihoods={item.comparison.id: (item, figures[item.comparison.id]) for item in facts.likelihoods},
        doctor_likelihoods={
            item.comparison.id: (item, figures[item.comparison.id]) for item in facts.doctor_likelihoods
        },
        national_figures={item.comparison.id: national.likelihood(item) for item in national.every_likelihood}
        if national
        else {},
    )
    if national is not None:
        types = type_figures(context, policy, national)
        org_type = analysis.organisation.org_type
        findings = replace(
            findings,
            equality=tuple(
                replace(e, type_ratio=types.of(org_type, e.comparison)) for e in findings.equality
            ),
        )
    tables = _build_tables(analysis, context, facts, rate, figures, findings)
    return Built(
        analysis,
        context,
        facts,
        policy,
        names.get(analysis.organisation.code, analysis.organisation.name),
        tables,
        trend_shown,
        trend,
        rate,
        figures,
        findings,
    )


def _trend(analysis: OrganisationAnalysis, facts: Facts, shown: bool) -> Trend | NotAvailable:
    """The analysis' trend, or one refitted to the published yearly counts.

    Refitted under a rounding policy (the analysis' trend rests on unrounded
    counts), and when the trend in rates counts only the professions with a
    headcount (it would rest on yearly counts no table publishes).
    """
    per_exposure = getattr(analysis.trend, "per_exposure", False)
    partial = per_exposure and any(year.rate.cases != year.cases for year in analysis.years)
    if not shown or (facts.exact and not partial):
        return analysis.trend
    from concerns.analytics.stats import poisson_trend

    counts = [facts.pub.value(("fiscal_year", year)) or 0 for year in analysis.period.fiscal_years]  # shown
    exposure = [year.rate.person_years for year in analysis.years] if per_exposure and not partial else None
    return poisson_trend(counts, exposure, labels=list(analysis.period.fiscal_years))


def _build_tables(
    analysis: OrganisationAnalysis,
    context: Context,
    facts: Facts,
    rate: Figure,
    figures: dict[str, Figure],
    findings: ReportFindings,
) -> dict[str, Table]:
    pub = facts.pub
    years = analysis.period.fiscal_years
    year_rates = [
        facts.rate(year.rate, pub.value(("fiscal_year", year.fiscal_year)))
        if year.rate.cases == year.cases
        else Figure(None)
        for year in analysis.years
    ]
    profession_rates = {
        code: facts.rate(combined_rate(analysis.rates_by_profession, code), pub.value(("profession", code)))
        for code, _ in facts.labels("profession")
    }
    readings = {finding.comparison: _text.likelihood_short(finding) for finding in findings.equality}
    tables = {
        "cases_by_year": _tables.cases_by_year(
            facts,
            years,
            count_key="organisation",
            count_label=WHOSE,
            rates=year_rates,
            total_rate=rate,
        ),
        "concern_categories": _tables.multi_response(
            facts,
            "concern_category",
            table_id="concern_categories",
            title="Types of concern",
            similar={code: _text.similar_cell(verdict) for code, verdict in findings.peers.items()},
            note="A case counts once in each of its types of concern, so the types add up to more than "
            "all cases; more than one area counts the cases with two or more types.",
        ),
        "concern_subtypes": _tables.subtypes(facts),
        "profession": _tables.breakdown(
            facts,
            "profession",
            table_id="profession",
            title="Cases by profession",
            rates=profession_rates,
            total_rate=rate,
        ),
        "grade": _tables.breakdown(facts, "grade", table_id="grade", title="Cases by grade"),
        "specialty_group": _tables.breakdown(
            facts, "specialty_group", table_id="specialty_group", title="Cases by specialty group"
        ),
        "services": _tables.multi_response(
            facts,
            "service",
            table_id="services",
            title="Advice services used",
            note="Every case includes advice; a case can use several further services.",
        ),
        "relative_likelihood": _tables.relative_likelihood(
            facts, figures, readings, {finding.comparison: finding for finding in findings.equality}
        ),
        "relative_likelihood_counts": _tables.likelihood_counts(facts, figures),
        "relative_likelihood_over_time": _tables.likelihood_over_time(
            facts, findings.equality, analysis.period.fiscal_years
        ),
        "relative_likelihood_doctors": _tables.doctors_alone(
            facts, findings.equality, findings.equality_doctors
        ),
        "objectives": _tables.objectives(
            facts,
            {finding.comparison: finding for finding in findings.equality},
            analysis.period.fiscal_years,
        ),
        "clusters": _tables.clusters(
            findings.named_clusters, titles=STAFF_GROUP_TITLES, q=analysis.clusters.q, exact=facts.exact
        ),
        "data_quality": _tables.data_quality(facts, DIMENSION_TITLES),
    }
    tables.update(_tables.demographic_tables(facts, DIMENSION_TITLES))
    tables["funnel_position"] = _funnel_table(analysis, rate, findings.funnels["rate"])
    return {key: replace(table, detail=True) if key in DETAIL else table for key, table in tables.items()}


# Tables a board does not read in the PDF: the sub-types; every specialty group, the services used and
# the staff groups that stand out, whose charts give the figures; the characteristics whose relative
# likelihoods the equality table gives (ethnic group stays: it is the Workforce Race Equality
# Standard's measure).
DETAIL = frozenset(
    {"concern_subtypes", "specialty_group", "services", "clusters", "sex", "age_band", "pmq", "disability"}
)


def combined_rate(rates: Mapping[str, Rate], code: str) -> Rate:
    """A profession's rate, or the rate of professions combined into one row (unknown if any is unknown)."""
    parts = [rates[member] for member in members(code)]
    if len(parts) == 1:
        return parts[0]
    if any(part.person_years is None for part in parts):
        return Rate(sum(p.cases for p in parts), None, None, None, None, members(code))
    from concerns.analytics.stats import Estimate, rate_per_1000

    cases, person_years = sum(p.cases for p in parts), sum(p.person_years or 0 for p in parts)
    estimate = rate_per_1000(cases, person_years)
    if not isinstance(estimate, Estimate):
        return Rate(cases, person_years, None, None, None, members(code))
    return Rate(cases, person_years, estimate.value, estimate.low, estimate.high, members(code))


def _funnel_table(analysis: OrganisationAnalysis, rate: Figure, finding: FunnelFinding) -> Table:
    from concerns.analytics.stats import Funnel

    funnel = analysis.funnels.rate
    unit = analysis.funnel_unit("rate")
    placed = isinstance(funnel, Funnel) and unit is not None and unit.precision is not None
    target = funnel.target if isinstance(funnel, Funnel) else None
    levels = funnel.levels if isinstance(funnel, Funnel) else analysis.settings.funnel_levels
    return _tables.funnel_position(
        rate, unit if placed else None, target, levels, funnel_position_text(rate, finding, placed, levels)
    )


def funnel_position_text(
    rate: Figure, finding: FunnelFinding, placed: bool, levels: tuple[float, ...]
) -> str:
    """Where a published rate sits against its control limits, in words, from its finding."""
    if rate.hidden:
        return "not shown: the number of cases is hidden"
    if not placed or not rate.available:
        return "not placed: the practitioner headcount is not known"
    return _text.funnel_position(finding, levels)


def _signposting(built: Built) -> sign.Profile:
    facts = built.facts
    findings = built.findings
    headline = [cluster.test for cluster in findings.headline_clusters]
    team = tuple(
        test.label
        for test in headline
        if test.dimension in ("specialty_group", "specialty_grade", "specialty")
    )
    return sign.Profile(
        team_groups=team,
        flagged=tuple(test.label for test in headline),
        hidden_flagged=findings.hidden_clusters,
        above_peers=frozenset(code for code, p in findings.peers.items() if p.verdict == "higher"),
        health=not facts.pub.withheld and sign.present(facts, ("concern_category", "health")),
        exclusion=not facts.pub.withheld and sign.present(facts, ("service", "exclusion")),
        equality=_text.equality_claims(findings, facts),
        rate_higher=findings.peer_verdict("rate") == "higher"
        or findings.funnels["rate"].position.startswith("above"),
        year=findings.years[0] if findings.years else None,
        poorly_recorded=_poorly_recorded(facts),
    )


RECORDED = {"ethnic_group": "ethnicity", "pmq": "place of qualification", "disability": "disability"}


def _poorly_recorded(facts: Facts) -> tuple[str, ...]:
    """The equality fields not stated in at least RECORDING_GAP of cases, from published counts."""
    if facts.pub.withheld:
        return ()
    shares = {field: facts.share((dimension, "not_stated")) for dimension, field in RECORDED.items()}
    return tuple(
        field
        for field, share in shares.items()
        if share.available and share.value is not None and share.value >= sign.RECORDING_GAP
    )
