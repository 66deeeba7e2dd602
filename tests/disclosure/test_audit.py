"""The audit against an independent brute force: every whole-number table a reader cannot rule out."""

from __future__ import annotations

import math

import numpy as np
import pytest

from concerns.disclosure import Interval, Policy, Reason, audit, multi_response, one_way, protect, two_way


def brute_force_intervals(table, protection, cap):
    """Enumerate every assignment of whole counts consistent with what is published.

    Written from the policy's definition, not the module's code: a shown count is
    any count that rounds (halves up) to what is shown and is not small; a hidden
    small count is any small count; a complement is any count from the threshold up
    to `cap` (chosen above any count the shown totals allow).
    """
    policy = protection.policy
    small = range(0 if protection.zeros_hidden else 1, policy.threshold)
    base = policy.rounding_base
    options = []
    for cell in table.cells:
        published = protection[cell.key]
        if not published.suppressed:
            choices = [
                n
                for n in range(cap + 1)
                if base * math.floor(n / base + 0.5) == published.value and n not in small
            ]
        elif published.reason is Reason.PRIMARY:
            choices = list(small)
        else:
            choices = list(range(policy.threshold, cap + 1))
        options.append(np.array(choices, dtype=np.int32))
    grids = [grid.ravel() for grid in np.meshgrid(*options, indexing="ij")]
    position = {key: i for i, key in enumerate(table.keys)}
    feasible = np.ones(grids[0].shape, dtype=bool)
    for constraint in table.constraints:
        left = sum(coefficient * grids[position[key]] for key, coefficient in constraint.terms)
        feasible &= (
            (left == constraint.constant)
            if constraint.relation.value == "=="
            else (left <= constraint.constant)
        )
    assert feasible.any(), "the true table must be feasible"
    return {
        key: Interval(
            float(grids[position[key]][feasible].min()), float(grids[position[key]][feasible].max())
        )
        for key, cell in protection.cells.items()
        if cell.suppressed
    }


def assert_matches_brute_force(table, protection, cap):
    brute = brute_force_intervals(table, protection, cap)
    assert all(found.high < cap for found in brute.values()), "cap too low to see the true upper bounds"
    assert dict(protection.audit.intervals) == brute
    assert dict(audit(table, protection, integral=True).intervals) == brute


def test_it_matches_brute_force_on_the_classic_two_by_two():
    table = two_way("t", {"a": {"x": 2, "y": 9}, "b": {"x": 8, "y": 15}})
    assert_matches_brute_force(table, protect(table, "standard"), cap=40)


def test_it_matches_brute_force_on_a_two_by_three_table():
    table = two_way("t", {"a": {"x": 3, "y": 7, "z": 1}, "b": {"x": 6, "y": 2, "z": 0}})
    protection = protect(table, "standard")
    assert sum(cell.suppressed for cell in protection.cells.values()) >= 4
    assert_matches_brute_force(table, protection, cap=21)


def test_it_matches_brute_force_when_shown_counts_are_rounded():
    table = one_way("y", {"a": 3, "b": 9, "c": 14})
    assert_matches_brute_force(table, protect(table, "nhs-digital"), cap=40)


def test_it_matches_brute_force_under_the_10_5_rule():
    table = one_way("y", {"a": 0, "b": 4, "c": 12, "d": 11})
    protection = protect(table, "ons-10-5")
    assert_matches_brute_force(table, protection, cap=40)


def test_it_matches_brute_force_on_a_multi_response_table():
    table = multi_response("cat", {"c1": 6, "c2": 3, "c3": 1, "several": 3}, 7, more_than_one="several")
    assert_matches_brute_force(table, protect(table, "standard"), cap=12)


def test_it_reports_an_unbounded_interval_as_infinite():
    table = one_way("y", {"a": 1, "b": 5})
    protection = protect(table, "standard")
    assert protection.audit.intervals[("y", "total")] == Interval(6, math.inf)
    assert str(protection.audit.intervals[("y", "total")]) == "[6, inf]"


def test_it_audits_an_explicit_mapping_of_reasons():
    table = one_way("y", {"a": 3, "b": 12, "c": 20})
    result = audit(table, {("y", "a"): Reason.PRIMARY, ("y", "b"): Reason.COMPLEMENTARY}, "standard")
    assert result.ok
    assert result.intervals[("y", "a")] == Interval(1, 4)  # a + b = 15, b >= 5


def test_it_says_which_cell_fails_and_why():
    table = one_way("y", {"a": 3, "b": 12, "c": 20})
    result = audit(table, [("y", "a")], "standard")
    assert not result.ok
    [problem] = result.problems
    assert problem.key == ("y", "a")
    assert problem.required_width == 2
    assert "worked out exactly" in problem.message


def test_it_refuses_to_audit_a_large_count_marked_as_small_or_without_a_policy():
    table = one_way("y", {"a": 3, "b": 12})
    with pytest.raises(ValueError, match="marked primary"):
        audit(table, {("y", "b"): Reason.PRIMARY}, "standard")
    with pytest.raises(TypeError, match="policy"):
        audit(table, [("y", "a")])


def test_it_protects_the_same_way_when_the_reader_uses_whole_numbers():
    table = two_way("t", {"a": {"x": 2, "y": 9, "z": 4}, "b": {"x": 8, "y": 15, "z": 1}})
    linear, integral = protect(table, "standard"), protect(table, "standard", integral=True)
    assert linear.cells == integral.cells
    assert dict(linear.audit.intervals) == dict(integral.audit.intervals)


def test_it_is_at_least_as_cautious_as_brute_force_when_rounding_spans_the_small_range():
    coarse = Policy(
        "coarse", threshold=3, symbol="<3", complementary_symbol="*", min_width=1, rounding_base=10
    )
    table = one_way("y", {"a": 0, "b": 4, "c": 1, "d": 12})
    protection = protect(table, coarse)
    # b = 4 is shown as 0, like a = 0: a reader cannot tell 0 from 3 or 4; the audit assumes they can.
    assert [protection.display(key) for key in table.keys] == ["0", "0", "<3", "10", "20"]
    brute = brute_force_intervals(table, protection, cap=40)
    for key, found in protection.audit.intervals.items():
        assert brute[key].low <= found.low and found.high <= brute[key].high
    assert protection.audit.ok
