"""The report's charts from its tables: hidden cells marked as hidden, and a sentence instead of a chart
with nothing to show."""

from __future__ import annotations

from concerns.report import Cell, Chart, Column, Paragraph, Row, Table
from concerns.report._build import _figures
from concerns.report._build._sections import make_section

YEARS = ("2021/22", "2022/23", "2023/24", "2024/25", "2025/26")


def hidden(symbol: str = "<5") -> Cell:
    return Cell(symbol, None, True)


def years(*cells: Cell) -> Table:
    rows = tuple(Row(year, year, (cell,)) for year, cell in zip(YEARS, cells, strict=True))
    return Table("cases_by_year", "Cases by financial year", (Column("organisation", "Cases"),), rows)


def services(*cells: tuple[Cell, Cell]) -> Table:
    names = ("exclusion", "assessment", "action_plan")
    columns = (Column("cases", "Cases"), Column("share", "Share of cases", kind="share"))
    rows = tuple(Row(name, name.title(), pair) for name, pair in zip(names, cells, strict=True))
    return Table("services", "Advice services used", columns, rows)


def test_it_says_why_a_years_chart_of_zeros_and_hidden_years_is_not_drawn() -> None:
    table = years(Cell("0", 0), hidden(), hidden(), hidden("*"), Cell("0", 0))
    block = _figures.cases_over_time_chart(table, count_key="organisation", whose="Org")
    assert block == Paragraph(
        "No chart of cases by financial year is drawn: 3 of its 5 figures are hidden to protect small numbers "
        "and the others are zero. The figures are in the table “Cases by financial year”."
    )


def test_it_draws_the_years_with_the_hidden_ones_marked() -> None:
    table = years(Cell("7", 7), hidden(), Cell("9", 9), Cell("12", 12), Cell("0", 0))
    chart = _figures.cases_over_time_chart(table, count_key="organisation", whose="Org")
    assert isinstance(chart, Chart)
    rows = chart.spec["data"]["values"]
    assert rows[1] == {"year": "2022/23", "hidden": "<5"}
    assert [row.get("value") for row in rows] == [7, None, 9, 12, 0]


def test_it_leaves_a_chart_of_a_table_with_nothing_to_show_to_the_tables_sentence() -> None:
    table = services(
        (hidden(), hidden("–")), (Cell("0", 0), Cell("0.0%", 0.0)), (Cell("0", 0), Cell("0.0%", 0.0))
    )
    block = _figures.count_bars(
        table, "share", chart_id="services_chart", title="Advice services used", share=True
    )
    assert block is None
    section = make_section("services", "Services", block, table)
    assert [type(b) for b in section.blocks] == [Paragraph, Table]
    assert section.blocks[0].text.startswith(
        "Advice services used: not shown, because each of its counts is zero"
    )
    assert section.blocks[1].printed is False


def test_it_marks_the_hidden_bar_of_a_chart_that_has_something_to_show() -> None:
    table = services(
        (hidden(), hidden("–")), (Cell("6", 6), Cell("60.0%", 0.6)), (Cell("0", 0), Cell("0.0%", 0.0))
    )
    chart = _figures.count_bars(
        table, "share", chart_id="services_chart", title="Advice services used", share=True
    )
    assert isinstance(chart, Chart)
    assert chart.spec["data"]["values"] == [
        {"category": "Exclusion", "order": 0, "label": "–", "hidden": True},
        {"category": "Assessment", "order": 1, "value": 0.6, "label": "60.0%"},
    ]


def test_it_says_a_forest_plot_without_a_single_estimate_is_not_drawn() -> None:
    columns = tuple(Column(key, key) for key in ("ratio", "ci_low", "ci_high"))
    few = (Cell("too few cases", None), Cell("–", None), Cell("–", None))
    rows = (
        Row("male", "Male compared with female", few),
        Row("disabled", "Disabled", (hidden("*"), *few[1:])),
    )
    block = _figures.forest_chart(Table("relative_likelihood", "Relative likelihood", columns, rows))
    assert isinstance(block, Paragraph)
    assert "no comparison has one that can be shown" in block.text


def test_it_captions_the_funnel_with_what_it_draws() -> None:
    columns = (Column("rate", "Rate", kind="rate"), Column("position", "Where", kind="text"))
    rows = (
        Row("this_organisation", "This organisation", (Cell("7.50", 7.5), Cell("inside the limits", None))),
        Row("average", "Average", (Cell("7.67", 7.67), Cell("", None))),
    )
    table = Table("funnel_position", "Where the organisation sits", columns, rows)
    curves = {
        "95%": [(100.0, 5.0, 10.0), (200.0, 6.0, 9.0)],
        "99.8%": [(100.0, 4.0, 11.0), (200.0, 5.0, 10.0)],
    }
    chart = _figures.funnel_chart(
        highlight=(150.0, 7.5), curves=curves, target=7.67, position_table=table, kind_label="acute trusts"
    )
    assert chart.title == (
        "This organisation's cases per 1,000 practitioners a year, with the average and the "
        "95% and 99.8% control limits of all acute trusts"
    )
    unplaced = _figures.funnel_chart(
        highlight=None, curves=curves, target=7.67, position_table=table, kind_label="acute trusts"
    )
    assert unplaced == Paragraph("No funnel plot is drawn: this organisation's rate is not known.")
