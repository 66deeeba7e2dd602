"""The canonical frames: what ingest produces and every later step reads.

Code columns are Polars Enums in vocabulary order, so a frame carries its own
allowed values and tables come out in the order reports show them. Ingest
builds these frames from the contract files; the synthetic generator's files
go through the same ingest; tests build them with `cases_frame` and friends.
"""

from __future__ import annotations

import polars as pl

from concerns import vocabulary as v

__all__ = [
    "CASES_SCHEMA",
    "ORGANISATIONS_SCHEMA",
    "WORKFORCE_SCHEMA",
    "CASES_REQUIRED",
    "CASES_OPTIONAL",
    "ORGANISATIONS_REQUIRED",
    "ORGANISATIONS_OPTIONAL",
    "WORKFORCE_REQUIRED",
    "WORKFORCE_GROUPS",
    "enum",
    "conform",
]


def enum(codes: v.CodeSet) -> pl.Enum:
    return pl.Enum(list(codes.codes))


# Workforce `group` values: every group of every dimension, plus "all" for total.
WORKFORCE_GROUPS: tuple[str, ...] = tuple(
    dict.fromkeys([v.TOTAL_GROUP] + [code for codes in v.DIMENSION_CODESETS.values() for code in codes.codes])
)

TOP_LEVEL_FLAGS = {f"concern_{code}": code for code in v.CONCERN_CATEGORIES.codes}

CASES_SCHEMA: dict[str, pl.DataType] = {
    "source_row": pl.Int64(),
    "case_id": pl.String(),
    "org_code": pl.String(),
    "opened_on": pl.Date(),
    "closed_on": pl.Date(),
    "fiscal_year": pl.String(),
    "practitioner_id": pl.String(),
    "profession": enum(v.PROFESSIONS),
    "grade": enum(v.GRADES),
    "specialty": pl.String(),
    "specialty_group": enum(v.SPECIALTY_GROUPS),
    "standard_specialty": enum(v.SPECIALTIES),  # null when the specialty names only a group, or none
    "sex": enum(v.SEXES),
    "age_band": enum(v.AGE_BANDS),
    "ethnicity": pl.String(),  # the category letter when one was given, else null
    "ethnic_group": enum(v.ETHNIC_GROUPS),
    "ethnic_minority": pl.Boolean(),  # null when ethnicity is not stated
    "pmq": enum(v.PMQS),
    "disability": enum(v.DISABILITIES),
    "concerns": pl.List(enum(v.CONCERNS)),
    **{flag: pl.Boolean() for flag in TOP_LEVEL_FLAGS},
    "concern_areas": pl.Int8(),
    "services": pl.List(enum(v.SERVICES)),  # always includes "advice"
    "outcome": enum(v.OUTCOMES),  # null when not recorded
}

CASES_REQUIRED = (
    "case_id",
    "org_code",
    "opened_on",
    "practitioner_id",
    "profession",
    "grade",
    "sex",
    "age_band",
    "ethnicity",
    "pmq",
    "concerns",
)
CASES_OPTIONAL = ("closed_on", "specialty", "disability", "services", "outcome")

ORGANISATIONS_SCHEMA: dict[str, pl.DataType] = {
    "source_row": pl.Int64(),
    "org_code": pl.String(),
    "name": pl.String(),
    "org_type": enum(v.ORG_TYPES),
    "nation": enum(v.NATIONS),
    "region": pl.String(),
}
ORGANISATIONS_REQUIRED = ("org_code", "name", "org_type", "nation")
ORGANISATIONS_OPTIONAL = ("region",)

WORKFORCE_SCHEMA: dict[str, pl.DataType] = {
    "source_row": pl.Int64(),
    "org_code": pl.String(),
    "fiscal_year": pl.String(),
    "profession": enum(v.PROFESSIONS),
    "dimension": enum(v.WORKFORCE_DIMENSIONS),
    "group": pl.Enum(list(WORKFORCE_GROUPS)),
    "headcount": pl.Int64(),
}
WORKFORCE_REQUIRED = ("org_code", "fiscal_year", "profession", "dimension", "group", "headcount")


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast a frame's columns to a canonical schema (extra columns dropped).

    Missing columns are added as nulls, so small hand-built frames in tests need
    only the columns they care about.
    """
    columns = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in schema.items()
    ]
    return frame.select(columns)
