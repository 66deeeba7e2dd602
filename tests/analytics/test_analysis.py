"""The whole analysis on synthetic national data: every organisation, the nation, and `concerns analyse`."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from typer.testing import CliRunner

from concerns.analytics import Settings, analyse_national, analyse_organisation, organisation_codes, prepare
from concerns.analytics._serialise import national_data, organisation_data
from concerns.cli import app
from concerns.ingest import load
from concerns.synth import SynthConfig, write

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    directory = write(SynthConfig(as_of=AS_OF), tmp_path_factory.mktemp("synthetic"))
    data = load(directory, today=AS_OF)
    context = prepare(data, Settings.as_of(AS_OF))
    truth = json.loads((directory / "truth.json").read_text())
    return directory, data, context, truth


def test_it_analyses_every_organisation_and_their_cases_add_up_to_the_nation(national):
    _, data, context, _ = national
    codes = organisation_codes(context)
    assert len(codes) == data.organisations.height
    totals = [analyse_organisation(context, code).profile.total for code in codes]
    nation = analyse_national(context)
    in_period = data.cases.filter(data.cases["fiscal_year"].is_in(list(context.settings.period.fiscal_years)))
    assert sum(totals) == nation.profile.total == in_period.height
    assert [year.profile.total for year in nation.years] == [
        in_period.filter(in_period["fiscal_year"] == year).height
        for year in context.settings.period.fiscal_years
    ]


def test_it_finds_every_planted_cluster_in_its_organisation(national):
    _, _, context, truth = national
    for planted in truth["clusters"]:
        analysis = analyse_organisation(context, planted["org_code"])
        flagged = {(t.dimension, t.codes) for t in analysis.clusters.flagged}
        assert ("specialty_grade", (planted["specialty_group"], planted["grade"])) in flagged, planted


def test_it_flags_few_organisations_where_nothing_was_planted(national):
    _, _, context, truth = national
    planted = {c["org_code"] for c in truth["clusters"]}
    others = [code for code in organisation_codes(context) if code not in planted]
    with_flags = [code for code in others if analyse_organisation(context, code).clusters.flagged]
    assert len(with_flags) <= 0.05 * len(others)


def test_it_chooses_similar_sized_peers_of_the_same_type(national):
    _, data, context, _ = national
    types = dict(data.organisations.select("org_code", "org_type").iter_rows())
    for code in organisation_codes(context)[:40]:
        analysis = analyse_organisation(context, code)
        assert code not in analysis.peers.peers
        assert len(analysis.peers.peers) <= 10
        assert {types[p] for p in analysis.peers.peers} <= {types[code]}


def test_it_says_rising_or_falling_only_when_the_interval_excludes_no_change(national):
    _, _, context, _ = national
    for code in organisation_codes(context):
        trend = analyse_organisation(context, code).trend
        if not trend.available:
            continue
        change = trend.annual_change
        if trend.verdict.value == "rising":
            assert change.low > 0
        elif trend.verdict.value == "falling":
            assert change.high < 0
        else:
            assert change.low <= 0 <= change.high


def test_it_keeps_other_organisations_figures_out_of_an_organisations_results(national):
    _, _, context, _ = national
    code = organisation_codes(context)[0]
    analysis = analyse_organisation(context, code)
    text = json.dumps(organisation_data(analysis))
    mentioned = set(re.findall(r"X\d{3}", text))
    assert mentioned <= {code, *analysis.peers.peers}
    funnels = organisation_data(analysis)["funnels"]
    assert funnels["rate_per_1000"]["this_organisation"]["label"] == code
    assert "units" not in funnels["rate_per_1000"]


def test_it_serialises_the_national_analysis_with_its_period(national):
    _, _, context, _ = national
    data = national_data(analyse_national(context))
    assert data["kind"] == "national"
    assert data["period"]["fiscal_years"] == ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]
    categories = {row["code"]: row for row in data["profile"]["breakdowns"]["concern_category"]["rows"]}
    assert 0.66 <= categories["behaviour"]["share"]["value"] <= 0.72


def test_it_prints_one_organisation_as_json_from_the_command_line(national):
    directory, _, context, _ = national
    code = organisation_codes(context)[5]
    result = CliRunner().invoke(
        app, ["analyse", "--data", str(directory), "--org", code, "--as-of", "2025-06-30"]
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["organisation"]["code"] == code
    assert printed["profile"]["total"] == analyse_organisation(context, code).profile.total


def test_it_writes_every_organisation_and_the_nation(national, tmp_path):
    directory, data, _, _ = national
    result = CliRunner().invoke(
        app,
        [
            "analyse",
            "--data",
            str(directory),
            "--all",
            "--out",
            str(tmp_path / "out"),
            "--as-of",
            "2025-06-30",
        ],
    )
    assert result.exit_code == 0, result.output
    written = sorted(path.stem for path in (tmp_path / "out").glob("*.json"))
    assert written == sorted([*data.organisations["org_code"].to_list(), "national"])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--org", "NOPE"], "no organisation 'NOPE'"),
        (["--all"], "--all needs --out"),
        ([], "exactly one of"),
        (["--org", "X001", "--as-of", "30/06/2025"], "--as-of"),
    ],
)
def test_it_refuses_bad_arguments_in_one_line(national, arguments, message):
    directory = national[0]
    result = CliRunner().invoke(app, ["analyse", "--data", str(directory), *arguments])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
