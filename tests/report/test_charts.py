"""Charts: Vega-Lite specs in the NHS look, drawn to deterministic SVG, never carrying a hidden value."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concerns.report import Chart
from concerns.report._charts import (
    FONT_FAMILY,
    ChartError,
    bars,
    cases_over_time,
    draw_chart,
    forest_plot,
    funnel_plot,
    grouped_bars,
    make_chart,
    to_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
HIDDEN = 3  # the planted true value behind every None below
YEARS = ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]
PROFESSIONS = ["Doctor", "Dentist", "Pharmacist"]
SRC = Path(__file__).resolve().parents[2] / "src"


def time_chart(organisation: list[float | None] | None = None) -> dict[str, Any]:
    return cases_over_time(
        YEARS,
        organisation or [9, 11, 12, 10, 13],
        [8.5, 9, 9.5, 10, 9],
        [6, 6.5, 7, 7, 7],
        [11, 12, 12.5, 13, 12],
        title="Cases per year against similar sized organisations",
        y_title="Cases",
    )


def funnel_chart() -> dict[str, Any]:
    limits = {
        "95%": [(200.0, 0.1, 12.8), (3000.0, 1.7, 6.3), (7000.0, 2.5, 5.5)],
        "99.8%": [(200.0, 0.0, 17.6), (3000.0, 0.8, 7.2), (7000.0, 1.9, 6.1)],
    }
    return funnel_plot(
        (5200.0, 6.1),
        limits,
        4.0,
        title="Cases per 1,000 practitioner-years",
        x_title="Practitioner-years",
        y_title="Rate",
    )


def profession_bars(dentists: float | None) -> dict[str, Any]:
    labels = ["40", "<5" if dentists is None else f"{dentists:g}", "12"]
    return bars(
        PROFESSIONS, [40, dentists, 12], title="Cases by profession", x_title="Cases", value_labels=labels
    )


def concern_bars(health: float | None) -> dict[str, Any]:
    return grouped_bars(
        ["Clinical", "Behaviour", "Health"],
        {"This organisation": [40, 21, health], "Similar sized median": [35, 18, 6], "National": [38, 20, 7]},
        title="Types of concern",
        x_title="Cases",
        value_labels={"This organisation": ["40", "21", "<5" if health is None else f"{health:g}"]},
    )


def equality_forest() -> dict[str, Any]:
    return forest_plot(
        [
            ("Ethnic minority vs white", 1.42, 1.05, 1.92, "1.42 (1.05 to 1.92)"),
            ("Female vs male", 0.6, 0.41, 0.88, "0.60 (0.41 to 0.88)"),
            ("Disabled vs not disabled", None, None, None, "too few cases to say"),
        ],
        title="Relative likelihood of a case",
    )


ALL_CHARTS = {
    "cases_over_time": time_chart,
    "funnel_plot": funnel_chart,
    "bars": lambda: profession_bars(None),
    "grouped_bars": lambda: concern_bars(None),
    "forest_plot": equality_forest,
}


def marks(svg: str, kind: str) -> list[ET.Element]:
    """The items of every data mark of one kind (rect, symbol, text, rule...), legends and axes left out."""
    root = ET.fromstring(svg)
    return [
        item
        for group in root.iter(f"{SVG}g")
        if group.get("class", "").startswith(f"mark-{kind} role-mark ")
        for item in group
    ]


def solid(svg: str, kind: str) -> list[ET.Element]:
    """The marks of a kind that draw a value: the dashed ones mark hidden values."""
    return [item for item in marks(svg, kind) if not item.get("stroke-dasharray")]


def dashed(svg: str, kind: str) -> list[ET.Element]:
    return [item for item in marks(svg, kind) if item.get("stroke-dasharray")]


def data_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec["data"]["values"]


def numbers_in(rows: list[dict[str, Any]]) -> list[float]:
    return [value for row in rows for value in row.values() if isinstance(value, int | float)]


def find_keys(tree: Any, key: str) -> list[Any]:
    if isinstance(tree, dict):
        own = [tree[key]] if key in tree else []
        return own + [found for value in tree.values() for found in find_keys(value, key)]
    if isinstance(tree, list):
        return [found for value in tree for found in find_keys(value, key)]
    return []


@pytest.mark.parametrize("name", list(ALL_CHARTS))
def test_it_draws_every_chart_as_an_a4_sized_responsive_svg(name: str) -> None:
    spec = ALL_CHARTS[name]()
    json.dumps(spec, allow_nan=False)
    svg = to_svg(spec)
    root = ET.fromstring(svg)
    assert 480 <= float(root.get("width", "0")) <= 520
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")


@pytest.mark.parametrize("name", list(ALL_CHARTS))
def test_it_names_its_font_on_every_piece_of_text(name: str) -> None:
    svg = to_svg(ALL_CHARTS[name]())
    families = {text.get("font-family") for text in ET.fromstring(svg).iter(f"{SVG}text")}
    assert families == {FONT_FAMILY}
    first = FONT_FAMILY.split(",")[0].strip("' ")
    assert first not in {"sans-serif", "serif", "system-ui", "Arial", "Helvetica"}  # a font the PDF embeds


def test_it_draws_no_bar_for_a_suppressed_value_and_keeps_it_out_of_the_data() -> None:
    shown, hidden = profession_bars(HIDDEN), profession_bars(None)
    assert (len(solid(to_svg(shown), "rect")), len(dashed(to_svg(shown), "rect"))) == (3, 0)
    hidden_svg = to_svg(hidden)
    assert (len(solid(hidden_svg, "rect")), len(dashed(hidden_svg, "rect"))) == (2, 1)
    dentist = next(row for row in data_rows(hidden) if row["category"] == "Dentist")
    assert dentist == {"category": "Dentist", "order": 1, "label": "<5", "hidden": True}
    assert HIDDEN not in numbers_in(data_rows(hidden))
    assert "<5" in [text.text for text in marks(hidden_svg, "text")]


def test_it_prints_a_suppressed_label_at_the_axis() -> None:
    svg = to_svg(profession_bars(None))
    label = next(text for text in marks(svg, "text") if text.text == "<5")
    other = next(text for text in marks(svg, "text") if text.text == "12")
    x_of = lambda text: float(re.search(r"translate\(([-\d.]+)", text.get("transform", "")).group(1))  # noqa: E731
    assert x_of(label) < x_of(other)
    assert x_of(label) < 10


def test_it_draws_no_grouped_bar_for_a_suppressed_value() -> None:
    shown, hidden = concern_bars(HIDDEN), concern_bars(None)
    assert (len(solid(to_svg(shown), "rect")), len(dashed(to_svg(shown), "rect"))) == (9, 0)
    assert (len(solid(to_svg(hidden), "rect")), len(dashed(to_svg(hidden), "rect"))) == (8, 1)
    health = next(
        row for row in data_rows(hidden) if row["category"] == "Health" and row["series_order"] == 0
    )
    assert "value" not in health
    assert health["label"] == "<5"
    assert HIDDEN not in numbers_in([row for row in data_rows(hidden) if row["series_order"] == 0])


def test_it_leaves_a_gap_for_a_suppressed_year() -> None:
    spec = time_chart([9, 11, None, 10, 13])
    row = next(row for row in data_rows(spec) if row["year"] == "2022/23")
    assert "organisation" not in row
    assert row["peer_median"] == 9.5
    assert len(marks(to_svg(spec), "symbol")) == 9
    assert len(marks(to_svg(time_chart([9, 11, HIDDEN, 10, 13])), "symbol")) == 10


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=500)), min_size=1, max_size=6))
def test_it_draws_exactly_the_values_that_are_not_none(values: list[int | None]) -> None:
    categories = [f"Group {index}" for index in range(len(values))]
    spec = bars(categories, values, title="Cases", x_title="Cases")
    drawn = [row for row in data_rows(spec) if "value" in row]
    assert [row["value"] for row in drawn] == [value for value in values if value is not None]
    svg = to_svg(spec)
    assert len(solid(svg, "rect")) == len(drawn)
    assert len(dashed(svg, "rect")) == values.count(None)


def test_it_treats_a_non_finite_value_as_not_available() -> None:
    spec = bars(["A", "B"], [float("nan"), 4], title="t", x_title="x")
    json.dumps(spec, allow_nan=False)
    assert [row.get("value") for row in data_rows(spec)] == [None, 4.0]


def test_it_draws_no_other_organisation_on_the_funnel() -> None:
    spec = funnel_chart()
    assert {row["kind"] for row in data_rows(spec)} == {"highlight", "limit", "target"}
    assert find_keys(spec, "tooltip") == []
    svg = to_svg(spec)
    assert "<title" not in svg
    # only this organisation's diamond, named by the legend: no label on the plot, which a limit line
    # could run through
    assert len(marks(svg, "symbol")) == 1
    assert [text.text for text in marks(svg, "text")] == []
    assert "This organisation" in svg
    highlight = next(row for row in data_rows(spec) if row["kind"] == "highlight")
    assert (highlight["precision"], highlight["value"]) == (5200.0, 6.1)


def test_it_draws_the_funnel_limits_and_target_as_lines() -> None:
    svg = to_svg(funnel_chart())
    assert len(marks(svg, "line")) == 4  # low and high line per level
    assert len(marks(svg, "rule")) == 1
    styles = {line.get("stroke-dasharray") for line in marks(svg, "line")}
    assert len(styles) == 2


def test_it_draws_the_forest_plot_on_a_log_scale_with_the_band() -> None:
    spec = equality_forest()
    x_scales = [layer["encoding"]["x"].get("scale") for layer in spec["layer"] if "x" in layer["encoding"]]
    assert x_scales and all(scale["type"] == "log" for scale in x_scales if scale)
    band = spec["layer"][0]["encoding"]
    assert (band["x"]["datum"], band["x2"]["datum"]) == (0.8, 1.25)
    assert spec["layer"][1]["encoding"]["x"]["datum"] == 1
    svg = to_svg(spec)
    assert len(marks(svg, "rect")) == 1
    assert len(marks(svg, "symbol")) == 2
    assert len(solid(svg, "rule")) == 1 + 2  # the rule at 1, an interval per available row
    assert len(dashed(svg, "rule")) == 1  # across the row with too few cases
    assert "too few cases to say" in [text.text for text in marks(svg, "text")]
    disabled = data_rows(spec)[2]
    assert disabled == {"label": "Disabled vs not disabled", "order": 2, "note": "too few cases to say"}


def test_it_spaces_log_ticks_evenly_around_one() -> None:
    axis = forest_plot([("a", 2.0, 1.5, 3.0, "2.00")], title="t")["layer"][1]["encoding"]["x"]
    low, high = axis["scale"]["domain"]
    assert low * high == pytest.approx(1, rel=1e-3)
    assert high > 3.0
    assert 1.0 in axis["axis"]["values"]


def test_it_draws_the_same_bytes_for_the_same_spec_in_one_process() -> None:
    spec = funnel_chart()  # its clipped lines make Vega number a clip path from a process-wide counter
    first, second = to_svg(spec), to_svg(spec)
    assert 'clip-path="url(#chart-1)"' in first
    assert first == second


def test_it_draws_the_same_bytes_in_another_process() -> None:
    specs = [make() for make in ALL_CHARTS.values()]
    script = (
        "import json, sys; from concerns.report._charts import to_svg; "
        "sys.stdout.write(json.dumps([to_svg(spec, alt='a', id_prefix='x') for spec in json.load(sys.stdin)]))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(specs),
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        timeout=120,
    ).stdout
    assert json.loads(other) == [to_svg(spec, alt="a", id_prefix="x") for spec in specs]


def test_it_makes_a_chart_that_is_one_labelled_image_with_its_own_ids() -> None:
    alt = 'Bar chart: doctors 40 cases; dentists "fewer than 5" & pharmacists 12.'
    chart = make_chart("profession_chart", "Cases by profession", alt, funnel_chart(), "profession")
    assert isinstance(chart, Chart)
    assert (chart.id, chart.title, chart.alt, chart.table_id) == (
        "profession_chart",
        "Cases by profession",
        alt,
        "profession",
    )
    root = ET.fromstring(chart.svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == alt
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert ids and all(identifier.startswith("profession_chart-") for identifier in ids)
    assert set(re.findall(r"url\(#([^)]+)\)", chart.svg)) <= set(ids)


def test_it_leaves_the_title_to_the_figure_caption() -> None:
    spec = profession_bars(None)
    chart = make_chart("profession_chart", "Cases by profession", "Bar chart.", spec, "profession")
    assert chart.spec["title"] == {"text": "Cases by profession"}
    assert "Cases by profession" not in chart.svg
    titled = make_chart(
        "profession_chart", "Cases by profession", "Bar chart.", spec, "profession", title_in_svg=True
    )
    assert "Cases by profession" in titled.svg


def test_it_wraps_a_long_title_into_lines() -> None:
    title = "Cases per 1,000 practitioner-years over five years, against every other acute trust in England"
    lines = bars(["A"], [1], title=title, x_title="x")["title"]["text"]
    assert isinstance(lines, list) and len(lines) == 2
    assert " ".join(lines) == title


def test_it_keeps_points_that_are_not_drawn_out_of_the_funnel_legend() -> None:
    spec = funnel_plot(
        None, {"95%": [(1.0, 0.0, 5.0), (10.0, 1.0, 3.0)]}, 2.0, title="t", x_title="x", y_title="y"
    )
    domains = {tuple(scale["domain"]) for scale in find_keys(spec, "scale") if "domain" in scale}
    assert ("Average of all organisations", "95% limits") in domains
    assert not any("This organisation" in domain for domain in domains)


def test_it_labels_the_band_ends_only_when_they_have_room() -> None:
    def ticks(low: float, high: float) -> list[float]:
        spec = forest_plot([("a", 1.0, low, high, "")], title="t")
        return spec["layer"][1]["encoding"]["x"]["axis"]["values"]

    assert ticks(0.9, 1.3) == [0.8, 1.0, 1.25]
    assert ticks(1.5, 9.0) == [0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0]


def test_it_rejects_series_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="one value"):
        cases_over_time(YEARS, [1, 2], [1] * 5, [1] * 5, [1] * 5, title="t", y_title="y")
    with pytest.raises(ValueError, match="one label per value"):
        bars(["a", "b"], [1, 2], title="t", x_title="x", value_labels=["1"])


def test_it_reports_a_spec_vega_lite_cannot_draw() -> None:
    with pytest.raises(ChartError, match="could not be drawn"):
        to_svg({"mark": "no-such-mark", "data": {"values": []}})


def test_it_refuses_to_load_data_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("value\n3\n")
    spec = {
        "mark": "bar",
        "data": {"url": secret.as_uri()},
        "encoding": {"x": {"field": "value", "type": "quantitative"}},
    }
    with pytest.raises(ChartError, match="inline"):
        to_svg(spec)


def test_it_draws_a_deferred_chart_exactly_as_an_immediate_one():
    from concerns.report._charts import draw_charts
    from tests.report.sample import sample_report

    spec = bars(["Doctor", "Dentist"], [40, None], title="Cases", x_title="Cases", value_labels=["40", "<5"])
    deferred = make_chart("c", "Cases", "Bar chart.", spec, "profession", draw=False)
    assert deferred.svg == ""
    assert draw_chart(deferred) == make_chart("c", "Cases", "Bar chart.", spec, "profession")
    report = sample_report()
    assert draw_charts(report) is report  # nothing left to draw


# --- hidden values drawn as hidden; shares on 0–100%; a sentence when there is nothing to show -------


def axis_labels(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [
        text.text or ""
        for group in root.iter(f"{SVG}g")
        if group.get("class", "").startswith("mark-text role-axis-label")
        for text in group
    ]


def legend_labels(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [
        text.text or ""
        for group in root.iter(f"{SVG}g")
        if group.get("class", "").startswith("mark-text role-legend-label")
        for text in group
    ]


def test_it_marks_a_hidden_year_with_a_dashed_line_and_its_label_never_a_point() -> None:
    nothing = [None] * 5
    spec = cases_over_time(
        YEARS,
        [9, None, 12, None, 13],
        nothing,
        nothing,
        nothing,
        title="t",
        y_title="Cases",
        hidden=[None, "<5", None, "*", None],
    )
    svg = to_svg(spec)
    assert [row.get("hidden") for row in data_rows(spec)] == [None, "<5", None, "*", None]
    assert not any("value" in row for row in data_rows(spec) if "hidden" in row)
    assert len(dashed(svg, "rule")) == 2
    assert len(marks(svg, "symbol")) == 3
    assert {"<5", "*"} <= {text.text for text in marks(svg, "text")}
    assert "Dashed: hidden to protect small numbers" in legend_labels(svg)


def test_it_adds_the_hidden_legend_only_when_a_value_is_hidden() -> None:
    assert "Dashed: hidden to protect small numbers" in legend_labels(to_svg(profession_bars(None)))
    assert legend_labels(to_svg(profession_bars(HIDDEN))) == []


def test_it_draws_shares_from_0_to_100_percent_whatever_the_largest() -> None:
    for largest in (0.12, 0.97):
        spec = grouped_bars(
            ["Clinical", "Health"],
            {"Org": [largest, 0.05], "All": [0.4, 0.1]},
            title="t",
            x_title="Share of cases",
            axis_format=".0%",
        )
        assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0.0, 1.0]
        assert [label for label in axis_labels(to_svg(spec)) if label.endswith("%")] == [
            "0%",
            "25%",
            "50%",
            "75%",
            "100%",
        ]
        assert float(ET.fromstring(to_svg(spec)).get("width")) <= 520  # the 97% bar's label fits in A4


def test_it_drops_the_labels_vega_hides_to_avoid_overlaps() -> None:
    limits = {"95%": [(float(x), 1.0, 9.0) for x in range(8_000, 30_001, 2_000)]}
    spec = funnel_plot((25_000.0, 5.0), limits, 5.0, title="t", x_title="x", y_title="y")
    svg = to_svg(spec)
    assert 'opacity="0"' not in svg
    labels = [label for label in axis_labels(svg) if "," in label]
    assert labels and len(labels) < len(range(8_000, 30_001, 2_000))  # some were hidden, and are gone
