"""Benchmark: the whole demo batch (every organisation, all four formats), and time per report per format.

Goal: < 20 s on 2 cores for ~220 organisations. The batch runs through `make_batch`
with two worker processes, as `concerns report --all` does. Per-format medians are
measured in this process over a sample of organisations, charts drawn once per report.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import resource
import statistics
import tempfile
import time
from pathlib import Path

from _common import peak_rss_mib

AS_OF = dt.date(2025, 6, 30)
PDF_PAGE = re.compile(rb"/Type\s*/Page\b")
SAMPLE = 20


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (the batch's workers), user and system."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    from concerns.analytics import Settings, analyse_organisation, organisation_codes, prepare
    from concerns.ingest import load
    from concerns.report import FORMATS, BatchOptions, make_batch
    from concerns.report._batch import renderer
    from concerns.report._build import build_organisation_report
    from concerns.report._charts import draw_charts
    from concerns.synth import SynthConfig, write

    with tempfile.TemporaryDirectory(prefix="bench-reports-") as directory:
        data = write(SynthConfig(as_of=AS_OF), Path(directory) / "data")
        dataset = load(data, today=AS_OF)
        context = prepare(dataset, Settings.as_of(AS_OF))
        codes = organisation_codes(context)
        options = BatchOptions(AS_OF, workers=2)
        load_before = os.getloadavg()[0]
        clock: dict[str, float] = {}

        def start_clock(_total: int) -> None:  # once the analysis is prepared, as before make_batch
            clock.update(wall=time.perf_counter(), cpu=time.process_time(), workers=_children_cpu())

        make_batch(dataset, Path(directory) / "out", options, national=True, started=start_clock)
        batch = time.perf_counter() - clock["wall"]
        main_cpu, workers_cpu = time.process_time() - clock["cpu"], _children_cpu() - clock["workers"]
        print(
            f"reports batch: {len(codes)} organisations + national, {', '.join(FORMATS)}: {batch:.1f} s "
            f"on 2 worker processes ({len(codes) / batch:.1f} reports/s); load average before "
            f"{load_before:.1f}, after {os.getloadavg()[0]:.1f}"
        )
        # CPU time does not grow when other processes share the cores: (workers + main) / 2 is what
        # the batch would take on two otherwise idle cores, whatever the load now.
        print(
            f"batch CPU time: workers {workers_cpu:.1f} s + main process {main_cpu:.1f} s; "
            f"on 2 idle cores ≈ {(workers_cpu + main_cpu) / 2:.1f} s"
        )

        stages: dict[str, list[float]] = {"analyse+build": [], "charts": [], **{fmt: [] for fmt in FORMATS}}
        cpu: dict[str, list[float]] = {name: [] for name in stages}
        pages: list[int] = []
        for fmt in FORMATS:  # warm up: engines, fonts, templates
            renderer(fmt)(
                draw_charts(
                    build_organisation_report(
                        analyse_organisation(context, codes[0]), context, as_of=AS_OF, illustrative=True
                    )
                )
            )
        for code in codes[1 : SAMPLE + 1]:
            t0, c0 = time.perf_counter(), time.process_time()
            report = build_organisation_report(
                analyse_organisation(context, code), context, as_of=AS_OF, illustrative=True
            )
            t1, c1 = time.perf_counter(), time.process_time()
            report = draw_charts(report)
            stages["analyse+build"].append(t1 - t0)
            cpu["analyse+build"].append(c1 - c0)
            stages["charts"].append(time.perf_counter() - t1)
            cpu["charts"].append(time.process_time() - c1)
            for fmt in FORMATS:
                t, c = time.perf_counter(), time.process_time()
                content = renderer(fmt)(report)
                stages[fmt].append(time.perf_counter() - t)
                cpu[fmt].append(time.process_time() - c)
                if fmt == "pdf":
                    pages.append(len(PDF_PAGE.findall(content)))
        medians = ", ".join(
            f"{name} {statistics.median(times) * 1000:.0f} ms" for name, times in stages.items()
        )
        cpu_medians = ", ".join(
            f"{name} {statistics.median(times) * 1000:.0f} ms" for name, times in cpu.items()
        )
        print(f"per report, CPU time (every thread of the process; median of {SAMPLE}): {cpu_medians}")
        print(
            f"per report, wall (median of {SAMPLE}): {medians}; PDF pages median {statistics.median(pages):.0f} "
            f"(range {min(pages)}–{max(pages)}); peak RSS {peak_rss_mib():,.0f} MiB"
        )
