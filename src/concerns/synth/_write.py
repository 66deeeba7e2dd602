"""Running the generator: in memory for small data, streamed to disk for any size.

Cases are drawn and written a batch of organisations at a time (about
200,000 rows a batch), so memory stays flat however many rows are asked for.
Files are written under temporary names and renamed at the end, so an
interrupted run never leaves a half-written file under a contract name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from concerns.synth._cases import draw_org
from concerns.synth._config import SynthConfig, SynthError
from concerns.synth._frames import CASE_COLUMNS, case_frame, empty_case_frame
from concerns.synth._plan import Plan, make_plan
from concerns.synth._truth import Tally, truth_document
from concerns.synth._workforce import workforce_frame

__all__ = ["FORMATS", "Synthetic", "generate", "write"]

FORMATS = ("csv", "parquet")
BATCH_ROWS = 200_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Synthetic:
    """Generated data as the contract files would hold it (text columns, integer headcount)."""

    cases: pl.DataFrame
    organisations: pl.DataFrame
    workforce: pl.DataFrame
    truth: dict[str, Any]


def _batches(plan: Plan) -> Iterator[list[int]]:
    batch: list[int] = []
    rows = 0
    for org in range(len(plan.org_codes)):
        batch.append(org)
        rows += plan.cases_of(org)
        if rows >= BATCH_ROWS:
            yield batch
            batch, rows = [], 0
    if batch:
        yield batch


def _draw_batch(plan: Plan, orgs: list[int]) -> dict[str, np.ndarray]:
    drawn = []
    for org in orgs:
        cases = draw_org(plan, org)
        if cases:
            cases["org"] = np.full(cases["opened"].size, org, dtype=np.int64)
            drawn.append(cases)
    if not drawn:
        return {}
    return {name: np.concatenate([d[name] for d in drawn]) for name in drawn[0]}


def _case_batches(plan: Plan, tally: Tally, progress: Progress | None) -> Iterator[pl.DataFrame]:
    total = int(plan.counts.sum() + plan.extras.sum())
    done = 0
    for orgs in _batches(plan):
        cases = _draw_batch(plan, orgs)
        tally.add(cases)
        frame = case_frame(plan, cases)
        done += frame.height
        if progress is not None:
            progress(done, total)
        yield frame


def _file_names(fmt: str) -> dict[str, str]:
    return {name: f"{name}.{fmt}" for name in ("cases", "organisations", "workforce")} | {
        "truth": "truth.json"
    }


def generate(config: SynthConfig) -> Synthetic:
    """The data in memory (meant for small configurations: tests, demos)."""
    plan = make_plan(config)
    tally = Tally(plan)
    frames = list(_case_batches(plan, tally, None))
    cases = pl.concat(frames) if frames else empty_case_frame()
    organisations = plan.population.orgs
    workforce = workforce_frame(plan.population)
    rows = {"cases": cases.height, "organisations": organisations.height, "workforce": workforce.height}
    truth = truth_document(plan, tally, _file_names("csv"), rows)
    return Synthetic(cases=cases, organisations=organisations, workforce=workforce, truth=truth)


def write(config: SynthConfig, out: Path, fmt: str = "csv", *, progress: Progress | None = None) -> Path:
    """Generate and stream to `out` (created if needed): the three contract files and truth.json."""
    if fmt not in FORMATS:
        raise SynthError(f"--format must be csv or parquet, not {fmt!r}")
    plan = make_plan(config)
    out = Path(out)
    _prepare(out)
    names = _file_names(fmt)
    written: list[Path] = []
    try:
        tally = Tally(plan)
        rows = {
            "cases": _write_cases(out / names["cases"], fmt, _case_batches(plan, tally, progress), written)
        }
        organisations = plan.population.orgs
        workforce = workforce_frame(plan.population)
        for name, frame in (("organisations", organisations), ("workforce", workforce)):
            _write_frame(out / names[name], fmt, frame, written)
            rows[name] = frame.height
        truth = truth_document(plan, tally, names, rows)
        partial = _partial(out / names["truth"])
        written.append(partial)
        partial.write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for path in written:
            path.replace(path.with_name(path.name.removesuffix(".partial")))
        _remove_other_formats(out, fmt)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return out


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise SynthError(f"--out {out} is a file, not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SynthError(f"cannot create {out}: {error.strerror or error}") from error


def _partial(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


def _remove_other_formats(out: Path, fmt: str) -> None:
    """A stale cases.parquet next to a fresh cases.csv would be ambiguous to a reader."""
    for name in ("cases", "organisations", "workforce"):
        for other in FORMATS:
            if other != fmt:
                (out / f"{name}.{other}").unlink(missing_ok=True)


def _arrow(frame: pl.DataFrame) -> pa.Table:
    schema = pa.schema(
        [(name, pa.int64() if dtype.is_integer() else pa.string()) for name, dtype in frame.schema.items()]
    )
    return frame.to_arrow().cast(schema)


def _write_frame(path: Path, fmt: str, frame: pl.DataFrame, written: list[Path]) -> None:
    partial = _partial(path)
    written.append(partial)
    if fmt == "csv":
        frame.write_csv(partial)
    else:
        pq.write_table(_arrow(frame), partial, compression="zstd")


def _write_cases(path: Path, fmt: str, frames: Iterator[pl.DataFrame], written: list[Path]) -> int:
    partial = _partial(path)
    written.append(partial)
    rows = 0
    if fmt == "csv":
        with partial.open("wb") as handle:
            empty_case_frame().write_csv(handle)
            for frame in frames:
                frame.write_csv(handle, include_header=False)
                rows += frame.height
        return rows
    schema = _arrow(empty_case_frame()).schema
    with pq.ParquetWriter(partial, schema, compression="zstd") as writer:
        for frame in frames:
            if frame.height:
                writer.write_table(_arrow(frame.select(CASE_COLUMNS)))
                rows += frame.height
        if rows == 0:
            writer.write_table(_arrow(empty_case_frame()))
    return rows
