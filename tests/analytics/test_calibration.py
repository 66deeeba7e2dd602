"""The calibration bench, short: on data with no effect no verdict is given clearly more often than its cap,
and planted clusters of 12 extra cases are found. The long run (10 seeds) is `make bench`."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "calibrate.py"


@pytest.fixture(scope="module")
def calibrate():
    spec = importlib.util.spec_from_file_location("calibrate", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["calibrate"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def null_runs(calibrate):
    return [calibrate.run_one(calibrate.FIRST_SEED + i, None) for i in range(2)]


def test_it_gives_no_verdict_clearly_more_often_than_its_cap_on_null_data(calibrate, null_runs):
    rates = calibrate.null_rates(null_runs)
    assert rates["cluster"][1] == 440
    for verdict in calibrate.VERDICTS:
        k, n = rates[verdict.key]
        assert not calibrate.over_cap(k, n, verdict.cap), (verdict.says, k, n)


def test_it_finds_planted_clusters_of_twelve_extra_cases(calibrate):
    run = calibrate.run_one(calibrate.FIRST_SEED, 12)
    assert run.planted_clusters >= 8
    assert run.found >= run.planted_clusters - 1


def test_it_reports_each_verdict_against_its_nominal_rate(calibrate, null_runs):
    table = calibrate.report(null_runs, 2)
    for verdict in calibrate.VERDICTS:
        assert verdict.says in table
    assert "Null data, 2 seeds × 220 organisations" in table
