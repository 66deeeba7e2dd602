"""Hand-built canonical frames for analytics tests: only the fields a test cares about."""

from __future__ import annotations

import datetime as dt

import polars as pl

from concerns import canonical
from concerns import vocabulary as v

CASE_DEFAULTS = {
    "profession": "doctor",
    "grade": "consultant",
    "specialty_group": "medicine",
    "sex": "male",
    "age_band": "45_54",
    "ethnic_group": "white",
    "pmq": "uk",
    "disability": "no",
    "concerns": ["clinical"],
    "services": ["advice"],
    "outcome": None,
}


def case(org_code: str, opened_on: dt.date, n: int = 1, **fields) -> list[dict]:
    record = {**CASE_DEFAULTS, **fields, "org_code": org_code, "opened_on": opened_on}
    record["fiscal_year"] = v.fiscal_year_of(opened_on)
    categories = {v.CONCERNS.group(code) for code in record["concerns"]}
    for category in v.CONCERN_CATEGORIES.codes:
        record[f"concern_{category}"] = category in categories
    record["concern_areas"] = len(categories)
    record["ethnic_minority"] = (
        None if record["ethnic_group"] == "not_stated" else record["ethnic_group"] != "white"
    )
    return [dict(record) for _ in range(n)]


def cases_frame(*groups: list[dict]) -> pl.DataFrame:
    records = [record for group in groups for record in group]
    for i, record in enumerate(records):
        record.setdefault("case_id", f"C{i:05d}")
        record.setdefault("practitioner_id", f"P{i:05d}")
        record["source_row"] = i + 2
    return canonical.conform(pl.DataFrame(records, infer_schema_length=None), canonical.CASES_SCHEMA)


def organisations_frame(*rows: tuple[str, str, str]) -> pl.DataFrame:
    """rows: (org_code, org_type, nation)."""
    records = [
        {"org_code": code, "name": f"Organisation {code}", "org_type": kind, "nation": nation}
        for code, kind, nation in rows
    ]
    return canonical.conform(pl.DataFrame(records), canonical.ORGANISATIONS_SCHEMA)


def workforce_frame(rows: list[tuple]) -> pl.DataFrame:
    """rows: (org_code, fiscal_year, profession, dimension, group, headcount)."""
    columns = ["org_code", "fiscal_year", "profession", "dimension", "group", "headcount"]
    frame = pl.DataFrame([dict(zip(columns, row, strict=True)) for row in rows])
    return canonical.conform(frame, canonical.WORKFORCE_SCHEMA)


def totals(org_code: str, years: list[str], profession: str, headcount: int) -> list[tuple]:
    return [(org_code, year, profession, "total", "all", headcount) for year in years]
