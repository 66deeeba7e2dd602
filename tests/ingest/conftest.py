"""A small, valid data directory written by hand, which each test spoils in its own way."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest

from concerns.ingest import Ingested, load

TODAY = dt.date(2025, 6, 30)

ORGANISATIONS = [
    {
        "org_code": "RJ1",
        "name": "Riverside Hospitals NHS Foundation Trust",
        "org_type": "acute",
        "nation": "england",
        "region": "London",
    },
    {
        "org_code": "RX2",
        "name": "Hillside Mental Health Trust",
        "org_type": "mental_health",
        "nation": "england",
        "region": "North West",
    },
    {
        "org_code": "7A1",
        "name": "Betsi Valley Health Board",
        "org_type": "integrated",
        "nation": "wales",
        "region": "Wales",
    },
]

WORKFORCE = [
    {
        "org_code": "RJ1",
        "fiscal_year": "2023/24",
        "profession": "doctor",
        "dimension": "total",
        "group": "all",
        "headcount": "850",
    },
    {
        "org_code": "RJ1",
        "fiscal_year": "2023/24",
        "profession": "doctor",
        "dimension": "sex",
        "group": "female",
        "headcount": "400",
    },
    {
        "org_code": "RJ1",
        "fiscal_year": "2023/24",
        "profession": "doctor",
        "dimension": "sex",
        "group": "male",
        "headcount": "450",
    },
    {
        "org_code": "RJ1",
        "fiscal_year": "2023/24",
        "profession": "doctor",
        "dimension": "ethnicity",
        "group": "white",
        "headcount": "500",
    },
    {
        "org_code": "RX2",
        "fiscal_year": "2023/24",
        "profession": "doctor",
        "dimension": "total",
        "group": "all",
        "headcount": "120",
    },
    {
        "org_code": "7A1",
        "fiscal_year": "2022/23",
        "profession": "dentist",
        "dimension": "total",
        "group": "all",
        "headcount": "40",
    },
]

_CASE_COLUMNS = (
    "case_id",
    "org_code",
    "opened_on",
    "closed_on",
    "practitioner_id",
    "profession",
    "grade",
    "specialty",
    "sex",
    "age_band",
    "ethnicity",
    "pmq",
    "disability",
    "concerns",
    "services",
    "outcome",
)
_CASE_ROWS = [
    (
        "C001",
        "RJ1",
        "2023-04-17",
        "2023-09-01",
        "P01",
        "doctor",
        "consultant",
        "Cardiology",
        "male",
        "45_54",
        "A",
        "uk",
        "no",
        "clinical",
        "clinical_assessment",
        "resolved_locally",
    ),
    (
        "C002",
        "RJ1",
        "2023-05-02",
        "",
        "P02",
        "doctor",
        "resident",
        "General surgery",
        "female",
        "under_35",
        "H",
        "international",
        "",
        "behaviour.misconduct;clinical.capability",
        "",
        "open",
    ),
    (
        "C003",
        "RJ1",
        "2022-11-30",
        "2023-02-14",
        "P03",
        "doctor",
        "sas",
        "",
        "female",
        "35_44",
        "N",
        "eea",
        "yes",
        "health.mental",
        "exclusion;action_plan",
        "action_plan",
    ),
    (
        "C004",
        "RX2",
        "2021-06-01",
        "2022-01-10",
        "P04",
        "doctor",
        "consultant",
        "Psychiatry",
        "male",
        "55_64",
        "Z",
        "not_stated",
        "not_stated",
        "behaviour",
        "advice",
        "returned_to_practice",
    ),
    (
        "C005",
        "RX2",
        "2020-09-15",
        "",
        "P05",
        "doctor",
        "locally_employed",
        "Old age psychiatry",
        "not_stated",
        "not_stated",
        "99",
        "uk",
        "no",
        "other.language",
        "",
        "",
    ),
    (
        "C006",
        "7A1",
        "2024-02-29",
        "2024-08-01",
        "P06",
        "dentist",
        "dentist",
        "Orthodontics",
        "female",
        "45_54",
        "white",
        "uk",
        "no",
        "clinical.record_keeping",
        "hpan",
        "referred_to_regulator",
    ),
    (
        "C007",
        "7A1",
        "2019-04-01",
        "2019-12-31",
        "P07",
        "dentist",
        "dentist",
        "Restorative dentistry",
        "male",
        "65_plus",
        "Asian or Asian British",
        "international",
        "no",
        "behaviour;health",
        "team_review",
        "left_organisation",
    ),
    (
        "C008",
        "RJ1",
        "2024-03-31",
        "",
        "P08",
        "doctor",
        "consultant",
        "Some new specialty",
        "male",
        "35_44",
        "C",
        "eea",
        "no",
        "other",
        "education",
        "other",
    ),
    (
        "C009",
        "RJ1",
        "2001-01-01",
        "2001-06-01",
        "P09",
        "doctor",
        "gp",
        "General practice",
        "female",
        "55_64",
        "M",
        "uk",
        "yes",
        "clinical.governance_safety;behaviour.probity;health.addiction",
        "restriction;behavioural_assessment",
        "resolved_locally",
    ),
    (
        "C010",
        "RX2",
        "2025-06-30",
        "",
        "P01",
        "doctor",
        "consultant",
        "Cardiology",
        "male",
        "45_54",
        "A",
        "uk",
        "no",
        "clinical",
        "",
        "open",
    ),
]
CASES = [dict(zip(_CASE_COLUMNS, row, strict=True)) for row in _CASE_ROWS]


@dataclass
class Contract:
    """Rows of the three files as dicts of text, to change and then write in any format."""

    directory: Path
    organisations: list[dict[str, str]] = field(default_factory=lambda: copy.deepcopy(ORGANISATIONS))
    workforce: list[dict[str, str]] = field(default_factory=lambda: copy.deepcopy(WORKFORCE))
    cases: list[dict[str, str]] = field(default_factory=lambda: copy.deepcopy(CASES))
    today: dt.date = TODAY

    def write(self, fmt: str = "csv", encoding: str = "utf-8") -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        for name in ("organisations", "workforce", "cases"):
            write_rows(self.directory / f"{name}.{fmt}", getattr(self, name), encoding=encoding)
        return self.directory

    def load(self, fmt: str = "csv", encoding: str = "utf-8") -> Ingested:
        self.write(fmt, encoding)
        return self.load_written()

    def load_written(self) -> Ingested:
        """Load the directory as it is on disk, without writing the rows first."""
        return load(self.directory, today=self.today)

    @staticmethod
    def row(index: int) -> int:
        """The spreadsheet row of the index-th data row (the header is row 1)."""
        return index + 2


def write_rows(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> None:
    frame = pl.DataFrame(rows, schema={name: pl.String for name in rows[0]})
    if path.suffix == ".csv":
        path.write_bytes(frame.write_csv().encode(encoding))
    elif path.suffix == ".xlsx":
        frame.write_excel(path)
    else:
        frame.write_parquet(path)


@pytest.fixture
def contract(tmp_path: Path) -> Contract:
    return Contract(tmp_path / "data")


@pytest.fixture(scope="session")
def contract_at() -> type[Contract]:
    """Contract itself, for tests (hypothesis ones) that make several directories in one test."""
    return Contract


class PanicException(BaseException):
    """Stands in for pyo3_runtime.PanicException: a BaseException, known only by its class name."""


@pytest.fixture
def panic_on(monkeypatch):
    """`panic_on("workforce")` makes reading that file panic the way a Rust library does."""
    from concerns.ingest import _load

    opened = _load.open_table

    def arm(name: str, message: str = "assertion failed: i < self.len()") -> None:
        def panicking(path: Path):
            if path.stem == name:
                raise PanicException(message)
            return opened(path)

        monkeypatch.setattr(_load, "open_table", panicking)

    return arm
