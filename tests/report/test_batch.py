"""`concerns report` and `concerns national`: files, manifest, all-or-nothing batches."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil

import pytest
from typer.testing import CliRunner

from concerns.cli import app
from concerns.synth import SynthConfig, write

AS_OF = "2025-06-30"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write(SynthConfig(as_of=dt.date.fromisoformat(AS_OF)), tmp_path_factory.mktemp("synthetic"))


def run(*arguments):
    return CliRunner().invoke(app, [*arguments, "--as-of", AS_OF])


def codes(data) -> list[str]:
    with (data / "organisations.csv").open(encoding="utf-8-sig") as handle:
        return sorted(row["org_code"] for row in csv.DictReader(handle))


def test_it_writes_each_format_and_a_manifest_of_their_hashes(data, tmp_path):
    code = codes(data)[0]
    result = run(
        "report", "--data", str(data), "--org", code, "--out", str(tmp_path / "out"), "--formats", "json,html"
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["as_of"] == AS_OF
    assert manifest["policy"] == "standard"
    assert manifest["illustrative"] is True
    assert [f["path"] for f in manifest["files"]] == [
        f"{code}/report.json",
        f"{code}/report.html",
        f"{code}/summary.html",  # a board summary beside every HTML or PDF report
    ]
    assert manifest["summary_policy"] == "ons-10-5"
    for entry in manifest["files"]:
        content = (tmp_path / "out" / entry["path"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
    report = json.loads((tmp_path / "out" / code / "report.json").read_text())
    assert report["org"]["code"] == code
    assert report["data_sha256"] == manifest["data_sha256"]


def test_it_writes_every_organisation_in_parallel_and_the_same_bytes_again(data, tmp_path):
    result = run("report", "--data", str(data), "--all", "--out", str(tmp_path / "all"), "--formats", "json")
    assert result.exit_code == 0, result.output
    every = json.loads((tmp_path / "all" / "manifest.json").read_text())
    assert every["reports"] == len(codes(data))
    some = codes(data)[:3]
    options = [option for code in some for option in ("--org", code)]
    result = run(
        "report", "--data", str(data), *options, "--out", str(tmp_path / "some"), "--formats", "json"
    )
    assert result.exit_code == 0, result.output
    again = json.loads((tmp_path / "some" / "manifest.json").read_text())
    assert again["files"] == [entry for entry in every["files"] if entry["path"].split("/")[0] in some]


def test_it_writes_the_national_report(data, tmp_path):
    result = run("national", "--data", str(data), "--out", str(tmp_path / "national"), "--formats", "json")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "national" / "national" / "report.json").read_text())
    assert report["kind"] == "national"
    assert report["org"] is None
    assert "peers" not in report


def test_it_stops_before_writing_anything_when_the_input_has_rejected_rows(data, tmp_path):
    bad = shutil.copytree(data, tmp_path / "bad")
    lines = (bad / "cases.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[1] = lines[1].replace(",doctor,", ",surgeon,", 1)
    (bad / "cases.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("report", "--data", str(bad), "--all", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "rejected" in result.stderr
    assert not (tmp_path / "out").exists()


def test_it_leaves_no_half_batch_when_a_report_fails(data, tmp_path, monkeypatch):
    from concerns.report import _batch

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("the previous batch")
    calls = []

    def failing(report):
        calls.append(report)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return b"{}"

    monkeypatch.setattr(_batch, "renderer", lambda fmt: failing)
    from concerns.analytics import Settings, prepare
    from concerns.ingest import load

    context = prepare(
        load(data, today=dt.date.fromisoformat(AS_OF)), Settings.as_of(dt.date.fromisoformat(AS_OF))
    )
    options = _batch.BatchOptions(dt.date.fromisoformat(AS_OF), formats=("json",), workers=1)
    with pytest.raises(RuntimeError, match="disk on fire"):
        _batch.write_batch(context, codes(data)[:3], tmp_path / "out", options, illustrative=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["old.txt"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--formats", "html,docx", "--all"], "--formats"),
        (["--policy", "lax", "--all"], "standard (counts below 5 hidden); nhs-digital"),
        (["--threshold", "0", "--all"], "at least 1, not 0. The known policies: standard"),
        (["--threshold", "2", "--all"], "a single small count (1)"),
        (["--org", "NOPE"], "no organisation NOPE"),
        ([], "--org CODE"),
        (["--limits", "95,120", "--all"], "--limits"),
        (["--limits", "ninety", "--all"], "--limits"),
    ],
)
def test_it_refuses_bad_arguments_in_one_line(data, tmp_path, arguments, message):
    result = run("report", "--data", str(data), "--out", str(tmp_path / "out"), *arguments)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def one_report_json(data, tmp_path, *arguments: str) -> dict:
    """`concerns report` of the first organisation, in JSON only, with `arguments`; its report.json."""
    code = codes(data)[0]
    out = tmp_path / "out"
    result = run(
        "report", "--data", str(data), "--org", code, "--out", str(out), "--formats", "json", *arguments
    )
    assert result.exit_code == 0, result.output
    return json.loads((out / code / "report.json").read_text())


def test_it_hides_counts_below_the_threshold_asked_for(data, tmp_path):
    report = one_report_json(data, tmp_path, "--threshold", "7")
    assert report["disclosure"] == {
        "policy": "standard-7",
        "threshold": 7,
        "note": "Counts below 7 shown as <7; zeros shown; no rounding. "
        "* marks a figure hidden so that a smaller one cannot be worked out.",
    }
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert (manifest["policy"], manifest["threshold"]) == ("standard-7", 7)
    # "Not stated" is shown even when small (docs/disclosure.md); every other count is not.
    counts = [
        (table["id"], row["key"], row["cells"][0])
        for table in report["tables"]
        if table["columns"][0]["key"] == "cases" and table["id"] != "data_quality"
        for row in table["rows"]
        if "combined_into" not in row and row["key"] != "not_stated"
    ]
    assert {c["display"] for *_, c in counts if c["suppressed"]} <= {"<7", "*"}
    assert any(c["display"] == "<7" for *_, c in counts)
    assert [(t, r, c) for t, r, c in counts if c["value"] and c["value"] < 7] == []


def test_it_judges_funnel_positions_at_the_limits_asked_for(data, tmp_path):
    report = one_report_json(data, tmp_path, "--limits", "90,99")
    funnel = next(t for t in report["tables"] if t["id"] == "funnel_position")
    assert [c["key"] for c in funnel["columns"]][1:5] == ["low_90", "high_90", "low_99", "high_99"]
    positions = {f["position"] for f in report["findings"]["funnels"]}
    assert positions <= {"inside", "above_90", "above_99", "below_90", "below_99", "not_assessed"}


def test_it_names_each_organisations_link_adviser_on_the_cover_or_the_services_contact(data, tmp_path):
    first, second = codes(data)[:2]
    advisers = tmp_path / "advisers.csv"
    advisers.write_text(f"org_code,name,email\n{first.lower()},Robin Adviser,robin@example.nhs.uk\n")
    result = run(
        "report",
        "--data",
        str(data),
        "--org",
        first,
        "--org",
        second,
        "--out",
        str(tmp_path / "out"),
        "--formats",
        "json",
        "--advisers",
        str(advisers),
    )
    assert result.exit_code == 0, result.output
    named = json.loads((tmp_path / "out" / first / "report.json").read_text())
    other = json.loads((tmp_path / "out" / second / "report.json").read_text())
    assert named["link_adviser"] == "Robin Adviser, robin@example.nhs.uk"
    assert other["link_adviser"].startswith("Practitioner Performance Advice, NHS Resolution")
    assert "placeholder" not in other["link_adviser"] and "name and contact" not in other["link_adviser"]
    advisers.write_text("org_code,name,email\nNOPE,Someone,someone@example.nhs.uk\n")
    refused = run(
        "report",
        "--data",
        str(data),
        "--org",
        first,
        "--out",
        str(tmp_path / "again"),
        "--advisers",
        str(advisers),
    )
    assert refused.exit_code == 2 and "no organisation NOPE" in refused.stderr
