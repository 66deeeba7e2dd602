"""The rejects table: one row per problem, with the cell as the person wrote it."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from concerns.ingest._contract import contract_columns

REJECTS_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),
    "source_row": pl.Int64(),
    "case_id": pl.String(),
    "column": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
    "kind": pl.String(),
}


def rejects_of(file: str, problems: pl.DataFrame, raw: pl.DataFrame) -> pl.DataFrame:
    """One file's problems with the file name, the row's case_id and the raw cell value."""
    rows = problems["source_row"].unique().implode()
    rejected_raw = raw.filter(pl.col("source_row").is_in(rows))
    cells = _cells_at_fault(problems, rejected_raw)
    case_ids = rejected_raw.select(
        "source_row",
        (pl.col("case_id") if "case_id" in raw.columns else pl.lit(None, dtype=pl.String)).alias("case_id"),
    )
    # Within a row, problems follow the contract's column order; row-wide problems come last.
    position = {column: index for index, column in enumerate(contract_columns(file))}
    return (
        problems.join(cells, on=["source_row", "column"], how="left")
        .join(case_ids, on="source_row", how="left")
        .with_columns(
            pl.col("column")
            .replace_strict(position, default=len(position), return_dtype=pl.Int32)
            .fill_null(len(position))
            .alias("order")
        )
        .sort("source_row", "order", "reason")
        .with_columns(pl.lit(file).alias("file"))
        .select(list(REJECTS_SCHEMA))
        .cast(pl.Schema(REJECTS_SCHEMA))
    )


def _cells_at_fault(problems: pl.DataFrame, raw: pl.DataFrame) -> pl.DataFrame:
    """source_row, column and the raw value of each cell a problem is about.

    Gathered a column at a time for the rows with a problem in it: unpivoting
    every cell of every rejected row would make a frame many times the size.
    """
    at_fault = problems.select("source_row", "column").drop_nulls().unique()
    cells = [
        raw.join(rows.select("source_row"), on="source_row", how="semi").select(
            "source_row", pl.lit(column, dtype=pl.String).alias("column"), pl.col(column).alias("value")
        )
        for (column,), rows in at_fault.group_by("column")
        if column in raw.columns
    ]
    schema = {"source_row": pl.Int64, "column": pl.String, "value": pl.String}
    return (
        pl.concat([frame.cast(pl.Schema(schema)) for frame in cells])
        if cells
        else pl.DataFrame(schema=schema)
    )


def write(rejects: pl.DataFrame, path: Path) -> None:
    """As CSV with a byte-order mark, so Excel shows non-ASCII names correctly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rejects.write_csv(path, include_bom=True)
