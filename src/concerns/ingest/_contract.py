"""Which column of which file is read against which code set (from the data contract)."""

from __future__ import annotations

from concerns import canonical as c
from concerns import vocabulary as v

CODE_COLUMNS: dict[str, dict[str, v.CodeSet]] = {
    "organisations": {"org_type": v.ORG_TYPES, "nation": v.NATIONS},
    "workforce": {"profession": v.PROFESSIONS, "dimension": v.WORKFORCE_DIMENSIONS},
    "cases": {
        "profession": v.PROFESSIONS,
        "grade": v.GRADES,
        "sex": v.SEXES,
        "age_band": v.AGE_BANDS,
        "pmq": v.PMQS,
        "disability": v.DISABILITIES,
        "outcome": v.OUTCOMES,
    },
}

LIST_COLUMNS: dict[str, v.CodeSet] = {"concerns": v.CONCERNS, "services": v.SERVICES}
LIST_SEPARATOR = ";"
IMPLIED_SERVICE = "advice"

DATE_COLUMNS: tuple[str, ...] = ("opened_on", "closed_on")
EARLIEST_DATE = "2001-01-01"  # the service (then NCAS) began in 2001

# An ethnicity cell holds a category letter (A–S, Z, 99) or an ethnic group name.
ETHNIC_TOKENS: tuple[str, ...] = v.ETHNIC_CATEGORIES.codes + v.ETHNIC_GROUPS.codes

REQUIRED: dict[str, tuple[str, ...]] = {
    "organisations": c.ORGANISATIONS_REQUIRED,
    "workforce": c.WORKFORCE_REQUIRED,
    "cases": c.CASES_REQUIRED,
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "organisations": c.ORGANISATIONS_OPTIONAL,
    "workforce": (),
    "cases": c.CASES_OPTIONAL,
}

WORKFORCE_KEY: tuple[str, ...] = ("org_code", "fiscal_year", "profession", "dimension", "group")

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
# Free text that reaches reports, the registry or the rejects file, so may not start like a formula.
# practitioner_id is left out: it is only ever compared, never printed, and base64 pseudonyms may start with +.
NO_FORMULA: dict[str, tuple[str, ...]] = {
    "organisations": ("org_code", "name", "region"),
    "workforce": ("org_code",),
    "cases": ("case_id", "org_code", "specialty"),
}


def contract_columns(file: str) -> tuple[str, ...]:
    return REQUIRED[file] + OPTIONAL[file]


def codes_of_dimension(dimension: str) -> tuple[str, ...]:
    """The workforce `group` values a dimension allows."""
    if dimension == "total":
        return (v.TOTAL_GROUP,)
    return v.DIMENSION_CODESETS[dimension].codes
