"""Benchmark: the whole demo batch (every organisation, all four formats), and time per report per format.

Goal: < 20 s on 2 cores for ~220 organisations. The batch runs through `write_batch`
with two worker processes, as `concerns report --all` does. Per-format medians are
measured in this process over a sample of organisations, charts drawn once per report.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from _common import peak_rss_mib

AS_OF = dt.date(2025, 6, 30)
SAMPLE = 20


def main() -> None:
    from concerns.analytics import Settings, analyse_organisation, organisation_codes, prepare
    from concerns.ingest import load
    from concerns.report._batch import FORMATS, BatchOptions, renderer, write_batch
    from concerns.report._build import build_organisation_report
    from concerns.report._charts import draw_charts
    from concerns.synth import SynthConfig, write

    with tempfile.TemporaryDirectory(prefix="bench-reports-") as directory:
        data = write(SynthConfig(as_of=AS_OF), Path(directory) / "data")
        context = prepare(load(data, today=AS_OF), Settings.as_of(AS_OF))
        codes = organisation_codes(context)
        options = BatchOptions(AS_OF, illustrative=True, workers=2)
        started = time.perf_counter()
        write_batch(context, codes, Path(directory) / "out", options, national=True)
        batch = time.perf_counter() - started
        print(f"reports batch: {len(codes)} organisations + national, {', '.join(FORMATS)}: {batch:.1f} s "
              f"on 2 worker processes ({len(codes) / batch:.1f} reports/s)")

        stages: dict[str, list[float]] = {"analyse+build": [], "charts": [], **{fmt: [] for fmt in FORMATS}}
        for fmt in FORMATS:  # warm up: engines, fonts, templates
            renderer(fmt)(draw_charts(build_organisation_report(
                analyse_organisation(context, codes[0]), context, as_of=AS_OF, illustrative=True)))
        for code in codes[1 : SAMPLE + 1]:
            t0 = time.perf_counter()
            report = build_organisation_report(analyse_organisation(context, code), context, as_of=AS_OF,
                                               illustrative=True)
            t1 = time.perf_counter()
            report = draw_charts(report)
            stages["analyse+build"].append(t1 - t0)
            stages["charts"].append(time.perf_counter() - t1)
            for fmt in FORMATS:
                t = time.perf_counter()
                renderer(fmt)(report)
                stages[fmt].append(time.perf_counter() - t)
        medians = ", ".join(f"{name} {statistics.median(times) * 1000:.0f} ms" for name, times in stages.items())
        print(f"per report (median of {SAMPLE}): {medians}; peak RSS {peak_rss_mib():,.0f} MiB")
