"""The national policy: national counts are shown whatever their size, unless the batch gives one away.

A category of 4 in 5,606 cases identifies no one when nothing below national level is shown with it.
But the organisations' reports are below national level, and each hides its own small counts: a
national count minus what the organisations show is the sum of what they hide. So a national count
that the report's policy would hide is shown only when the batch differencing audit
(`concerns.disclosure.difference`), over every organisation's report of the same data and policy,
finds that showing it narrows no count an organisation hides. Those that would are hidden again, with
complements chosen as usual, and the audit runs again. Breakdowns that cases can appear in more than
once (types of concern, services) are not additive over the batch in the audit's model: their
national counts keep the report's policy. Under a rounding policy the national counts keep it too.
See docs/disclosure.md.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from concerns.analytics import Context, Profile
from concerns.disclosure import (
    Breakdown,
    Link,
    Narrowing,
    Policy,
    Row,
    Subtotal,
    difference,
    hidden_range,
    with_threshold,
)
from concerns.report._build import _plan
from concerns.report._build._coarsen import members
from concerns.report._build._protection import TOTAL, Group, Published, publish

# The breakdowns whose national counts are sums of the organisations' rows, one row per case, audited
# together where a report relates them (grade and profession hold the same dentists).
FAMILIES: tuple[tuple[str, ...], ...] = (
    ("fiscal_year",),
    ("profession", "grade", "specialty_group"),
    ("ethnic_group",),
    ("sex",),
    ("age_band",),
    ("pmq",),
    ("disability",),
)
DIFFERENCED = frozenset(dimension for family in FAMILIES for dimension in family) | {"implied"}
EXEMPT = frozenset({"not_stated"})  # shown whatever their size in every report (docs/disclosure.md)
_ROUNDS = 3


def national_published(
    groups: Sequence[Group], total: int, policy: Policy, context: Context, baseline: Published
) -> Published:
    """The national counts under the national policy, or `baseline` (the report's policy) when the
    policy rounds or nothing more can be shown."""
    if policy.rounding_base != 1:
        return baseline
    loose = with_threshold(policy, 1)
    kept = {key for key, cell in baseline.cells.items() if cell.suppressed and key[0] not in DIFFERENCED}
    organisations = organisation_breakdowns(context, policy)
    concealed = set(kept)
    for _ in range(_ROUNDS):
        candidate = publish(_concealing(groups, concealed), total, loose)
        revealed = {
            key
            for key, cell in candidate.cells.items()
            if not cell.suppressed and key in baseline.cells and baseline.cells[key].suppressed
        }
        if not revealed:
            return baseline
        narrowed = _narrowed(candidate, revealed, organisations, policy)
        if not narrowed:
            return dataclasses.replace(candidate, policy=policy)  # its symbols and notes are the report's
        concealed |= narrowed
    return baseline


def _concealing(groups: Sequence[Group], keys: set) -> list[Group]:
    return [
        dataclasses.replace(
            group,
            cells=tuple(dataclasses.replace(c, conceal=True) if c.key in keys else c for c in group.cells),
        )
        for group in groups
    ]


def _narrowed(
    candidate: Published,
    revealed: set,
    organisations: Callable[[tuple[str, ...]], list[Breakdown]],
    policy: Policy,
) -> set:
    """The revealed national cells of every family of breakdowns in which the batch narrows an
    organisation's count. A revealed "implied" count (grade pharmacist against profession pharmacist)
    is worked out from the staff breakdowns' national counts, so it is audited with them."""
    narrowed = set()
    for family in FAMILIES:
        touched = {key for key in revealed if key[0] in family or (key[0] == "implied" and "grade" in family)}
        if not touched:
            continue
        national = national_counts(candidate, family)
        found = difference(
            organisations(family),
            national,
            min_width=policy.min_width,
            threshold=policy.threshold,
            exempt=EXEMPT,
        )
        if found:
            narrowed |= touched
    return narrowed


def national_counts(pub: Published, dimensions: Sequence[str]) -> dict[str, float | None]:
    """The national counts of some breakdowns as the audit reads them: "dimension:code" → the count shown,
    None where hidden."""
    return {
        f"{key[0]}:{key[1]}": (None if cell.suppressed else float(cell.value or 0))
        for key, cell in pub.cells.items()
        if key[0] in dimensions
    }


def subtotal_audit(
    context: Context, policy: Policy, national: Published, dimension: str
) -> tuple[tuple[str, ...], Callable[[Sequence[Subtotal]], list[Narrowing]]]:
    """The national counts' codes of one breakdown, and the batch differencing audit of counts published
    over some organisations (subtotals of that breakdown's rows) beside every organisation's report and
    the national counts."""
    breakdowns = organisation_breakdowns(context, policy)((dimension,))
    counts = national_counts(national, (dimension,))

    def audit(subtotals: Sequence[Subtotal]) -> list[Narrowing]:
        return difference(
            breakdowns,
            counts,
            min_width=policy.min_width,
            threshold=policy.threshold,
            exempt=EXEMPT,
            subtotals=subtotals,
        )

    return tuple(sorted(counts)), audit


Cached = TypeVar("Cached", bound=Callable[..., Any])


def per_batch(function: Cached) -> Cached:
    """`function(context, policy, ...)` worked out once per context and policy: every report of a batch
    shows the same, and a batch asks under two policies (the report's and the board summary's)."""
    cache: dict[tuple[int, str], tuple[Context, Any]] = {}

    @functools.wraps(function)
    def cached(context: Context, policy: Policy, *args: Any) -> Any:
        key = (id(context), policy.name)
        hit = cache.get(key)
        if hit is not None and hit[0] is context:
            return hit[1]
        value = function(context, policy, *args)
        if len(cache) > 4:
            cache.clear()
        cache[key] = (context, value)
        return value

    return cached  # type: ignore[return-value]


_PUBLISHED: dict[tuple[int, str], tuple[Context, dict]] = {}


def organisations_published(
    context: Context, policy: Policy
) -> dict[str, tuple[Profile, Published, tuple[_plan.Likelihood, ...]]]:
    """What every organisation's report publishes, by org_code: protected once per context and policy
    (the national policy, the count of ratios clear of 1 and the type figures all read it)."""
    cached = already_published(context, policy)
    if cached is not None:
        return cached
    if len(_PUBLISHED) > 4:  # a batch asks under two policies (the report's and the board summary's)
        _PUBLISHED.clear()
    published = {
        code: _organisation_published(context, code, profile, policy)
        for code, profile in context.profiles.items()
    }
    _PUBLISHED[(id(context), policy.name)] = (context, published)
    return published


def already_published(
    context: Context, policy: Policy
) -> dict[str, tuple[Profile, Published, tuple[_plan.Likelihood, ...]]] | None:
    """`organisations_published` if it has been worked out for this context and policy, else None."""
    cached = _PUBLISHED.get((id(context), policy.name))
    return cached[1] if cached is not None and cached[0] is context else None


def organisation_breakdowns(context: Context, policy: Policy) -> Callable[[tuple[str, ...]], list[Breakdown]]:
    """Every organisation's rows of a family of breakdowns as its report shows them, protected when first
    asked."""

    def breakdowns(family: tuple[str, ...]) -> list[Breakdown]:
        published = organisations_published(context, policy)
        return [_breakdown(code, *published[code], family, policy) for code in published]

    return breakdowns


def _organisation_published(
    context: Context, code: str, profile: Profile, policy: Policy
) -> tuple[Profile, Published, tuple[_plan.Likelihood, ...]]:
    """What an organisation's report publishes, as `_scope.organisation_facts` protects it."""
    flagged = context.clusters[code].flagged
    coarse, items, pub = _plan.organisation_published(profile, context.equality[code], flagged, policy)
    return coarse, pub, items


def _breakdown(
    code: str,
    profile: Profile,
    pub: Published,
    items: tuple[_plan.Likelihood, ...],
    family: tuple[str, ...],
    policy: Policy,
) -> Breakdown:
    """An organisation's rows of a family of breakdowns (codes prefixed by their breakdown), with each
    breakdown's total and the "same people" relations between them as its report's reader knows them."""
    rows, links = [], []
    total = _total(profile, pub, policy)
    for dimension in family:
        zeros_hidden = pub.withheld or dimension in pub.zeros_hidden
        own = [
            Row(
                tuple(f"{dimension}:{member}" for member in members(row.code)),
                *_known(pub, (dimension, row.code), row.cases, policy, zeros_hidden),
            )
            for row in profile[dimension].rows
        ]
        rows += own
        if profile[dimension].additive:
            links.append(Link(tuple((c, 1.0) for row in own for c in row.codes), *total))
    links += _same_people(profile, pub, family, policy)
    links += _likelihood_counts(pub, items, family)
    return Breakdown(code, tuple(rows), None, tuple(links))


def _likelihood_counts(
    pub: Published, items: tuple[_plan.Likelihood, ...], family: tuple[str, ...]
) -> list[Link]:
    """A shown relative likelihood's own count of a group (every ethnic minority group as one, or the
    cases of only some professions): the group's rows add up to it, or to at least it."""
    links = []
    for item in items:
        dimension = _plan.case_dimension(item.comparison)
        if dimension not in family or item.status != "candidate":
            continue
        for keys, codes in ((item.a_keys, item.comparison.group_a), (item.b_keys, item.comparison.group_b)):
            if not keys or keys[0][0] != "likelihood" or pub.hidden(keys[0]):
                continue
            value = float(pub.value(keys[0]) or 0)
            terms = tuple((f"{dimension}:{code}", 1.0) for code in codes)
            links.append(Link(terms, value, None if item.result.cases_left_out else value))
    return links


def _total(profile: Profile, pub: Published, policy: Policy) -> tuple[float, float | None]:
    if not pub.cells[TOTAL].suppressed:
        return float(profile.total), float(profile.total)
    low, high = policy.small_range(zeros_hidden=True)
    return float(low), float(high)


def _same_people(profile: Profile, pub: Published, family: tuple[str, ...], policy: Policy) -> list[Link]:
    """What a reader knows of whole − part, as `_plan.same_people` relates them, where both breakdowns
    are in the family: the implied count, plus at most the part's "not stated" cases where some of the
    gap may be those."""
    links = []
    zeros_hidden = pub.withheld or "implied" in pub.zeros_hidden
    for pair in _plan.same_people(profile):
        if pair.whole[0][0] not in family or pair.part[0][0] not in family:
            continue
        whole, part = _codes(pair.whole), _codes(pair.part)
        low, high = _known(pub, pair.key, pair.rest, policy, zeros_hidden)
        gap = (*((c, 1.0) for c in whole), *((c, -1.0) for c in part))
        if pair.unrecorded is None:
            links.append(Link(gap, low, high))
            continue
        # rest <= whole − part <= rest + unrecorded
        links.append(Link(gap, low, None))
        if high is not None:
            unrecorded = f"{pair.unrecorded[0]}:{pair.unrecorded[1]}"
            links.append(Link((*gap, (unrecorded, -1.0)), -float(profile.total), high))
    return links


def _codes(keys: Sequence[tuple[str, ...]]) -> list[str]:
    return [f"{dimension}:{member}" for dimension, row in keys for member in members(row)]


def _known(
    pub: Published, key: tuple[str, ...], count: int, policy: Policy, zeros_hidden: bool
) -> tuple[float, float | None]:
    """What the report's reader knows of one count, as the within-report audit assumes."""
    cell = pub.cells.get(key)
    if cell is None or not cell.suppressed:
        shown = count if cell is None else cell.value or 0
        return float(shown), float(shown)
    assert cell.reason is not None  # a hidden cell has its reason
    low, high = hidden_range(policy, count, cell.reason, zeros_hidden=zeros_hidden)
    return low, None if math.isinf(high) else high
