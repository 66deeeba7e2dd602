"""A good directory loads completely, in every format, with values normalised to canonical form."""

import datetime as dt

import polars as pl
import pytest

from concerns import canonical as c


def case(ingested, case_id: str) -> dict:
    rows = ingested.cases.filter(pl.col("case_id") == case_id).to_dicts()
    assert len(rows) == 1, f"{case_id} should be accepted exactly once"
    return rows[0]


def test_it_accepts_every_row_of_a_good_directory(contract):
    ingested = contract.load()
    assert ingested.rejects.is_empty()
    assert {name: (n.read, n.accepted, n.rejected) for name, n in ingested.counts.items()} == {
        "organisations": (3, 3, 0),
        "workforce": (6, 6, 0),
        "cases": (10, 10, 0),
    }
    assert ingested.cases.schema == pl.Schema(c.CASES_SCHEMA)
    assert ingested.organisations.schema == pl.Schema(c.ORGANISATIONS_SCHEMA)
    assert ingested.workforce.schema == pl.Schema(c.WORKFORCE_SCHEMA)
    assert ingested.cases["source_row"].to_list() == list(range(2, 12))


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_it_reads_xlsx_and_parquet_like_csv(contract, fmt, tmp_path):
    from_csv = contract.load()
    contract.directory = tmp_path / fmt
    from_other = contract.load(fmt)
    assert from_other.rejects.is_empty()
    assert from_other.files["cases"].name == f"cases.{fmt}"
    for name in ("cases", "organisations", "workforce"):
        assert getattr(from_other, name).equals(getattr(from_csv, name)), name


def test_it_reads_native_excel_and_parquet_dates_and_numbers(contract):
    contract.directory.mkdir(parents=True)
    contract.write()
    (contract.directory / "cases.csv").unlink()
    (contract.directory / "workforce.csv").unlink()
    cases = pl.DataFrame(contract.cases).with_columns(
        pl.col("opened_on").str.to_date(),
        pl.col("closed_on").replace("", None).str.to_date().cast(pl.Datetime),
    )
    cases.write_excel(contract.directory / "cases.xlsx")
    workforce = pl.DataFrame(contract.workforce).with_columns(pl.col("headcount").cast(pl.Float64))
    workforce.write_parquet(contract.directory / "workforce.parquet")

    ingested = contract.load_written()

    assert ingested.rejects.is_empty()
    assert case(ingested, "C001")["opened_on"] == dt.date(2023, 4, 17)
    assert case(ingested, "C001")["closed_on"] == dt.date(2023, 9, 1)
    assert ingested.workforce["headcount"].to_list() == [850, 400, 450, 500, 120, 40]


def test_it_accepts_uk_dates_and_derives_the_financial_year(contract):
    contract.cases[0]["opened_on"] = "31/03/2023"
    contract.cases[0]["closed_on"] = "1/4/2023"
    first = case(contract.load(), "C001")
    assert (first["opened_on"], first["closed_on"]) == (dt.date(2023, 3, 31), dt.date(2023, 4, 1))
    assert first["fiscal_year"] == "2022/23"


def test_it_accepts_labels_aliases_and_any_case(contract):
    contract.cases[0].update(
        profession="DOCTOR",
        grade="Specialty and Specialist (SAS) doctor",
        sex=" f ",
        age_band="45-54",
        pmq="International (outside the UK and EEA)",
        disability="Disabled",
        outcome="Referred to the Regulator",
        concerns="Clinical capability; BEHAVIOUR",
        services="Team Review;suspension",
    )
    contract.organisations[0].update(org_type="ACUTE TRUST", nation="England")
    contract.workforce[1].update(profession="Doctors", dimension="Sex", group="Female")
    ingested = contract.load()
    assert ingested.rejects.is_empty()
    first = case(ingested, "C001")
    assert [
        first[name] for name in ("profession", "grade", "sex", "age_band", "pmq", "disability", "outcome")
    ] == [
        "doctor",
        "sas",
        "female",
        "45_54",
        "international",
        "yes",
        "referred_to_regulator",
    ]
    assert first["concerns"] == ["clinical.capability", "behaviour"]
    assert first["services"] == ["advice", "exclusion", "team_review"]
    assert ingested.organisations.row(0, named=True)["org_type"] == "acute"
    assert ingested.workforce.row(1, named=True)["group"] == "female"


def test_it_matches_org_codes_across_files_whatever_their_case(contract):
    contract.cases[0]["org_code"] = " rj1 "
    assert case(contract.load(), "C001")["org_code"] == "RJ1"


def test_it_reads_ethnicity_as_a_letter_or_a_group_name(contract):
    ingested = contract.load()
    by_letter, by_group, not_stated = case(ingested, "C003"), case(ingested, "C007"), case(ingested, "C004")
    assert (by_letter["ethnicity"], by_letter["ethnic_group"], by_letter["ethnic_minority"]) == (
        "N",
        "black",
        True,
    )
    assert (by_group["ethnicity"], by_group["ethnic_group"], by_group["ethnic_minority"]) == (
        None,
        "asian",
        True,
    )
    assert (not_stated["ethnicity"], not_stated["ethnic_group"], not_stated["ethnic_minority"]) == (
        "Z",
        "not_stated",
        None,
    )
    white = case(ingested, "C006")
    assert (white["ethnicity"], white["ethnic_group"], white["ethnic_minority"]) == (None, "white", False)


def test_it_maps_specialties_to_groups_without_rejecting_unknown_ones(contract):
    ingested = contract.load()
    assert case(ingested, "C001")["specialty_group"] == "medicine"
    assert case(ingested, "C003")["specialty_group"] == "not_stated"
    assert case(ingested, "C008")["specialty_group"] == "other"
    assert case(ingested, "C008")["specialty"] == "Some new specialty"


def test_it_flags_top_level_concern_areas_implied_by_sub_codes(contract):
    nine = case(contract.load(), "C009")
    assert nine["concerns"] == ["clinical.governance_safety", "behaviour.probity", "health.addiction"]
    flags = [nine[f"concern_{area}"] for area in ("clinical", "behaviour", "health", "other")]
    assert flags == [True, True, True, False]
    assert nine["concern_areas"] == 3


def test_it_always_adds_advice_to_services_and_fills_optional_codes(contract):
    ingested = contract.load()
    two = case(ingested, "C002")
    assert two["services"] == ["advice"]
    assert two["disability"] == "not_stated"
    five = case(ingested, "C005")
    assert five["outcome"] is None
    assert five["closed_on"] is None


def test_it_matches_column_names_ignoring_case_and_space_and_ignores_extra_columns(contract):
    contract.cases = [
        {(" Case_ID " if name == "case_id" else name.upper()): value for name, value in row.items()}
        | {"Notes": "x"}
        for row in contract.cases
    ]
    ingested = contract.load()
    assert ingested.rejects.is_empty()
    assert ingested.cases["case_id"].to_list()[:2] == ["C001", "C002"]
    assert "notes" not in ingested.cases.columns


def test_it_accepts_optional_columns_being_absent(contract):
    optional = {"closed_on", "specialty", "disability", "services", "outcome"}
    contract.cases = [
        {name: value for name, value in row.items() if name not in optional} for row in contract.cases
    ]
    ingested = contract.load()
    assert ingested.rejects.is_empty()
    assert ingested.cases["services"].to_list()[0] == ["advice"]
    assert ingested.cases["specialty_group"].unique().to_list() == ["not_stated"]


def test_it_skips_blank_rows_but_keeps_spreadsheet_row_numbers(contract):
    blank = dict.fromkeys(contract.cases[0], "")
    contract.cases.insert(2, blank)
    contract.cases[5]["grade"] = "consultent"
    ingested = contract.load()
    assert ingested.counts["cases"].read == 10
    assert ingested.rejects["source_row"].to_list() == [7]
    assert 4 not in ingested.cases["source_row"].to_list()


def test_it_fingerprints_content_and_names_but_not_location(contract, tmp_path):
    first = contract.load()
    contract.directory = tmp_path / "elsewhere"
    assert contract.load().fingerprint == first.fingerprint
    contract.cases[0]["specialty"] = "Dermatology"
    assert contract.load().fingerprint != first.fingerprint
