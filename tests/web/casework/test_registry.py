"""Organisation profiles and headcounts from a contract data folder, and the extract that follows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from concerns.commands.extract import extract
from concerns.ingest import load
from concerns.web.casework import demo, registry
from concerns.web.casework.models import Headcount, OrganisationProfile
from concerns.web.portal.models import Organisation

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 30)
ORGANISATIONS = """org_code,name,org_type,nation,region
X001,Example Hospitals NHS Trust,acute,england,London
X002,Other Valley Health Board,integrated,wales,
X003,Broken Row Trust,castle,england,
Z999,Not In The Portal Trust,community,england,
"""
WORKFORCE = """org_code,fiscal_year,profession,dimension,group,headcount
X001,2023/24,doctor,total,all,900
X001,2023/24,doctor,ethnicity,asian,300
X001,2024/25,doctor,total,all,950
X001,2024/25,dentist,total,all,-5
X002,2024/25,pharmacist,sex,female,40
X003,2024/25,doctor,total,all,10
Z999,2024/25,doctor,total,all,70
"""
CASES = """case_id,org_code,opened_on,practitioner_id,profession,grade,sex,age_band,ethnicity,pmq,concerns
C1,X001,2024-05-01,P1,doctor,consultant,female,45_54,A,uk,clinical
"""
IMPORTED = [
    ("X001", "2023/24", "doctor", "ethnicity", "asian", 300),
    ("X001", "2023/24", "doctor", "total", "all", 900),
    ("X001", "2024/25", "doctor", "total", "all", 950),
    ("X002", "2024/25", "pharmacist", "sex", "female", 40),
]


def contract_folder(path: Path, workforce: str = WORKFORCE) -> Path:
    path.mkdir(exist_ok=True)
    for name, text in (("organisations", ORGANISATIONS), ("workforce", workforce), ("cases", CASES)):
        (path / f"{name}.csv").write_text(text, encoding="utf-8")
    return path


def held() -> list[tuple]:
    return sorted(
        Headcount.objects.values_list(
            "organisation__code", "fiscal_year", "profession", "dimension", "group", "headcount"
        )
    )


def test_it_takes_only_valid_rows_of_organisations_the_portal_knows(
    organisation, other_organisation, tmp_path
):
    Organisation.objects.create(code="X003", name="Broken Row Trust", nation="england")
    result = registry.import_registry(contract_folder(tmp_path / "data"), today=TODAY)
    assert result == registry.RegistryImport(
        profiles=2, headcounts=4, unknown_organisations=("Z999",), rejected_rows=3
    )  # X003's row, its headcount, and the -5
    assert sorted(
        OrganisationProfile.objects.values_list("organisation__code", "org_type", "nation", "region")
    ) == [("X001", "acute", "england", "London"), ("X002", "integrated", "wales", "")]
    assert held() == IMPORTED


def test_it_replaces_a_years_headcounts_and_keeps_other_years(organisation, other_organisation, tmp_path):
    registry.import_registry(contract_folder(tmp_path / "first"), today=TODAY)
    registry.import_registry(contract_folder(tmp_path / "first"), today=TODAY)
    assert held() == IMPORTED
    newer = "org_code,fiscal_year,profession,dimension,group,headcount\nX001,2024/25,doctor,total,all,990\n"
    registry.import_registry(contract_folder(tmp_path / "second", newer), today=TODAY)
    assert held() == [
        IMPORTED[0],
        IMPORTED[1],
        ("X001", "2024/25", "doctor", "total", "all", 990),
        IMPORTED[3],
    ]


def test_it_extracts_the_imported_workforce_unchanged(case, tmp_path):
    registry.import_registry(contract_folder(tmp_path / "data"), today=TODAY)
    extract(tmp_path / "extract")
    ingested = load(tmp_path / "extract", today=TODAY)
    assert ingested.rejects.is_empty()
    extracted = sorted(
        (
            row["org_code"],
            row["fiscal_year"],
            row["profession"],
            row["dimension"],
            row["group"],
            row["headcount"],
        )
        for row in ingested.workforce.to_dicts()
    )
    assert extracted == IMPORTED
    assert sorted(ingested.organisations["org_code"].to_list()) == ["X001", "X002"]


def test_it_gives_the_demo_casework_the_demo_folders_profiles_and_headcounts(tmp_path):
    from concerns.web.portal.models import Assignment, User
    from concerns.web.portal.roles import Role

    adviser = User.objects.create(username="demo-adviser-1", role=Role.ADVISER)
    User.objects.create(username="demo-insights", role=Role.INSIGHTS)
    for code in ("X001", "X002"):
        Assignment.objects.create(
            adviser=adviser, organisation=Organisation.objects.create(code=code, name=code)
        )
    demo.load(TODAY, data=contract_folder(tmp_path / "data"))
    assert held() == IMPORTED
    assert OrganisationProfile.objects.get(organisation__code="X002").org_type == "integrated"
    extract(tmp_path / "extract")
    ingested = load(tmp_path / "extract", today=TODAY)
    assert ingested.rejects.is_empty() and ingested.workforce.height == len(IMPORTED)


def test_it_reports_what_the_command_recorded_and_refuses_an_unusable_folder(organisation, tmp_path):
    import typer
    from typer.testing import CliRunner

    from concerns.commands.extract import registry_command

    app = typer.Typer()
    app.command()(registry_command)
    done = CliRunner().invoke(app, ["--data", str(contract_folder(tmp_path / "data"))])
    assert done.exit_code == 0, done.output
    assert "1 organisation profiles and 3 headcount rows recorded; 3 invalid rows left out" in done.output
    assert "left out: X002, Z999" in done.output
    refused = CliRunner().invoke(app, ["--data", str(tmp_path / "missing")])
    assert refused.exit_code != 0 and Headcount.objects.count() == 3
