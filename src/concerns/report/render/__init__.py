"""Renderers: each reads only the document model and returns bytes.

Each renderer loads on first use, so that asking for JSON does not pay for Typst or XlsxWriter.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "render_html": "_html",
    "render_json": "_json",
    "report_data": "_json",
    "render_pdf": "_pdf",
    "font_dir": "_pdf",
    "render_xlsx": "_xlsx",
}

__all__ = ["font_dir", "render_html", "render_json", "render_pdf", "render_xlsx", "report_data"]

if TYPE_CHECKING:
    from concerns.report.render._html import render_html
    from concerns.report.render._json import render_json, report_data
    from concerns.report.render._pdf import font_dir, render_pdf
    from concerns.report.render._xlsx import render_xlsx


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"concerns.report.render.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
