"""`make bench`: run every bench/bench_*.py in its own process and print its figures.

Each benchmark runs in a fresh interpreter so its peak memory is its own.
Record the figures in docs/performance.md with the machine and the command.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def machine() -> str:
    cores = len(os.sched_getaffinity(0))
    memory = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    return f"{platform.node()} · {platform.processor() or platform.machine()} · {cores} cores · {int(memory) // 1024**2} GiB · Python {platform.python_version()}"


def main(names: list[str]) -> int:
    benches = [*sorted(HERE.glob("bench_*.py")), HERE / "calibrate.py"]
    if names:
        benches = [b for b in benches if any(n in b.stem for n in names)]
    print(f"machine: {machine()}")
    failed = 0
    for bench in benches:
        print(f"\n== {bench.stem}", flush=True)
        started = time.perf_counter()
        code = (
            f"import runpy, sys; sys.path.insert(0, {str(HERE)!r}); "
            f"runpy.run_path({str(bench)!r}, run_name='bench')['main']()"
        )
        result = subprocess.run([sys.executable, "-c", code], check=False)
        print(f"   ({time.perf_counter() - started:.1f} s wall, exit {result.returncode})")
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
