"""The sections of an organisation's report, in reading order (report-outline.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from concerns import vocabulary as v
from concerns.analytics import MORE_THAN_ONE
from concerns.disclosure import Policy
from concerns.report._build import _figures, _methods, _tables, _text
from concerns.report._build import _format as f
from concerns.report._build import _signposting as sign
from concerns.report._build._facts import Facts
from concerns.report._build._glossary import glossary_items
from concerns.report._build._places import stated_positions
from concerns.report._build._protection import TOTAL
from concerns.report._build._tables import collapsed_row, every_count_hidden
from concerns.report._model import (
    Block,
    BulletList,
    Callout,
    Chart,
    Heading,
    KeyMessages,
    Paragraph,
    Row,
    Section,
    Table,
    Tile,
    Tiles,
)

if TYPE_CHECKING:
    from concerns.analytics import EqualityFinding, YearFinding
    from concerns.analytics.stats import Funnel
    from concerns.report._build._built import Built
    from concerns.report._build._findings import ReportFindings, ShownCluster
    from concerns.report._build._plan import Likelihood


def _period(built: Built) -> str:
    years = built.analysis.period
    return f"the {_text.in_words(len(years))} financial years {years.label()}"


def make_section(section_id: str, title: str, *blocks: Block | None) -> Section:
    """A section of the blocks given; a table whose every count is hidden is a sentence instead."""
    return Section(
        section_id, title, tuple(part for block in blocks if block is not None for part in _printed(block))
    )


def _printed(block: Block) -> tuple[Block, ...]:
    if not isinstance(block, Table):
        return (block,)
    if every_count_hidden(block):
        sentence = Paragraph(
            f"{block.title}: not shown, because each of its counts is zero or would have to be "
            "hidden so that small numbers cannot be worked out."
        )
        return sentence, replace(block, printed=False)
    recorded = collapsed_row(block)
    if recorded is not None:
        return Paragraph(_not_broken_down(block, recorded)), replace(block, printed=False)
    return (block,)


def _not_broken_down(table: Table, recorded: Row) -> str:
    unknown = next((row for row in table.rows if row.key == "not_stated"), None)
    counts = f"{recorded.label.lower()}: {recorded.cells[0].display}" + (
        f"; not stated: {unknown.cells[0].display}" if unknown is not None else ""
    )
    return (
        f"{table.title}: not broken down, because one of its groups is too small to show apart from the "
        f"others ({counts})."
    )


def paragraph(text: str) -> Paragraph | None:
    return Paragraph(text) if text else None


# --- page 2: at a glance -----------------------------------------------------------------------


def at_a_glance(built: Built, signposting: sign.Profile) -> Section:
    messages = [
        m
        for m in (
            total_message(built),
            rate_message(built),
            concern_message(built),
            equality_message(built, signposting),
            cluster_message(built),
            services_message(built),
        )
        if m
    ]
    return make_section(
        "at_a_glance",
        "At a glance",
        Tiles(tiles(built, signposting)),
        KeyMessages(tuple(messages[:6])),
        Heading("What to do next"),
        BulletList(sign.next_steps(signposting)),
    )


def tiles(built: Built, signposting: sign.Profile) -> tuple[Tile, ...]:
    facts: Facts = built.facts
    findings = built.findings
    result = [
        Tile(
            f"Cases, {built.analysis.period.label()}",
            facts.pub.display(TOTAL),
            _text.trend_verdict(findings.trend),
        )
    ]
    rate = built.rate
    rate_text = (
        f.rate(rate.value)
        if rate.available and rate.value is not None
        else (f.DASH if rate.hidden else f.NOT_AVAILABLE)
    )
    result.append(
        Tile("Cases per 1,000 practitioners a year", rate_text, _text.similar_note(findings.peers["rate"]))
    )
    largest = largest_category(built)
    share = facts.share(("concern_category", largest[0])) if largest else None
    if largest and share is not None and share.available and share.value is not None:
        code, overall = largest
        note = _text.similar_note(findings.peers[code])
        label = "Most common type of concern" if overall else "Most common type of concern shown"
        result.append(Tile(label, f"{v.CONCERN_CATEGORIES.label(code)}: {f.percent(share.value)}", note))
    result.append(_equality_tile(findings))
    labels = [cluster.test.label for cluster in findings.headline_clusters]
    count = len(labels) + findings.hidden_clusters
    if findings.hidden_clusters:
        labels.append(_small_groups(findings.hidden_clusters))
    if not count and not built.analysis.clusters.family_size:
        result.append(
            Tile("Staff groups that stand out", "Not tested", "No staff group has 3 or more practitioners")
        )
    else:
        result.append(
            Tile("Staff groups that stand out", str(count), "; ".join(labels) if labels else "None")
        )
    return tuple(result)


HEADLINE_EQUALITY = "ethnic_minority_vs_white"


def _equality_tile(findings: ReportFindings) -> Tile:
    """Always the same measure, as WRES: ethnic minority against white practitioners, with the national
    ratio beside it, so that no report picks its own headline."""
    label = "Ethnic minority vs white: relative likelihood"
    finding = next((e for e in findings.equality if e.comparison == HEADLINE_EQUALITY), None)
    national = (
        f"; nationally {f.ratio(finding.national_ratio)}"
        if finding is not None and finding.national_ratio is not None
        else ""
    )
    if finding is None or finding.verdict == "not_available":
        return Tile(label, "Not available", "No workforce figures by ethnicity to compare with")
    if finding.verdict == "too_few_cases":
        return Tile(label, "Too few cases", f"Too few cases in one of the groups to compare{national}")
    if finding.verdict == "withheld":
        return Tile(label, "Not shown", f"Hidden to protect small numbers{national}")
    reading = {"more_likely": "More likely", "less_likely": "Less likely"}.get(
        finding.verdict, "No clear difference (could be chance)"
    )
    ratio, low, high = finding.ratio, finding.ci_low, finding.ci_high
    assert ratio is not None and low is not None and high is not None  # an available ratio has them
    return Tile(label, f.ratio(ratio), f"{reading}: 95% interval {f.ratio(low)} to {f.ratio(high)}{national}")


def _groups_had(count: int) -> str:
    return "One group had" if count == 1 else f"{count:,} groups had"


def _small_groups(count: int) -> str:
    return (
        "one staff group not named, to protect the practitioners"
        if count == 1
        else f"{count} staff groups not named, to protect the practitioners"
    )


def total_message(built: Built) -> str:
    facts: Facts = built.facts
    name, period = built.name, _period(built)
    if facts.pub.withheld:
        return (
            f"{name} brought {_text.fewer_than(built.policy)} cases to Practitioner Performance Advice in "
            f"{period}: too few to break down without risk of identifying the practitioners, so this report "
            "shows no breakdown."
        )
    if facts.pub.hidden(TOTAL):
        return (
            f"The number of cases {name} brought to Practitioner Performance Advice in {period} is hidden, "
            "so that small numbers in the tables cannot be worked out from it."
        )
    if not facts.pub.total:
        return f"{name} brought no cases to Practitioner Performance Advice in {period}."
    total = facts.pub.display(TOTAL)
    trend = _text.trend(built.findings.trend, whose="")
    years = " ".join(year_message(year, short=True) for year in built.findings.years)
    return f"{name} brought {total} cases to Practitioner Performance Advice in {period}. {trend} {years}".strip()


def rate_message(built: Built) -> str | None:
    rate = built.rate
    if not rate.available or rate.value is None:
        return None
    text = (
        f"That is {f.rate(rate.value)} cases per 1,000 practitioners a year "
        f"({_text.interval(rate, 'rate')}): "
        f"{_text.against_similar(built.findings.peers['rate'], 'the rate')}."
    )
    position = built.tables["funnel_position"].cell("this_organisation", "position").display
    funnel = built.analysis.funnels.rate
    if not position.startswith("not") and hasattr(funnel, "units_placed"):
        kind = v.ORG_TYPES.label(built.analysis.organisation.org_type).lower()
        text += f" Compared with all {funnel.units_placed} {kind}s, the rate is {position}."
    return text


def largest_category(built: Built) -> tuple[str, bool] | None:
    """The category with the most published cases, and whether it is the most common overall.

    Hidden counts are never ranked: "the most common" is claimed only when every
    hidden category is a small count and the largest shown is not small.
    """
    facts: Facts = built.facts
    if facts.pub.withheld:
        return None
    shown = [
        (facts.pub.value(("concern_category", code)) or 0, -i, code)
        for i, code in enumerate(v.CONCERN_CATEGORIES.codes)
        if facts.pub.shown(("concern_category", code))
    ]
    if not shown or not max(shown)[0]:
        return None
    count, _, code = max(shown)
    hidden = [c for c in v.CONCERN_CATEGORIES.codes if facts.pub.hidden(("concern_category", c))]
    overall = (
        all(facts.pub.is_primary(("concern_category", c)) for c in hidden) and count >= built.policy.threshold
    )
    return code, overall


def concern_message(built: Built) -> str | None:
    largest = largest_category(built)
    if largest is None:
        return None
    code, overall = largest
    facts: Facts = built.facts
    key = ("concern_category", code)
    label = v.CONCERN_CATEGORIES.label(code).lower()
    share = facts.share(key)
    counted = _text.of_cases(facts, key)
    if counted is None or not share.available:
        return None
    lead = (
        f"The most common type of concern was {label}"
        if overall
        else f"Of the types of concern shown, {label} had the most cases"
    )
    return f"{lead}: {counted}; {_text.against_similar(built.findings.peers[code], 'the share')}."


def _claims(built: Built) -> list[tuple[Likelihood, EqualityFinding]]:
    items = {item.comparison.id: item for item in built.facts.likelihoods}
    return [
        (items[finding.comparison], finding)
        for finding in built.findings.equality_claims()
        if finding.comparison in items
    ]


def _claims_in_brief(built: Built, claims: list[tuple[Likelihood, EqualityFinding]]) -> str:
    """The comparisons that show a clear difference, each named once with its ratio (the key messages
    and the table say the rest), or why none does."""
    if not claims:
        return f"No comparison shows a clear difference: {_why_no_claim(built)}."
    named = []
    for item, finding in claims:
        assert finding.ratio is not None  # a clear difference has its ratio
        named.append(f"{item.comparison.label} ({f.ratio(finding.ratio)})")
    names = "; ".join(named)
    return (
        f"{len(claims)} of the comparisons show a clear difference, their intervals clear of 1: {names}. "
        "The table gives each ratio with its interval and the national ratio."
    )


def equality_message(built: Built, signposting: sign.Profile) -> str:
    if signposting.equality:
        return signposting.equality[0]
    verdicts = {finding.verdict for finding in built.findings.equality}
    if "no_clear_difference" not in verdicts:
        return f"No equality measure can be given: {_why_no_claim(built)}. That is not evidence of no difference."
    return f"No equality measure shows a clear difference between groups of practitioners: {_why_no_claim(built)}."


def _too_little_recorded(built: Built) -> str:
    """A warning for the characteristics recorded for too few cases or practitioners to trust."""
    labels = {row.key: row.label for row in built.tables["data_quality"].rows}
    short = [
        labels[field].lower()
        for field in _tables.EQUALITY_FIELDS
        if _tables.recorded_too_little(built.facts, field)
    ]
    if not short:
        return ""
    return (
        f" Comparisons by {f.and_list(short)}, any named above included, rest on incomplete records (see Data "
        "quality): the people not recorded could move them, so read them with care."
    )


def _leaning_on_all(built: Built) -> str:
    """The comparisons this organisation's own cases cannot settle but whose best estimates can, each way."""
    labels = {item.comparison.id: item.comparison.label for item in built.facts.likelihoods}
    sides: dict[str, list[str]] = {"more_likely": [], "less_likely": []}
    for finding in built.findings.equality:
        best = finding.best
        if finding.verdict in ("too_few_cases", "no_clear_difference") and best and best.verdict in sides:
            label = labels[finding.comparison]
            proper = label.split()[0] in ("Asian", "Black")  # names of ethnic groups keep their capital
            sides[best.verdict].append(label if proper else label[0].lower() + label[1:])
    parts = [
        f"above 1 for {f.and_list(names)}" if verdict == "more_likely" else f"below 1 for {f.and_list(names)}"
        for verdict, names in sides.items()
        if names
    ]
    if not parts:
        return ""
    return (
        " Where its own cases cannot say, the best estimates (its cases with the national pattern) lie "
        f"{' and '.join(parts)}: what the national pattern suggests here, not a finding about this organisation "
        "alone."
    )


def _why_no_claim(built: Built) -> str:
    verdicts = [finding.verdict for finding in built.findings.equality]
    total = len(verdicts)
    parts = []
    if few := verdicts.count("too_few_cases"):
        parts.append(f"{few} of the {total} comparisons have too few cases to say")
    if withheld := verdicts.count("withheld"):
        parts.append(f"{withheld} {'is' if withheld == 1 else 'are'} not shown, to protect small numbers")
    if wide := verdicts.count("no_clear_difference"):
        parts.append(
            f"{wide} {'has an interval' if wide == 1 else 'have intervals'} that include 1, so any "
            "difference could be chance"
        )
    if missing := verdicts.count("not_available"):
        parts.append(f"{missing} {'has' if missing == 1 else 'have'} no workforce figures to compare with")
    return "; ".join(parts) or "there is nothing to compare"


def cluster_message(built: Built) -> str:
    findings = built.findings
    if not findings.clusters and not built.analysis.clusters.family_size:
        return (
            "No staff group could be tested: none has 3 or more practitioners with cases, too few to tell a "
            "cluster from chance."
        )
    if not findings.clusters:
        return (
            "No staff group stands out: where there are enough practitioners to test, none has more with "
            "cases than the organisation's own total and workforce mix would give, beyond what chance could "
            "explain."
        )
    parts = [_cluster_words(cluster, findings) for cluster in findings.headline_clusters]
    if findings.hidden_clusters:
        parts.append(f"{_small_groups(findings.hidden_clusters)}; your link adviser can discuss it")
    count = len(findings.headline_clusters) + findings.hidden_clusters
    noun = "staff group stands out" if count == 1 else "staff groups stand out"
    return f"{_text.sentence(_text.in_words(count))} {noun}: {'; '.join(parts)}."


_WIDER_ORDER = ("specialty_group", "specialty", "grade", "specialty_grade")


def _cluster_words(cluster: ShownCluster, findings: ReportFindings) -> str:
    """A flagged group with its numbers, and the wider groups it makes stand out too."""
    assert cluster.observed is not None  # a named group
    text = (
        f"{cluster.test.label} ({f.count(cluster.observed)} practitioners against "
        f"{f.decimal(cluster.test.expected)} expected)"
    )
    inside = sorted(
        (c for c in findings.named_clusters if findings.within(c) is cluster),
        key=lambda c: _WIDER_ORDER.index(c.test.dimension),
    )
    wider = [
        c.test.label.lower()
        if c.test.dimension in ("specialty_group", "specialty")
        else f"{c.test.label} as a whole"
        for c in inside
    ]
    if wider:
        text += f", which also makes {f.and_list(wider)} stand out"
    return text


def services_message(built: Built) -> str:
    facts: Facts = built.facts
    exclusion = _text.of_cases(facts, ("service", "exclusion"))
    if facts.pub.value(("service", "exclusion")) == 0:
        return "No case needed advice on exclusion or suspension."
    if exclusion is not None:
        return f"Advice on exclusion or suspension was part of {exclusion}."
    return (
        "With so few cases, comparisons with similar sized organisations and equality measures cannot say "
        "much: the discussion with your link adviser can cover what lies behind them."
    )


# --- page 3: activity --------------------------------------------------------------------------


def activity(built: Built) -> Section:
    table = built.tables["cases_by_year"]
    facts: Facts = built.facts
    text = [_text.trend(built.findings.trend, whose="at this organisation")]
    text += [year_message(year) for year in built.findings.years]
    if built.rate.available and built.rate.value is not None:
        text.append(
            f"Over the period there were {f.rate(built.rate.value)} cases per 1,000 practitioners a year "
            f"({_text.interval(built.rate, 'rate')}): "
            f"{_text.against_similar(built.findings.peers['rate'], 'the rate')}."
        )
    elif built.rate.hidden:
        text.append(
            "The rate per 1,000 practitioners is not shown: it would reveal a hidden number of cases."
        )
    else:
        text.append("A rate per 1,000 practitioners cannot be given: the workforce headcount is not known.")
    chart = (
        None
        if facts.pub.withheld
        else _figures.cases_over_time_chart(table, count_key="organisation", whose=built.name)
    )
    return make_section(
        "activity",
        "Activity over time",
        Paragraph(
            "Cases are counted in the NHS financial year (April to March) in which they were opened, and "
            "compared with the organisation's own other years and, as a rate, with similar sized "
            "organisations taken together."
        ),
        Paragraph(" ".join(text)),
        chart,
        table,
    )


def year_message(year: YearFinding, *, short: bool = False) -> str:
    """A year far above the organisation's own other years, and the staff group behind it."""
    text = (
        f"{year.fiscal_year} stands out: {f.count(year.observed)} cases, against about "
        f"{f.count(round(year.expected))} that the organisation's other years would give for its size, more "
        f"than chance would explain."
    )
    if short:
        return text
    if year.staff_group is not None:
        text += (
            f" Much of the difference lies in {year.staff_group.label}, a staff group that stands out "
            f"(see Staff groups that stand out)."
        )
    return text


# --- page 4: position --------------------------------------------------------------------------


def position(built: Built, names: Mapping[str, str]) -> Section:
    from concerns.analytics.stats import Funnel

    analysis = built.analysis
    funnel = analysis.funnels.rate
    table = built.tables["funnel_position"]
    kind = v.ORG_TYPES.label(analysis.organisation.org_type).lower()
    blocks: list[Block | None] = []
    if isinstance(funnel, Funnel):
        where = table.cell("this_organisation", "position").display
        blocks.append(
            Paragraph(
                f"The funnel plot sets this organisation's rate of cases against all {funnel.units_placed} "
                f"organisations of the same type ({kind}s) with a known headcount. The average line is their pooled "
                f"rate; the control limits show how far from it a rate can be by chance, given the number of "
                f"practitioners. This organisation is {where}. {_overdispersion(funnel)}"
            )
        )
        stated = stated_positions(built.context, built.policy)
        blocks.append(
            Paragraph(_figures.funnel_spread(funnel, analysis.organisation.code, f"{kind}s", stated))
        )
        blocks.append(_funnel_chart(built, funnel, table, kind))
    else:
        blocks.append(Paragraph(f"No funnel plot can be drawn for {kind}s: {funnel.message}."))
    blocks.append(table)
    blocks.append(Heading("Similar sized organisations"))
    blocks.append(
        Paragraph(
            analysis.peers.method + " Their figures are never shown, not even as a median or "
            "quartiles: with public headcounts, a median of named organisations gives one of "
            "their numbers away. The report says only whether this organisation is higher, "
            "lower or similar, by an exact test against them taken together."
        )
    )
    blocks.append(BulletList(tuple(names.get(code, code) for code in analysis.peers.peers)))
    return make_section("position", "Where the organisation sits", *blocks)


def _overdispersion(funnel: Funnel) -> str:
    if funnel.overdispersed and funnel.tau2 > 0:
        assert funnel.overdispersion_p is not None  # overdispersed: the test was made
        return (
            "Organisations of this type differ more than chance alone would give (a test of overdispersion, "
            f"p = {f.p_value(funnel.overdispersion_p)}), so the limits are widened to allow for it."
        )
    p = f" (p = {f.p_value(funnel.overdispersion_p)})" if funnel.overdispersion_p is not None else ""
    return (
        f"The limits are not widened for variation between organisations: the funnel's test of "
        f"overdispersion{p}, which widens them only on strong evidence, did not call for it."
    )


def _funnel_chart(built: Built, funnel: Funnel, table: Table, kind: str) -> Chart | Paragraph | None:
    unit = built.analysis.funnel_unit("rate")
    precisions = _figures.funnel_range(funnel)
    if not precisions:
        return None
    highlight = (
        (unit.precision, built.rate.value)
        if built.rate.available and built.rate.value is not None and unit is not None and unit.precision
        else None
    )
    return _figures.funnel_chart(
        highlight=highlight,
        curves=_figures.funnel_curves(funnel, precisions),
        target=funnel.target,
        position_table=table,
        kind_label=f"{kind}s",
    )


# --- page 5: types of concern ------------------------------------------------------------------


def concerns(built: Built) -> Section:
    facts: Facts = built.facts
    table = built.tables["concern_categories"]
    text = []
    message = concern_message(built)
    if message:
        text.append(message)
    several = _text.of_cases(facts, ("concern_category", MORE_THAN_ONE))
    national = facts.national.share(("concern_category", MORE_THAN_ONE)) if facts.national else None
    if several:
        tail = (
            f", against {f.percent(national.value)} nationally"
            if national and national.available and national.value is not None
            else ""
        )
        text.append(f"{_text.sentence(several)} involved more than one area{tail}.")
    if facts.pub.withheld:
        text.append("The types of concern are not broken down: there are too few cases.")
    chart = (
        None
        if facts.pub.withheld
        else _figures.share_bars(
            table,
            {built.name: "share", "All organisations": "national"},
            chart_id="concern_categories_chart",
            title="Types of concern: share of cases",
        )
    )
    return make_section(
        "concerns",
        "Types of concern",
        Paragraph(
            "A case can involve several types of concern: each is counted, and the shares are of all "
            "cases. Against similar sized organisations, each share is compared with their share taken "
            "together by an exact test; their own figures are never shown."
        ),
        Paragraph(" ".join(text)) if text else None,
        chart,
        table,
        Heading("Sub-types of concern"),
        built.tables["concern_subtypes"],
    )


# --- page 6: who is referred -------------------------------------------------------------------


def who(built: Built) -> Section:
    facts: Facts = built.facts
    specialty = built.tables["specialty_group"]
    chart = (
        None
        if facts.pub.withheld
        else _figures.count_bars(
            specialty, "cases", chart_id="specialty_group_chart", title="Cases by specialty group"
        )
    )
    profession = built.tables["profession"]
    # The listing and the note on rates read a printed profession table; an unprinted one has its own sentence.
    printed = not every_count_hidden(profession)
    return make_section(
        "who",
        "Who is referred",
        paragraph(listing(facts, "profession", "By profession")) if printed else None,
        profession,
        Paragraph(
            "Rates per 1,000 practitioners use the workforce headcount of each profession; grades and "
            "specialty groups are shown as counts and shares of cases."
        )
        if printed
        else None,
        built.tables["grade"],
        chart,
        specialty,
    )


def listing(facts: Facts, dimension: str, lead: str) -> str:
    """Each quotable count of a breakdown with its denominator; complements are left out and said to be."""
    parts, left_out = [], False
    for code, label in facts.labels(dimension):
        text = _text.of_cases(facts, (dimension, code))
        if text is None:
            left_out = True
            continue
        plural = dimension == "profession" and not label.endswith(
            "s"
        )  # "doctors"; "dentists and pharmacists"
        parts.append(
            f"{label.lower()}s {text}"
            if plural
            else f"{label.lower() if dimension == 'profession' else label} {text}"
        )
    if not parts:
        return ""
    tail = "; the other counts are hidden so that small numbers cannot be worked out" if left_out else ""
    return f"{lead}: {'; '.join(parts)}{tail}."


# --- pages 7–8: equality -----------------------------------------------------------------------


def equality_summary(built: Built, policy: Policy) -> Section:
    """The board summary's equality: the relative likelihoods and what a board can do with them; then what
    the summary is."""
    claims = _claims(built)
    summary = _claims_in_brief(built, claims)
    return make_section(
        "equality",
        "Equality",
        Paragraph(summary),
        _shown_likelihoods(built.tables["relative_likelihood"]),
        Paragraph(_methods.high_impact_action_short(bool(claims))),
        about_summary(policy),
    )


SUMMARY_LIKELIHOOD_COLUMNS = ("ratio", "ci_low", "ci_high", "national", "wres_band", "band_verdict")


def _shown_likelihoods(table: Table) -> Table:
    """The relative likelihoods a board can read: the comparisons with a figure, without the reading column
    (the paragraph above says it) or the professions (all of them, in a summary)."""
    keep = [i for i, column in enumerate(table.columns) if column.key in SUMMARY_LIKELIHOOD_COLUMNS]
    rows = tuple(
        replace(row, cells=tuple(row.cells[i] for i in keep))
        for row in table.rows
        if row.cells[table.column_index("ratio")].value is not None
    )
    others = len(table.rows) - len(rows)
    notes = (
        *table.notes[:1],
        f"{others} other comparisons are not shown here: too few cases, or hidden to protect small numbers. "
        "The confidential report lists them.",
    )
    return replace(table, columns=tuple(table.columns[i] for i in keep), rows=rows, notes=notes)


def about_summary(policy: Policy) -> Paragraph:
    """What the summary is, and why its figures can differ from the confidential report's."""
    return Paragraph(
        f"About this summary: written for a board paper, which may be published, under a stricter rule than the "
        f"confidential report. {policy.description} Its figures can therefore differ slightly from the "
        "confidential report, which has the detail and is discussed with the link adviser."
    )


def equality(built: Built) -> Section:
    facts: Facts = built.facts
    tables = built.tables
    ethnic = tables["ethnic_group"]
    chart = (
        None
        if facts.pub.withheld
        else _figures.share_bars(
            ethnic,
            {"Cases": "stated_share", "Practitioners": "workforce_share"},
            floors={"Cases": "share"},
            chart_id="ethnic_group_chart",
            title="Ethnic group: share of cases and of practitioners",
        )
    )
    forest = _figures.forest_chart(tables["relative_likelihood"])
    claims = _claims(built)
    summary = _claims_in_brief(built, claims) + _leaning_on_all(built) + _too_little_recorded(built)
    summary += " " + _text.over_time(built.findings.equality, facts)
    return make_section(
        "equality",
        "Equality",
        Paragraph(
            "Each table sets the share of cases about a group of practitioners against that group's "
            "share of the workforce, both among the people whose characteristic is recorded. A case share "
            "well above the workforce share is worth understanding; with small numbers it may be chance."
        ),
        ethnic,
        chart,
        tables["sex"],
        tables["age_band"],
        tables["pmq"],
        tables["disability"],
        Heading("Relative likelihood"),
        Paragraph(summary),
        forest,
        tables["relative_likelihood"],
        tables["relative_likelihood_counts"],
        tables["relative_likelihood_over_time"],
        tables["relative_likelihood_doctors"] if tables["relative_likelihood_doctors"].rows else None,
        Heading("How a board can use this"),
        Paragraph(_methods.high_impact_action(bool(claims), drafts=bool(tables["objectives"].rows))),
        *((tables["objectives"],) if tables["objectives"].rows else ()),
    )


# --- page 9: clusters --------------------------------------------------------------------------


def clusters(built: Built) -> Section:
    analysis = built.analysis
    found = analysis.clusters
    method = (
        f"Each staff group (specialty group, specialty, grade, and specialty group and grade) is set against this "
        f"organisation's own practitioners with cases: how many would fall in the group given the "
        f"organisation's workforce by grade and how cases spread over groups in {found.reference}. Practitioners "
        f"are counted, not cases, so one person's repeat cases are not a cluster. Specialties follow a standard "
        f"list; a record that names only a group (such as “Surgical”) counts in the group alone. "
        f"{_groups_had(found.family_size)} "
        f"at least {found.min_observed} practitioners and {'was' if found.family_size == 1 else 'were'} examined; "
        "a group stands out when it has more "
        f"practitioners than expected with a false discovery rate below {found.q:g} (adjusted p). A group with "
        f"{_text.fewer_than(built.policy)} practitioners is not named."
    )
    table = built.tables["clusters"]
    if built.findings.clusters:
        meaning = (
            "A group that stands out is a prompt for a conversation, not a judgement: it may reflect a team "
            "under pressure, a change in leadership or in how concerns are raised, or concerns that are "
            "connected. The link adviser can help explore it."
        )
        chart = _figures.cluster_bars(table) if built.shown_clusters else None
        blocks: tuple[Block | None, ...] = (
            Paragraph(cluster_message(built)),
            Paragraph(meaning),
            table if table.rows else None,
            chart,
        )
    else:
        blocks = (Paragraph(cluster_message(built)),)
    return make_section("clusters", "Staff groups that stand out", Paragraph(method), *blocks)


# --- page 10: services -------------------------------------------------------------------------


def services(built: Built, signposting: sign.Profile) -> Section:
    facts: Facts = built.facts
    table = built.tables["services"]
    exclusion = _text.of_cases(facts, ("service", "exclusion"))
    if facts.pub.value(("service", "exclusion")) == 0:
        text = "No case needed advice on exclusion or suspension."
    elif exclusion:
        text = f"Advice on exclusion or suspension was part of {exclusion}."
    else:
        text = "The number of cases with exclusion or suspension advice is hidden to protect small numbers."
    chart = (
        None
        if facts.pub.withheld
        else _figures.count_bars(
            table,
            "share",
            chart_id="services_chart",
            title="Advice services used: share of cases",
            x_title="Share of cases",
            share=True,
        )
    )
    callouts: list[Callout] = sign.callouts(signposting)
    return make_section(
        "services",
        "Services used and what could help",
        Paragraph(
            "Every case includes advice. These are the further services of Practitioner Performance "
            "Advice that cases used."
        ),
        Paragraph(text),
        chart,
        table,
        Heading("What could help"),
        *callouts,
    )


# --- page 11: questions ------------------------------------------------------------------------


def questions(built: Built, signposting: sign.Profile) -> Section:
    largest = largest_category(built)
    label = v.CONCERN_CATEGORIES.label(largest[0]) if largest else None
    return make_section(
        "questions",
        "Questions",
        Heading("For the board"),
        BulletList(sign.board_questions(signposting, largest=label)),
        Heading("For the discussion with your link adviser"),
        BulletList(sign.adviser_questions(signposting)),
    )


# --- page 12: data quality, methods, glossary --------------------------------------------------


def data_quality(built: Built) -> Section:
    facts: Facts = built.facts
    return make_section(
        "data_quality",
        "Data quality",
        Paragraph(
            "Some fields of a referral can be recorded as not stated. Cases with a field not stated are "
            "left out of that field's comparisons, so a high share weakens what the report can say."
        ),
        built.tables["data_quality"],
        Paragraph(_methods.denominators(facts, built.analysis.rate)),
    )


def methods(built: Built) -> Section:
    return make_section(
        "methods", "Methods", *(Paragraph(text) for text in _methods.organisation_methods(built))
    )


def glossary(built: Built) -> Section:
    return make_section("glossary", "Glossary", BulletList(glossary_items(built.policy)))
