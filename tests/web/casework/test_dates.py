"""Due-date arithmetic: named edge cases (month ends, leap years) and properties over every date."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concerns.web.casework import dates

days = st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2099, 12, 31))


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2025, 1, 31), dt.date(2025, 2, 28)),
        (dt.date(2024, 1, 31), dt.date(2024, 2, 29)),  # leap year
        (dt.date(2024, 1, 29), dt.date(2024, 2, 29)),
        (dt.date(2025, 1, 29), dt.date(2025, 2, 28)),
        (dt.date(2025, 3, 31), dt.date(2025, 4, 30)),
        (dt.date(2025, 9, 3), dt.date(2025, 10, 3)),  # the ICO's own example
        (dt.date(2025, 12, 31), dt.date(2026, 1, 31)),  # across a year end
        (dt.date(2024, 2, 29), dt.date(2024, 3, 29)),
    ],
)
def test_it_gives_a_sar_one_calendar_month_with_month_end_rules(received, due):
    assert dates.sar_due(received, received) == due


def test_it_starts_the_sar_clock_at_the_later_of_receipt_and_identity_verification():
    assert dates.sar_due(dt.date(2025, 1, 10), dt.date(2025, 1, 31)) == dt.date(2025, 2, 28)
    assert dates.sar_due(dt.date(2025, 1, 10), None) is None


@pytest.mark.parametrize(
    ("received", "extended_due"),
    [
        (dt.date(2025, 1, 31), dt.date(2025, 4, 30)),
        (dt.date(2023, 11, 30), dt.date(2024, 2, 29)),
        (dt.date(2025, 11, 30), dt.date(2026, 2, 28)),
        (dt.date(2025, 5, 15), dt.date(2025, 8, 15)),
    ],
)
def test_it_extends_a_sar_by_two_further_months_from_the_clock_start(received, extended_due):
    assert dates.sar_due(received, received, extended=True) == extended_due


@given(days, st.integers(min_value=-600, max_value=600))
def test_it_adds_months_to_the_same_day_or_the_month_end(day, months):
    later = dates.add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    last = calendar.monthrange(later.year, later.month)[1]
    assert later.day == min(day.day, last)


@given(days, days)
def test_it_never_makes_a_sar_due_before_a_month_has_passed(received, verified):
    verified = max(received, verified)
    due = dates.sar_due(received, verified)
    assert 28 <= (due - verified).days <= 31
    assert dates.sar_due(received, verified, extended=True) > due


@given(days, days)
def test_it_keeps_the_sar_due_date_in_step_with_the_start(first, second):
    early, late = sorted((first, second))
    assert dates.sar_due(early, early) <= dates.sar_due(late, late)


def test_it_reviews_a_formal_exclusion_four_weeks_after_start_and_each_review():
    start = dt.date(2025, 1, 6)
    assert dates.next_exclusion_review(start, []) == dt.date(2025, 2, 3)
    assert dates.next_exclusion_review(start, [dt.date(2025, 2, 1)]) == dt.date(2025, 3, 1)
    # February of a leap year: 4 weeks is 28 days, not a calendar month.
    assert dates.next_exclusion_review(dt.date(2024, 2, 1), []) == dt.date(2024, 2, 29)


@given(days, st.lists(days, max_size=8))
def test_it_never_leaves_more_than_four_weeks_between_exclusion_reviews(start, reviews):
    held = [review for review in reviews if review >= start]
    due = dates.next_exclusion_review(start, held)
    assert due - max([start, *held]) == dt.timedelta(days=28)


def test_it_ends_an_immediate_exclusion_within_two_weeks():
    assert dates.immediate_exclusion_ends_by(dt.date(2025, 12, 25)) == dt.date(2026, 1, 8)


@pytest.mark.parametrize(
    ("start", "on", "beyond"),
    [
        (dt.date(2025, 1, 15), dt.date(2025, 7, 15), False),
        (dt.date(2025, 1, 15), dt.date(2025, 7, 16), True),
        (dt.date(2024, 8, 31), dt.date(2025, 2, 28), False),  # six months from 31 August ends 28 February
        (dt.date(2024, 8, 31), dt.date(2025, 3, 1), True),
        (dt.date(2023, 8, 31), dt.date(2024, 2, 29), False),  # leap year
    ],
)
def test_it_flags_exclusions_beyond_six_months(start, on, beyond):
    assert dates.exclusion_beyond_six_months(start, on) is beyond


def test_it_flags_three_or_more_renewals():
    assert [dates.many_renewals(n) for n in range(5)] == [False, False, False, True, True]


def test_it_reviews_an_hpan_six_months_after_issue_or_its_last_review():
    assert dates.next_hpan_review(dt.date(2024, 8, 31), []) == dt.date(2025, 2, 28)
    assert dates.next_hpan_review(dt.date(2024, 8, 31), [dt.date(2025, 2, 20)]) == dt.date(2025, 8, 20)


def test_it_counts_the_response_target_in_working_days():
    assert dates.response_due(dt.date(2025, 6, 5)) == dt.date(2025, 6, 9)  # Thursday → Monday
    assert dates.response_due(dt.date(2025, 6, 7)) == dt.date(2025, 6, 10)  # Saturday → Tuesday


@given(days)
def test_it_never_sets_a_response_due_date_on_a_weekend(day):
    due = dates.response_due(day)
    assert due.weekday() < 5 and 2 <= (due - day).days <= 4


def test_it_calls_overdue_only_what_is_past_due_and_not_done():
    due = dt.date(2025, 3, 1)
    assert dates.is_overdue(due, dt.date(2025, 3, 2))
    assert not dates.is_overdue(due, dt.date(2025, 3, 1))
    assert not dates.is_overdue(due, dt.date(2025, 3, 9), done_on=dt.date(2025, 3, 5))
    assert not dates.is_overdue(None, dt.date(2025, 3, 9))
