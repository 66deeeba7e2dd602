"""Benchmark: `concerns.ingest.load` over a million cases in CSV, and over ten million in Parquet.

1M CSV — goal: under 5 s and under 2 GB on 2 cores. The data are built here
with numpy and Polars (not with the synth package): plausible codes in a mix
of spellings, ISO and UK dates, and about half a percent of deliberately bad
rows so the reject path is exercised too. `load` is timed in a fresh child
process (a warm-up and three runs), so the peak RSS reported is ingest's
alone, not the generator's.

10M Parquet — goal: peak RSS well under 3 GB, since the whole national
analysis must stay under 4 GB with the canonical frame it holds. The extract
is written by `concerns.synth.write` (about 30 s; set CONCERNS_BENCH_10M_DATA
to a directory that already holds one to reuse it) and loaded once in a fresh
child. Set CONCERNS_BENCH_10M=0 to skip this run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

CASES = 1_000_000
ORGANISATIONS = 220
TODAY = dt.date(2025, 6, 30)
BAD_SHARE = 0.005
RUNS = 3

_SPECIALTIES = [
    "Cardiology",
    "General surgery",
    "Anaesthetics",
    "Emergency medicine",
    "Obstetrics and gynaecology",
    "Paediatrics",
    "General psychiatry",
    "Radiology",
    "Histopathology",
    "General practice",
    "Orthodontics",
    "Community pharmacy",
    "Gen Surg",
    "A&E",
    "T&O",
    "Geriatric medicine",
    "Something unusual",
    "",
]
_CONCERNS = [
    "behaviour",
    "clinical",
    "behaviour.misconduct",
    "clinical.capability;behaviour",
    "health.mental",
    "behaviour.bullying_harassment;behaviour.team_relationships",
    "clinical.governance_safety",
    "Clinical; Health",
    "other.language",
    "behaviour;clinical;health",
    "behaviour.probity",
    "other",
]
_SERVICES = [
    "",
    "",
    "",
    "exclusion",
    "clinical_assessment",
    "action_plan;team_review",
    "hpan",
    "Education",
    "restriction",
]


TEN_MILLION = 10_000_000
TEN_MILLION_GOAL_MB = 3072


def main() -> None:
    _one_million_csv()
    if os.environ.get("CONCERNS_BENCH_10M", "1") == "0":
        print("\n10M Parquet run skipped (CONCERNS_BENCH_10M=0)")
        return
    _ten_million_parquet()


def _one_million_csv() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as directory:
        data = Path(directory)
        started = time.perf_counter()
        _write_data(data)
        size = sum(path.stat().st_size for path in data.iterdir())
        print(f"built {CASES:,} cases ({size / 1e6:.0f} MB of CSV) in {time.perf_counter() - started:.1f} s")
        result = _in_child("--measure", data)
    median = statistics.median(result["seconds"])
    print(
        f"load: median {median:.2f} s of {RUNS} runs after a warm-up ({', '.join(f'{s:.2f}' for s in result['seconds'])})"
    )
    print(f"      {CASES / median:,.0f} case rows/s; {result['rejected']:,} rows rejected")
    print(f"      CPU time (all threads) median {statistics.median(result['cpu_seconds']):.2f} s")
    print(
        f"      machine load average while measuring: {result['load_average']:.1f} on {os.cpu_count()} cores"
    )
    print(f"      peak RSS {result['peak_rss_mb']:.0f} MB")
    print(
        f"goal: < 5 s and < 2048 MB -> {'met' if median < 5 and result['peak_rss_mb'] < 2048 else 'NOT met'}"
    )


def _ten_million_parquet() -> None:
    given = os.environ.get("CONCERNS_BENCH_10M_DATA")
    if given:
        result = _in_child("--measure-once", Path(given))
        print(f"\n10M Parquet: loaded {given}")
    else:
        with tempfile.TemporaryDirectory(prefix="bench-validate-10m-") as directory:
            data = Path(directory)
            started = time.perf_counter()
            _write_synthetic(data)
            size = sum(path.stat().st_size for path in data.glob("*.parquet"))
            print(
                f"\nbuilt {TEN_MILLION:,} synthetic cases ({size / 1e6:.0f} MB of Parquet) in {time.perf_counter() - started:.1f} s"
            )
            result = _in_child("--measure-once", data)
    print(
        f"load: {result['seconds']:.1f} s for {result['read']:,} case rows ({result['read'] / result['seconds']:,.0f} rows/s); "
        f"{result['rejected']:,} rejected"
    )
    print(f"      CPU time (all threads) {result['cpu_seconds']:.1f} s")
    print(
        f"      machine load average while measuring: {result['load_average']:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"      peak RSS {result['peak_rss_mb']:.0f} MB; the canonical cases frame it returns is {result['cases_mb']:.0f} MB"
    )
    met = result["peak_rss_mb"] < TEN_MILLION_GOAL_MB
    print(f"goal: < {TEN_MILLION_GOAL_MB} MB -> {'met' if met else 'NOT met'}")


def _write_synthetic(data: Path) -> None:
    from concerns.synth import SynthConfig, write

    write(SynthConfig(as_of=TODAY, total_cases=TEN_MILLION), data, "parquet")


def _in_child(mode: str, data: Path) -> dict:
    """Run this file with `mode` in a fresh interpreter, so that the peak RSS is the load's own."""
    measured = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), mode, str(data)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(measured.stdout.strip().splitlines()[-1])


def _measure(data: Path) -> None:
    from concerns.ingest import load

    load(data, today=TODAY)  # warm-up: imports pandera, builds the vocabulary indexes
    seconds, cpu_seconds = [], []
    for _ in range(RUNS):
        started, cpu_started = time.perf_counter(), time.process_time()
        ingested = load(data, today=TODAY)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rejected = ingested.counts["cases"].rejected
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_rss_mb": peak_kb / 1024,
                "rejected": rejected,
                "load_average": os.getloadavg()[0],
            }
        )
    )


def _measure_once(data: Path) -> None:
    """One load of a large extract; imports come first, so their cost is not counted in the time."""
    import pandera.polars  # noqa: F401

    from concerns.ingest import load

    started, cpu_started = time.perf_counter(), time.process_time()
    ingested = load(data, today=TODAY)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    counts = ingested.counts["cases"]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_rss_mb": peak_kb / 1024,
                "read": counts.read,
                "rejected": counts.rejected,
                "cases_mb": ingested.cases.estimated_size("mb"),
                "load_average": os.getloadavg()[0],
            }
        )
    )


def _write_data(data: Path) -> None:
    rng = np.random.default_rng(20250630)
    org_codes = [f"R{index:03d}" for index in range(ORGANISATIONS)]
    _organisations(org_codes).write_csv(data / "organisations.csv")
    _workforce(org_codes).write_csv(data / "workforce.csv")
    _cases(rng, org_codes).write_csv(data / "cases.csv")


def _organisations(org_codes: list[str]) -> pl.DataFrame:
    types = ["acute", "mental_health", "community", "specialist", "Ambulance trust"]
    return pl.DataFrame(
        {
            "org_code": org_codes,
            "name": [f"Organisation {code} NHS Trust" for code in org_codes],
            "org_type": [types[index % len(types)] for index in range(len(org_codes))],
            "nation": ["england" if index % 10 else "Wales" for index in range(len(org_codes))],
            "region": ["Somewhere"] * len(org_codes),
        }
    )


def _workforce(org_codes: list[str]) -> pl.DataFrame:
    groups = [
        ("total", "all"),
        ("sex", "female"),
        ("sex", "male"),
        ("ethnicity", "white"),
        ("ethnicity", "asian"),
        ("pmq", "uk"),
        ("pmq", "international"),
    ]
    rows = [
        (code, f"{year}/{(year + 1) % 100:02d}", "doctor", dimension, group, str(100 + index % 900))
        for index, code in enumerate(org_codes)
        for year in range(2019, 2024)
        for dimension, group in groups
    ]
    return pl.DataFrame(
        rows,
        schema=["org_code", "fiscal_year", "profession", "dimension", "group", "headcount"],
        orient="row",
    )


def _pick(rng: np.random.Generator, values: list[str], p: list[float] | None = None) -> np.ndarray:
    return rng.choice(np.array(values, dtype=object), CASES, p=p)


def _cases(rng: np.random.Generator, org_codes: list[str]) -> pl.DataFrame:
    opened = np.datetime64("2016-04-01") + rng.integers(0, 8 * 365, CASES).astype("timedelta64[D]")
    closed = opened + rng.integers(0, 400, CASES).astype("timedelta64[D]")
    frame = pl.DataFrame(
        {
            "case_id": np.char.add("C", np.arange(CASES).astype(str)),
            "org_code": _pick(rng, org_codes),
            "opened_on": opened,
            "closed_on": closed,
            "practitioner_id": np.char.add("P", rng.integers(0, 400_000, CASES).astype(str)),
            "profession": _pick(rng, ["doctor", "Doctor", "dentist", "pharmacist"], [0.6, 0.3, 0.06, 0.04]),
            "grade": _pick(
                rng, ["consultant", "sas", "resident", "Locally employed doctor", "gp", "not_stated"]
            ),
            "specialty": _pick(rng, _SPECIALTIES),
            "sex": _pick(rng, ["male", "female", "Male", "F", "not_stated"]),
            "age_band": _pick(rng, ["under_35", "35_44", "45_54", "55_64", "65_plus", "35-44"]),
            "ethnicity": _pick(
                rng, ["A", "B", "C", "H", "J", "M", "N", "R", "Z", "99", "White", "Black or Black British"]
            ),
            "pmq": _pick(rng, ["uk", "international", "eea", "UK", "not_stated"]),
            "disability": _pick(rng, ["no", "yes", "", "not_stated"]),
            "concerns": _pick(rng, _CONCERNS),
            "services": _pick(rng, _SERVICES),
            "outcome": _pick(rng, ["open", "resolved_locally", "action_plan", "", "referred_to_regulator"]),
        }
    )
    uk_dates = pl.Series(rng.random(CASES) < 0.1)
    open_case = pl.Series(rng.random(CASES) < 0.3)
    bad = pl.Series(rng.random(CASES) < BAD_SHARE)
    return frame.with_columns(
        pl.when(uk_dates)
        .then(pl.col("opened_on").dt.to_string("%d/%m/%Y"))
        .otherwise(pl.col("opened_on").dt.to_string("%Y-%m-%d")),
        pl.when(open_case)
        .then(pl.lit(""))
        .otherwise(pl.col("closed_on").dt.to_string("%Y-%m-%d"))
        .alias("closed_on"),
        pl.when(bad).then(pl.lit("consultent")).otherwise(pl.col("grade")).alias("grade"),
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        _measure(Path(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--measure-once":
        _measure_once(Path(sys.argv[2]))
    else:
        main()
