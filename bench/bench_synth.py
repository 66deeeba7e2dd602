"""Benchmark: `concerns synth` for the default national data and for 10 million case rows.

Each run is timed in a fresh child process, so the peak RSS reported
(resource.getrusage, ru_maxrss) is that run's alone. The 10-million-row run
writes Parquet into a temporary directory, streamed a batch of organisations
at a time; it took about 30 s here, so it runs by default. Set
CONCERNS_BENCH_10M=0 (or pass --no-10m) to skip it.
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

AS_OF = dt.date(2025, 11, 23)
TEN_MILLION = 10_000_000


def _measure(kind: str, out: str) -> None:
    """In the child: run one generation and print its figures as JSON."""
    from concerns.synth import SynthConfig, generate, write

    started = time.perf_counter()
    if kind == "default":
        rows = generate(SynthConfig(as_of=AS_OF)).cases.height
    else:
        write(SynthConfig(as_of=AS_OF, total_cases=TEN_MILLION), Path(out), "parquet")
        rows = json.loads((Path(out) / "truth.json").read_text())["rows"]["cases"]
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = sum(p.stat().st_size for p in Path(out).iterdir()) if kind != "default" else 0
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "rows": rows, "bytes": size}))


def _run(kind: str, out: Path) -> dict:
    child = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure", kind, str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def _ten_million_wanted() -> bool:
    return "--no-10m" not in sys.argv and os.environ.get("CONCERNS_BENCH_10M", "1") != "0"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as directory:
        default = _run("default", Path(directory))
        print(
            f"synth default national data (220 organisations, 5 years + the partial year), in memory: "
            f"{default['rows']:,} cases in {default['seconds']:.1f} s, peak RSS {default['peak_mb']:.0f} MB"
        )
        if not _ten_million_wanted():
            print("synth 10M rows: skipped (CONCERNS_BENCH_10M=0)")
            return
        big = _run("ten_million", Path(directory) / "big")
        print(
            f"synth {big['rows']:,} case rows written as Parquet: {big['seconds']:.1f} s "
            f"({big['rows'] / big['seconds']:,.0f} rows/s), peak RSS {big['peak_mb']:.0f} MB, "
            f"{big['bytes'] / 1e6:.0f} MB on disk"
        )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        _measure(sys.argv[2], sys.argv[3])
    else:
        main()
