"""From analysis results to a scope's protected facts: an organisation's, or the nation's."""

from __future__ import annotations

from collections.abc import Sequence

from concerns import vocabulary as v
from concerns.analytics import MORE_THAN_ONE, NATIONAL, Context, OrganisationAnalysis, Profile
from concerns.disclosure import Cell, Policy
from concerns.report._build import _plan
from concerns.report._build._facts import Facts
from concerns.report._build._national_policy import already_published, national_published
from concerns.report._build._protection import Group, Relation, publish

CATEGORIES = (*v.CONCERN_CATEGORIES.codes, MORE_THAN_ONE)


def organisation_facts(analysis: OrganisationAnalysis, context: Context, policy: Policy) -> Facts:
    batch = already_published(context, policy)
    if batch is not None and _as_in_context(analysis, context):
        # The type figures protected every organisation of the batch already: the same protection.
        profile, pub, items = batch[analysis.organisation.code]
    else:
        profile, items, pub = _plan.organisation_published(
            analysis.profile, analysis.equality, analysis.findings.clusters, policy
        )
    return Facts(profile, pub, analysis.equality, items, national_facts(context, policy))


def _as_in_context(analysis: OrganisationAnalysis, context: Context) -> bool:
    code = analysis.organisation.code
    return (
        analysis.profile is context.profiles.get(code)
        and analysis.equality is context.equality.get(code)
        and tuple(analysis.findings.clusters) == tuple(context.clusters[code].flagged)
    )


# The national figures are the same for every organisation of a batch: protect them once.
_NATIONAL: dict[tuple[int, str], tuple[Context, Facts]] = {}


def national_facts(context: Context, policy: Policy) -> Facts:
    key = (id(context), policy.name)
    cached = _NATIONAL.get(key)
    if cached is not None and cached[0] is context:
        return cached[1]
    facts = _national_facts(context, policy)
    if len(_NATIONAL) > 4:
        _NATIONAL.clear()
    _NATIONAL[key] = (context, facts)
    return facts


def _national_facts(context: Context, policy: Policy) -> Facts:
    profile = context.national
    measures = context.equality[NATIONAL]
    items = _plan.likelihoods(measures, profile, policy)
    groups = {group.name: group for group in _plan.groups(profile, likelihood_items=items)}
    years = [year.profile for year in context.national_years]
    merged = _years_and_concerns(groups.pop("years"), groups.pop("concerns"), years)
    protected = [merged, *groups.values()]
    baseline = publish(protected, profile.total, policy)
    pub = national_published(protected, profile.total, policy, context, baseline)
    return Facts(profile, pub, measures, tuple(items))


def year_category_key(code: str, year: str) -> tuple[str, str]:
    return ("concern_year", f"{code}:{year}")


def _years_and_concerns(years_group: Group, concerns_group: Group, profiles: Sequence[Profile]) -> Group:
    """The national years with each year's concern categories: each year is a multi-response
    table whose total is that year's count, and over the years they add up to the period's."""
    cells = [*years_group.cells, *concerns_group.cells]
    relations = [*years_group.relations, *concerns_group.relations]
    for year_profile in profiles:
        year = year_profile.period.fiscal_years[0]
        counts = {row.code: row.cases for row in year_profile["concern_category"].rows}
        keys = {code: year_category_key(code, year) for code in CATEGORIES}
        cells += [Cell(keys[code], counts[code]) for code in CATEGORIES]
        relations += _year_relations(keys, ("fiscal_year", year))
    for code in CATEGORIES:
        by_year = [year_category_key(code, p.period.fiscal_years[0]) for p in profiles]
        relations.append(Relation(((("concern_category", code), 1), *((key, -1) for key in by_year))))
    return Group("years_and_concerns", tuple(cells), tuple(relations))


def _year_relations(keys: dict[str, tuple[str, str]], total: tuple[str, str]) -> list[Relation]:
    categories = [keys[code] for code in v.CONCERN_CATEGORIES.codes]
    several = keys[MORE_THAN_ONE]
    relations = [Relation(((key, 1), (total, -1)), at_most=True) for key in (*categories, several)]
    relations.append(Relation(((total, 1), (several, 1), *((key, -1) for key in categories)), at_most=True))
    relations.append(
        Relation(
            (*((key, 1) for key in categories), (total, -1), (several, -(len(categories) - 1))), at_most=True
        )
    )
    return relations
