"""Calibration bench: how often each verdict is given on data with no effect, and how often a planted
cluster is found.

For each seed it writes synthetic national data (`concerns synth`), reads it through the same ingest,
runs the whole analysis and collects every organisation's findings (the verdicts a report states;
disclosure control hides figures, never changes a verdict). Null data plant nothing (`--null`: no
cluster, no organisation effect); planted data add clusters of 5, 8 and 12 extra cases in mid-sized
staff groups (a specialty group × grade of one organisation expecting MID_SIZED cases over the period).

    .venv/bin/python bench/calibrate.py [--seeds 10] [--workers 2]

prints, for every kind of verdict, the share of organisations given it under the null (with a 95%
interval) against its nominal rate, and the power for each planted size. Record the table in
docs/statistics.md. `tests/analytics/test_calibration.py` runs two seeds and fails when a null rate
is clearly above its cap.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

AS_OF = dt.date(2026, 12, 2)
PLANTED_SIZES = (5, 8, 12)
PLANTED_PER_SEED = 12  # clusters planted in each data set, at different organisations
MID_SIZED = (2.0, 4.0)  # five-year expected cases of the staff group a cluster is planted in
MAX_SHARE = 0.10  # the group holds at most this share of the organisation's doctor cases
FIRST_SEED = 1000


@dataclass(frozen=True)
class Verdict:
    """One kind of verdict: its name, what the report says, and its cap under the null."""

    key: str
    says: str
    cap: float


VERDICTS = (
    Verdict("rate_outside_95", "rate outside the 95% limits", 0.05),
    Verdict("rate_outside_99_8", "rate outside the 99.8% limits", 0.005),
    Verdict("any_share_outside_95", "a concern share outside the 95% limits (4 shares)", 0.20),
    Verdict("any_share_outside_99_8", "a concern share outside the 99.8% limits (4 shares)", 0.01),
    Verdict("peer_rate", "rate higher or lower than similar sized", 0.05),
    Verdict("peer_any_share", "a concern share higher or lower than similar sized (5 shares, Holm)", 0.05),
    Verdict("cluster", "at least one staff group stands out", 0.05),
    Verdict("trend", "a rising or falling trend", 0.05),
    Verdict("year", "a year that stands out", 0.05),
)


def verdicts_of(findings: object) -> set[str]:
    """The kinds of verdict one organisation's findings state."""
    given = set()
    rate = findings.funnel("rate").position
    if rate.startswith(("above", "below")):
        given.add("rate_outside_95")
    if rate.endswith("99_8"):
        given.add("rate_outside_99_8")
    shares = [f.position for f in findings.funnels if f.indicator != "rate"]
    if any(p.startswith(("above", "below")) for p in shares):
        given.add("any_share_outside_95")
    if any(p.endswith("99_8") for p in shares):
        given.add("any_share_outside_99_8")
    if findings.peer("rate").verdict in ("higher", "lower"):
        given.add("peer_rate")
    if any(p.verdict in ("higher", "lower") for p in findings.peer_comparisons if p.indicator != "rate"):
        given.add("peer_any_share")
    if findings.clusters:
        given.add("cluster")
    if findings.trend.verdict in ("rising", "falling"):
        given.add("trend")
    if findings.years:
        given.add("year")
    return given


@dataclass(frozen=True)
class Run:
    seed: int
    planted: int | None  # extra cases per planted cluster; None for null data
    organisations: int
    given: Counter  # verdict kind → organisations given it
    found: int  # planted clusters flagged (their specialty group × grade)
    planted_clusters: int
    flagged_elsewhere: int  # organisations with a flag where nothing was planted


def run_one(seed: int, planted: int | None, peers: int = 10) -> Run:
    """One synthetic data set, analysed; its verdict counts."""
    import json

    from concerns.analytics import Settings, analyse_organisation, organisation_codes, prepare
    from concerns.ingest import load
    from concerns.synth import SynthConfig, write

    if planted is None:
        config = SynthConfig(seed=seed, as_of=AS_OF, clusters=0, org_rate_sd=0.0)
    else:
        config = SynthConfig(
            seed=seed,
            as_of=AS_OF,
            clusters=PLANTED_PER_SEED,
            cluster_extra_cases=(planted, planted),
            cluster_expected=MID_SIZED,
            cluster_max_share=MAX_SHARE,
        )
    with tempfile.TemporaryDirectory() as folder:
        write(config, Path(folder), "parquet")
        truth = json.loads((Path(folder) / "truth.json").read_text(encoding="utf-8"))
        data = load(Path(folder), today=AS_OF)
    context = prepare(data, Settings.as_of(AS_OF, peers=peers))
    given: Counter = Counter()
    findings = {}
    for code in organisation_codes(context):
        findings[code] = analyse_organisation(context, code).findings
        given.update(verdicts_of(findings[code]))
    clusters = truth["clusters"]
    found = sum(
        1
        for c in clusters
        if any(
            t.dimension == "specialty_grade" and t.codes == (c["specialty_group"], c["grade"])
            for t in findings[c["org_code"]].clusters
        )
    )
    planted_at = {c["org_code"] for c in clusters}
    elsewhere = sum(1 for code, f in findings.items() if f.clusters and code not in planted_at)
    return Run(seed, planted, len(findings), given, found, len(clusters), elsewhere)


def peer_sensitivity(ks: tuple[int, ...] = (5, 10, 15)) -> str:
    """On the demo data: how many organisations' peer verdicts change when the peer set does."""
    from concerns.analytics import Settings, analyse_organisation, organisation_codes, prepare
    from concerns.ingest import load
    from concerns.synth import SynthConfig, write

    with tempfile.TemporaryDirectory() as folder:
        write(SynthConfig(as_of=AS_OF), Path(folder), "parquet")
        data = load(Path(folder), today=AS_OF)
    verdicts = {}
    for k in ks:
        context = prepare(data, Settings.as_of(AS_OF, peers=k))
        verdicts[k] = {
            code: tuple(p.verdict for p in analyse_organisation(context, code).findings.peer_comparisons)
            for code in organisation_codes(context)
        }
    base = ks[len(ks) // 2]
    lines = [f"Peer verdicts on the demo data (rate and five concern shares) against k = {base}:"]
    for k in ks:
        changed = sum(1 for code, v in verdicts[k].items() if v != verdicts[base][code])
        given = sum(1 for v in verdicts[k].values() if v[0] in ("higher", "lower"))
        lines.append(
            f"- k = {k}: {given} organisations higher or lower on the rate; "
            f"{changed} of {len(verdicts[k])} with any verdict different from k = {base}"
        )
    return "\n".join(lines)


def run_many(seeds: int, sizes: tuple[int | None, ...], workers: int) -> list[Run]:
    jobs = [(FIRST_SEED + i, size) for size in sizes for i in range(seeds)]
    if workers <= 1:
        return [run_one(seed, size) for seed, size in jobs]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(run_one, *zip(*jobs, strict=True)))


def interval(k: int, n: int) -> tuple[float, float]:
    from concerns.analytics.stats import wilson_interval

    found = wilson_interval(k, n)
    return found.low, found.high


def null_rates(runs: list[Run]) -> dict[str, tuple[int, int]]:
    """Verdict kind → (organisations given it, organisations) over the null runs."""
    null = [r for r in runs if r.planted is None]
    total = sum(r.organisations for r in null)
    return {v.key: (sum(r.given[v.key] for r in null), total) for v in VERDICTS}


def over_cap(k: int, n: int, cap: float, *, z: float = 2.33) -> bool:
    """The rate is clearly above its cap: beyond Monte Carlo error (one-sided, about 1%)."""
    return k / n > cap + z * (cap * (1 - cap) / n) ** 0.5


def report(runs: list[Run], seeds: int) -> str:
    lines = [f"Null data, {seeds} seeds × {runs[0].organisations} organisations (as of {AS_OF}):", ""]
    lines.append("| verdict | organisations given it | share (95% interval) | nominal cap |")
    lines.append("|---|---|---|---|")
    for verdict in VERDICTS:
        k, n = null_rates(runs)[verdict.key]
        low, high = interval(k, n)
        flag = " **over**" if over_cap(k, n, verdict.cap) else ""
        lines.append(
            f"| {verdict.says} | {k} of {n} | {k / n:.2%} ({low:.2%}–{high:.2%}) | {verdict.cap:.1%}{flag} |"
        )
    lines += [
        "",
        f"Planted clusters ({PLANTED_PER_SEED} a data set, in staff groups expecting "
        f"{MID_SIZED[0]:g}–{MID_SIZED[1]:g} cases over the period):",
        "",
    ]
    lines.append(
        "| extra cases | found | power (95% interval) | organisations flagged where nothing was planted |"
    )
    lines.append("|---|---|---|---|")
    for size in sorted({r.planted for r in runs if r.planted is not None}):
        chosen = [r for r in runs if r.planted == size]
        k, n = sum(r.found for r in chosen), sum(r.planted_clusters for r in chosen)
        low, high = interval(k, n)
        others = sum(r.flagged_elsewhere for r in chosen)
        orgs = sum(r.organisations - r.planted_clusters for r in chosen)
        lines.append(
            f"| {size} | {k} of {n} | {k / n:.1%} ({low:.1%}–{high:.1%}) | {others} of {orgs} ({others / orgs:.2%}) |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--null-only", action="store_true")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    started = time.perf_counter()
    sizes: tuple[int | None, ...] = (None,) if args.null_only else (None, *PLANTED_SIZES)
    runs = run_many(args.seeds, sizes, args.workers)
    print(report(runs, args.seeds))
    if not args.null_only:
        print()
        print(peer_sensitivity())
    print(f"\n({time.perf_counter() - started:.0f} s, {args.workers} workers)")
    rates = null_rates(runs)
    return 1 if any(over_cap(*rates[v.key], v.cap) for v in VERDICTS) else 0


if __name__ == "__main__":
    sys.exit(main())
