"""Which counts a report publishes, as cells and relations for disclosure control.

Cell keys are (dimension, code) as in the analysis profile (`("grade",
"dentist")`), the total is `TOTAL`, and counts that are published only
implicitly get their own names: `("cluster", "surgery|consultant")` for a
crossed cluster, `("likelihood", "<comparison>:a")` for the case count a
relative likelihood gives away when it counts only some professions, and
`("implied", ...)` for a difference a reader can form but no table shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from concerns import vocabulary as v
from concerns.analytics import (
    ALL_COMPARISONS,
    MORE_THAN_ONE,
    ClusterTest,
    Comparison,
    Equality,
    EqualityMeasures,
    Profile,
)
from concerns.disclosure import Cell, CellKey, Policy
from concerns.report._build._coarsen import (
    COLLAPSED_LABELS,
    DOCTOR_GRADES,
    coarsen,
    covering,
    exact_cover,
    is_collapsed,
    members,
)
from concerns.report._build._protection import (
    NOT_STATED,
    Group,
    Published,
    Relation,
    at_most,
    beside_unrecorded,
    cells_of,
    keys_of,
    multi_response,
    publish,
    split,
    sums_to_total,
)

DEMOGRAPHICS = ("ethnic_group", "sex", "age_band", "pmq", "disability")
STAFF = ("profession", "grade", "specialty_group")

# Sets of cells a reader may take to count the same practitioners, from the labels alone:
# (dimension, codes) pairs. Whichever way the data lean, the difference is published implicitly.
SAME_PEOPLE: tuple[tuple[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]], ...] = (
    (("grade", ("dentist",)), ("profession", ("dentist",))),
    (("grade", ("pharmacist",)), ("profession", ("pharmacist",))),
    (("grade", DOCTOR_GRADES), ("profession", ("doctor",))),
    (("specialty_group", ("dental",)), ("profession", ("dentist",))),
    (("specialty_group", ("pharmacy",)), ("profession", ("pharmacist",))),
    (("specialty_group", ("general_practice",)), ("grade", ("gp",))),
    (("specialty_group", ("dental",)), ("grade", ("dentist",))),
    (("specialty_group", ("pharmacy",)), ("grade", ("pharmacist",))),
)


@dataclass(frozen=True)
class Likelihood:
    """A relative likelihood and how it may be published.

    `status`: "candidate" (shown unless disclosure control hides its counts),
    "too_few" (a group has fewer cases than the policy's threshold or the
    analysis' minimum), "unavailable" (no denominator or no ratio), or
    "implied_small" (it counts only some professions, and the cases it leaves
    out of a group are a small number that showing it would give away).
    `a_keys`/`b_keys` are the cells whose published values it rests on.
    """

    comparison: Comparison
    result: Equality
    status: str
    a_keys: tuple[tuple[str, ...], ...] = ()
    b_keys: tuple[tuple[str, ...], ...] = ()


def case_dimension(comparison: Comparison) -> str:
    return v.DIMENSION_CASE_COLUMN[comparison.dimension]


def profile_counts(profile: Profile, dimension: str) -> dict[str, int]:
    return {row.code: row.cases for row in profile[dimension].rows}


def likelihoods(measures: EqualityMeasures, profile: Profile, policy: Policy) -> list[Likelihood]:
    """Every comparison (doctors alone included), pooled over the period, with its publication status."""
    return [_likelihood(c, measures.pooled[c.id], profile, policy) for c in ALL_COMPARISONS]


def _likelihood(comparison: Comparison, result: Equality, profile: Profile, policy: Policy) -> Likelihood:
    dimension = case_dimension(comparison)
    if result.ratio is None:
        status = "too_few" if _too_few(result) else "unavailable"
        return Likelihood(comparison, result, status)
    if min(result.cases_a, result.cases_b) < policy.threshold:
        return Likelihood(comparison, result, "too_few")
    cover_a, cover_b = (
        exact_cover(profile, dimension, comparison.group_a),
        exact_cover(profile, dimension, comparison.group_b),
    )
    if cover_a is None or cover_b is None:
        # A group combined with a smaller one to protect it: its own count is not published.
        return Likelihood(comparison, result, "combined")
    rows_a, rows_b = keys_of(dimension, cover_a), keys_of(dimension, cover_b)
    if not result.cases_left_out:
        # A group of several codes (every ethnic minority group) is published as one count of its own,
        # so that it survives when one of its groups must be hidden.
        if len(rows_a) > 1:
            return Likelihood(
                comparison, result, "candidate", (("likelihood", f"{comparison.id}:a"),), rows_b
            )
        return Likelihood(comparison, result, "candidate", rows_a, rows_b)
    counts = profile_counts(profile, dimension)
    rests = (
        sum(counts[code] for code in cover_a) - result.cases_a,
        sum(counts[code] for code in cover_b) - result.cases_b,
    )
    if any(policy.is_small(rest, zeros_hidden=not policy.show_zeros) for rest in rests):
        return Likelihood(comparison, result, "implied_small")
    own = (("likelihood", f"{comparison.id}:a"),), (("likelihood", f"{comparison.id}:b"),)
    return Likelihood(comparison, result, "candidate", *own)


def _too_few(result: Equality) -> bool:
    from concerns.analytics.stats import Reason

    return result.not_available is not None and result.not_available.reason is Reason.TOO_FEW_CASES


def likelihood_cells(item: Likelihood, profile: Profile) -> tuple[list[Cell], list[Relation]]:
    """The cells a candidate that counts only some professions, or a group of several codes, adds, and
    how they split its groups."""
    if item.status != "candidate":
        return [], []
    if not item.result.cases_left_out:
        return _aggregate_cells(item, profile)
    comparison, result = item.comparison, item.result
    dimension = case_dimension(comparison)
    counts = profile_counts(profile, dimension)
    cells, relations = [], []
    for side, codes, cases, key in (
        ("a", comparison.group_a, result.cases_a, item.a_keys[0]),
        ("b", comparison.group_b, result.cases_b, item.b_keys[0]),
    ):
        rows = covering(profile, dimension, codes)
        rest = ("implied", f"{comparison.id}:{side}")
        cells += [Cell(key, cases), Cell(rest, sum(counts[code] for code in rows) - cases)]
        relations.append(split(keys_of(dimension, rows), [key], rest))
    return cells, relations


def organisation_published(
    profile: Profile, measures: EqualityMeasures, flagged: Sequence[ClusterTest], policy: Policy
) -> tuple[Profile, tuple[Likelihood, ...], Published]:
    """What an organisation's report publishes: its profile aggregated before protection, each
    comparison's status, and every count protected. A breakdown that protection leaves with no recorded
    group shown apart (a small group whose only complement is the one other group), and that no
    published relative likelihood rests on, is shown as one row of every group recorded and protected
    again: a count of the cases recorded, and not stated, instead of a row of symbols."""
    clusters = [(test.dimension, test.codes, test.observed) for test in flagged]
    coarse, items, pub = _published(coarsen(profile, policy), measures, clusters, policy)
    folded = [dimension for dimension in COLLAPSED_LABELS if _nothing_apart(coarse, items, pub, dimension)]
    if not folded:
        return coarse, items, pub
    return _published(coarsen(profile, policy, folded), measures, clusters, policy)


def _published(
    profile: Profile,
    measures: EqualityMeasures,
    clusters: Sequence[tuple[str, tuple[str, ...], int]],
    policy: Policy,
) -> tuple[Profile, tuple[Likelihood, ...], Published]:
    items = likelihoods(measures, profile, policy)
    planned = groups(profile, likelihood_items=items, clusters=clusters, threshold=policy.threshold)
    return profile, tuple(items), publish(planned, profile.total, policy)


def _nothing_apart(profile: Profile, items: Sequence[Likelihood], pub: Published, dimension: str) -> bool:
    if pub.withheld:
        return False
    rows = [(dimension, row.code) for row in profile[dimension].rows if row.code != NOT_STATED]
    if len(rows) < 2 or not pub.hidden(*rows) or any(pub.value(key) for key in rows if pub.shown(key)):
        return False
    return not any(
        item.status == "candidate"
        and case_dimension(item.comparison) == dimension
        and pub.shown(*item.a_keys, *item.b_keys)
        for item in items
    )


def groups(
    profile: Profile,
    *,
    likelihood_items: Sequence[Likelihood] = (),
    clusters: Sequence[tuple[str, tuple[str, ...], int]] = (),
    threshold: int = 5,
) -> list[Group]:
    """Every count a report of this profile publishes, grouped by what links them besides the total.

    `clusters`: (dimension, codes, practitioners) of each flagged staff group; its practitioners are
    at most its cases, in each breakdown the group belongs to.
    """
    return [
        _one_way_group("years", profile, "fiscal_year"),
        _concerns_group(profile, threshold),
        _staff_group(profile, clusters),
        *(
            _demographic_group(
                profile, d, [i for i in likelihood_items if case_dimension(i.comparison) == d], threshold
            )
            for d in DEMOGRAPHICS
        ),
        _services_group(profile),
    ]


def _one_way_group(name: str, profile: Profile, dimension: str) -> Group:
    cells = cells_of(dimension, profile_counts(profile, dimension))
    return Group(name, cells, (sums_to_total([cell.key for cell in cells]),))


# Attribute disclosure: in a total under this many cases, a group that holds all but fewer than the
# threshold of them is hidden, whatever its size: showing it would tell that (nearly) everyone referred
# shares the characteristic (docs/disclosure.md).
ATTRIBUTE_SIZE = 20


def dominant(counts: Mapping[str, int], total: int, threshold: int, dimension: str = "") -> set[str]:
    """The codes (not stated aside) that hold all, or all but fewer than the threshold, of a small total.
    A row of every group recorded says only that the characteristic was recorded: it is not one."""
    if total >= ATTRIBUTE_SIZE:
        return set()
    return {
        code
        for code, count in counts.items()
        if code != "not_stated"
        and count > 0
        and total - count < threshold
        and not is_collapsed(dimension, code)
    }


def _concerns_group(profile: Profile, threshold: int) -> Group:
    counts = profile_counts(profile, "concern_category")
    categories = cells_of("concern_category", counts, conceal=dominant(counts, profile.total, threshold))
    subtypes = cells_of("concern_subtype", profile_counts(profile, "concern_subtype"))
    relations = multi_response(
        [c.key for c in categories if c.key[1] != MORE_THAN_ONE], ("concern_category", MORE_THAN_ONE)
    )
    # A sub-type implies its category; a case can have a category without a sub-type.
    relations += [
        at_most(cell.key, ("concern_category", str(v.CONCERNS.group(cell.key[1])))) for cell in subtypes
    ]
    return Group("concerns", (*categories, *subtypes), tuple(relations))


def practitioners_key(dimension: str, codes: Sequence[str]) -> CellKey:
    """The published count of a flagged staff group's practitioners with cases."""
    return ("practitioners", f"{dimension}:{'|'.join(codes)}")


def _staff_group(profile: Profile, clusters: Sequence[tuple[str, tuple[str, ...], int]]) -> Group:
    cells: list[Cell] = []
    relations: list[Relation] = []
    counts = {dimension: profile_counts(profile, dimension) for dimension in STAFF}
    for dimension in STAFF:
        own = cells_of(dimension, counts[dimension])
        cells += own
        relations.append(sums_to_total([cell.key for cell in own]))
    for pair in same_people(profile):
        cells.append(Cell(pair.key, pair.rest))
        if pair.unrecorded is None:
            relations.append(split(pair.whole, pair.part, pair.key))
        else:
            relations += beside_unrecorded(pair.whole, pair.part, pair.key, pair.unrecorded)
    for dimension, codes, practitioners in clusters:
        key = practitioners_key(dimension, codes)
        cells.append(Cell(key, practitioners))
        relations += [
            at_most(key, (breakdown, row))
            for breakdown, code in _breakdown_rows(dimension, codes)
            for row in covering(profile, breakdown, (code,))
        ]
    return Group("staff", tuple(cells), tuple(relations))


@dataclass(frozen=True)
class SamePeople:
    """Rows a reader may take to count the same practitioners: the larger side (`whole`, by count) holds
    the smaller (`part`) and `rest` more, a count published implicitly ("doctors whose grade is not a
    doctor's grade") under `key`. When the part's breakdown has a "not stated" row (`unrecorded`),
    some of the gap may be cases whose part was not recorded, which a reader cannot tell apart: `rest`
    leaves those out, and a reader knows it only to within that row's count."""

    key: CellKey
    whole: tuple[CellKey, ...]
    part: tuple[CellKey, ...]
    rest: int
    unrecorded: CellKey | None


def same_people(profile: Profile) -> list[SamePeople]:
    """Every SAME_PEOPLE relation as the (coarsened) profile's rows hold it, each set of rows once."""
    counts = {dimension: profile_counts(profile, dimension) for dimension in STAFF}
    pairs, seen = [], set()
    for index, ((dim_a, codes_a), (dim_b, codes_b)) in enumerate(SAME_PEOPLE):
        # With groups combined, the rows that hold the codes: a reader can set those sums side by side.
        rows_a, rows_b = covering(profile, dim_a, codes_a), covering(profile, dim_b, codes_b)
        keys_a, keys_b = keys_of(dim_a, rows_a), keys_of(dim_b, rows_b)
        if (keys_a, keys_b) in seen:
            continue
        seen.add((keys_a, keys_b))
        a, b = sum(counts[dim_a][c] for c in rows_a), sum(counts[dim_b][c] for c in rows_b)
        whole, part = (keys_b, keys_a) if b >= a else (keys_a, keys_b)
        gap, part_dimension = abs(b - a), part[0][0]
        unrecorded = _unrecorded_in(profile, whole, part_dimension)
        key = ("implied", f"same_people:{index}")
        if NOT_STATED in counts[part_dimension] and unrecorded <= gap:
            pairs.append(SamePeople(key, whole, part, gap - unrecorded, (part_dimension, NOT_STATED)))
        else:
            pairs.append(SamePeople(key, whole, part, gap, None))
    return pairs


def _unrecorded_in(profile: Profile, whole: Sequence[CellKey], part_dimension: str) -> int:
    """The cases of the `whole` rows whose `part_dimension` is not stated."""
    by_code = profile.unrecorded.get((part_dimension, whole[0][0]), {})
    return sum(by_code.get(code, 0) for _, row in whole for code in members(row))


def _breakdown_rows(dimension: str, codes: tuple[str, ...]) -> list[tuple[str, str]]:
    """The published breakdown rows a staff group's practitioners are part of: (table dimension, code)."""
    if dimension == "specialty_grade":
        return [("specialty_group", codes[0]), ("grade", codes[1])]
    if dimension == "specialty":  # no specialty table: the specialty's group holds them
        return [("specialty_group", str(v.SPECIALTIES.group(codes[0])))]
    return [(dimension, codes[0])]


def _aggregate_cells(item: Likelihood, profile: Profile) -> tuple[list[Cell], list[Relation]]:
    """A comparison's group of several codes as a published count of its own, equal to their sum."""
    if not item.a_keys or item.a_keys[0][0] != "likelihood":
        return [], []
    comparison = item.comparison
    key = item.a_keys[0]
    dimension = case_dimension(comparison)
    parts = keys_of(dimension, covering(profile, dimension, comparison.group_a))
    return [Cell(key, item.result.cases_a, keep=True)], [
        Relation(((key, 1), *((part, -1) for part in parts)))
    ]


def _demographic_group(
    profile: Profile, dimension: str, items: Sequence[Likelihood], threshold: int
) -> Group:
    # The cells the candidate comparisons rest on are the last to be hidden as complements.
    needed = {
        key[1]
        for item in items
        if item.status == "candidate"
        for key in (*item.a_keys, *item.b_keys)
        if key[0] == dimension
    }
    counts = profile_counts(profile, dimension)
    own = cells_of(
        dimension, counts, keep=needed, conceal=dominant(counts, profile.total, threshold, dimension)
    )
    cells, relations = list(own), [sums_to_total([cell.key for cell in own])]
    for item in items:
        extra_cells, extra_relations = likelihood_cells(item, profile)
        cells += extra_cells
        relations += extra_relations
    return Group(dimension, tuple(cells), tuple(relations))


def _services_group(profile: Profile) -> Group:
    cells = cells_of("service", profile_counts(profile, "service"))
    # Not every case uses a service beyond advice: each count is at most the total, nothing more.
    return Group("services", cells, tuple(at_most(cell.key, None) for cell in cells))
