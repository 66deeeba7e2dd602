"""From text as typed to canonical values, in two steps.

`prepare` canonicalises what can be canonicalised and leaves everything else
exactly as the person wrote it: "Consultant" becomes "consultant", 17/04/2023
becomes 2023-04-17, but "consultent" stays "consultent". The checks then read
the contract against the prepared frame, so a failure shows the person's own
text. `to_canonical` turns the accepted prepared rows into the canonical frames.

Code columns are mapped through their distinct values, never row by row: a
million cases hold only a handful of distinct spellings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cache

import polars as pl

from concerns import canonical as c
from concerns import vocabulary as v
from concerns.ingest import _contract as k

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_WHOLE_DECIMAL = r"^([+-]?\d+)\.0*$"
_THOUSANDS = r"^\d{1,3}(,\d{3})+$"


# --- prepare --------------------------------------------------------------------------


def prepare(file: str, raw: pl.DataFrame) -> pl.DataFrame:
    """The raw strings of one file with every recognisable value in canonical form."""
    preparers = {
        "organisations": _prepare_organisations,
        "workforce": _prepare_workforce,
        "cases": _prepare_cases,
    }
    return preparers[file](raw)


def _prepare_organisations(raw: pl.DataFrame) -> pl.DataFrame:
    return raw.select(
        "source_row",
        _mapped(raw["org_code"], _org_code),
        _trimmed(raw["name"]),
        *_code_columns(raw, "organisations"),
        _trimmed(raw["region"]),
    )


def _prepare_workforce(raw: pl.DataFrame) -> pl.DataFrame:
    prepared = raw.select(
        "source_row",
        _mapped(raw["org_code"], _org_code),
        _trimmed(raw["fiscal_year"]),
        *_code_columns(raw, "workforce"),
        _trimmed(raw["group"]),
        _headcount(_trimmed(raw["headcount"])),
    )
    return _with_groups_resolved(prepared)


def _prepare_cases(raw: pl.DataFrame) -> pl.DataFrame:
    return raw.select(
        "source_row",
        _trimmed(raw["case_id"]),
        _mapped(raw["org_code"], _org_code),
        *(_mapped(raw[name], _iso_date) for name in k.DATE_COLUMNS),
        _trimmed(raw["practitioner_id"]),
        *_code_columns(raw, "cases"),
        _trimmed(raw["specialty"]),
        _mapped(raw["specialty"], v.specialty_group_of, keep_unmapped=False).alias("specialty_group"),
        _mapped(raw["specialty"], v.specialty_of, keep_unmapped=False).alias("standard_specialty"),
        _mapped(raw["ethnicity"], _ethnic_token),
        _mapped(raw["concerns"], _list_text(v.CONCERNS), keep_unmapped=False),
        _mapped(raw["services"], _list_text(v.SERVICES, implied=k.IMPLIED_SERVICE), keep_unmapped=False),
    ).with_columns(
        pl.col("disability").fill_null("not_stated"),
        pl.col("services").fill_null(k.IMPLIED_SERVICE),
        pl.col("specialty_group").fill_null("not_stated"),
    )


def trimmed(column: str) -> pl.Expr:
    """A text column as `prepare` trims it (a cell of spaces is empty), as an expression: `_trimmed` lazily."""
    text = pl.col(column).str.strip_chars()
    return pl.when(text != "").then(text).alias(column)


def _trimmed(values: pl.Series) -> pl.Series:
    """Free text without surrounding space; a cell of spaces is empty."""
    text = values.str.strip_chars()
    blank = text == ""
    if blank.any():  # rare, and nulling a few cells copies the whole column
        text = text.scatter(blank.arg_true(), None)
    return text


def _org_code(text: str) -> str:
    # ODS codes are upper case; "rj1" in one file and "RJ1" in another are the same organisation.
    return text.upper()


def _code_columns(raw: pl.DataFrame, file: str) -> list[pl.Expr]:
    return [_mapped(raw[name], codes.resolve) for name, codes in k.CODE_COLUMNS[file].items()]


# What each converter made of each text, kept across batches (a batch holds mostly the spellings
# of the one before) and bounded, since a column of ids in the wrong place holds a million texts.
_REMEMBERED = 100_000
_conversions: dict[Callable[[str], str | None], dict[str, str | None]] = {}


def _mapped(
    series: pl.Series, convert: Callable[[str], str | None], *, keep_unmapped: bool = True
) -> pl.Expr:
    """`convert` applied to each distinct non-empty value, trimmed; unconvertible values kept (trimmed) or nulled."""
    remembered = _conversions.setdefault(convert, {})
    if len(remembered) > _REMEMBERED:
        remembered.clear()
    changes: dict[str, str | None] = {}
    for value in series.drop_nulls().unique().to_list():
        text = value.strip()
        if text in remembered:
            converted = remembered[text]
        else:
            converted = remembered[text] = convert(text) if text else None
        if converted is None:
            converted = (text or None) if keep_unmapped else None
        if converted != value:
            changes[value] = converted
    column = pl.col(series.name)
    # Data already in canonical form (the usual case for exports) needs no pass at all.
    return column.replace(changes) if changes else column


def _ethnic_token(text: str) -> str | None:
    """A category letter for a category, a group code for a group name."""
    return v.ETHNIC_CATEGORIES.resolve(text) or v.ETHNIC_GROUPS.resolve(text)


def list_items(text: str) -> list[str]:
    """The non-empty items of a `;` list, trimmed."""
    return [item.strip() for item in text.split(k.LIST_SEPARATOR) if item.strip()]


@cache  # one converter per code set, so that its conversions are remembered across batches
def _list_text(codes: v.CodeSet, implied: str | None = None) -> Callable[[str], str | None]:
    """A `;` list as its known codes in vocabulary order, then any unknown items as written.

    None when the cell holds no items at all (e.g. ";"), so an empty required
    list is reported as empty.
    """
    order = {code: position for position, code in enumerate(codes.codes)}

    def convert(text: str) -> str | None:
        items = list_items(text)
        if not items:
            return implied
        known = {resolved for item in items if (resolved := codes.resolve(item))}
        if implied:
            known.add(implied)
        unknown = [item for item in dict.fromkeys(items) if codes.resolve(item) is None]
        return k.LIST_SEPARATOR.join([*sorted(known, key=order.__getitem__), *unknown])

    return convert


def _iso_date(text: str) -> str | None:
    """ISO text for an ISO or UK date (or an Excel/Parquet date-time at any time of day); None if not a date."""
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _UK_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _headcount(headcount: pl.Series) -> pl.Expr:
    """Whole numbers as digits: "12.0" (as Excel writes 12) and "1,200" become "12" and "1200"."""
    text = pl.lit(headcount)
    whole = text.str.extract(_WHOLE_DECIMAL, 1)
    grouped = pl.when(text.str.contains(_THOUSANDS)).then(text.str.replace_all(",", "", literal=True))
    return pl.coalesce(whole, grouped, text).alias("headcount")


def _with_groups_resolved(prepared: pl.DataFrame) -> pl.DataFrame:
    """A workforce group is read against the code set of its row's dimension."""
    pairs = prepared.select("dimension", "group").unique().drop_nulls()
    resolved = [_workforce_group(dimension, group) for dimension, group in pairs.iter_rows()]
    lookup = pairs.with_columns(pl.Series("resolved_group", resolved, pl.String))
    return (
        prepared.join(lookup, on=["dimension", "group"], how="left", maintain_order="left")
        .with_columns(pl.coalesce("resolved_group", "group").alias("group"))
        .drop("resolved_group")
    )


def _workforce_group(dimension: str, group: str) -> str:
    if v.normalise_key(group) == v.TOTAL_GROUP:
        return v.TOTAL_GROUP
    codes = v.DIMENSION_CODESETS.get(dimension)
    return (codes.resolve(group) if codes else None) or group


# --- canonical ------------------------------------------------------------------------


def to_canonical(file: str, accepted: pl.DataFrame) -> pl.DataFrame:
    """Accepted prepared rows as the file's canonical frame."""
    if file == "organisations":
        return c.conform(accepted, c.ORGANISATIONS_SCHEMA)
    if file == "workforce":
        return c.conform(accepted.with_columns(pl.col("headcount").str.to_integer()), c.WORKFORCE_SCHEMA)
    return c.conform(_case_columns(accepted), c.CASES_SCHEMA)


def _case_columns(accepted: pl.DataFrame) -> pl.DataFrame:
    return (
        accepted.with_columns(
            *(pl.col(name).str.to_date("%Y-%m-%d") for name in k.DATE_COLUMNS),
            _mapped(accepted["opened_on"], _fiscal_year_of_text).alias("fiscal_year"),
            pl.when(pl.col("ethnicity").is_in(v.ETHNIC_CATEGORIES.codes))
            .then(pl.col("ethnicity"))
            .alias("ethnicity"),
            _ethnic_group(),
            _as_list(accepted["services"], v.SERVICES),
        )
        .with_columns(_ethnic_minority())
        .join(_concern_lookup(accepted["concerns"]), on="concerns", how="left", maintain_order="left")
        .drop("concerns")
        .rename({"concern_list": "concerns"})
    )


def _fiscal_year_of_text(iso: str) -> str:
    return v.fiscal_year_of(dt.date.fromisoformat(iso))


def _concern_lookup(concerns: pl.Series) -> pl.DataFrame:
    """Each distinct concerns text with its code list, top-level flags and number of areas."""
    area_of = {code: v.CONCERNS.group(code) for code in v.CONCERNS.codes}
    texts = pl.DataFrame({"concerns": concerns.unique().drop_nulls()})
    codes = pl.col("concerns").str.split(k.LIST_SEPARATOR)
    areas = codes.list.eval(pl.element().replace_strict(area_of, return_dtype=pl.String))
    return texts.select(
        "concerns",
        codes.cast(pl.List(c.enum(v.CONCERNS))).alias("concern_list"),
        *(areas.list.contains(area).alias(flag) for flag, area in c.TOP_LEVEL_FLAGS.items()),
        areas.list.n_unique().cast(pl.Int8).alias("concern_areas"),
    )


def _as_list(texts: pl.Series, codes: v.CodeSet) -> pl.Expr:
    """A `;` text of canonical codes as a list of codes, through its distinct values."""
    mapping = {text: text.split(k.LIST_SEPARATOR) for text in texts.unique().drop_nulls()}
    dtype = pl.List(c.enum(codes))
    if not mapping:
        return pl.col(texts.name).cast(dtype)
    return pl.col(texts.name).replace_strict(mapping, return_dtype=dtype)


def _ethnic_group() -> pl.Expr:
    letter_to_group = {member.code: member.group for member in v.ETHNIC_CATEGORIES}
    return pl.col("ethnicity").replace(letter_to_group).alias("ethnic_group")


def _ethnic_minority() -> pl.Expr:
    group = pl.col("ethnic_group")
    return (
        pl.when(group == "not_stated")
        .then(None)
        .otherwise(group.is_in(v.ETHNIC_MINORITY_GROUPS))
        .alias("ethnic_minority")
    )
