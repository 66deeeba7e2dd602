"""Organisation profiles and headcounts from a contract data folder (organisations.csv, workforce.csv).

The folder is read with `concerns.ingest.load`, so only rows that pass the contract's validation are
taken; rejected rows, and rows of organisations the portal does not know, are left out and counted.
For each organisation and financial year in the file, the file's headcounts replace the register's:
a group the file no longer lists for that year is removed, and other years are kept. Running it again
with the same folder changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from concerns.ingest import load
from concerns.web.casework.models import Headcount, OrganisationProfile
from concerns.web.portal.models import Organisation

HeadcountKey = tuple[str, str, str, str]  # fiscal_year, profession, dimension, group


@dataclass(frozen=True)
class RegistryImport:
    """What an import took and what it left out."""

    profiles: int  # organisations whose type and nation were recorded
    headcounts: int  # headcount rows now held for the imported organisation-years
    unknown_organisations: tuple[str, ...]  # valid rows about organisations the portal does not have
    rejected_rows: int  # rows of organisations.csv and workforce.csv that failed validation


def import_registry(data_dir: Path, *, today: dt.date | None = None) -> RegistryImport:
    """Record the profiles and headcounts of the folder's organisations the portal knows."""
    ingested = load(data_dir, today=today)
    organisations = ingested.organisations.to_dicts()
    known = {
        o.code: o for o in Organisation.objects.filter(code__in=[row["org_code"] for row in organisations])
    }
    by_org_year: dict[tuple[str, str], dict[HeadcountKey, int]] = {}
    for row in ingested.workforce.to_dicts():
        if row["org_code"] in known:
            key = (row["fiscal_year"], row["profession"], row["dimension"], row["group"])
            by_org_year.setdefault((row["org_code"], row["fiscal_year"]), {})[key] = row["headcount"]
    with transaction.atomic():
        profiles = sum(
            _record_profile(known[row["org_code"]], row) for row in organisations if row["org_code"] in known
        )
        headcounts = sum(
            _replace_headcounts(known[code], year, rows) for (code, year), rows in by_org_year.items()
        )
    unknown = sorted({row["org_code"] for row in organisations} - set(known))
    rejected = sum(ingested.counts[name].rejected for name in ("organisations", "workforce"))
    return RegistryImport(profiles, headcounts, tuple(unknown), rejected)


def _record_profile(organisation: Organisation, row: dict[str, Any]) -> int:
    OrganisationProfile.objects.update_or_create(
        organisation=organisation,
        defaults={"org_type": row["org_type"], "nation": row["nation"], "region": row["region"] or ""},
    )
    return 1


def _replace_headcounts(organisation: Organisation, year: str, wanted: dict[HeadcountKey, int]) -> int:
    held = {
        (h.fiscal_year, h.profession, h.dimension, h.group): h
        for h in Headcount.objects.filter(organisation=organisation, fiscal_year=year)
    }
    Headcount.objects.filter(pk__in=[h.pk for key, h in held.items() if key not in wanted]).delete()
    created = []
    for key, count in wanted.items():
        existing = held.get(key)
        if existing is None:
            fiscal_year, profession, dimension, group = key
            created.append(
                Headcount(
                    organisation=organisation,
                    fiscal_year=fiscal_year,
                    profession=profession,
                    dimension=dimension,
                    group=group,
                    headcount=count,
                )
            )
            created[-1].clean_fields(
                exclude={"organisation"}
            )  # the model's own checks; the organisation is known
            created[-1].clean()
        elif existing.headcount != count:
            existing.headcount = count
            existing.save(update_fields=["headcount"])
    Headcount.objects.bulk_create(created)
    return len(wanted)
