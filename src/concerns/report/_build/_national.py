"""The national insight report: every organisation's cases together, still under disclosure control."""

from __future__ import annotations

import datetime as dt

from concerns import __version__
from concerns import vocabulary as v
from concerns.analytics import (
    MORE_THAN_ONE,
    Context,
    EqualityFinding,
    NationalAnalysis,
    TrendFinding,
    trend_finding,
)
from concerns.disclosure import Policy, resolve_policy
from concerns.report._build import _figures, _methods, _tables, _text
from concerns.report._build import _format as f
from concerns.report._build._facts import Facts, Figure
from concerns.report._build._findings import equality_findings as published_equality
from concerns.report._build._findings import national_json, places_json, type_json
from concerns.report._build._glossary import glossary_items
from concerns.report._build._national_policy import organisations_published
from concerns.report._build._places import place_figures
from concerns.report._build._protection import TOTAL
from concerns.report._build._scope import CATEGORIES, national_facts, year_category_key
from concerns.report._build._sections import listing, make_section, paragraph
from concerns.report._build._types import TypeFigures, type_figures
from concerns.report._charts import grouped_bars, make_chart
from concerns.report._model import (
    BulletList,
    Cell,
    Chart,
    Column,
    Heading,
    KeyMessages,
    Paragraph,
    Report,
    Row,
    Section,
    Table,
    Tile,
    Tiles,
)
from concerns.vocabulary import DIMENSION_TITLES

TITLE = "National insight report"
WHOSE = "All organisations"


def build(
    analysis: NationalAnalysis, context: Context, *, policy: Policy | str, as_of: dt.date, illustrative: bool
) -> Report:
    chosen = resolve_policy(policy)
    facts = national_facts(context, chosen)
    years = analysis.period.fiscal_years
    trend_shown = all(facts.pub.shown(("fiscal_year", year)) for year in years)
    # A trend per practitioner over every organisation with headcounts gives away no small count.
    trend = trend_finding(analysis.trend) if trend_shown else _findings_withheld_trend()
    figures = {item.comparison.id: facts.likelihood(item) for item in facts.likelihoods}
    equality = published_equality(facts)
    doctors = published_equality(facts, doctors=True)
    tables = _national_tables(analysis, facts, figures, equality)
    tables["relative_likelihood_doctors"] = _tables.doctors_alone(
        facts, tuple(equality.values()), tuple(doctors.values())
    )
    types = type_figures(context, chosen, facts)
    tables["relative_likelihood_by_type"] = _tables.likelihood_by_type(facts, types)
    clear = organisations_clear_of_one(context, chosen)
    places = place_figures(context, chosen, facts)
    tables["by_nation"] = _tables.places(
        facts, places.nations, places.overall, table_id="by_nation", title="Cases by nation"
    )
    tables["by_organisation_type"] = _tables.places(
        facts,
        places.types,
        places.overall,
        table_id="by_organisation_type",
        title="Cases by organisation type",
    )
    tables["spread_by_type"] = _tables.type_spread(places)
    tables["equality_organisations"] = organisations_table(facts, clear)
    messages = _key_messages(analysis, facts, trend, equality, _text.places_message(places))
    sections = (
        make_section(
            "at_a_glance", "At a glance", Tiles(_tiles(analysis, facts, trend)), KeyMessages(messages)
        ),
        _activity(analysis, tables, trend),
        make_section(
            "places",
            "Nations and organisation types",
            Paragraph(_text.places(places)),
            tables["by_nation"],
            tables["by_organisation_type"],
            tables["spread_by_type"],
        ),
        _concerns(facts, tables, list(years)),
        make_section(
            "who",
            "Who is referred",
            paragraph(listing(facts, "profession", "By profession")),
            tables["profession"],
            tables["grade"],
            _figures.count_bars(
                tables["specialty_group"],
                "cases",
                chart_id="specialty_group_chart",
                title="Cases by specialty group",
            ),
            tables["specialty_group"],
        ),
        _equality(facts, tables, equality, clear),
        _clusters(analysis),
        make_section(
            "services",
            "Services used",
            Paragraph(_exclusion_text(facts)),
            _figures.count_bars(
                tables["services"],
                "share",
                chart_id="services_chart",
                title="Advice services used: share of cases",
                x_title="Share of cases",
                share=True,
            ),
            tables["services"],
        ),
        make_section(
            "data_quality",
            "Data quality",
            Paragraph("Cases with a field not stated are left out of that field's comparisons."),
            tables["data_quality"],
        ),
        make_section(
            "methods",
            "Methods",
            *(
                Paragraph(text)
                for text in _methods.national_methods(chosen, analysis.period.label(), len(years))
            ),
        ),
        make_section("glossary", "Glossary", BulletList(glossary_items(chosen))),
    )
    return Report(
        kind="national",
        title=TITLE,
        org=None,
        fiscal_years=tuple(years),
        as_of=as_of.isoformat(),
        generated_by=f"concerns {__version__}",
        data_sha256=analysis.fingerprint,
        policy=chosen.name,
        threshold=chosen.threshold,
        peers=None,
        key_messages=messages,
        sections=sections,
        illustrative=illustrative,
        findings={
            **national_json(analysis.findings, trend, equality, doctors),
            **places_json(places),
            "equality_by_type": _types_json(types),
            "equality_organisations": _clear_json(clear),
        },
        legend=_tables.symbol_legend(chosen),
        disclosure_note=_tables.disclosure_note(chosen),
        symbols=_tables.symbol_meanings(chosen),
    )


def _findings_withheld_trend() -> TrendFinding:
    return TrendFinding("count", "not_assessed", None, None, None, None, "withheld")


# If no organisation's practitioners differed (a ratio of 1 everywhere), a 95% interval would lie wholly
# above 1 by chance for 2.5% of the organisations, and wholly below for 2.5%.
CHANCE_EACH_WAY = 0.025


def organisations_clear_of_one(context: Context, policy: Policy) -> dict[str, tuple[int, int, int]]:
    """By comparison: how many organisations' reports show a ratio, and how many of those show one whose
    interval lies wholly above 1, or wholly below: the General Medical Council's count of bodies with
    disproportionate referral. Only ratios the organisations' own reports publish are counted, so the
    counts add nothing to what the batch of reports already says."""
    counts: dict[str, list[int]] = {}
    for code, (coarse, pub, items) in organisations_published(context, policy).items():
        measures = context.equality[code]
        for comparison, finding in published_equality(Facts(coarse, pub, measures, items)).items():
            tally = counts.setdefault(comparison, [0, 0, 0])
            if finding.verdict in ("more_likely", "less_likely", "no_clear_difference"):
                tally[0] += 1
                tally[1] += finding.verdict == "more_likely"
                tally[2] += finding.verdict == "less_likely"
    return {comparison: (shown, above, below) for comparison, (shown, above, below) in counts.items()}


def organisations_table(facts: Facts, clear: dict[str, tuple[int, int, int]]) -> Table:
    columns = (
        Column("organisations", "Organisations whose report shows the ratio", kind="count"),
        Column("above", "Interval wholly above 1", kind="count"),
        Column("below", "Interval wholly below 1", kind="count"),
        Column("chance", "Chance alone, at a ratio of 1 (each way)", kind="rate"),
    )
    rows = []
    for item in facts.likelihoods:
        shown, above, below = clear.get(item.comparison.id, (0, 0, 0))
        cells = (
            *(Cell(f"{n:,}", n) for n in (shown, above, below)),
            f.value_cell(CHANCE_EACH_WAY * shown, "count"),
        )
        rows.append(Row(item.comparison.id, item.comparison.label, cells))
    notes = (
        "Each organisation's own relative likelihood, as its report shows it: how many lie clear of 1 (the "
        "General Medical Council's measure of disproportionate referral), against the 2.5% each way that "
        "chance alone would put there if the two groups were equally likely to be referred everywhere. "
        "Organisations whose "
        "report shows no ratio (too few cases, or hidden) are not counted.",
    )
    return Table(
        "equality_organisations", "Organisations whose ratio lies clear of 1", columns, tuple(rows), notes
    )


def _national_tables(
    analysis: NationalAnalysis, facts: Facts, figures: dict[str, Figure], equality: dict[str, EqualityFinding]
) -> dict[str, Table]:
    readings = {
        item.comparison.id: _text.likelihood_short(equality[item.comparison.id]) for item in facts.likelihoods
    }
    tables: dict[str, Table] = {
        "cases_by_year": _tables.cases_by_year(
            facts,
            analysis.period.fiscal_years,
            count_key="cases",
            count_label="Cases",
            rates=None,
            total_rate=None,
        ),
        "concern_categories": _tables.multi_response(
            facts,
            "concern_category",
            table_id="concern_categories",
            title="Types of concern",
            note="A case counts once in each of its types of concern; more than one area counts the cases "
            "with two or more types.",
        ),
        "concern_categories_by_year": _categories_by_year(analysis, facts),
        "concern_subtypes": _tables.subtypes(facts, national=False),
        "profession": _tables.breakdown(
            facts, "profession", table_id="profession", title="Cases by profession"
        ),
        "grade": _tables.breakdown(facts, "grade", table_id="grade", title="Cases by grade"),
        "specialty_group": _tables.breakdown(
            facts, "specialty_group", table_id="specialty_group", title="Cases by specialty group"
        ),
        "services": _tables.multi_response(
            facts,
            "service",
            table_id="services",
            title="Advice services used",
            note="Every case includes advice; a case can use several further services.",
        ),
        "relative_likelihood": _tables.relative_likelihood(facts, figures, readings, equality),
        "relative_likelihood_over_time": _tables.likelihood_over_time(
            facts, tuple(equality.values()), analysis.period.fiscal_years
        ),
        "data_quality": _tables.data_quality(facts, DIMENSION_TITLES),
    }
    tables.update(_tables.demographic_tables(facts, DIMENSION_TITLES))
    return tables


def _categories_by_year(analysis: NationalAnalysis, facts: Facts) -> Table:
    """Each type of concern by year and over the period: cases, and share of that year's cases."""
    columns = (Column("cases", "Cases"), *_tables.share_columns())
    rows = []
    for code in CATEGORIES:
        label = "More than one area" if code == MORE_THAN_ONE else v.CONCERN_CATEGORIES.label(code)
        for year in analysis.period.fiscal_years:
            key = year_category_key(code, year)
            cells = (
                _tables.count_cell(facts, key),
                *_tables.figure_cells(facts.share(key, ("fiscal_year", year)), "share"),
            )
            rows.append(Row(f"{code}:{year}", f"{label}, {year}", cells))
        key = ("concern_category", code)
        cells = (_tables.count_cell(facts, key), *_tables.figure_cells(facts.share(key), "share"))
        rows.append(Row(f"{code}:period", f"{label}, {analysis.period.label()}", cells))
    notes = (
        "Shares are of all the cases opened that year (or over the period).",
        *_tables.symbol_notes(facts),
    )
    # The chart beside it gives each year's shares; the counts and intervals year by year are a detail.
    return Table(
        "concern_categories_by_year",
        "Types of concern by financial year",
        columns,
        tuple(rows),
        notes,
        detail=True,
    )


def _categories_chart(years: list[str], table: Table) -> Chart:
    categories = [
        ("More than one area" if code == MORE_THAN_ONE else v.CONCERN_CATEGORIES.label(code))
        for code in CATEGORIES
    ]
    values: dict[str, list[float | None]] = {}
    labels: dict[str, list[str]] = {}
    for year in years:
        cells = [table.cell(f"{code}:{year}", "share") for code in CATEGORIES]
        values[year] = [None if cell.suppressed else cell.value for cell in cells]
        labels[year] = [cell.display for cell in cells]
    title = "Types of concern by financial year: share of cases"
    spec = grouped_bars(
        categories, values, title=title, x_title="Share of cases", value_labels=labels, axis_format=".0%"
    )
    alt = (
        f"Bar chart, {title.lower()}. "
        + ". ".join(
            f"{year}: " + "; ".join(f"{c} {d}" for c, d in zip(categories, labels[year], strict=True))
            for year in years
        )
        + "."
    )
    return make_chart("concern_categories_by_year_chart", title, alt, spec, table.id, draw=False)


def _tiles(analysis: NationalAnalysis, facts: Facts, trend: TrendFinding) -> tuple[Tile, ...]:
    tiles = [
        Tile(f"Cases, {analysis.period.label()}", facts.pub.display(TOTAL), _text.trend_verdict(trend)),
        Tile(
            "Organisations with cases", f"{analysis.organisations_with_cases:,} of {analysis.organisations:,}"
        ),
    ]
    for code in ("behaviour", "clinical", "health", MORE_THAN_ONE):
        share = facts.share(("concern_category", code))
        label = "More than one area" if code == MORE_THAN_ONE else v.CONCERN_CATEGORIES.label(code)
        if share.available:
            assert share.value is not None and share.low is not None and share.high is not None  # a share
            value, note = (
                f.percent(share.value),
                f"95% interval {f.percent(share.low)} to {f.percent(share.high)}",
            )
        else:
            value, note = f.DASH, ""
        tiles.append(Tile(label, value, note))
    return tuple(tiles)


def _key_messages(
    analysis: NationalAnalysis,
    facts: Facts,
    trend: TrendFinding,
    equality: dict[str, EqualityFinding],
    places: str | None,
) -> tuple[str, ...]:
    total = facts.pub.display(TOTAL)
    messages = [
        f"{analysis.organisations_with_cases:,} of {analysis.organisations:,} organisations brought {total} "
        f"cases to Practitioner Performance Advice in the {_text.in_words(len(analysis.period))} financial years "
        f"{analysis.period.label()}. {_trend_text(analysis, trend)}",
    ]
    parts = []
    for code in ("behaviour", "clinical", "health", MORE_THAN_ONE):
        text = _text.of_cases(facts, ("concern_category", code))
        if text:
            label = (
                "more than one area" if code == MORE_THAN_ONE else v.CONCERN_CATEGORIES.label(code).lower()
            )
            parts.append(f"{label}: {text}")
    if parts:
        messages.append("Types of concern over the period: " + "; ".join(parts) + ".")
    if places:
        messages.append(places)
    claims = _claims(facts, equality)
    messages += claims[:2] or ["No equality measure shows a clear difference nationally."]
    messages.append(_cluster_flags_text(analysis))
    return tuple(messages[:6])


def _claims(facts: Facts, equality: dict[str, EqualityFinding]) -> list[str]:
    return [
        claim
        for item in facts.likelihoods
        if (claim := _text.likelihood_claim(item, equality[item.comparison.id]))
    ]


def _trend_text(analysis: NationalAnalysis, trend: TrendFinding) -> str:
    text = _text.trend(trend, whose="across all organisations" if trend.measure == "count" else "")
    if trend.measure == "rate":
        organisations = analysis.findings.trend_organisations
        whose = (
            "every organisation, whose headcount is known for every year"
            if organisations == analysis.organisations
            else f"the {organisations:,} organisations whose headcount is known for every year"
        )
        text += (
            f" The trend is per practitioner, over {whose}, so that a growing workforce is not read as more "
            "concerns."
        )
    return text


def _cluster_flags_text(analysis: NationalAnalysis) -> str:
    flags = analysis.findings.cluster_flags
    reading = (
        "more than chance alone would give, so some of them are likely to be real"
        if flags.more_than_chance
        else "about what chance alone would give, so any one of them may be chance"
    )
    return (
        f"In {flags.organisations_flagged:,} of the {flags.organisations_tested:,} organisations tested (those "
        f"with a staff group of at least 3 practitioners with cases), at "
        f"least one staff group stood out. Chance alone would give about {flags.expected_by_chance:,.1f} "
        f"(simulated under each organisation's own workforce mix): {reading}. Each organisation's report "
        "names its own."
    )


def _activity(analysis: NationalAnalysis, tables: dict[str, Table], trend: TrendFinding) -> Section:
    table = tables["cases_by_year"]
    return make_section(
        "activity",
        "Activity over time",
        Paragraph(_trend_text(analysis, trend)),
        _figures.cases_over_time_chart(table, count_key="cases", whose=WHOSE),
        table,
    )


def _concerns(facts: Facts, tables: dict[str, Table], years: list[str]) -> Section:
    by_year = tables["concern_categories_by_year"]
    return make_section(
        "concerns",
        "Types of concern",
        Paragraph(
            "A case can involve several types of concern: each is counted, and shares are of all cases "
            "opened in the year or over the period, with 95% intervals."
        ),
        tables["concern_categories"],
        _categories_chart(years, by_year),
        by_year,
        Heading("Sub-types of concern"),
        tables["concern_subtypes"],
    )


def _clear_json(clear: dict[str, tuple[int, int, int]]) -> list[dict[str, object]]:
    return [
        {
            "comparison": comparison,
            "organisations": shown,
            "above": above,
            "below": below,
            "expected_by_chance": round(CHANCE_EACH_WAY * shown, 2),
        }
        for comparison, (shown, above, below) in clear.items()
    ]


def _types_json(types: TypeFigures) -> list[dict[str, object]]:
    return [
        {"comparison": comparison, **(type_json(found) or {})}
        for (_, comparison), found in types.ratios.items()
    ]


def _clear_text(clear: dict[str, tuple[int, int, int]], equality: dict[str, EqualityFinding]) -> str:
    shown, above, _ = clear.get("ethnic_minority_vs_white", (0, 0, 0))
    if not shown:
        return "No organisation's report shows an ethnic minority vs white relative likelihood."
    national = equality.get("ethnic_minority_vs_white")
    pattern = (
        f" With the national ratio at {f.ratio(national.ratio)}, this counts the organisations where that "
        "pattern is strong enough to show in their own cases; it is not a count of unusual organisations."
        if national is not None and national.ratio is not None
        else ""
    )
    return (
        f"Organisation by organisation: of the {shown:,} organisations whose report shows the ethnic minority vs "
        f"white relative likelihood, {above:,} show one whose interval lies wholly above 1; if the two groups "
        f"were equally likely to be referred everywhere, chance alone would put about "
        f"{CHANCE_EACH_WAY * shown:.0f} there.{pattern} The table gives every comparison."
    )


def _equality(
    facts: Facts,
    tables: dict[str, Table],
    equality: dict[str, EqualityFinding],
    clear: dict[str, tuple[int, int, int]],
) -> Section:
    claims = _claims(facts, equality)
    return make_section(
        "equality",
        "Equality",
        Paragraph(
            "Case shares by group against workforce shares, among people whose characteristic is "
            "recorded, and relative likelihoods of being the subject of a case (WRES method), pooled over "
            "every organisation whose workforce figures are known."
        ),
        tables["ethnic_group"],
        tables["sex"],
        tables["age_band"],
        tables["pmq"],
        tables["disability"],
        Heading("Relative likelihood"),
        Paragraph(" ".join(claims) if claims else "No comparison shows a clear difference nationally."),
        _figures.forest_chart(tables["relative_likelihood"]),
        tables["relative_likelihood"],
        Paragraph(_text.over_time(tuple(equality.values()), facts)),
        tables["relative_likelihood_over_time"],
        tables["relative_likelihood_doctors"],
        tables["relative_likelihood_by_type"],
        Paragraph(_clear_text(clear, equality)),
        tables["equality_organisations"],
        Heading("How a board can use this"),
        Paragraph(_methods.high_impact_action(bool(claims))),
    )


def _clusters(analysis: NationalAnalysis) -> Section:
    return make_section(
        "clusters",
        "Staff groups that stand out",
        Paragraph(
            "Each organisation's staff groups (specialty group, specialty, grade, specialty group and grade) are tested "
            "within the organisation: whether a group holds more of its practitioners with cases than its own "
            "total and workforce mix would give. " + _cluster_flags_text(analysis)
        ),
    )


def _exclusion_text(facts: Facts) -> str:
    text = _text.of_cases(facts, ("service", "exclusion"))
    return (
        f"Advice on exclusion or suspension was part of {text}."
        if text
        else "The number of cases with exclusion advice is hidden to protect small numbers."
    )
