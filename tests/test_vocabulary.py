import datetime as dt

import pytest

from concerns import vocabulary as v

ALL_SETS = [
    v.PROFESSIONS,
    v.GRADES,
    v.ETHNIC_CATEGORIES,
    v.ETHNIC_GROUPS,
    v.SEXES,
    v.AGE_BANDS,
    v.PMQS,
    v.DISABILITIES,
    v.CONCERN_CATEGORIES,
    v.CONCERNS,
    v.SERVICES,
    v.OUTCOMES,
    v.ORG_TYPES,
    v.NATIONS,
    v.SPECIALTY_GROUPS,
    v.WORKFORCE_DIMENSIONS,
]


@pytest.mark.parametrize("codes", ALL_SETS, ids=lambda c: c.name)
def test_it_round_trips_every_code_and_label(codes):
    for member in codes:
        assert codes.resolve(member.code) == member.code
        assert codes.resolve(member.label) == member.code
        assert codes.resolve(member.label.upper()) == member.code
        assert codes.resolve(f"  {member.code.upper()} ") == member.code
        assert codes.label(member.code) == member.label


def test_it_rejects_unknown_values_and_suggests_the_nearest():
    assert v.GRADES.resolve("consultent") is None
    assert v.GRADES.suggest("consultent") == "consultant"
    assert v.SEXES.suggest("zzzzzz") is None


def test_it_groups_every_ethnic_category_into_a_known_group():
    groups = {member.group for member in v.ETHNIC_CATEGORIES}
    assert groups == set(v.ETHNIC_GROUPS.codes)
    assert v.ETHNIC_CATEGORIES.group("N") == "black"
    assert v.ETHNIC_CATEGORIES.group("99") == "not_stated"
    assert set(v.ETHNIC_MINORITY_GROUPS) == set(v.ETHNIC_GROUPS.codes) - {"white", "not_stated"}


def test_it_gives_every_concern_sub_code_its_top_level_category():
    for member in v.CONCERNS:
        assert member.group in v.CONCERN_CATEGORIES
        assert member.code.split(".")[0] == member.group


@pytest.mark.parametrize(
    ("specialty", "group"),
    [
        ("Gen Surg", "surgery"),
        ("A&E", "emergency_medicine"),
        ("T&O", "surgery"),
        ("trauma & orthopaedics", "surgery"),
        ("O&G", "obstetrics_gynaecology"),
        ("Psych", "psychiatry"),
        ("GP", "general_practice"),
        ("Cardiology", "medicine"),
        ("Intensive Care Medicine", "anaesthetics"),
        ("Histopathology", "pathology"),
        ("Clinical radiology", "radiology"),
        ("Orthodontics", "dental"),
        ("community pharmacy", "pharmacy"),
        ("Paeds", "paediatrics"),
        ("Underwater basket weaving", "other"),
        ("", "not_stated"),
        (None, "not_stated"),
        ("   ", "not_stated"),
    ],
)
def test_it_maps_specialties_to_groups(specialty, group):
    assert v.specialty_group_of(specialty) == group


@pytest.mark.parametrize(
    ("specialty", "standard"),
    [
        ("T&O", "trauma_orthopaedic_surgery"),
        ("trauma & orthopaedics", "trauma_orthopaedic_surgery"),
        ("Gen Surg", "general_surgery"),
        ("Paeds", "general_paediatrics"),
        ("Neonatology", "neonatology"),
        ("CAMHS", "child_adolescent_psychiatry"),
        ("ICU", "intensive_care_medicine"),
        ("A&E", "adult_emergency_medicine"),
        ("Ear, nose and throat surgery", "otolaryngology"),
        ("Surgical", None),  # names only the group
        ("Psych", None),
        ("Underwater basket weaving", None),
        ("", None),
        (None, None),
    ],
)
def test_it_maps_specialties_to_the_standard_list(specialty, standard):
    assert v.specialty_of(specialty) == standard


def test_every_standard_specialty_is_in_the_group_its_spellings_map_to():
    for member in v.SPECIALTIES:
        assert member.group in v.SPECIALTY_GROUPS and member.group != "not_stated"
        assert v.specialty_of(member.label) == member.code
        assert v.specialty_group_of(member.label) == member.group
    for spelling, group in v.specialty_mapping().items():
        standard = v.specialty_of(spelling)
        assert standard is None or v.SPECIALTIES.group(standard) == group, spelling


def test_it_maps_about_fourteen_groups_from_a_large_reference_table():
    mapping = v.specialty_mapping()
    assert len(mapping) > 200
    assert set(mapping.values()) == set(v.SPECIALTY_GROUPS.codes)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2023, 4, 1), "2023/24"),
        (dt.date(2024, 3, 31), "2023/24"),
        (dt.date(2000, 1, 15), "1999/00"),
        (dt.date(2099, 12, 31), "2099/00"),
    ],
)
def test_it_puts_dates_in_nhs_financial_years(day, year):
    assert v.fiscal_year_of(day) == year
    assert v.fiscal_year_start(year) <= day <= v.fiscal_year_end(year)


def test_it_takes_five_complete_years_before_the_as_of_date():
    assert v.fiscal_years_before(dt.date(2025, 6, 30)) == [
        "2020/21",
        "2021/22",
        "2022/23",
        "2023/24",
        "2024/25",
    ]
    assert v.fiscal_years_before(dt.date(2025, 3, 31))[-1] == "2023/24"
    assert v.fiscal_years_before(dt.date(2025, 4, 1))[-1] == "2024/25"


def test_it_refuses_a_malformed_financial_year():
    assert not v.is_fiscal_year("2023/25")
    with pytest.raises(ValueError):
        v.parse_fiscal_year("2023-24")
