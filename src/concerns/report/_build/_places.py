"""Nations and organisation types: cases, the rate per practitioner, and how far the organisations of a
type spread, published only where the batch cannot use them.

A nation's or a type's cases are a sum over its organisations, and every organisation's report hides its
own small counts: the sum less what the organisations show is the sum of what they hide, and with the
national counts and the other places' a reader could pin one. So the places' counts are audited with the
batch differencing audit (`concerns.disclosure.difference`) over every organisation's cases by year and the
national counts, each shown place's cases a subtotal over its organisations (and, where some of its
organisations have no headcount, the cases its rate counts a second one). A place whose counts let the
audit narrow a hidden count is withheld, and the audit runs again: of the places holding a narrowed
organisation and the smallest of each kind holding one whose total is hidden, the one whose withholding
leaves fewest narrowings. The spread of a type's organisations is given as counts of organisations outside
the funnel's limits as their own reports state them. See docs/disclosure.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from concerns.analytics import (
    ALL_PROFESSIONS,
    MIN_EXPECTED,
    NOT_ASSESSED,
    Context,
    funnel_finding,
    level_name,
)
from concerns.disclosure import Policy, Subtotal
from concerns.report._build._facts import Facts
from concerns.report._build._national_policy import organisations_published, per_batch, subtotal_audit

NATION = "nation"
ORG_TYPE = "org_type"


@dataclass(frozen=True)
class Place:
    """One nation or organisation type: its organisations, and its cases and rate where published."""

    kind: str  # NATION or ORG_TYPE
    code: str
    organisations: int
    with_cases: int
    rated: int  # organisations whose headcount covers every one of their cases: the rate's
    person_years: int  # theirs
    cases: int | None  # None where withheld
    rated_cases: int | None  # the cases the rate counts; None where withheld
    rate: tuple[float, float, float] | None  # per 1,000 practitioners a year, 95% interval

    @property
    def withheld(self) -> bool:
        return self.cases is None


@dataclass(frozen=True)
class Spread:
    """How many of a type's organisations lie outside each level of its rate funnel's limits, against
    the number chance alone would put there, and whether they vary more than chance gives."""

    org_type: str
    assessed: int  # organisations placed on the funnel with at least one case expected
    outside: tuple[tuple[float, int, int], ...]  # (level, above, below)
    overdispersed: bool | None  # beyond chance (`stats.spread_test`); None: no test
    dispersion_p: float | None

    def expected_each_way(self, level: float) -> float:
        return self.assessed * (1 - level) / 2


@dataclass(frozen=True)
class Places:
    nations: tuple[Place, ...]
    types: tuple[Place, ...]
    spreads: tuple[Spread, ...]
    overall: Place  # every organisation


@per_batch
def place_figures(context: Context, policy: Policy, national: Facts) -> Places:
    """Every nation's and organisation type's figures as the batch may publish them (once per batch)."""
    return _places(context, policy, national)


@dataclass(frozen=True)
class _Members:
    kind: str
    code: str
    organisations: frozenset[str]
    with_cases: frozenset[str]
    rated: frozenset[str]  # organisations whose headcount covers all their cases (with or without cases)


def _places(context: Context, policy: Policy, national: Facts) -> Places:
    members = _members(context)
    cases = {m.code: sum(context.profiles[c].total for c in m.with_cases) for m in members.values()}
    rated_cases = {m.code: sum(_total(context, c) for c in m.rated) for m in members.values()}
    publishable = policy.rounding_base == 1 and not national.pub.withheld
    shown = _audited(context, policy, national, members, cases, rated_cases) if publishable else set()
    built = {key: _place(context, m, cases, rated_cases, key in shown) for key, m in members.items()}
    nations = tuple(p for (kind, _), p in built.items() if kind == NATION)
    types = tuple(p for (kind, _), p in built.items() if kind == ORG_TYPE)
    everyone = _Members(
        "all",
        "all",
        frozenset(context.organisations["org_code"]),
        frozenset(context.profiles),
        frozenset(c for c in context.organisations["org_code"] if _covers_every_case(context, c)),
    )
    totals = {"all": sum(p.total for p in context.profiles.values())}
    rated = {"all": sum(_total(context, c) for c in everyone.rated)}
    overall = _place(context, everyone, totals, rated, publishable)
    spreads = tuple(
        _spread(context, policy, t.code, members[(ORG_TYPE, t.code)].organisations) for t in types
    )
    return Places(nations, types, spreads, overall)


def _members(context: Context) -> dict[tuple[str, str], _Members]:
    grouped: dict[tuple[str, str], set[str]] = {}
    for code, nation, org_type in context.organisations.select("org_code", "nation", "org_type").iter_rows():
        grouped.setdefault((NATION, str(nation)), set()).add(code)
        grouped.setdefault((ORG_TYPE, str(org_type)), set()).add(code)
    return {
        key: _Members(
            key[0],
            key[1],
            frozenset(codes),
            frozenset(c for c in codes if c in context.profiles),
            frozenset(c for c in codes if _covers_every_case(context, c)),
        )
        for key, codes in sorted(grouped.items(), key=_order)
    }


def _order(item: tuple[tuple[str, str], set[str]]) -> tuple[str, int]:
    from concerns import vocabulary as v

    kind, code = item[0]
    codes = v.NATIONS.codes if kind == NATION else v.ORG_TYPES.codes
    return kind, codes.index(code) if code in codes else len(codes)


def _total(context: Context, code: str) -> int:
    profile = context.profiles.get(code)
    return profile.total if profile is not None else 0


def _covers_every_case(context: Context, code: str) -> bool:
    rate = context.rates.get((code, ALL_PROFESSIONS))
    return rate is not None and bool(rate.person_years) and rate.cases == _total(context, code)


def _audited(
    context: Context,
    policy: Policy,
    national: Facts,
    members: dict[tuple[str, str], _Members],
    cases: dict[str, int],
    rated_cases: dict[str, int],
) -> set[tuple[str, str]]:
    """The places whose counts may be published: those whose counts, with every other shown place's
    and the national counts by year, narrow no organisation's hidden count."""
    years, audit = subtotal_audit(context, policy, national.pub, "fiscal_year")
    hidden = _hidden_totals(context, policy)

    def narrowed(shown: set[tuple[str, str]]) -> set[str]:
        subtotals = list(_subtotals((members[key] for key in sorted(shown)), years, cases, rated_cases))
        return {n.organisation for n in audit(subtotals)}

    shown = {key for key, m in members.items() if m.with_cases}
    found = narrowed(shown)
    while found and shown:
        # The place holding a narrowed organisation, or, where the narrowing comes through places
        # already withheld (the national count less the shown places gives their sum back), the smallest
        # place of each kind with an organisation whose total is hidden: whichever frees most.
        candidates = {key for key in shown if members[key].organisations & found}
        for kind in (NATION, ORG_TYPE):
            holding = [key for key in shown if key[0] == kind and members[key].organisations & hidden]
            if holding:
                candidates.add(min(holding, key=lambda key: (len(members[key].organisations), key)))
        if not candidates:
            return set()
        tried = {key: narrowed(shown - {key}) for key in sorted(candidates)}
        best = min(tried, key=lambda key: (len(tried[key]), len(members[key].organisations), key))
        shown.discard(best)
        found = tried[best]
    return shown


def _hidden_totals(context: Context, policy: Policy) -> frozenset[str]:
    """The organisations whose reports hide their total."""
    from concerns.report._build._protection import TOTAL

    return frozenset(
        code
        for code, (_, pub, _) in organisations_published(context, policy).items()
        if pub.cells[TOTAL].suppressed
    )


def _subtotals(
    members: Iterable[_Members], years: tuple[str, ...], cases: dict[str, int], rated_cases: dict[str, int]
) -> Iterable[Subtotal]:
    for m in members:
        yield Subtotal(m.with_cases, years, float(cases[m.code]))
        rated = m.rated & m.with_cases
        if rated and rated != m.with_cases:
            yield Subtotal(rated, years, float(rated_cases[m.code]))


def _place(
    context: Context, m: _Members, cases: dict[str, int], rated_cases: dict[str, int], shown: bool
) -> Place:
    from concerns.analytics.stats import Estimate, rate_per_1000

    person_years = sum(context.rates[(c, ALL_PROFESSIONS)].person_years or 0 for c in m.rated)
    rate = None
    if shown and person_years:
        found = rate_per_1000(rated_cases[m.code], person_years)
        if isinstance(found, Estimate):
            rate = (found.value, found.low, found.high)
    return Place(
        m.kind,
        m.code,
        len(m.organisations),
        len(m.with_cases),
        len(m.rated),
        person_years,
        cases[m.code] if shown else None,
        rated_cases[m.code] if shown else None,
        rate,
    )


def _spread(context: Context, policy: Policy, org_type: str, members: frozenset[str]) -> Spread:
    """The type's organisations' positions as their own reports state them, so that these counts add
    nothing to what the batch says."""
    from concerns.analytics.stats import Funnel, SpreadTest, spread_test

    funnels = context.funnels.get(org_type)
    funnel = funnels.rate if funnels is not None else None
    if not isinstance(funnel, Funnel):
        return Spread(org_type, 0, (), None, None)
    test = spread_test(funnel)
    stated = stated_positions(context, policy)
    positions = [stated[code] for code in sorted(members) if code in stated]
    levels = sorted(funnel.levels, reverse=True)
    outside = tuple(
        (level, beyond(positions, "above", level, levels), beyond(positions, "below", level, levels))
        for level in levels
    )
    if not isinstance(test, SpreadTest):
        return Spread(org_type, len(positions), outside, None, None)
    return Spread(org_type, len(positions), outside, test.beyond_chance, test.p)


@per_batch
def stated_positions(context: Context, policy: Policy) -> dict[str, str]:
    """Every organisation's position on its type's rate funnel, by org_code, where its own report states
    one: not where too few cases are expected, nor where the count it rests on is hidden (a count of
    other organisations above the limits that counted those would tell that a hidden count is large)."""
    published = organisations_published(context, policy)
    org_types = dict(context.organisations.select("org_code", "org_type").iter_rows())
    stated = {}
    for code, (coarse, pub, items) in published.items():
        funnel = context.funnels[str(org_types[code])].rate
        found = funnel_finding("rate", funnel, code, minimum=MIN_EXPECTED, on_expected=True)
        if found.position == NOT_ASSESSED or pub.withheld:
            continue
        rate = Facts(coarse, pub, context.equality[code], items).overall_rate(
            context.rates[(code, ALL_PROFESSIONS)]
        )
        if not rate.hidden:
            stated[code] = found.position
    return stated


def beyond(positions: list[str], side: str, level: float, levels: list[float]) -> int:
    """How many positions lie on `side` of the limits at `level` (those beyond a wider level too)."""
    names = {f"{side}_{level_name(wider)}" for wider in levels if wider >= level}
    return sum(position in names for position in positions)
