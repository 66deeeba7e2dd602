"""Each way a row can be wrong, from a crafted bad file: the reason, the column and the spreadsheet row."""

import polars as pl
import pytest

from concerns.ingest import write_rejects


def problems(ingested, file: str) -> list[tuple]:
    """(source_row, column, value, reason) of each problem in one file."""
    found = ingested.rejects.filter(pl.col("file") == file)
    return found.select("source_row", "column", "value", "reason").rows()


def reasons(ingested, file: str) -> list[str]:
    return [reason for *_, reason in problems(ingested, file)]


def accepted_ids(ingested) -> set[str]:
    return set(ingested.cases["case_id"])


# --- cases: per-column rules -------------------------------------------------------------


def test_it_rejects_an_unknown_code_suggesting_the_nearest(contract):
    contract.cases[3]["grade"] = "consultent"
    ingested = contract.load()
    assert problems(ingested, "cases") == [
        (5, "grade", "consultent", 'grade "consultent" is not a known grade; did you mean "consultant"?')
    ]
    assert ingested.rejects.row(0, named=True)["case_id"] == "C004"
    assert ingested.rejects.row(0, named=True)["kind"] == "unknown code"
    assert "C004" not in accepted_ids(ingested)


def test_it_lists_the_codes_when_nothing_is_near(contract):
    contract.organisations[1]["nation"] = "Scotland"
    contract.cases = [row for row in contract.cases if row["org_code"] != "RX2"]
    contract.workforce = [row for row in contract.workforce if row["org_code"] != "RX2"]
    assert reasons(contract.load(), "organisations") == [
        'nation "Scotland" is not a known nation; use one of: england, wales, northern_ireland'
    ]


def test_it_rejects_an_empty_required_value_saying_how_to_write_unknown(contract):
    contract.cases[0]["sex"] = "  "
    contract.cases[1]["practitioner_id"] = ""
    assert problems(contract.load(), "cases") == [
        (2, "sex", "  ", 'sex is empty; it is required (write "not_stated" when it is not known)'),
        (3, "practitioner_id", "", "practitioner_id is empty; it is required"),
    ]


@pytest.mark.parametrize("value", ["", " ; ;"])
def test_it_rejects_empty_concerns(contract, value):
    contract.cases[2]["concerns"] = value
    rows = problems(contract.load(), "cases")
    assert [(row, column, reason) for row, column, _, reason in rows] == [
        (4, "concerns", 'concerns is empty; give at least one concern code, e.g. "clinical"')
    ]


def test_it_rejects_each_unknown_list_item_once_but_counts_the_row_once(contract):
    contract.cases[0]["concerns"] = "clinicl;behaviour;zzz"
    contract.cases[0]["services"] = "exclusoin"
    ingested = contract.load()
    assert problems(ingested, "cases") == [
        (
            2,
            "concerns",
            "clinicl;behaviour;zzz",
            'concerns item "clinicl" is not a known concern; did you mean "clinical"?',
        ),
        (
            2,
            "concerns",
            "clinicl;behaviour;zzz",
            'concerns item "zzz" is not a known concern; see the data contract for the allowed codes',
        ),
        (
            2,
            "services",
            "exclusoin",
            'services item "exclusoin" is not a known service; did you mean "exclusion"?',
        ),
    ]
    assert ingested.counts["cases"].rejected == 1
    assert ingested.counts["cases"].accepted == 9


@pytest.mark.parametrize("value", ["31/02/2023", "17/04/23", "2023-13-01", "April 2023"])
def test_it_rejects_what_is_not_a_date(contract, value):
    contract.cases[4]["opened_on"] = value
    assert problems(contract.load(), "cases") == [
        (6, "opened_on", value, f'opened_on "{value}" is not a date; write dates as 2023-04-17 or 17/04/2023')
    ]


def test_it_rejects_dates_before_the_service_began(contract):
    contract.cases[4]["opened_on"] = "31/12/2000"
    contract.cases[4]["closed_on"] = "2001-02-01"
    assert problems(contract.load(), "cases") == [
        (6, "opened_on", "31/12/2000", "opened_on 2000-12-31 is before 2001-01-01, when the service began")
    ]


def test_it_rejects_dates_after_today_but_accepts_today(contract):
    contract.cases[1]["opened_on"] = "2025-07-01"
    contract.cases[2]["closed_on"] = "01/07/2025"
    ingested = contract.load()
    assert problems(ingested, "cases") == [
        (3, "opened_on", "2025-07-01", "opened_on 2025-07-01 is in the future (today is 2025-06-30)"),
        (4, "closed_on", "01/07/2025", "closed_on 2025-07-01 is in the future (today is 2025-06-30)"),
    ]
    assert "C010" in accepted_ids(ingested)  # opened on the day judged as today


def test_it_rejects_a_case_closed_before_it_opened(contract):
    contract.cases[0]["closed_on"] = "16/04/2023"
    rows = problems(contract.load(), "cases")
    assert rows == [(2, "closed_on", "16/04/2023", "closed_on 2023-04-16 is before opened_on 2023-04-17")]


def test_it_rejects_an_unknown_ethnicity_suggesting_a_group(contract):
    contract.cases[0]["ethnicity"] = "Whyte"
    assert reasons(contract.load(), "cases") == [
        'ethnicity "Whyte" is not an ethnic category (A–S, Z or 99) or ethnic group name; did you mean "white"?'
    ]


# --- cases: rules across rows and files ---------------------------------------------------


def test_it_rejects_every_row_sharing_a_case_id_naming_the_rows(contract):
    contract.cases[4]["case_id"] = "C002"
    contract.cases[8]["case_id"] = "C002"
    ingested = contract.load()
    reason = 'case_id "C002" is used by rows 3, 6 and 10; every one is rejected because we cannot tell which is right'
    assert problems(ingested, "cases") == [(row, "case_id", "C002", reason) for row in (3, 6, 10)]
    assert "C002" not in accepted_ids(ingested)
    assert ingested.counts["cases"].accepted == 7


def test_it_names_the_first_five_rows_sharing_a_case_id_and_counts_the_rest(contract):
    for row in contract.cases[1:7]:
        row["case_id"] = "C001"
    reason = problems(contract.load(), "cases")[0][3]
    assert (
        reason
        == 'case_id "C001" is used by rows 2, 3, 4, 5, 6 and 2 more; every one is rejected because we cannot tell which is right'
    )


def test_it_rejects_a_case_whose_organisation_is_not_listed(contract):
    contract.cases[0]["org_code"] = "RZZ"
    assert problems(contract.load(), "cases") == [
        (2, "org_code", "RZZ", "organisation RZZ is not in organisations.csv")
    ]


def test_it_rejects_cases_of_an_organisation_whose_only_row_was_rejected(contract):
    contract.organisations[2]["org_type"] = "hospital"
    ingested = contract.load()
    assert [row for row, *_ in problems(ingested, "organisations")] == [4]
    reason = "organisation 7A1 is in organisations.csv, but its row 4 was rejected; fix it there"
    assert problems(ingested, "cases") == [(7, "org_code", "7A1", reason), (8, "org_code", "7A1", reason)]
    assert problems(ingested, "workforce") == [(7, "org_code", "7A1", reason)]
    assert ingested.missing_organisations == ()
    assert set(ingested.rejects.filter(pl.col("column") == "org_code")["kind"]) == {
        "organisation rejected in registry"
    }


def test_it_names_the_organisations_missing_from_the_registry_and_its_file(contract):
    contract.cases[0]["org_code"] = " rzz "
    contract.cases[1]["org_code"] = "RZZ"
    contract.workforce[5]["org_code"] = "7A2"
    ingested = contract.load("xlsx")
    assert reasons(ingested, "cases") == ["organisation RZZ is not in organisations.xlsx"] * 2
    assert set(ingested.rejects["kind"]) == {"organisation not in registry"}
    assert ingested.missing_organisations == ("7A2", "RZZ")
    assert ingested.missing_organisations_sentence() == (
        "2 organisations named in cases or workforce are not in organisations.xlsx (7A2, RZZ), so their "
        "rows were rejected: add them to organisations.xlsx (was it cut short?), or correct the org_code "
        "where it is mistyped."
    )


def test_it_says_nothing_of_missing_organisations_when_none_is_missing(contract):
    ingested = contract.load()
    assert (ingested.missing_organisations, ingested.missing_organisations_sentence()) == ((), "")


# --- organisations -------------------------------------------------------------------------


def test_it_rejects_all_rows_of_an_org_code_given_twice_with_different_details(contract):
    contract.organisations.append(contract.organisations[1] | {"org_type": "community"})
    ingested = contract.load()
    reason = 'org_code "RX2" is in rows 3 and 5 with different details; every one is rejected because we cannot tell which is right'
    assert problems(ingested, "organisations") == [
        (3, "org_code", "RX2", reason),
        (5, "org_code", "RX2", reason),
    ]
    cascaded = "organisation RX2 is in organisations.csv, but its rows 3 and 5 were rejected; fix it there"
    assert problems(ingested, "cases") == [(row, "org_code", "RX2", cascaded) for row in (5, 6, 11)]


def test_it_keeps_the_first_of_identical_organisation_rows(contract):
    contract.organisations.append(dict(contract.organisations[1]) | {"org_code": "rx2"})
    ingested = contract.load()
    assert problems(ingested, "organisations") == [
        (5, "org_code", "rx2", 'org_code "RX2" repeats row 3 exactly; only row 3 is used')
    ]
    assert ingested.counts["cases"].rejected == 0
    assert ingested.organisations["source_row"].to_list() == [2, 3, 4]


# --- workforce -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("-3", 'headcount "-3" is negative; a headcount is 0 or more'),
        ("12.5", 'headcount "12.5" is not a whole number of people'),
        ("many", 'headcount "many" is not a whole number of people'),
        ("1e3", 'headcount "1e3" is not a whole number of people'),
        ("99999999999999999999", 'headcount "99999999999999999999" is not a whole number of people'),
    ],
)
def test_it_rejects_negative_or_fractional_headcounts(contract, value, reason):
    contract.workforce[0]["headcount"] = value
    assert problems(contract.load(), "workforce") == [(2, "headcount", value, reason)]


def test_it_accepts_whole_numbers_as_excel_writes_them(contract):
    contract.workforce[0]["headcount"] = "1,200"
    contract.workforce[1]["headcount"] = "400.0"
    contract.workforce[2]["headcount"] = "+450"
    assert contract.load().workforce["headcount"].to_list()[:3] == [1200, 400, 450]


@pytest.mark.parametrize("value", ["2023-24", "2023/25", "23/24", "2023"])
def test_it_rejects_a_malformed_fiscal_year(contract, value):
    contract.workforce[4]["fiscal_year"] = value
    assert problems(contract.load(), "workforce") == [
        (
            6,
            "fiscal_year",
            value,
            f'fiscal_year "{value}" is not an NHS financial year; write it like 2023/24',
        )
    ]


def test_it_rejects_workforce_of_an_unknown_organisation(contract):
    contract.workforce[5]["org_code"] = "7A2"
    assert problems(contract.load(), "workforce") == [
        (7, "org_code", "7A2", "organisation 7A2 is not in organisations.csv")
    ]


def workforce_of(org_codes: list[str]) -> list[dict[str, str]]:
    """2,400 distinct rows an organisation: enough that a CSV of a few of them is read in pieces."""
    groups = [("total", "all"), ("sex", "female"), ("sex", "male"), ("sex", "not_stated")]
    return [
        {
            "org_code": org_code,
            "fiscal_year": f"{year}/{(year + 1) % 100:02d}",
            "profession": profession,
            "dimension": dimension,
            "group": group,
            "headcount": "10",
        }
        for org_code in org_codes
        for year in range(1900, 2100)
        for profession in ("doctor", "dentist", "pharmacist")
        for dimension, group in groups
    ]


def test_it_rejects_the_workforce_of_organisations_a_registry_cut_short_leaves_out(contract):
    # A regression: the file is read in pieces, and rejecting none of the first piece's rows made Polars panic.
    contract.workforce = workforce_of(["RJ1", "RX2", "7A1", "X123"])
    ingested = contract.load()
    assert ingested.counts["workforce"].read == 9_600
    assert ingested.counts["workforce"].accepted == 7_200
    assert ingested.counts["workforce"].rejected == 2_400
    rejected = ingested.rejects.filter(pl.col("file") == "workforce")
    assert rejected["source_row"].to_list() == list(range(7_202, 9_602))
    assert set(rejected["value"]) == {"X123"}
    assert ingested.missing_organisations == ("X123",)


def test_it_rejects_all_rows_of_a_workforce_key_with_different_headcounts(contract):
    contract.workforce.append(contract.workforce[1] | {"headcount": "401", "group": "F"})
    reason = (
        'RJ1, 2023/24, doctor, sex "female" is in rows 3 and 8 with different headcounts; '
        "every one is rejected because we cannot tell which is right"
    )
    assert problems(contract.load(), "workforce") == [(3, None, None, reason), (8, None, None, reason)]


def test_it_keeps_the_first_of_identical_workforce_rows(contract):
    contract.workforce.append(dict(contract.workforce[0]))
    ingested = contract.load()
    assert reasons(ingested, "workforce") == [
        'RJ1, 2023/24, doctor, total "all" repeats row 2 exactly; only row 2 is used'
    ]
    assert ingested.counts["workforce"] == type(ingested.counts["workforce"])(read=7, accepted=6, rejected=1)


@pytest.mark.parametrize(
    ("dimension", "group", "reason"),
    [
        (
            "sex",
            "white",
            'group "white" is not a group of dimension "sex"; use one of: female, male, not_stated',
        ),
        ("total", "male", 'group "male" does not go with dimension "total"; total rows use group "all"'),
        (
            "ethnicity",
            "all",
            'group "all" is only for dimension "total"; ethnicity rows use one of: white, mixed, asian, black, other, not_stated',
        ),
        ("sex", "mael", 'group "mael" is not a known sex; did you mean "male"?'),
    ],
)
def test_it_rejects_a_group_that_does_not_belong_to_its_dimension(contract, dimension, group, reason):
    contract.workforce[3].update(dimension=dimension, group=group)
    assert problems(contract.load(), "workforce") == [(5, "group", group, reason)]


# --- text a spreadsheet would run as a formula ---------------------------------------------

FORMULA_REASON = "{} starts with '{}' — a spreadsheet would run it as a formula; remove the leading character"


@pytest.mark.parametrize(
    ("column", "value", "subject"),
    [
        ("name", '=HYPERLINK("http://example.org","click")', "organisation name"),
        ("name", "+44 Trust", "organisation name"),
        ("region", "-London", "organisation region"),
        ("region", "@SUM(A1)", "organisation region"),
        ("name", "\t=1+1", "organisation name"),  # trimmed, as every cell is: the "=" still leads
    ],
)
def test_it_rejects_an_organisation_name_or_region_that_starts_like_a_formula(
    contract, column, value, subject
):
    contract.organisations[0][column] = value
    contract.cases = [row for row in contract.cases if row["org_code"] != "RJ1"]
    contract.workforce = [row for row in contract.workforce if row["org_code"] != "RJ1"]
    ingested = contract.load()
    leading = value.strip()[0]
    assert problems(ingested, "organisations") == [
        (2, column, value, FORMULA_REASON.format(subject, leading))
    ]
    assert ingested.rejects["kind"].to_list() == ["starts like a formula"]
    assert ingested.organisations["org_code"].to_list() == ["RX2", "7A1"]


@pytest.mark.parametrize(("column", "value"), [("case_id", "=C001"), ("specialty", "-"), ("specialty", "@x")])
def test_it_rejects_a_case_id_or_specialty_that_starts_like_a_formula(contract, column, value):
    contract.cases[0][column] = value
    assert problems(contract.load(), "cases") == [(2, column, value, FORMULA_REASON.format(column, value[0]))]


def test_it_rejects_an_org_code_that_starts_like_a_formula_in_every_file(contract):
    contract.organisations[0]["org_code"] = "=RJ1"
    contract.cases[0]["org_code"] = "=RJ1"
    contract.workforce[0]["org_code"] = "+RJ1"
    ingested = contract.load()
    assert reasons(ingested, "organisations") == [FORMULA_REASON.format("org_code", "=")]
    assert FORMULA_REASON.format("org_code", "=") in reasons(ingested, "cases")
    assert FORMULA_REASON.format("org_code", "+") in reasons(ingested, "workforce")


def test_it_accepts_text_with_a_formula_character_after_the_first(contract):
    contract.organisations[0].update(name="Riverside = Hills + Vale - Trust @ Home", region="North-East")
    contract.cases[0].update(case_id="C-001", specialty="Ear, nose & throat (ENT) - adult")
    contract.cases[1]["practitioner_id"] = "+aB3/x=="  # a base64 pseudonym: compared, never printed
    ingested = contract.load()
    assert ingested.rejects.is_empty()
    assert "+aB3/x==" in ingested.cases["practitioner_id"].to_list()


# --- the rejects file ----------------------------------------------------------------------


def test_it_writes_rejects_as_csv_with_every_problem(contract, tmp_path):
    contract.cases[3]["grade"] = "consultent"
    contract.cases[3]["sex"] = "unknown gender"
    ingested = contract.load()
    path = tmp_path / "out" / "rejects.csv"
    write_rejects(ingested, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    written = pl.read_csv(path, infer_schema=False)
    assert written.columns == ["file", "source_row", "case_id", "column", "value", "reason", "kind"]
    assert written.select("source_row", "case_id", "column", "value").rows() == [
        ("5", "C004", "grade", "consultent"),
        ("5", "C004", "sex", "unknown gender"),
    ]
    assert ingested.counts["cases"].rejected == 1


def test_it_writes_an_empty_rejects_file_when_everything_is_accepted(contract, tmp_path):
    path = tmp_path / "rejects.csv"
    path.write_text("stale rejects from an earlier run\n")
    write_rejects(contract.load(), path)
    assert pl.read_csv(path).height == 0
