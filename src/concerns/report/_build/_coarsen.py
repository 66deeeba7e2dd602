"""Aggregate before suppressing: small groups are combined into rows a reader can use.

Complementary suppression hides a second count for every small one, so a
table of many small groups loses most of its figures. Before any count is
protected, each breakdown's small groups are combined with their neighbours
in a family of groups that belong together (dentists with pharmacists, the
ethnic minority groups with each other, adjacent age bands, ...):

1. the small groups of a family are combined into one row;
2. if that row is still small, the smallest larger group of the family joins
   it, so that nothing in the family needs hiding; with no larger group the
   row stays small and disclosure control hides it with a complement;
3. age bands only combine with their neighbours, so a combined band is still
   a range of ages.

A combined row's code joins its members' codes with "+" (`"dentist+pharmacist"`);
"not stated" is never combined (docs/disclosure.md). Zeros are small only
under a policy that hides them. The reference groups of the equality
comparisons (white, UK graduates, female) and doctors are in no family, so
that the measures a board needs keep their own rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from concerns import vocabulary as v
from concerns.analytics import SINGLE_VALUED, Breakdown, Count, Profile, Share
from concerns.disclosure import Policy
from concerns.report._build import _format as f

JOIN = "+"
NOT_STATED = "not_stated"
Size = Callable[[Sequence[str]], int]  # the cases of a group of codes


@dataclass(frozen=True)
class Family:
    """Groups of one dimension that may be combined, and the label of a combination of more than two."""

    codes: tuple[str, ...]
    label: str
    ordered: bool = False  # combine only neighbours (age bands)


DOCTOR_GRADES = ("consultant", "sas", "resident", "locally_employed", "gp")
SPECIALTY_GROUPS = tuple(code for code in v.SPECIALTY_GROUPS.codes if code != "not_stated")

FAMILIES: dict[str, tuple[Family, ...]] = {
    "profession": (Family(("dentist", "pharmacist"), "Dentists and pharmacists"),),
    "grade": (
        Family(DOCTOR_GRADES, "Other doctors' grades"),
        Family(("dentist", "pharmacist"), "Dentists and pharmacists"),
    ),
    "specialty_group": (Family(SPECIALTY_GROUPS, "Smaller specialty groups combined"),),
    "ethnic_group": (Family(v.ETHNIC_MINORITY_GROUPS, "Other ethnic minority groups"),),
    "age_band": (Family(("under_35", "35_44", "45_54", "55_64", "65_plus"), "Ages combined", ordered=True),),
    "pmq": (Family(("eea", "international"), "Qualified outside the UK"),),
}

FAMILY_LABELS = frozenset(family.label for families in FAMILIES.values() for family in families)

# A breakdown none of whose groups could be shown apart is shown as one row of every group recorded.
# Only the equality characteristics: the staff breakdowns hold the same people as each other (grade
# dentist and profession dentist), and a row of everyone recorded in one would break those relations.
COLLAPSED_LABELS = {
    "ethnic_group": "Ethnic group recorded",
    "sex": "Sex recorded",
    "age_band": "Age recorded",
    "pmq": "Place of qualification recorded",
    "disability": "Disability recorded",
}

# Labels a pair reads better with than "A and B".
PAIR_LABELS: dict[tuple[str, ...], str] = {
    ("dentist", "pharmacist"): "Dentists and pharmacists",
    ("eea", "international"): "Qualified outside the UK",
}


def members(code: str) -> tuple[str, ...]:
    return tuple(code.split(JOIN))


def is_combined(code: str) -> bool:
    return JOIN in code


def coarsen(profile: Profile, policy: Policy, collapsed: Iterable[str] = ()) -> Profile:
    """The profile with each breakdown's small groups combined (see the module's docstring), and every
    recorded group of each `collapsed` dimension in one row."""
    if policy.is_small(profile.total) or (profile.total == 0 and not policy.show_zeros):
        return _everything_combined(profile)
    breakdowns = dict(profile.breakdowns)
    collapsed = frozenset(collapsed)
    for dimension in dict.fromkeys([*FAMILIES, *collapsed]):
        breakdown = breakdowns[dimension]
        counts = {row.code: row.cases for row in breakdown.rows}
        if dimension in collapsed:
            stated = tuple(code for code in counts if code != NOT_STATED)
            groups = [stated, *((code,) for code in counts if code == NOT_STATED)]
        else:
            groups = [(code,) for code in counts]
            for family in FAMILIES[dimension]:
                groups = _combine_family(groups, counts, family, policy)
        breakdowns[dimension] = _rebuilt(breakdown, groups, counts)
    return replace(profile, breakdowns=breakdowns)


# Too few cases in all to publish any breakdown (the report is withheld): each breakdown's recorded
# groups are one row, its count at most the small total, with "not stated" beside it. Aggregated as
# far as it goes, like any other small group, instead of a row of symbols per group.
WHOLE_LABELS = {
    "profession": "Profession recorded",
    "grade": "Grade recorded",
    "specialty_group": "Specialty group recorded",
    **COLLAPSED_LABELS,
}


def _everything_combined(profile: Profile) -> Profile:
    breakdowns = dict(profile.breakdowns)
    for dimension in SINGLE_VALUED:
        breakdown = breakdowns[dimension]
        counts = {row.code: row.cases for row in breakdown.rows}
        stated = tuple(code for code in counts if code != NOT_STATED)
        groups = [stated, *((code,) for code in counts if code == NOT_STATED)]
        breakdowns[dimension] = _rebuilt(breakdown, groups, counts)
    return replace(profile, breakdowns=breakdowns)


def is_whole(dimension: str, code: str) -> bool:
    """A row that holds every recorded group of its dimension."""
    stated = {c for c in SINGLE_VALUED[dimension].codes if c != NOT_STATED}
    return len(stated) > 1 and set(members(code)) == stated


def is_collapsed(dimension: str, code: str) -> bool:
    """A row that holds every recorded group of its dimension."""
    return dimension in COLLAPSED_LABELS and is_whole(dimension, code)


def _small(count: int, policy: Policy) -> bool:
    return policy.is_small(count, zeros_hidden=not policy.show_zeros)


def _combine_family(
    groups: list[tuple[str, ...]], counts: dict[str, int], family: Family, policy: Policy
) -> list[tuple[str, ...]]:
    def size(group: Sequence[str]) -> int:
        return sum(counts[code] for code in group)

    inside = [group for group in groups if set(group) <= set(family.codes)]
    if family.ordered:
        combined = _combine_neighbours(inside, size, policy)
    else:
        combined = _combine_small(inside, size, policy)
    if combined == inside:
        return groups
    order = {code: index for index, code in enumerate(counts)}
    outside = [group for group in groups if group not in inside]
    return sorted([*outside, *combined], key=lambda group: order[group[0]])


def _combine_small(groups: list[tuple[str, ...]], size: Size, policy: Policy) -> list[tuple[str, ...]]:
    small = [group for group in groups if size(group) and _small(size(group), policy)]
    if not policy.show_zeros:
        small += [group for group in groups if not size(group)]
    if not small:
        return groups
    merged = tuple(code for group in small for code in group)
    larger = sorted(
        (size(group), index) for index, group in enumerate(groups) if group not in small and size(group)
    )
    if _small(size(merged), policy) and larger:
        merged += groups[larger[0][1]]
    if len(small) == 1 and merged == small[0]:
        return groups
    rest = [group for group in groups if not set(group) & set(merged)]
    return [*rest, tuple(code for group in groups for code in group if code in merged)]


def _combine_neighbours(groups: list[tuple[str, ...]], size: Size, policy: Policy) -> list[tuple[str, ...]]:
    groups = list(groups)
    while len(groups) > 1:
        small = [
            index
            for index, group in enumerate(groups)
            if _small(size(group), policy) and (size(group) or not policy.show_zeros)
        ]
        if not small:
            break
        index = min(small, key=lambda i: (size(groups[i]), i))
        neighbours = [i for i in (index - 1, index + 1) if 0 <= i < len(groups)]
        other = min(neighbours, key=lambda i: (size(groups[i]), i))
        low, high = sorted((index, other))
        groups[low : high + 1] = [groups[low] + groups[high]]
    return groups


def _rebuilt(breakdown: Breakdown, groups: Iterable[tuple[str, ...]], counts: dict[str, int]) -> Breakdown:
    from concerns.analytics.stats import wilson_interval

    rows = {row.code: row for row in breakdown.rows}
    new_rows = []
    for group in groups:
        if len(group) == 1:
            new_rows.append(rows[group[0]])
            continue
        cases = sum(counts[code] for code in group)
        share = None
        if breakdown.total:
            interval = wilson_interval(cases, breakdown.total)
            assert interval  # total > 0
            share = Share(cases / breakdown.total, interval.low, interval.high)
        new_rows.append(
            Count(JOIN.join(group), combined_label(breakdown.dimension, group, rows), cases, share)
        )
    return replace(breakdown, rows=tuple(new_rows))


def combined_label(dimension: str, group: Sequence[str], rows: dict[str, Count]) -> str:
    if is_whole(dimension, JOIN.join(group)):
        return WHOLE_LABELS[dimension]
    if tuple(group) in PAIR_LABELS:
        return PAIR_LABELS[tuple(group)]
    if dimension == "age_band":
        return _age_range(group[0], group[-1])
    family = next(f for f in FAMILIES[dimension] if set(group) <= set(f.codes))
    if len(group) == 2:
        first, second = (rows[code].label for code in group)
        return f"{first} and {_lower(second)}"
    if dimension == "specialty_group" and len(group) <= LISTED:
        # Named, not "other ...": the breakdown has a group called "Other" of its own.
        labels = [rows[code].label for code in group]
        return ", ".join([labels[0], *map(_lower, labels[1:-1])]) + f" and {_lower(labels[-1])}"
    return family.label


LISTED = 4  # a combination of up to this many specialty groups is named by its members


def _lower(label: str) -> str:
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def _age_range(first: str, last: str) -> str:
    low = None if first == "under_35" else first.split("_")[0]
    high = None if last == "65_plus" else last.split("_")[1]
    if low is None:
        return "All ages" if high is None else f"Under {int(high) + 1}"
    if high is None:
        return f"{low} and over"
    return f"{low} to {high}"


def member_labels(labels: Mapping[str, str], code: str) -> str:
    """A combined row's groups, for a table note."""
    names = [
        labels[c] if i == 0 or labels[c][:2].isupper() else labels[c][0].lower() + labels[c][1:]
        for i, c in enumerate(members(code))
    ]
    return f.and_list(names)


def covering(profile: Profile, dimension: str, codes: Iterable[str]) -> tuple[str, ...]:
    """The rows of the (coarsened) profile that hold any of `codes`."""
    wanted = set(codes)
    return tuple(row.code for row in profile[dimension].rows if set(members(row.code)) & wanted)


def exact_cover(profile: Profile, dimension: str, codes: Sequence[str]) -> tuple[str, ...] | None:
    """The rows that hold exactly `codes`, or None when a row also holds other groups."""
    rows = covering(profile, dimension, codes)
    held = {code for row in rows for code in members(row)}
    return rows if held == set(codes) else None
