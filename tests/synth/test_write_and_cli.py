"""Files on disk: byte-for-byte determinism, formats, scale, and the command line."""

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from concerns.cli import app
from concerns.synth import SynthConfig, write
from tests.synth.helpers import AS_OF, PUBLIC

SMALL = {"orgs": 30, "years": 2, "as_of": AS_OF}
FILES = ("cases", "organisations", "workforce")


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _run(*args: str):
    return CliRunner(env={"COLUMNS": "200"}).invoke(app, ["synth", *args])


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_it_writes_the_same_bytes_for_the_same_seed(tmp_path, fmt):
    first = write(SynthConfig(seed=11, **SMALL), tmp_path / "a", fmt)
    second = write(SynthConfig(seed=11, **SMALL), tmp_path / "b", fmt)
    assert set(_digests(first)) == {*(f"{name}.{fmt}" for name in FILES), "truth.json"}
    assert _digests(first) == _digests(second)


def test_it_writes_different_data_for_a_different_seed(tmp_path):
    first = _digests(write(SynthConfig(seed=11, **SMALL), tmp_path / "a"))
    other = _digests(write(SynthConfig(seed=12, **SMALL), tmp_path / "b"))
    assert all(first[name] != other[name] for name in first)


def test_it_draws_an_organisations_cases_the_same_however_many_are_written_with_it(tmp_path, monkeypatch):
    from concerns.synth import _write

    whole = write(SynthConfig(seed=3, **SMALL), tmp_path / "whole")
    monkeypatch.setattr(_write, "BATCH_ROWS", 5)
    batched = write(SynthConfig(seed=3, **SMALL), tmp_path / "batched")
    assert _digests(whole) == _digests(batched)


def test_it_writes_the_same_rows_as_csv_and_parquet(tmp_path):
    csv_dir = write(SynthConfig(seed=5, **SMALL), tmp_path / "csv", "csv")
    parquet_dir = write(SynthConfig(seed=5, **SMALL), tmp_path / "parquet", "parquet")
    for name in FILES:
        from_csv = pl.read_csv(csv_dir / f"{name}.csv", infer_schema=False)
        from_parquet = pl.read_parquet(parquet_dir / f"{name}.parquet").cast(pl.String)
        assert from_csv.equals(from_parquet), name
    assert not (parquet_dir / "cases.csv").exists()


def test_it_scales_the_number_of_cases_on_request(tmp_path):
    out = write(SynthConfig(seed=5, total_cases=30_000, **SMALL), tmp_path / "big", "parquet")
    rows = pl.scan_parquet(out / "cases.parquet").select(pl.len()).collect().item()
    assert rows == pytest.approx(30_000, rel=0.03)
    truth = json.loads((out / "truth.json").read_text())
    assert truth["rows"]["cases"] == rows
    assert truth["rate_model"]["rate_scale"] > 1


def test_it_writes_data_that_ingest_accepts_in_full(tmp_path):
    ingest = pytest.importorskip("concerns.ingest")
    out = write(SynthConfig(seed=9, **SMALL), tmp_path / "data")
    loaded = ingest.load(out)
    assert loaded.rejects.height == 0
    assert loaded.cases.height == pl.read_csv(out / "cases.csv", infer_schema=False).height


def test_the_command_writes_the_files_and_says_what_it_wrote(tmp_path):
    result = _run(
        "--out",
        str(tmp_path / "d"),
        "--orgs",
        "12",
        "--years",
        "1",
        "--as-of",
        AS_OF.isoformat(),
        "--format",
        "parquet",
        "--seed",
        "4",
    )
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "d" / "truth.json").read_text())
    assert f"{truth['rows']['cases']:,} cases" in result.output
    assert truth["seed"] == 4 and truth["organisations"]["count"] == 12


def test_the_command_generates_for_a_real_registry(tmp_path):
    result = _run(
        "--out",
        str(tmp_path / "d"),
        "--organisations",
        f"{PUBLIC}/organisations_2026.csv",
        "--workforce",
        f"{PUBLIC}/doctors_fte_by_trust_2018.csv",
        "--years",
        "1",
        "--as-of",
        AS_OF.isoformat(),
        "--cases",
        "500",
    )
    assert result.exit_code == 0, result.output
    orgs = pl.read_csv(tmp_path / "d" / "organisations.csv")
    assert orgs.height == 204 and "R0A" in set(orgs["org_code"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisations", "/no/such/registry.csv"], "no such file"),
        (["--years", "0"], "--years"),
        (["--seed", "abc"], "--seed"),
        (["--format", "xlsx"], "--format"),
        (["--as-of", "someday"], "--as-of"),
        (["--as-of", "2999-01-01"], "future"),
        (["--orgs", "5", "--organisations", "x.csv"], "either"),
        (["--workforce", f"{PUBLIC}/doctors_fte_by_trust_2018.csv"], "--organisations"),
    ],
)
def test_the_command_exits_2_with_one_line_for_bad_arguments(tmp_path, args, message):
    result = _run("--out", str(tmp_path / "d"), *args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output
    assert not (tmp_path / "d" / "cases.csv").exists()


def test_the_command_names_a_bad_value_in_the_registry(tmp_path):
    registry = tmp_path / "orgs.csv"
    registry.write_text("org_code,name,org_type,nation\nAB1,Test Trust,acutee,england\n")
    result = _run("--out", str(tmp_path / "d"), "--organisations", str(registry))
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {registry}: row 2: unknown org_type 'acutee' (did you mean acute?)"
    ]


def test_the_command_requires_an_output_directory():
    result = _run()
    assert result.exit_code == 2
    assert result.output.strip() == "error: --out DIR is required"
