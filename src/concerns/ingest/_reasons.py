"""Sentences a person can act on, one per problem, and the short kind each belongs to."""

from __future__ import annotations

import datetime as dt

from concerns import vocabulary as v
from concerns.ingest import _contract as k
from concerns.ingest import _schemas as s
from concerns.ingest._normalise import list_items

# Short kinds, for grouping rejects in summaries.
EMPTY = "empty required value"
UNKNOWN_CODE = "unknown code"
UNKNOWN_ITEM = "unknown list item"
NOT_A_DATE = "not a date"
TOO_EARLY = "date before 2001"
IN_FUTURE = "date in the future"
NOT_WHOLE = "not a whole number"
NEGATIVE = "negative headcount"
BAD_FISCAL_YEAR = "malformed fiscal_year"
ORG_NOT_IN_REGISTRY = "organisation not in registry"
ORG_REJECTED_IN_REGISTRY = "organisation rejected in registry"
DUPLICATE_CASE = "duplicate case_id"
DUPLICATE_ORG = "duplicate org_code"
DUPLICATE_WORKFORCE = "duplicate workforce row"
CLOSED_BEFORE_OPENED = "closed before opened"
GROUP_NOT_IN_DIMENSION = "group not valid for dimension"
FORMULA_START = "starts like a formula"

_LISTED_AT_MOST = 10
_NAMED_AT_MOST = 5  # organisations named in the sentence on missing ones
_LIST_CODES: dict[str, frozenset[str]] = {
    column: frozenset(codes.codes) for column, codes in k.LIST_COLUMNS.items()
}


def column_reasons(
    file: str,
    column: str,
    check: str,
    value: str | None,
    dimension: str | None,
    today: dt.date,
    *,
    suggest: bool = True,
) -> list[tuple[str, str]]:
    """(reason, kind) for one failed column rule; several when a list has several unknown items."""
    if check == s.NOT_EMPTY:
        return [(_empty(file, column), EMPTY)]
    if check == s.KNOWN_CODE:
        return [(_unknown_code(file, column, str(value), dimension, suggest), UNKNOWN_CODE)]
    if check == s.KNOWN_ITEMS:
        codes = k.LIST_COLUMNS[column]
        items = _unknown_items(str(value), column)
        return [(_unknown_item(column, item, codes, suggest), UNKNOWN_ITEM) for item in items]
    if check == s.IN_RANGE:
        return [_out_of_range(column, str(value), today)]
    if check == s.NO_FORMULA:
        return [(_formula_start(file, column, str(value)), FORMULA_START)]
    texts = {
        s.IS_DATE: (f'{column} "{value}" is not a date; write dates as 2023-04-17 or 17/04/2023', NOT_A_DATE),
        s.WHOLE_NUMBER: (f'{column} "{value}" is not a whole number of people', NOT_WHOLE),
        s.NOT_NEGATIVE: (f'{column} "{value}" is negative; a headcount is 0 or more', NEGATIVE),
        s.FISCAL_YEAR: (
            f'{column} "{value}" is not an NHS financial year; write it like 2023/24',
            BAD_FISCAL_YEAR,
        ),
    }
    return [texts[check]]


def _out_of_range(column: str, value: str, today: dt.date) -> tuple[str, str]:
    if value < k.EARLIEST_DATE:  # ISO dates sort as text
        return f"{column} {value} is before {k.EARLIEST_DATE}, when the service began", TOO_EARLY
    return f"{column} {value} is in the future (today is {today.isoformat()})", IN_FUTURE


def _formula_start(file: str, column: str, value: str) -> str:
    subject = f"organisation {column}" if file == "organisations" and column != "org_code" else column
    shown = {"\t": "a tab", "\r": "a carriage return"}.get(value[:1], f"'{value[:1]}'")
    return (
        f"{subject} starts with {shown} — a spreadsheet would run it as a formula; "
        "remove the leading character"
    )


def _unknown_items(text: str, column: str) -> list[str]:
    known = _LIST_CODES[column]
    return list(dict.fromkeys(item for item in list_items(text) if item not in known))


def _empty(file: str, column: str) -> str:
    if column == "concerns":
        return 'concerns is empty; give at least one concern code, e.g. "clinical"'
    if column == "ethnicity":
        return 'ethnicity is empty; it is required (write "Z" when it is not stated)'
    codes = k.CODE_COLUMNS[file].get(column)
    if codes is not None and "not_stated" in codes:
        return f'{column} is empty; it is required (write "not_stated" when it is not known)'
    return f"{column} is empty; it is required"


def _unknown_code(file: str, column: str, value: str, dimension: str | None, suggest: bool) -> str:
    if column == "ethnicity":
        hint = (
            _did_you_mean(v.ETHNIC_GROUPS.suggest(value) or v.ETHNIC_CATEGORIES.suggest(value))
            if suggest
            else ""
        )
        return f'ethnicity "{value}" is not an ethnic category (A–S, Z or 99) or ethnic group name{hint}'
    if column == "group":
        return _unknown_group(value, dimension, suggest)
    codes = k.CODE_COLUMNS[file][column]
    return f'{column} "{value}" is not a known {codes.name}{_hint(value, codes, suggest)}'


def _unknown_group(value: str, dimension: str | None, suggest: bool) -> str:
    if dimension == "total":
        return f'group "{value}" is not valid for dimension "total"; total rows use group "{v.TOTAL_GROUP}"'
    codes = v.DIMENSION_CODESETS.get(dimension or "")
    if codes is None:
        return f'group "{value}" is not a known workforce group'
    return f'group "{value}" is not a known {codes.name}{_hint(value, codes, suggest)}'


def _unknown_item(column: str, item: str, codes: v.CodeSet, suggest: bool) -> str:
    return f'{column} item "{item}" is not a known {codes.name}{_hint(item, codes, suggest)}'


def _hint(value: str, codes: v.CodeSet, suggest: bool) -> str:
    suggestion = codes.suggest(value) if suggest else None
    if suggestion:
        return _did_you_mean(suggestion)
    if len(codes) <= _LISTED_AT_MOST:
        return f"; use one of: {', '.join(codes.codes)}"
    return "; see the data contract for the allowed codes"


def _did_you_mean(code: str | None) -> str:
    return f'; did you mean "{code}"?' if code else ""


def group_outside_dimension(group: str, dimension: str) -> str:
    allowed = k.codes_of_dimension(dimension)
    if dimension == "total":
        return f'group "{group}" does not go with dimension "total"; total rows use group "{v.TOTAL_GROUP}"'
    if group == v.TOTAL_GROUP:
        return f'group "{v.TOTAL_GROUP}" is only for dimension "total"; {dimension} rows use one of: {", ".join(allowed)}'
    return f'group "{group}" is not a group of dimension "{dimension}"; use one of: {", ".join(allowed)}'


def missing_organisations(codes: tuple[str, ...], registry: str) -> str:
    """The one sentence that explains a registry cut short (or org_codes mistyped) before any table."""
    shown = ", ".join(codes[:_NAMED_AT_MOST])
    more = f" and {len(codes) - _NAMED_AT_MOST:,} more" if len(codes) > _NAMED_AT_MOST else ""
    if len(codes) == 1:
        return (
            f"1 organisation named in cases or workforce is not in {registry} ({shown}), so its rows were "
            f"rejected: add it to {registry}, or correct the org_code where it is mistyped."
        )
    return (
        f"{len(codes):,} organisations named in cases or workforce are not in {registry} ({shown}{more}), "
        f"so their rows were rejected: add them to {registry} (was it cut short?), or correct the org_code "
        "where it is mistyped."
    )
