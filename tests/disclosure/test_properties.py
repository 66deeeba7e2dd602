"""Properties over random tables with many small counts, under every built-in policy."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from concerns.disclosure import POLICIES, Reason, audit, link, multi_response, one_way, protect, two_way

counts = st.one_of(st.integers(0, 12), st.integers(0, 12), st.integers(0, 60))
policies = st.sampled_from(sorted(POLICIES))


@st.composite
def two_way_tables(draw):
    rows, columns = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    return two_way("t", {f"r{r}": {f"c{c}": draw(counts) for c in range(columns)} for r in range(rows)})


@st.composite
def linked_tables(draw):
    """A profession table, a sex table and a concern-category table built from the same cases."""
    case = st.tuples(
        st.sampled_from(["doctor", "dentist", "pharmacist"]),
        st.sampled_from(["female", "male", "not_stated"]),
        st.sets(st.sampled_from(["clinical", "behaviour", "health", "other"]), min_size=1),
    )
    cases = draw(st.lists(case, max_size=40))
    professions = Counter(p for p, _, _ in cases)
    sexes = Counter(s for _, s, _ in cases)
    categories = {
        c: sum(c in cats for _, _, cats in cases) for c in ("clinical", "behaviour", "health", "other")
    }
    categories["more_than_one"] = sum(len(cats) > 1 for _, _, cats in cases)
    return link(
        one_way("profession", {p: professions[p] for p in ("doctor", "dentist", "pharmacist")}),
        one_way("sex", {s: sexes[s] for s in ("female", "male", "not_stated")}),
        multi_response("categories", categories, len(cases), more_than_one="more_than_one"),
        same=[
            (("profession", "total"), ("sex", "total")),
            (("profession", "total"), ("categories", "total")),
        ],
    )


def assert_protected(table, policy_name):
    policy = POLICIES[policy_name]
    protection = protect(table, policy)
    zeros_hidden = protection.zeros_hidden
    for cell in table.cells:
        published = protection[cell.key]
        small = policy.is_small(cell.value, zeros_hidden=zeros_hidden)
        if not published.suppressed:
            assert not small, f"{cell.key} shown although small"
            assert published.value == policy.rounded(cell.value)
            assert published.display == f"{published.value:,}"
            continue
        assert published.value is None
        assert published.display in {policy.symbol, policy.complementary_symbol}
        if not protection.withheld:
            assert (published.reason is Reason.PRIMARY) == small
            expected = policy.symbol if small else policy.complementary_symbol
            assert published.display == expected
    assert protection.audit.ok, protection.audit.problems
    again = audit(table, protection)
    assert again.ok and dict(again.intervals) == dict(protection.audit.intervals)
    for key, interval in again.intervals.items():
        required = policy.min_width if protection[key].reason is Reason.PRIMARY else 1
        assert interval.width >= required
    return protection


@settings(max_examples=60, deadline=None)
@given(two_way_tables(), policies)
def test_it_never_leaves_a_hidden_count_recoverable_in_a_two_way_table(table, policy_name):
    assert_protected(table, policy_name)


@settings(max_examples=40, deadline=None)
@given(linked_tables(), policies)
def test_it_never_leaves_a_hidden_count_recoverable_across_linked_tables(table, policy_name):
    assert_protected(table, policy_name)


@settings(max_examples=40, deadline=None)
@given(st.lists(counts, min_size=1, max_size=8), policies)
def test_it_never_leaves_a_hidden_count_recoverable_in_a_list(values, policy_name):
    protection = assert_protected(one_way("y", {f"k{i}": v for i, v in enumerate(values)}), policy_name)
    assert protect(one_way("y", {f"k{i}": v for i, v in enumerate(values)}), policy_name) == protection


@settings(max_examples=60, deadline=None)
@given(table=two_way_tables(), policy=policies)
def test_it_solves_every_audit_programme_as_scipys_linprog_does(table, policy):
    from concerns.disclosure._audit import Auditor

    protection = protect(table, policy)
    auditor = Auditor(table, protection.policy, zeros_hidden=protection.zeros_hidden)
    bounds = auditor.bounds(protection.reasons)
    for position in range(len(table.cells)):
        for sign in (1.0, -1.0):
            objective = [0.0] * len(table.cells)
            objective[position] = sign
            fast = auditor._solve_linear(np.array(objective), bounds)
            reference = auditor._solve_linear_reference(np.array(objective), bounds)
            assert fast[0] == reference[0]
            if fast[0] == 0:
                assert abs(fast[1] - reference[1]) < 1e-6
