"""Finding every problem in the prepared frames: one row per problem, not per rejected row.

A problems frame has PROBLEM_SCHEMA: the spreadsheet row, the column at fault
(null when the problem is the row as a whole), the sentence and its kind.
Per-column rules run through pandera; the rules that look across rows or
files (duplicates, unknown organisations, dates out of order, a workforce
group that does not fit its dimension) are Polars queries.
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl

from concerns import canonical as c
from concerns import vocabulary as v
from concerns.ingest import _contract as k
from concerns.ingest import _reasons as r
from concerns.ingest._schemas import schema_for

PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "source_row": pl.Int64(),
    "column": pl.String(),
    "reason": pl.String(),
    "kind": pl.String(),
}

_ROWS_SHOWN = 5
_MOST_SUGGESTED = 1000  # distinct wrong values in a column, beyond which "did you mean" is left out


def no_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def problem_rows(problems: pl.DataFrame) -> pl.Series:
    return problems["source_row"].unique()


# --- per-column rules (pandera) ---------------------------------------------------------


FAILURE_SCHEMA: dict[str, pl.DataType] = {
    "source_row": pl.Int64(),
    "column": pl.String(),
    "check": pl.String(),
    "value": pl.String(),
    "dimension": pl.String(),  # a workforce row's dimension, which a group is read against
}


def column_failures(file: str, prepared: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """Each failed per-column rule of (a batch of) one file, found by its pandera schema: FAILURE_SCHEMA rows, no sentences yet.

    Sentences are written by `explain_failures` once every batch has been
    checked, because whether a mistake gets a suggestion depends on how many
    distinct mistakes its column holds in the whole file.
    """
    schema = schema_for(file, today)
    checked = prepared.select(name for name in prepared.columns if name in schema.columns)  # no copy
    try:
        schema.validate(checked, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return _located(file, errors.failure_cases, prepared)
    return pl.DataFrame(schema=FAILURE_SCHEMA)


def _located(file: str, failures: pl.DataFrame, prepared: pl.DataFrame) -> pl.DataFrame:
    if failures["index"].null_count():
        unexpected = failures.filter(pl.col("index").is_null()).row(0, named=True)
        raise RuntimeError(f"{file}: schema failure that is not about a row: {unexpected}")
    dimension = (
        prepared["dimension"]
        if "dimension" in prepared.columns
        else pl.repeat(None, prepared.height, dtype=pl.String, eager=True)
    )
    return failures.select(
        prepared["source_row"].gather(failures["index"]).alias("source_row"),
        "column",
        "check",
        pl.col("failure_case").cast(pl.String).alias("value"),
        dimension.gather(failures["index"]).alias("dimension"),
    ).cast(pl.Schema(FAILURE_SCHEMA))


def explain_failures(file: str, located: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """Failed per-column rules (FAILURE_SCHEMA, from every batch of a file) as problems with their sentences."""
    if located.is_empty():
        return no_problems()
    # One sentence per distinct failure, not per row: a million rows hold few distinct mistakes.
    distinct = located.select("column", "check", "value", "dimension").unique()
    # A column full of distinct wrong values (say, ids in the grade column) gets no suggestions:
    # looking for the nearest code is slow, and no code is near anyway.
    crowded = set(
        distinct.group_by("column").len().filter(pl.col("len") > _MOST_SUGGESTED)["column"].to_list()
    )
    distinct = distinct.with_row_index("failure")
    failures, texts, kinds = [], [], []
    for failure, column, check, value, dimension in distinct.iter_rows():
        context = dimension if column == "group" else None
        suggest = column not in crowded
        for text, kind in r.column_reasons(file, column, check, value, context, today, suggest=suggest):
            failures.append(failure)
            texts.append(text)
            kinds.append(kind)
    reasons = pl.DataFrame(
        {"failure": failures, "reason": texts, "kind": kinds},
        schema={"failure": pl.UInt32, "reason": pl.String, "kind": pl.String},
    )
    return (
        located.join(distinct, on=["column", "check", "value", "dimension"], how="left", nulls_equal=True)
        .join(reasons, on="failure", how="inner")
        .select(list(PROBLEM_SCHEMA))
        .cast(pl.Schema(PROBLEM_SCHEMA))
    )


# --- rules across rows and files ----------------------------------------------------------


def duplicate_case_ids(cases: pl.DataFrame) -> pl.DataFrame:
    """Every row of a case_id used more than once: we cannot know which row is right."""
    shared = _sharing(cases, ["case_id"], content=["case_id"])
    return _problems(
        shared,
        column="case_id",
        reason=pl.format(
            'case_id "{}" is used by {}; every one is rejected because we cannot tell which is right',
            "case_id",
            _rows_phrase(pl.col("rows")),
        ),
        kind=r.DUPLICATE_CASE,
    )


def duplicate_organisations(organisations: pl.DataFrame) -> pl.DataFrame:
    """Rows sharing an org_code: exact repeats keep the first row, conflicting rows are all rejected.

    Rows are compared whatever their other problems, so a broken copy of a
    good row is reported as a conflict at once rather than after it is fixed.
    """
    content = list(k.contract_columns("organisations"))
    return _repeated_or_conflicting(
        _sharing(organisations, ["org_code"], content=content),
        column="org_code",
        repeat=pl.format(
            'org_code "{}" repeats row {} exactly; only row {} is used', "org_code", "first_row", "first_row"
        ),
        conflict=pl.format(
            'org_code "{}" is in {} with different details; every one is rejected because we cannot tell which is right',
            "org_code",
            _rows_phrase(pl.col("rows")),
        ),
        kind=r.DUPLICATE_ORG,
    )


def duplicate_workforce_rows(workforce: pl.DataFrame) -> pl.DataFrame:
    """Rows sharing a workforce key: exact repeats keep the first row, different headcounts reject all."""
    key = list(k.WORKFORCE_KEY)
    described = pl.format('{}, {}, {}, {} "{}"', *key)
    return _repeated_or_conflicting(
        _sharing(workforce, key, content=["headcount"]),
        column=None,
        repeat=pl.format(
            "{} repeats row {} exactly; only row {} is used", described, "first_row", "first_row"
        ),
        conflict=pl.format(
            "{} is in {} with different headcounts; every one is rejected because we cannot tell which is right",
            described,
            _rows_phrase(pl.col("rows")),
        ),
        kind=r.DUPLICATE_WORKFORCE,
    )


def _sharing(prepared: pl.DataFrame, key: list[str], content: list[str]) -> pl.DataFrame:
    """Each row whose non-empty key is shared: its rows, the first of them, and whether all agree."""
    groups = (
        prepared.lazy()
        .filter(pl.all_horizontal(pl.col(key).is_not_null()))
        .filter(pl.struct(key).is_duplicated())  # cheap, and leaves few rows to group
        .group_by(key)
        .agg(
            pl.col("source_row").sort().alias("rows"),
            pl.struct(content).n_unique().alias("versions"),
        )
        .filter(pl.col("rows").list.len() > 1)
        .with_columns(pl.col("rows").list.first().alias("first_row"), pl.col("rows").alias("source_row"))
        .explode("source_row")
    )
    return groups.collect()


def _repeated_or_conflicting(
    shared: pl.DataFrame, *, column: str | None, repeat: pl.Expr, conflict: pl.Expr, kind: str
) -> pl.DataFrame:
    identical = pl.col("versions") == 1
    rejected = shared.filter(~identical | (pl.col("source_row") != pl.col("first_row")))
    return _problems(
        rejected, column=column, reason=pl.when(identical).then(repeat).otherwise(conflict), kind=kind
    )


def unknown_org_codes(
    prepared: pl.DataFrame, organisations: pl.DataFrame, rejected_rows: pl.Series, registry: str
) -> pl.DataFrame:
    """Rows (cases or workforce) whose org_code has no *accepted* organisation row.

    The rule: a row refers to an organisation, and an organisation exists for
    the analysis only through an accepted row of organisations (its type and
    nation feed the peer comparisons). So a rejected organisation row takes
    its cases with it when, and only when, no accepted row has that code. With
    the duplicate rule above, the one way a code keeps an accepted row beside
    a rejected one is an exact repeat, which changes nothing. When a code is
    in the file but all its rows were rejected, the reason points at those
    rows, because fixing them is what makes these rows acceptable. `registry`
    is the organisations file's name, which the reasons give.
    """
    accepted_codes = organisations.filter(~pl.col("source_row").is_in(rejected_rows.implode()))["org_code"]
    rejected_codes = (
        organisations.filter(
            pl.col("source_row").is_in(rejected_rows.implode()) & pl.col("org_code").is_not_null()
        )
        .group_by("org_code")
        .agg(pl.col("source_row").sort().alias("org_rows"))
    )
    unknown = prepared.filter(
        pl.col("org_code").is_not_null() & ~pl.col("org_code").is_in(accepted_codes.implode())
    ).join(rejected_codes, on="org_code", how="left")
    missing = pl.col("org_rows").is_null()
    reason = (
        pl.when(missing)
        .then(pl.format(f"organisation {{}} is not in {registry}", "org_code"))
        .otherwise(
            pl.format(
                f"organisation {{}} is in {registry}, but its {{}} rejected; fix it there",
                "org_code",
                _rows_phrase(pl.col("org_rows"), verb=True),
            )
        )
    )
    kind = pl.when(missing).then(pl.lit(r.ORG_NOT_IN_REGISTRY)).otherwise(pl.lit(r.ORG_REJECTED_IN_REGISTRY))
    return _problems(unknown, column="org_code", reason=reason, kind=kind)


def closed_before_opened(cases: pl.DataFrame) -> pl.DataFrame:
    opened = pl.col("opened_on").str.to_date("%Y-%m-%d", strict=False)
    closed = pl.col("closed_on").str.to_date("%Y-%m-%d", strict=False)
    return _problems(
        cases.filter(closed < opened),
        column="closed_on",
        reason=pl.format("closed_on {} is before opened_on {}", "closed_on", "opened_on"),
        kind=r.CLOSED_BEFORE_OPENED,
    )


def groups_outside_dimension(workforce: pl.DataFrame) -> pl.DataFrame:
    """Known groups on a row whose (known) dimension does not have them, e.g. sex "white"."""
    allowed = pl.DataFrame(
        [
            (dimension, group)
            for dimension in v.WORKFORCE_DIMENSIONS.codes
            for group in k.codes_of_dimension(dimension)
        ],
        schema={"dimension": pl.String, "group": pl.String},
        orient="row",
    )
    misfits = workforce.filter(
        pl.col("dimension").is_in(v.WORKFORCE_DIMENSIONS.codes) & pl.col("group").is_in(c.WORKFORCE_GROUPS)
    ).join(allowed, on=["dimension", "group"], how="anti")
    pairs = misfits.select("dimension", "group").unique()
    reasons = pairs.with_columns(
        pl.Series("reason", [r.group_outside_dimension(g, d) for d, g in pairs.iter_rows()], pl.String)
    )
    return _problems(
        misfits.join(reasons, on=["dimension", "group"], how="left"),
        column="group",
        reason=pl.col("reason"),
        kind=r.GROUP_NOT_IN_DIMENSION,
    )


# --- helpers ------------------------------------------------------------------------------


def _problems(
    rows: pl.DataFrame, *, column: str | None, reason: pl.Expr, kind: str | pl.Expr
) -> pl.DataFrame:
    return rows.select(
        pl.col("source_row").cast(pl.Int64),
        pl.lit(column, dtype=pl.String).alias("column"),
        reason.cast(pl.String).alias("reason"),
        (kind if isinstance(kind, pl.Expr) else pl.lit(kind)).cast(pl.String).alias("kind"),
    )


def _rows_phrase(rows: pl.Expr, *, verb: bool = False) -> pl.Expr:
    """'row 3', 'rows 3 and 8', 'rows 3, 8, 12, 15, 20 and 4 more' (with 'was'/'were' if verb)."""
    count = rows.list.len()
    text = rows.cast(pl.List(pl.String))
    one = pl.format("row {}", text.list.first())
    few = pl.format("rows {} and {}", text.list.slice(0, count - 1).list.join(", "), text.list.last())
    many = pl.format(
        "rows {} and {} more",
        text.list.head(_ROWS_SHOWN).list.join(", "),
        (count - _ROWS_SHOWN).cast(pl.String),
    )
    phrase = pl.when(count == 1).then(one).when(count <= _ROWS_SHOWN).then(few).otherwise(many)
    if not verb:
        return phrase
    return pl.format("{} {}", phrase, pl.when(count == 1).then(pl.lit("was")).otherwise(pl.lit("were")))
