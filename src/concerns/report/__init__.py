"""Reports: one document model rendered to HTML, PDF, XLSX and JSON.

    manifest = make_batch(load(data), out, BatchOptions(as_of=day), national=True)

The batch, the builders and the renderers load on first use: importing this package (from the CLI, say)
does not pay for SciPy, Typst or XlsxWriter.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from concerns.report._model import (
    ILLUSTRATIVE_BANNER,
    SCHEMA,
    Block,
    BulletList,
    Callout,
    Cell,
    Chart,
    Column,
    Heading,
    KeyMessages,
    OrgInfo,
    Paragraph,
    PeerInfo,
    Report,
    Row,
    Section,
    Table,
    Tile,
    Tiles,
)

# public name → the module that defines it, imported when the name is first used
_LAZY: dict[str, str] = {
    "FORMATS": "concerns.report._batch",
    "FORMAT_TITLES": "concerns.report._batch",
    "BatchOptions": "concerns.report._batch",
    "Manifest": "concerns.report._batch",
    "ManifestError": "concerns.report._batch",
    "ManifestFile": "concerns.report._batch",
    "UnknownOrganisations": "concerns.report._batch",
    "make_batch": "concerns.report._batch",
    "build_board_summary": "concerns.report._build",
    "build_national_report": "concerns.report._build",
    "build_organisation_report": "concerns.report._build",
    "SUMMARY_POLICY": "concerns.report._build",
    "draw_charts": "concerns.report._charts",
    "font_dir": "concerns.report.render",
    "render_html": "concerns.report.render",
    "render_json": "concerns.report.render",
    "render_pdf": "concerns.report.render",
    "render_xlsx": "concerns.report.render",
    "report_data": "concerns.report.render",
}

if TYPE_CHECKING:
    from concerns.report._batch import (
        FORMAT_TITLES,
        FORMATS,
        BatchOptions,
        Manifest,
        ManifestError,
        ManifestFile,
        UnknownOrganisations,
        make_batch,
    )
    from concerns.report._build import (
        SUMMARY_POLICY,
        build_board_summary,
        build_national_report,
        build_organisation_report,
    )
    from concerns.report._charts import draw_charts
    from concerns.report.render import (
        font_dir,
        render_html,
        render_json,
        render_pdf,
        render_xlsx,
        report_data,
    )

__all__ = [
    "FORMATS",
    "FORMAT_TITLES",
    "ILLUSTRATIVE_BANNER",
    "SCHEMA",
    "SUMMARY_POLICY",
    "BatchOptions",
    "Block",
    "BulletList",
    "Callout",
    "Cell",
    "Chart",
    "Column",
    "Heading",
    "KeyMessages",
    "Manifest",
    "ManifestError",
    "ManifestFile",
    "OrgInfo",
    "Paragraph",
    "PeerInfo",
    "Report",
    "Row",
    "Section",
    "Table",
    "Tile",
    "Tiles",
    "UnknownOrganisations",
    "build_board_summary",
    "build_national_report",
    "build_organisation_report",
    "draw_charts",
    "font_dir",
    "make_batch",
    "render_html",
    "render_json",
    "render_pdf",
    "render_xlsx",
    "report_data",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
