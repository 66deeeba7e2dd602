"""Relative likelihoods by organisation type, published only where the batch cannot use them.

A type's counts are sums over its organisations, most of whose own reports hide some of theirs: the
type's count less what its organisations show is the sum of what they hide, and with the national
counts and the other types' a reader could pin one. So each characteristic's type counts are audited
with the batch differencing audit (`concerns.disclosure.difference`) over every organisation's report
and the national counts, with each type's count of every group the comparisons set side by side as a
subtotal over its organisations. A type whose counts let the audit narrow any organisation's hidden
count is withheld, and the audit runs again without it (withholding one type is not enough when the
national count less the others gives it back); a type is also withheld for a comparison when one of
its organisations counts only some professions in it (its count is then not a sum of published rows).
See docs/disclosure.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from concerns import vocabulary as v
from concerns.analytics import COMPARISONS, OVER_TIME, Comparison, Context, TypeFinding
from concerns.disclosure import Policy, Subtotal
from concerns.report._build._facts import Facts
from concerns.report._build._national_policy import per_batch, subtotal_audit


@dataclass(frozen=True)
class TypeFigures:
    ratios: dict[tuple[str, str], TypeFinding]  # (org_type, comparison) → its ratio as published

    def of(self, org_type: str, comparison: str) -> TypeFinding | None:
        return self.ratios.get((org_type, comparison))


@per_batch
def type_figures(context: Context, policy: Policy, national: Facts) -> TypeFigures:
    """The ratio of every comparison followed over time (one of each characteristic: a type's count of
    every group would pin the rarest groups' zeros) for every organisation type, as the batch may publish
    it (once per batch: every report shows the same)."""
    return _type_figures(context, policy, national)


def _type_figures(context: Context, policy: Policy, national: Facts) -> TypeFigures:
    types = _types(context)
    ratios = {}
    followed = [c for c in COMPARISONS if c.id in OVER_TIME]
    for dimension in sorted({v.DIMENSION_CASE_COLUMN[c.dimension] for c in followed}):
        comparisons = [c for c in followed if v.DIMENSION_CASE_COLUMN[c.dimension] == dimension]
        sums = {(t, c.id): _summed(context, members, c) for t, members in types.items() for c in comparisons}
        shown = {t for t in types if policy.rounding_base == 1 and not national.pub.withheld}
        shown = _audited(context, policy, national, dimension, comparisons, types, sums, shown)
        for (org_type, comparison), summed in sums.items():
            ratios[(org_type, comparison)] = _ratio(
                org_type, len(types[org_type]), summed, org_type in shown, policy
            )
    return TypeFigures(ratios)


def _types(context: Context) -> dict[str, frozenset[str]]:
    types: dict[str, set[str]] = {}
    for code, org_type in context.organisations.select("org_code", "org_type").iter_rows():
        if code in context.equality:
            types.setdefault(str(org_type), set()).add(code)
    return {t: frozenset(codes) for t, codes in sorted(types.items())}


def _summed(context: Context, members: frozenset[str], comparison: Comparison) -> tuple[int, ...] | None:
    """(cases a, person-years a, cases b, person-years b) over the type; None when an organisation counts
    only some professions, or a group's headcount is not known."""
    totals = [0, 0, 0, 0]
    for code in members:
        result = context.equality[code].pooled[comparison.id]
        if result.cases_left_out:
            return None
        if not result.professions:
            continue  # no headcount: none of its cases is counted, nor any of its rows published as such
        totals = [
            totals[0] + result.cases_a,
            totals[1] + (result.headcount_a or 0),
            totals[2] + result.cases_b,
            totals[3] + (result.headcount_b or 0),
        ]
    return tuple(totals) if totals[1] and totals[3] else None


def _audited(
    context: Context,
    policy: Policy,
    national: Facts,
    dimension: str,
    comparisons: list[Comparison],
    types: dict[str, frozenset[str]],
    sums: dict[tuple[str, str], tuple[int, ...] | None],
    shown: set[str],
) -> set[str]:
    """The types whose counts of this characteristic may be published: those the audit finds narrow no
    organisation's hidden count, with every other shown type and the national counts."""
    _, audit = subtotal_audit(context, policy, national.pub, dimension)
    type_of = {code: t for t, members in types.items() for code in members}
    for _ in range(len(types)):
        if not shown:
            return shown
        subtotals = [
            Subtotal(types[t], tuple(f"{dimension}:{code}" for code in group), float(cases))
            for t in sorted(shown)
            for c in comparisons
            if (summed := sums[(t, c.id)]) is not None
            for group, cases in ((c.group_a, summed[0]), (c.group_b, summed[2]))
        ]
        found = audit(subtotals)
        if not found:
            return shown
        newly = {type_of[n.organisation] for n in found if n.organisation in type_of} & shown
        # Narrowed only where types are already withheld: the national counts less the shown types' give
        # the withheld ones' sum back, so withhold the smallest shown type with them.
        shown = shown - (newly or {min(shown, key=lambda t: (len(types[t]), t))})
    return set()


def _ratio(
    org_type: str,
    organisations: int,
    summed: tuple[int, ...] | None,
    shown: bool,
    policy: Policy,
) -> TypeFinding:
    from concerns.analytics.stats import relative_likelihood

    if summed is None:
        return TypeFinding(org_type, organisations, "not_available", None, None, None)
    result = relative_likelihood(*summed, min_cases=max(policy.threshold, 5))
    if not shown:
        return TypeFinding(org_type, organisations, "withheld", None, None, None)
    if not result:
        return TypeFinding(org_type, organisations, "too_few_cases", None, None, None)
    low, high = round(result.low, 2), round(result.high, 2)
    verdict = "more_likely" if low > 1 else "less_likely" if high < 1 else "no_clear_difference"
    return TypeFinding(org_type, organisations, verdict, result.ratio, result.low, result.high)
