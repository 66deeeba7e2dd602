"""Policies as data: the built-ins, lookup, rounding and validation."""

from __future__ import annotations

import dataclasses

import pytest

from concerns.disclosure import POLICIES, Policy, UnknownPolicyError, get_policy


def test_it_describes_the_three_built_in_policies_as_the_issue_states():
    standard, nhs, ons = get_policy("standard"), get_policy("nhs-digital"), get_policy("ons-10-5")
    assert (standard.threshold, standard.symbol, standard.show_zeros, standard.rounding_base) == (
        5,
        "<5",
        True,
        1,
    )
    assert (nhs.threshold, nhs.symbol, nhs.show_zeros, nhs.rounding_base) == (8, "*", True, 5)
    assert (ons.threshold, ons.symbol, ons.show_zeros, ons.rounding_base) == (10, "[c]", False, 5)
    assert standard.small_range() == (1, 4)
    assert nhs.small_range() == (1, 7)
    assert ons.small_range() == (0, 9)
    assert sorted(POLICIES) == ["nhs-digital", "ons-10-5", "standard"]


def test_it_sets_each_built_in_protection_to_half_the_small_range_rounded_up():
    for policy in POLICIES.values():
        lowest, highest = policy.small_range()
        assert policy.min_width == -(-(highest - lowest) // 2)


def test_it_finds_a_policy_whatever_the_case_and_spacing():
    assert get_policy("  NHS-Digital ") is POLICIES["nhs-digital"]


def test_it_names_the_known_policies_when_a_name_is_unknown():
    with pytest.raises(UnknownPolicyError) as caught:
        get_policy("nhs")
    message = str(caught.value)
    assert "'nhs'" in message
    assert "nhs-digital, ons-10-5, standard" in message
    assert isinstance(caught.value, ValueError)


def test_it_rounds_to_the_nearest_five_with_halves_up():
    nhs = get_policy("nhs-digital")
    assert [nhs.rounded(n) for n in (0, 2, 3, 8, 12, 13, 17, 18, 22, 23)] == [
        0,
        0,
        5,
        10,
        10,
        15,
        15,
        20,
        20,
        25,
    ]
    tens = dataclasses.replace(nhs, name="tens", rounding_base=10, min_width=3)
    assert [tens.rounded(n) for n in (4, 5, 14, 15, 25)] == [0, 10, 10, 20, 30]


@pytest.mark.parametrize("base", [1, 2, 5, 10])
def test_it_knows_exactly_which_counts_are_shown_as_a_rounded_value(base):
    policy = Policy("p", threshold=5, symbol="<5", complementary_symbol="*", min_width=2, rounding_base=base)
    for shown in range(0, 60, base):
        low, high = policy.shown_as(shown)
        assert [n for n in range(0, 80) if policy.rounded(n) == shown] == list(range(low, high + 1))


def test_it_rejects_policies_that_cannot_work():
    with pytest.raises(ValueError, match="threshold"):
        Policy("p", threshold=0, symbol="x", complementary_symbol="x", min_width=1)
    with pytest.raises(ValueError, match="rounding_base"):
        Policy("p", threshold=5, symbol="x", complementary_symbol="x", min_width=1, rounding_base=0)
    with pytest.raises(ValueError, match="min_width must be between 1 and 3"):
        Policy("p", threshold=5, symbol="x", complementary_symbol="x", min_width=4)
    with pytest.raises(ValueError, match="symbols"):
        Policy("p", threshold=5, symbol="", complementary_symbol="x", min_width=1)
    with pytest.raises(ValueError, match="two counts"):
        Policy("p", threshold=1, symbol="x", complementary_symbol="x", min_width=1, show_zeros=False)


def test_it_allows_a_policy_that_hides_nothing():
    policy = Policy("open", threshold=1, symbol="x", complementary_symbol="x", min_width=1)
    assert not any(policy.is_small(n) for n in range(20))


def test_it_makes_a_policy_with_another_threshold_and_a_width_half_its_small_range():
    from concerns.disclosure import with_threshold

    seven = with_threshold("standard", 7)
    assert (seven.name, seven.symbol, seven.complementary_symbol, seven.min_width) == (
        "standard-7",
        "<7",
        "*",
        3,
    )
    assert seven.is_small(6) and not seven.is_small(7) and not seven.is_small(0)
    ten = with_threshold("nhs-digital", 10)
    assert (ten.symbol, ten.min_width, ten.rounding_base) == ("*", 4, 5)
    assert with_threshold("standard", 5) is get_policy("standard")
    with pytest.raises(ValueError, match="at least 3"):
        with_threshold("standard", 2)
    with pytest.raises(ValueError, match="at least 1"):
        with_threshold("standard", 0)
