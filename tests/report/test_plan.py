"""Which counts a report publishes: the "same people" relations and grades not recorded (report/_build/_plan.py)."""

from __future__ import annotations

import polars as pl

from concerns.analytics._period import Period
from concerns.analytics._profile import profile, unrecorded_dimension
from concerns.disclosure import get_policy
from concerns.report._build import _plan
from concerns.report._build._protection import publish

STANDARD = get_policy("standard")
YEAR = "2024/25"
DOCTORS_RECORDED = {"consultant": 28, "sas": 11, "resident": 6, "locally_employed": 3}


def staff_profile(other_grade: int, grade_not_stated: int, doctors_not_stated: int):
    """52 cases: 51 doctors and 1 dentist; the doctors outside the doctors' grades have grade 'other'
    or no grade recorded. Everyone white, female, 45-54, UK graduate, not disabled, clinical."""
    total = 52
    assert sum(DOCTORS_RECORDED.values()) + other_grade + grade_not_stated + 1 == total
    counts = [
        ("total", "total", total),
        ("fiscal_year", YEAR, total),
        ("profession", "doctor", 51),
        ("profession", "dentist", 1),
        *(("grade", code, n) for code, n in DOCTORS_RECORDED.items()),
        ("grade", "dentist", 1),
        ("grade", "other", other_grade),
        ("grade", "not_stated", grade_not_stated),
        ("specialty_group", "medicine", 51),
        ("specialty_group", "dental", 1),
        (unrecorded_dimension("grade", "profession"), "doctor", doctors_not_stated),
        (unrecorded_dimension("grade", "specialty_group"), "medicine", grade_not_stated),
        ("ethnic_group", "white", total),
        ("sex", "female", total),
        ("age_band", "45_54", total),
        ("pmq", "uk", total),
        ("disability", "no", total),
        ("concern_category", "clinical", total),
    ]
    frame = pl.DataFrame(
        [("X1", dimension, code, n) for dimension, code, n in counts if n],
        schema=["org_code", "dimension", "code", "cases"],
        orient="row",
    )
    return profile(frame, "X1", Period((YEAR,)))


def published(staff):
    return publish(_plan.groups(staff), staff.total, STANDARD)


def doctors_outside_doctors_grades(staff) -> _plan.SamePeople:
    return next(pair for pair in _plan.same_people(staff) if pair.whole == (("profession", "doctor"),))


def test_doctors_whose_grade_was_not_recorded_are_a_gap_in_recording_and_leave_the_zeros_shown() -> None:
    staff = staff_profile(other_grade=0, grade_not_stated=3, doctors_not_stated=3)
    pair = doctors_outside_doctors_grades(staff)
    # 51 doctors less 48 in doctors' grades: 3, all with no grade recorded, so none a reader could single out.
    assert (pair.rest, pair.unrecorded) == (0, ("grade", "not_stated"))
    pub = published(staff)
    assert "grade" not in pub.zeros_hidden
    assert [pub.display(("grade", code)) for code in ("gp", "pharmacist", "other", "not_stated")] == [
        "0",
        "0",
        "0",
        "3",
    ]
    assert pub.display(("grade", "dentist")) == "<5"


def test_doctors_of_another_grade_are_people_and_stay_protected() -> None:
    staff = staff_profile(other_grade=3, grade_not_stated=0, doctors_not_stated=0)
    pair = doctors_outside_doctors_grades(staff)
    assert (pair.rest, pair.unrecorded) == (3, ("grade", "not_stated"))
    pub = published(staff)
    assert pub.hidden(("grade", "other"), pair.key)
    assert pub.is_primary(pair.key)
    interval = next(i for key, i in _audit(pub).items() if key == pair.key)
    assert interval.high - interval.low >= STANDARD.min_width


def _audit(pub):
    from concerns.disclosure import audit

    table, reasons, zeros_hidden = pub.linked()
    return audit(table, reasons, STANDARD, zeros_hidden=zeros_hidden).intervals
