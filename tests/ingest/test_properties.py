"""For any mix of good and bad rows: every row is counted once, and accepted rows honour the contract."""

import datetime as dt
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concerns import vocabulary as v

# Changes that keep a case valid (other spellings of the same values) ...
GOOD_CASE_CHANGES = {
    "as is": {},
    "labels": {"profession": "Doctor", "grade": "Consultant", "sex": "MALE", "pmq": "United Kingdom"},
    "uk dates": {"opened_on": "02/05/2023", "closed_on": "3/5/2023"},
    "group name": {"ethnicity": "Black or Black British"},
    "sub-codes": {"concerns": "behaviour.probity; clinical.record_keeping", "services": "hpan;Education"},
}
# ... and changes that always make it invalid.
BAD_CASE_CHANGES = {
    "unknown grade": {"grade": "registrar"},
    "not a date": {"opened_on": "2023-02-29"},
    "too early": {"opened_on": "1999-12-31", "closed_on": ""},
    "future": {"opened_on": "2031-01-01", "closed_on": ""},
    "closed first": {"opened_on": "2022-05-01", "closed_on": "2022-04-30"},
    "no sex": {"sex": ""},
    "no concerns": {"concerns": ";"},
    "unknown concern": {"concerns": "clinical;attitude"},
    "unknown service": {"services": "coaching"},
    "unknown org": {"org_code": "RZZ"},
    "unknown ethnicity": {"ethnicity": "Q"},
    "repeated id": {"case_id": "DUPLICATE"},
}
BAD_WORKFORCE_CHANGES = {
    "negative": {"headcount": "-1"},
    "fraction": {"headcount": "2.5"},
    "fiscal year": {"fiscal_year": "2023/2024"},
    "misfit group": {"dimension": "pmq", "group": "female"},
    "unknown org": {"org_code": "RZZ"},
}
BAD_ORGANISATION_CHANGES = {
    "unknown nation": {"nation": "Scotland"},
    "no name": {"name": ""},
}

case_rows = st.lists(
    st.tuples(st.integers(0, 9), st.sampled_from(sorted(GOOD_CASE_CHANGES.keys() | BAD_CASE_CHANGES.keys()))),
    min_size=1,
    max_size=25,
)
workforce_rows = st.lists(
    st.tuples(st.integers(0, 5), st.sampled_from(["as is", *BAD_WORKFORCE_CHANGES])), min_size=0, max_size=8
)
organisation_rows = st.lists(
    st.sampled_from(["as is", "as is", *BAD_ORGANISATION_CHANGES]), min_size=3, max_size=3
)


def build_cases(base: list[dict], picks: list[tuple[int, str]]) -> tuple[list[dict], set[int]]:
    rows, bad = [], set()
    for index, (template, change) in enumerate(picks):
        changes = GOOD_CASE_CHANGES.get(change) or BAD_CASE_CHANGES.get(change, {})
        rows.append(base[template] | {"case_id": f"K{index}"} | changes)
        if change in BAD_CASE_CHANGES and not (
            change == "repeated id" and sum(c == change for _, c in picks) == 1
        ):
            bad.add(index + 2)
    return rows, bad


def build_workforce(base: list[dict], picks: list[tuple[int, str]]) -> tuple[list[dict], set[int]]:
    rows = [
        row | {"fiscal_year": f"{2000 + i}/{(i + 1) % 100:02d}"} for i, row in enumerate(base)
    ]  # keys unique
    bad = set()
    for template, change in picks:
        extra = base[template] | {"fiscal_year": f"{2030 + len(rows)}/{(31 + len(rows)) % 100:02d}"}
        rows.append(extra | BAD_WORKFORCE_CHANGES.get(change, {}))
        if change != "as is":
            bad.add(len(rows) + 1)
    return rows, bad


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases=case_rows, workforce=workforce_rows, organisations=organisation_rows)
def test_it_counts_every_row_once_and_accepts_only_rows_that_honour_the_contract(
    contract_at, cases, workforce, organisations
):
    with tempfile.TemporaryDirectory() as directory:
        contract = contract_at(Path(directory))
        contract.cases, bad_cases = build_cases(contract.cases, cases)
        contract.workforce, bad_workforce = build_workforce(contract.workforce, workforce)
        contract.organisations = [
            row | BAD_ORGANISATION_CHANGES.get(change, {})
            for row, change in zip(contract.organisations, organisations, strict=True)
        ]
        ingested = contract.load()

    written = {
        "cases": contract.cases,
        "workforce": contract.workforce,
        "organisations": contract.organisations,
    }
    for name, rows in written.items():
        counts = ingested.counts[name]
        assert counts.read == len(rows)
        assert counts.accepted + counts.rejected == counts.read
        accepted = set(getattr(ingested, name)["source_row"])
        rejected = set(ingested.rejects.filter(pl.col("file") == name)["source_row"])
        assert accepted.isdisjoint(rejected)
        assert accepted | rejected == set(range(2, len(rows) + 2))

    assert bad_cases <= set(ingested.rejects.filter(pl.col("file") == "cases")["source_row"])
    assert bad_workforce <= set(ingested.rejects.filter(pl.col("file") == "workforce")["source_row"])
    assert_organisations_honour_the_contract(ingested.organisations)
    assert_cases_honour_the_contract(ingested.cases, set(ingested.organisations["org_code"]), contract.today)
    assert_workforce_honours_the_contract(ingested.workforce, set(ingested.organisations["org_code"]))


def assert_organisations_honour_the_contract(organisations: pl.DataFrame) -> None:
    assert organisations["org_code"].is_unique().all()
    assert (
        organisations.select("org_code", "name", "org_type", "nation").null_count().sum_horizontal().item()
        == 0
    )


def assert_cases_honour_the_contract(cases: pl.DataFrame, org_codes: set[str], today: dt.date) -> None:
    required = [
        "case_id",
        "org_code",
        "opened_on",
        "fiscal_year",
        "practitioner_id",
        "profession",
        "grade",
        "specialty_group",
        "sex",
        "age_band",
        "ethnic_group",
        "pmq",
        "disability",
        "concerns",
        "services",
    ]
    assert cases.select(required).null_count().sum_horizontal().item() == 0
    assert cases["case_id"].is_unique().all()
    for case in cases.iter_rows(named=True):
        assert case["org_code"] in org_codes
        assert dt.date(2001, 1, 1) <= case["opened_on"] <= today
        assert case["closed_on"] is None or case["opened_on"] <= case["closed_on"] <= today
        assert case["fiscal_year"] == v.fiscal_year_of(case["opened_on"])
        assert (
            case["ethnicity"] is None or v.ETHNIC_CATEGORIES.group(case["ethnicity"]) == case["ethnic_group"]
        )
        areas = {v.CONCERNS.group(code) for code in case["concerns"]}
        assert areas, "every case has at least one concern"
        assert case["concern_areas"] == len(areas)
        assert all(case[f"concern_{area}"] == (area in areas) for area in v.CONCERN_CATEGORIES.codes)
        assert "advice" in case["services"]


def assert_workforce_honours_the_contract(workforce: pl.DataFrame, org_codes: set[str]) -> None:
    key = ["org_code", "fiscal_year", "profession", "dimension", "group"]
    assert workforce.select(key).is_unique().all()
    for row in workforce.iter_rows(named=True):
        assert row["org_code"] in org_codes
        assert v.is_fiscal_year(row["fiscal_year"])
        assert row["headcount"] >= 0
        allowed = ["all"] if row["dimension"] == "total" else v.DIMENSION_CODESETS[row["dimension"]].codes
        assert row["group"] in allowed
