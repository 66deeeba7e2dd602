"""Small groups are combined before any count is hidden (report/_build/_coarsen.py)."""

from __future__ import annotations

from concerns.analytics._period import Period
from concerns.analytics._profile import SINGLE_VALUED, Breakdown, Count, Profile
from concerns.disclosure import get_policy
from concerns.report._build._coarsen import coarsen, exact_cover

STANDARD = get_policy("standard")


def profile_of(dimension: str, counts: dict[str, int]) -> Profile:
    labels = SINGLE_VALUED[dimension].labels()
    rows = tuple(Count(code, labels[code], counts.get(code, 0), None) for code in labels)
    total = sum(counts.values())
    breakdowns = {
        d: Breakdown(d, d, total, rows if d == dimension else _zeros(d), True) for d in SINGLE_VALUED
    }
    return Profile("X1", Period(("2024/25",)), total, breakdowns)


def _zeros(dimension: str) -> tuple[Count, ...]:
    return tuple(Count(code, label, 0, None) for code, label in SINGLE_VALUED[dimension].labels().items())


def rows(profile: Profile, dimension: str) -> list[tuple[str, str, int]]:
    return [(row.code, row.label, row.cases) for row in profile[dimension].rows]


def test_it_combines_dentists_with_pharmacists_and_never_doctors() -> None:
    coarse = coarsen(profile_of("profession", {"doctor": 40, "dentist": 3, "pharmacist": 4}), STANDARD)
    assert rows(coarse, "profession") == [
        ("doctor", "Doctor", 40),
        ("dentist+pharmacist", "Dentists and pharmacists", 7),
    ]


def test_a_still_small_combination_takes_in_the_smallest_larger_group_of_its_family() -> None:
    counts = {"white": 30, "mixed": 1, "asian": 12, "black": 6, "other": 2, "not_stated": 3}
    coarse = coarsen(profile_of("ethnic_group", counts), STANDARD)
    assert rows(coarse, "ethnic_group") == [
        ("white", "White", 30),
        ("mixed+black+other", "Other ethnic minority groups", 9),
        ("asian", "Asian or Asian British", 12),
        ("not_stated", "Not stated", 3),  # not stated is never combined
    ]
    # The ethnic minority aggregate is still made of whole rows; Black alone no longer is.
    assert exact_cover(coarse, "ethnic_group", ("mixed", "asian", "black", "other")) == (
        "mixed+black+other",
        "asian",
    )
    assert exact_cover(coarse, "ethnic_group", ("black",)) is None


def test_a_small_group_alone_in_its_family_is_left_to_suppression() -> None:
    coarse = coarsen(profile_of("pmq", {"uk": 20, "eea": 2, "international": 0}), STANDARD)
    assert [code for code, *_ in rows(coarse, "pmq")] == ["uk", "eea", "international", "not_stated"]


def test_age_bands_combine_only_with_their_neighbours() -> None:
    counts = {"under_35": 2, "35_44": 9, "45_54": 11, "55_64": 6, "65_plus": 1}
    coarse = coarsen(profile_of("age_band", counts), STANDARD)
    assert rows(coarse, "age_band") == [
        ("under_35+35_44", "Under 45", 11),
        ("45_54", "45 to 54", 11),
        ("55_64+65_plus", "55 and over", 7),
        ("not_stated", "Not stated", 0),
    ]


def test_zeros_are_combined_only_under_a_policy_that_hides_them() -> None:
    counts = {"doctor": 40, "dentist": 12, "pharmacist": 0}
    assert len(coarsen(profile_of("profession", counts), STANDARD)["profession"].rows) == 3
    coarse = coarsen(profile_of("profession", counts), get_policy("ons-10-5"))
    assert rows(coarse, "profession")[1] == ("dentist+pharmacist", "Dentists and pharmacists", 12)


def test_two_specialty_groups_are_named_and_more_are_other() -> None:
    counts = {"medicine": 20, "surgery": 3, "paediatrics": 3, "psychiatry": 9}
    two = rows(coarsen(profile_of("specialty_group", counts), STANDARD), "specialty_group")
    assert ("surgery+paediatrics", "Surgery and paediatrics", 6) in two
    counts = {"medicine": 20, "surgery": 1, "paediatrics": 1, "radiology": 1, "psychiatry": 9}
    three = rows(coarsen(profile_of("specialty_group", counts), STANDARD), "specialty_group")
    assert (
        "surgery+paediatrics+psychiatry+radiology",
        "Surgery, paediatrics, psychiatry and radiology",
        12,
    ) in three
    counts = {"medicine": 30, "surgery": 1, "paediatrics": 1, "radiology": 1, "pathology": 1, "dental": 1}
    five = rows(coarsen(profile_of("specialty_group", counts), STANDARD), "specialty_group")
    combined = [row for row in five if row[0].count("+") >= 4]
    assert [label for _, label, _ in combined] == ["Smaller specialty groups combined"], five


def test_a_breakdown_collapsed_is_one_row_of_every_group_recorded_with_not_stated_apart() -> None:
    from concerns.report._build._coarsen import is_collapsed

    profile = profile_of("sex", {"female": 2, "male": 40, "not_stated": 5})
    coarse = coarsen(profile, STANDARD, collapsed=["sex"])
    assert rows(coarse, "sex") == [("female+male", "Sex recorded", 42), ("not_stated", "Not stated", 5)]
    assert is_collapsed("sex", "female+male") and not is_collapsed("sex", "male")
    assert not is_collapsed("profession", "doctor+dentist+pharmacist")  # staff breakdowns never collapse
    assert rows(coarsen(profile, STANDARD), "sex")[0] == ("female", "Female", 2)


def test_with_fewer_cases_than_the_threshold_every_breakdown_is_its_recorded_groups_and_not_stated() -> None:
    profile = profile_of("grade", {"consultant": 2, "dentist": 1, "not_stated": 1})
    coarse = coarsen(profile, STANDARD)
    grades = "consultant+sas+resident+locally_employed+gp+dentist+pharmacist+other"
    assert rows(coarse, "grade") == [(grades, "Grade recorded", 3), ("not_stated", "Not stated", 1)]
    assert rows(coarse, "profession") == [("doctor+dentist+pharmacist", "Profession recorded", 0)]
    assert [code for code, *_ in rows(coarse, "ethnic_group")] == [
        "white+mixed+asian+black+other",
        "not_stated",
    ]
    # Five cases are enough for a breakdown of their own.
    five = coarsen(profile_of("grade", {"consultant": 3, "dentist": 1, "not_stated": 1}), STANDARD)
    assert rows(five, "grade")[0] == ("consultant", "Consultant", 3)
