"""Benchmark: the whole national analysis (every organisation and the nation).

Two runs, each in a fresh child process so its peak RSS is its own:
- the default synthetic national data (220 organisations), goal < 5 s;
- a 10-million-row extract (Parquet), goal < 30 s and < 4 GB peak for the analysis.
Loading (validation) is timed separately from the analysis. Set CONCERNS_BENCH_10M=0
to skip the large run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2025, 6, 30)
TEN_MILLION = 10_000_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(directory: str) -> None:
    """In the child: load, then analyse every organisation and the nation."""
    import scipy.stats  # noqa: F401  (import cost is not analysis cost)
    import statsmodels.api  # noqa: F401

    from concerns.analytics import (
        Settings,
        analyse_national,
        analyse_organisation,
        organisation_codes,
        prepare,
    )
    from concerns.ingest import load

    started = time.perf_counter()
    data = load(Path(directory), today=AS_OF)
    loaded = time.perf_counter()
    load_peak = _peak_mb()
    context = prepare(data, Settings.as_of(AS_OF))
    prepared = time.perf_counter()
    results = [analyse_organisation(context, code) for code in organisation_codes(context)]
    analyse_national(context)
    finished = time.perf_counter()
    print(
        json.dumps(
            {
                "rows": data.cases.height,
                "organisations": len(results),
                "load_s": loaded - started,
                "load_peak_mb": load_peak,
                "prepare_s": prepared - loaded,
                "per_org_s": finished - prepared,
                "analysis_s": finished - loaded,
                "peak_mb": _peak_mb(),
            }
        )
    )


def _generate(out: Path, total_cases: int | None) -> None:
    from concerns.synth import SynthConfig, write

    config = (
        SynthConfig(as_of=AS_OF) if total_cases is None else SynthConfig(as_of=AS_OF, total_cases=total_cases)
    )
    write(config, out, "parquet")


def _run(directory: Path) -> dict:
    child = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure", str(directory)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def _print(name: str, figures: dict) -> None:
    print(
        f"analysis {name}: {figures['rows']:,} cases, {figures['organisations']} organisations: "
        f"analysis {figures['analysis_s']:.2f} s (shared passes {figures['prepare_s']:.2f} s, "
        f"per organisation {figures['per_org_s']:.2f} s); load and validate {figures['load_s']:.1f} s "
        f"(peak {figures['load_peak_mb']:,.0f} MB); peak RSS {figures['peak_mb']:,.0f} MB"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as directory:
        small = Path(directory) / "default"
        _generate(small, None)
        _print("default national data", _run(small))
        if os.environ.get("CONCERNS_BENCH_10M", "1") == "0":
            print("analysis 10M rows: skipped (CONCERNS_BENCH_10M=0)")
            return
        big = Path(directory) / "big"
        _generate(big, TEN_MILLION)
        _print("10M-row extract", _run(big))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        _measure(sys.argv[2])
    else:
        main()
