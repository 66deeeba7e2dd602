"""`report.json`: the document model as the public contract (shared/design/report-json.md)."""

from __future__ import annotations

import json
from typing import Any

from concerns.report._model import SCHEMA, Block, Chart, Report, Row, Section, Table


def report_data(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": report.kind,
        "title": report.title,
        "org": None
        if report.org is None
        else {
            "code": report.org.code,
            "name": report.org.name,
            "org_type": report.org.org_type,
            "nation": report.org.nation,
            "description": report.org.description,
        },
        "period": {"fiscal_years": list(report.fiscal_years)},
        "as_of": report.as_of,
        "generated_by": report.generated_by,
        "data_sha256": report.data_sha256,
        "disclosure": {
            "policy": report.policy,
            "threshold": report.threshold,
            "note": report.disclosure_note,
        },
        "illustrative": report.illustrative,
    }
    if report.peers is not None:
        data["peers"] = {
            "method": report.peers.method,
            "organisations": [{"code": code, "name": name} for code, name in report.peers.organisations],
        }
    if report.org is not None:
        data["link_adviser"] = report.link_adviser
    data["key_messages"] = list(report.key_messages)
    data["findings"] = report.findings
    data["tables"] = [table_data(table) for table in report.tables()]
    data["sections"] = [_section(section) for section in report.sections]
    data["meta"] = report.meta
    return data


def table_data(table: Table) -> dict[str, Any]:
    return {
        "id": table.id,
        "title": table.title,
        "printed": table.printed,
        "detail": table.detail,
        "columns": [
            {"key": c.key, "label": c.label, "is_total": c.is_total, "kind": c.kind} for c in table.columns
        ],
        "rows": [entry for row in table.rows for entry in _row_entries(row)],
        "notes": list(table.notes),
    }


COMBINED = "combined"


def _row_entries(row: Row) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {
        "key": row.key,
        "label": row.label,
        "is_total": row.is_total,
        "cells": [
            {"display": cell.display, "value": cell.value, "suppressed": cell.suppressed}
            for cell in row.cells
        ],
    }
    if not row.members:
        return [entry]
    entry["combines"] = [code for code, _ in row.members]
    # A combined group has no count of its own: its cells are hidden ("combined"), and it says which row
    # counts it.
    members = [
        {
            "key": code,
            "label": label,
            "is_total": False,
            "combined_into": row.key,
            "cells": [{"display": COMBINED, "value": None, "suppressed": True} for _ in row.cells],
        }
        for code, label in row.members
    ]
    return [entry, *members]


def _section(section: Section) -> dict[str, Any]:
    return {"id": section.id, "title": section.title, "blocks": [_block(block) for block in section.blocks]}


def _block(block: Block) -> dict[str, Any]:
    if isinstance(block, Table):
        return {"type": "table", "id": block.id}
    if isinstance(block, Chart):
        # The SVG is a rendering: the spec (with its inline data) is what analysts redraw from.
        return {
            "type": "chart",
            "id": block.id,
            "title": block.title,
            "alt": block.alt,
            "table_id": block.table_id,
            "spec": block.spec,
        }
    data: dict[str, Any] = {"type": block.type}
    for name, value in vars(block).items():
        if name != "type":
            data[name] = [vars(item) for item in value] if name == "tiles" else value
    return data


def render_json(report: Report) -> bytes:
    """The report as UTF-8 JSON; the same report gives the same bytes."""
    return (json.dumps(report_data(report), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
