"""How much disclosure control hides: the share of count cells hidden in a batch's report.json files.

Counts the first (count) column of the concern, profession, grade, specialty group and demographic
tables of every organisation's report; a combined row is one cell and the rows it holds are not
counted; totals are not counted. Figures: docs/disclosure.md ("Aggregate before suppressing").

    python bench/bench_hidden_cells.py REPORTS_DIR   # a batch written with --formats json
    python bench/bench_hidden_cells.py               # the demo data of 2026-12-02, built in a temporary folder
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

AS_OF = dt.date(2026, 12, 2)
TABLES = (
    "concern_categories",
    "profession",
    "grade",
    "specialty_group",
    "ethnic_group",
    "sex",
    "age_band",
    "pmq",
    "disability",
)


def count(reports: Path) -> dict[str, Counter[str]]:
    """Cells and hidden cells: over all reports, in reports with breakdowns, and in printed tables."""
    cells: dict[str, Counter[str]] = {"all": Counter(), "with breakdowns": Counter(), "printed": Counter()}
    for path in sorted(reports.glob("*/report.json")):
        report = json.loads(path.read_text())
        if report["kind"] != "organisation":
            continue
        tables = {table["id"]: table for table in report["tables"]}
        withheld = tables["cases_by_year"]["rows"][-1]["cells"][0]["suppressed"]
        for table_id in TABLES:
            table = tables[table_id]
            for row in table["rows"]:
                if row["is_total"] or "combined_into" in row:
                    continue
                hidden = row["cells"][0]["suppressed"]
                scopes = ["all", *([] if withheld else ["with breakdowns"])]
                scopes += ["printed"] if table.get("printed", True) else []
                for scope in scopes:
                    cells[scope]["cells"] += 1
                    cells[scope]["hidden"] += hidden
                    cells[scope][f"hidden {table_id}"] += hidden
    return cells


def report(cells: dict[str, Counter[str]]) -> None:
    for scope, counted in cells.items():
        share = counted["hidden"] / counted["cells"] if counted["cells"] else 0.0
        print(f"count cells hidden ({scope}): {counted['hidden']:,} of {counted['cells']:,} = {share:.1%}")
    by_table = ", ".join(f"{t} {cells['with breakdowns'][f'hidden {t}']}" for t in TABLES)
    print(f"hidden by table (reports with breakdowns): {by_table}")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        report(count(Path(argv[0])))
        return
    from concerns.ingest import load
    from concerns.report import BatchOptions, make_batch
    from concerns.synth import SynthConfig, write

    with tempfile.TemporaryDirectory(prefix="bench-hidden-") as directory:
        data = write(SynthConfig(as_of=AS_OF), Path(directory) / "data")
        out = Path(directory) / "reports"
        make_batch(load(data, today=AS_OF), out, BatchOptions(AS_OF, formats=("json",), workers=2))
        report(count(out))


if __name__ == "__main__":
    main()
