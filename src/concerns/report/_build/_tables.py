"""The report's tables, from published figures only.

Count cells come straight from disclosure control (`Published`); every other
cell is a figure derived from published counts (`Facts`), hidden ("–") when
it rests on a hidden count, "n/a" when there is no figure to give.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from concerns import vocabulary as v
from concerns.analytics import (
    LATEST_YEARS,
    OVER_TIME,
    SINGLE_VALUED,
    BestFinding,
    EqualityFinding,
    level_name,
)
from concerns.disclosure import CellKey, Policy
from concerns.report._build import _format as f
from concerns.report._build import _text
from concerns.report._build._coarsen import FAMILY_LABELS, is_collapsed, is_combined, member_labels, members
from concerns.report._build._facts import HIDDEN, Facts, Figure
from concerns.report._build._places import Place, Places
from concerns.report._build._protection import NOT_STATED, TOTAL
from concerns.report._model import Cell, Column, Row, Table

if TYPE_CHECKING:
    from concerns.analytics import FunnelUnit, TypeFinding
    from concerns.report._build._findings import ShownCluster
    from concerns.report._build._plan import Likelihood
    from concerns.report._build._types import TypeFigures

ALL_CASES = "all_cases"
WITHHELD_NOTE = "Every count in this table is hidden"


def count_cell(facts: Facts, key: CellKey) -> Cell:
    cell = facts.pub.cells[key]
    return Cell(cell.display, cell.value, cell.suppressed)


def ratio_cells(figure: Figure, *, too_few: bool, policy: Policy) -> list[Cell]:
    """A relative likelihood and its interval: "too few cases", the complement symbol where hidden."""
    if too_few:
        return [f.hidden_cell(f.TOO_FEW), f.hidden_cell(), f.hidden_cell()]
    if figure.hidden:
        return [f.hidden_cell(policy.complementary_symbol), f.hidden_cell(), f.hidden_cell()]
    return figure_cells(figure, "ratio")


def figure_cells(figure: Figure, kind: str, *, interval: bool = True) -> list[Cell]:
    if figure.hidden:
        return [f.hidden_cell()] * (3 if interval else 1)
    cells = [f.value_cell(figure.value, kind)]
    if interval:
        cells += [
            f.value_cell(figure.low if figure.value is not None else None, kind, like=figure.value),
            f.value_cell(figure.high if figure.value is not None else None, kind, like=figure.value),
        ]
    return cells


def share_columns(prefix: str = "share", label: str = "Share of cases") -> list[Column]:
    return [
        Column(prefix, label, kind="share"),
        Column(f"{prefix}_low", "95% interval: from", kind="interval"),
        Column(f"{prefix}_high", "95% interval: to", kind="interval"),
    ]


RATE_COLUMNS = [
    Column("rate", "Cases per 1,000 practitioners a year", kind="rate"),
    Column("rate_low", "95% interval: from", kind="interval"),
    Column("rate_high", "95% interval: to", kind="interval"),
]


def symbol_notes(facts: Facts, *, dimensions: Sequence[str] = ()) -> tuple[str, ...]:
    """A table's notes on its symbols: what is particular to it (a table withheld, zeros hidden), then the
    legend every table shares (printed once at the front of the PDF)."""
    policy = facts.policy
    notes = []
    withheld = [d for d in dimensions if d in facts.pub.withheld_tables]
    if withheld and len(dimensions) == 1:
        notes.append(f"{WITHHELD_NOTE}: its small numbers could not be protected otherwise.")
    elif withheld:  # a table of several breakdowns: only their rows are hidden
        notes.append(
            "A row is hidden whatever its size when its breakdown's small numbers could not be "
            "protected otherwise."
        )
    if any(d in facts.pub.zeros_hidden for d in dimensions):
        notes.append(f"{policy.symbol}: fewer than {policy.threshold} cases, zero included.")
    return (*notes, *symbol_legend(policy, zeros=not notes or not notes[-1].endswith("zero included.")))


def disclosure_note(policy: Policy) -> str:
    """The policy in words: what it hides, and the symbol of a figure hidden to protect another."""
    if policy.complementary_symbol == policy.symbol:
        extra = f"{policy.symbol} also marks a figure hidden so that a smaller one cannot be worked out."
    else:
        extra = (
            f"{policy.complementary_symbol} marks a figure hidden so that a smaller one cannot be worked out."
        )
    described = policy.description or f"Counts below {policy.threshold} are not shown."
    return f"{described} {extra}"


def symbol_meanings(policy: Policy) -> tuple[tuple[str, str], ...]:
    """What each symbol a hidden or missing figure shows stands for (a cell's explanation in HTML)."""
    small = f"fewer than {policy.threshold}" + ("" if policy.show_zeros else " (zero included)")
    complementary = "hidden so that a smaller number cannot be worked out"
    meanings = {f.DASH: "not shown", "-": "not shown", "*": complementary, f"<{policy.threshold}": small}
    meanings[policy.complementary_symbol] = complementary
    meanings[policy.symbol] = (
        f"{small}, or {complementary}" if policy.symbol == policy.complementary_symbol else small
    )
    return tuple(meanings.items())


def symbol_legend(policy: Policy, *, zeros: bool = True) -> tuple[str, ...]:
    """The symbols of every table under `policy`; `zeros`: with the small-count line (a table whose zeros
    are hidden says its own)."""
    lines = [f"{policy.symbol}: fewer than {policy.threshold} cases."] if zeros else []
    if policy.complementary_symbol != policy.symbol:
        lines.append(f"{policy.complementary_symbol}: hidden so that a smaller number cannot be worked out.")
    else:
        lines.append(
            f"{policy.symbol} also marks a figure hidden so that a smaller number cannot be worked out."
        )
    lines.append(
        f"{f.DASH}: not shown because it is worked out from a hidden number. {f.NOT_AVAILABLE}: not available."
    )
    if policy.rounding_base > 1:
        lines.append(
            f"Counts are rounded to the nearest {policy.rounding_base}; shares and rates are worked "
            "out from the rounded counts."
        )
    return tuple(lines)


def every_count_hidden(table: Table) -> bool:
    """Whether a table of counts has nothing to show: no row shows a count above zero."""
    if not table.columns or table.columns[0].key != "cases":
        return False
    rows = [row for row in table.rows if not row.is_total and row.key != ALL_CASES]
    return (
        bool(rows)
        and any(row.cells[0].suppressed for row in rows)
        and not any(row.cells[0].value for row in rows if not row.cells[0].suppressed)
    )


def collapsed_row(table: Table) -> Row | None:
    """The one row of a breakdown shown as every group recorded (`_coarsen.COLLAPSED_LABELS`), if so."""
    if not table.columns or table.columns[0].key != "cases":
        return None
    stated = [row for row in table.rows if not row.is_total and row.key not in (ALL_CASES, NOT_STATED)]
    if len(stated) == 1 and is_collapsed(table.id, stated[0].key):
        return stated[0]
    return None


def row_members(dimension: str, code: str) -> tuple[tuple[str, str], ...]:
    """The groups a combined row counts, with their labels; () for a row of one group."""
    if not is_combined(code):
        return ()
    labels = SINGLE_VALUED[dimension].labels()
    return tuple((member, labels[member]) for member in members(code))


def combined_notes(facts: Facts, dimension: str) -> tuple[str, ...]:
    """What each combined row holds: small groups are combined before any count is hidden."""
    if dimension not in SINGLE_VALUED:
        return ()
    labels = SINGLE_VALUED[dimension].labels()
    return tuple(
        # A row named after its groups ("Dentists and pharmacists", "Under 45") needs no list.
        f"{label}: {member_labels(labels, code)}, combined so that small numbers are protected."
        if label in FAMILY_LABELS
        else f"{label}: combined so that small numbers are protected."
        for code, label in facts.labels(dimension)
        if is_combined(code)
    )


# --- breakdowns ------------------------------------------------------------------------------


def breakdown(
    facts: Facts,
    dimension: str,
    *,
    table_id: str,
    title: str,
    rates: Mapping[str, Figure] | None = None,
    total_rate: Figure | None = None,
    similar: Mapping[str, str] | None = None,
    national: bool = True,
    rows: Sequence[tuple[str, str]] | None = None,
    total: bool = True,
) -> Table:
    """Cases, share (with interval), against similar sized organisations (the finding, in words; never
    their figures), the national share and rates, by one dimension."""
    columns = [Column("cases", "Cases"), *share_columns()]
    if similar is not None:
        columns.append(Column("similar", "Against similar sized organisations", kind="text"))
    if national and facts.national is not None:
        columns.append(Column("national", "All organisations (national)", kind="share"))
    if rates is not None:
        columns += RATE_COLUMNS
    table_rows = []
    for code, label in rows if rows is not None else facts.labels(dimension):
        key = (dimension, code)
        cells = [count_cell(facts, key), *figure_cells(facts.share(key), "share")]
        if similar is not None:
            cells.append(f.text_cell(similar.get(code, "")))
        if national and facts.national is not None:
            cells.append(figure_cells(facts.national.share(key), "share", interval=False)[0])
        if rates is not None:
            cells += figure_cells(rates.get(code, Figure(None)), "rate")
        table_rows.append(Row(code, label, tuple(cells), members=row_members(dimension, code)))
    if total:
        table_rows.append(_total_row(facts, columns, total_rate))
    notes = (*combined_notes(facts, dimension), *symbol_notes(facts, dimensions=[dimension]))
    return Table(table_id, title, tuple(columns), tuple(table_rows), notes)


def _total_row(
    facts: Facts, columns: Sequence[Column], total_rate: Figure | None, *, is_total: bool = True
) -> Row:
    rate_cells = dict(
        zip(("rate", "rate_low", "rate_high"), figure_cells(total_rate or Figure(None), "rate"), strict=True)
    )
    cells = []
    for column in columns:
        if column.key == "cases":
            cells.append(count_cell(facts, TOTAL))
        elif column.key == "share":
            cells.append(figure_cells(_whole(facts), "share", interval=False)[0])
        elif column.key in rate_cells:
            cells.append(rate_cells[column.key])
        else:
            cells.append(Cell("", None))
    key, label = ("total", "All cases") if is_total else (ALL_CASES, "All cases")
    return Row(key, label, tuple(cells), is_total=is_total)


def multi_response(
    facts: Facts,
    dimension: str,
    *,
    table_id: str,
    title: str,
    note: str,
    similar: Mapping[str, str] | None = None,
) -> Table:
    """Categories a case can have several of: the "all cases" row is the denominator, not a sum."""
    table = breakdown(facts, dimension, table_id=table_id, title=title, similar=similar, total=False)
    columns = table.columns
    all_cases = _total_row(facts, columns, None, is_total=False)
    return Table(table_id, title, columns, (*table.rows, all_cases), (note, *table.notes))


# --- one organisation's figures ------------------------------------------------------------


def cases_by_year(
    facts: Facts,
    years: Sequence[str],
    *,
    count_key: str,
    count_label: str,
    rates: Sequence[Figure] | None,
    total_rate: Figure | None,
) -> Table:
    columns = [Column(count_key, count_label)]
    if rates is not None:
        columns += RATE_COLUMNS
    rows = []
    for index, year in enumerate(years):
        cells = [count_cell(facts, ("fiscal_year", year))]
        if rates is not None:
            cells += figure_cells(rates[index], "rate")
        rows.append(Row(year, year, tuple(cells)))
    cells = [count_cell(facts, TOTAL)]
    if rates is not None:
        cells += figure_cells(total_rate or Figure(None), "rate")
    rows.append(Row("total", f"All years ({years[0]} to {years[-1]})", tuple(cells), is_total=True))
    notes = symbol_notes(facts, dimensions=["fiscal_year"])
    if rates is not None:
        notes += (
            "Rates are cases per 1,000 practitioners a year: cases divided by the practitioners' "
            "headcount, summed over the years counted.",
        )
    return Table("cases_by_year", "Cases by financial year", tuple(columns), tuple(rows), notes)


def demographic(
    facts: Facts, dimension: str, *, title: str, workforce: Mapping[str, float] | None, professions: str
) -> Table:
    """Case shares against workforce shares for one characteristic."""
    columns = [
        Column("cases", "Cases"),
        Column("share", "Share of all cases", kind="share"),
        *share_columns("stated_share", "Share of cases where recorded"),
        Column("workforce_share", "Share of practitioners where recorded", kind="share"),
    ]
    rows = []
    for code, label in facts.labels(dimension):
        key = (dimension, code)
        cells = [count_cell(facts, key), *figure_cells(facts.share(key), "share", interval=False)]
        if code == "not_stated":
            cells += [Cell("", None)] * 3 + [Cell("", None)]
        else:
            cells += stated_share_cells(facts, dimension, code)
            cells.append(f.value_cell(workforce.get(code) if workforce else None, "share"))
        rows.append(Row(code, label, tuple(cells), members=row_members(dimension, code)))
    total = [
        count_cell(facts, TOTAL),
        *figure_cells(_whole(facts), "share", interval=False),
        *[Cell("", None)] * 4,
    ]
    rows.append(Row("total", "All cases", tuple(total), is_total=True))
    notes = (*combined_notes(facts, dimension), *symbol_notes(facts, dimensions=[dimension]))
    if any(f.is_range(row.cells[2]) for row in rows):
        notes += (RANGE_NOTE,)
    notes += (
        f"Workforce shares are of practitioners' headcount ({professions}) summed over the years, "
        "among those whose characteristic is recorded. They are staff numbers, not cases.",
    )
    return Table(dimension, title, tuple(columns), tuple(rows), notes)


RANGE_NOTE = (
    "“30.0% to 31.6%”: the number of cases not stated is hidden, so the share where recorded is "
    "given as the range the published counts allow (its interval spans both ends)."
)


def stated_share_cells(facts: Facts, dimension: str, code: str) -> list[Cell]:
    """The share where recorded with its interval; when the not-stated count is hidden, the range the
    published counts allow instead of a single share (which would give the hidden count back)."""
    share = facts.stated_share(dimension, code)
    bounds = facts.stated_share_range(dimension, code) if share.hidden else None
    if bounds is None:
        return figure_cells(share, "share")
    fewest, most = bounds
    assert fewest.value is not None and most.value is not None  # shares where recorded
    return [
        f.range_cell(fewest.value, most.value, "share"),
        f.value_cell(fewest.low, "share"),
        f.value_cell(most.high, "share"),
    ]


def _whole(facts: Facts) -> Figure:
    if facts.pub.hidden(TOTAL):
        return Figure(None, hidden=True)
    return Figure(1.0) if facts.pub.total else Figure(None)


DEMOGRAPHICS = ("ethnic_group", "sex", "age_band", "pmq", "disability")


def demographic_tables(facts: Facts, titles: Mapping[str, str]) -> dict[str, Table]:
    """Each characteristic's cases against the workforce, by dimension."""
    tables = {}
    for dimension in DEMOGRAPHICS:
        workforce, professions = workforce_shares(facts, dimension)
        tables[dimension] = demographic(
            facts,
            dimension,
            title=f"Cases by {titles[dimension].lower()}",
            workforce=workforce,
            professions=professions,
        )
    return tables


def workforce_shares(facts: Facts, dimension: str) -> tuple[dict[str, float] | None, str]:
    """Each recorded group's share of the practitioners' person-years, from the equality measures.

    Only when every group of the dimension has a known headcount for the same
    professions; the professions in words, for the note.
    """
    heads: dict[str, float] = {}
    professions: set[tuple[str, ...]] = set()
    for item in facts.likelihoods:
        comparison, result = item.comparison, item.result
        if v.DIMENSION_CASE_COLUMN[comparison.dimension] != dimension:
            continue
        if len(comparison.group_a) != 1 or result.headcount_a is None or result.headcount_b is None:
            continue
        professions.add(result.professions)
        heads[comparison.group_a[0]] = result.headcount_a
        heads[comparison.group_b[0]] = result.headcount_b
    stated = [code for code, _ in facts.labels(dimension) if code != "not_stated"]
    groups = {member for code in stated for member in members(code)}
    if len(professions) != 1 or set(heads) != groups or not sum(heads.values()):
        return None, "the professions whose headcount is recorded"
    whole = sum(heads.values())
    heads = {code: sum(heads[member] for member in members(code)) for code in stated}
    names = ", ".join(v.PROFESSIONS.label(p).lower() + "s" for p in next(iter(professions)))
    return {code: heads[code] / whole for code in stated}, names


def subtypes(facts: Facts, *, national: bool = True) -> Table:
    rows = facts.labels("concern_subtype")
    table = breakdown(
        facts,
        "concern_subtype",
        table_id="concern_subtypes",
        title="Sub-types of concern",
        national=national,
        rows=rows,
        total=False,
    )
    all_cases = _total_row(facts, table.columns, None, is_total=False)
    note = (
        "A case can have several sub-types, or only a type of concern; sub-types do not add up to the types."
    )
    return Table(table.id, table.title, table.columns, (*table.rows, all_cases), (note, *table.notes))


# --- equality --------------------------------------------------------------------------------


BAND_WORDS = {
    "above": "Above",
    "below": "Below",
    "within": "Within",
    "cannot_tell_yet": "Cannot tell yet",
    None: "",
}


def likelihood_counts(facts: Facts, figures: Mapping[str, Figure]) -> Table:
    """What each shown ratio rests on: both groups' cases and person-years, their yearly rates, and the gap
    between the rates (the General Medical Council's measure of disproportionate referral is such a gap)."""
    columns = (
        Column("cases_a", "Cases: group", kind="count"),
        Column("person_years_a", "Practitioner-years: group", kind="count"),
        Column("cases_b", "Cases: compared with", kind="count"),
        Column("person_years_b", "Practitioner-years: compared with", kind="count"),
        Column("rate_a", "Cases a year per 1,000: group", kind="rate"),
        Column("rate_b", "Cases a year per 1,000: compared with", kind="rate"),
        Column("gap", "Gap per 1,000 a year", kind="rate"),
    )
    rows = []
    for item in facts.likelihoods:
        counts = facts.likelihood_counts(item) if figures[item.comparison.id].available else None
        result = item.result
        if counts is None or not result.headcount_a or not result.headcount_b:
            cells = [f.hidden_cell() for _ in columns]
        else:
            (a, b), (years_a, years_b) = counts, (result.headcount_a, result.headcount_b)
            rate_a, rate_b = 1000 * a / years_a, 1000 * b / years_b
            cells = [
                *(Cell(f"{round(x):,}", round(x)) for x in (a, years_a, b, years_b)),
                f.value_cell(rate_a, "rate"),
                f.value_cell(rate_b, "rate"),
                f.value_cell(rate_a - rate_b, "rate"),
            ]
        rows.append(Row(item.comparison.id, item.comparison.label, tuple(cells)))
    notes = (
        "Practitioner-years: each year's headcount of the group added up over the five years. The gap is the "
        "group's yearly rate less the comparison group's: how many more cases a year for every 1,000 "
        "practitioners. A ratio not shown (too few cases, or hidden) has no counts here either.",
    )
    return Table(
        "relative_likelihood_counts",
        "What the relative likelihoods rest on",
        columns,
        tuple(rows),
        notes,
        detail=True,
    )


def objectives(facts: Facts, findings: Mapping[str, EqualityFinding], years: Sequence[str]) -> Table:
    """High impact action 1: for each comparison whose interval lies clear of 1, a draft measurable
    objective with this report's figure as its baseline, a target and when to review it."""
    period, following = f"{years[0]} to {years[-1]}", f"{_next_year(years[0])} to {_next_year(years[-1])}"
    columns = (
        Column("baseline", f"Baseline, {period}", kind="text"),
        Column("target", "Target", kind="text"),
        Column("review", "Review", kind="text"),
    )
    rows = []
    for item in facts.likelihoods:
        finding = findings.get(item.comparison.id)
        if finding is None or finding.verdict not in ("more_likely", "less_likely"):
            continue
        a, b = item.comparison.noun_a, item.comparison.noun_b
        more = finding.verdict == "more_likely"
        objective = (
            f"Bring the likelihood of {a} being the subject of a case towards that of {b}"
            if more
            else f"Understand why {a} are less likely than {b} to be the subject of a case"
        )
        ratio, low, high = finding.ratio, finding.ci_low, finding.ci_high
        assert ratio is not None and low is not None and high is not None  # a clear difference has them
        baseline = f"{f.ratio(ratio)} ({f.ratio(low)}–{f.ratio(high)})"
        target = (
            "1.25 or below, within the band WRES reads as no adverse difference" if more else "0.80 or above"
        )
        review = f"With the next report ({following}), and each year after"
        rows.append(
            Row(
                item.comparison.id,
                objective,
                (f.text_cell(baseline), f.text_cell(target), f.text_cell(review)),
            )
        )
    notes = (
        "Drafts for the board to adopt, change or set aside: High impact action 1 of the NHS EDI improvement "
        "plan asks for specific, measurable objectives, reviewed with data. The baseline is this report's "
        "relative likelihood with its 95% interval; each year's report gives the figure to review against, "
        "five years pooled, so that one year's few cases do not swing it.",
    )
    return Table(
        "objectives", "Draft objectives (High impact action 1)", columns, tuple(rows), notes, detail=True
    )


def _next_year(year: str) -> str:
    """The financial year after "2025/26": "2026/27"."""
    start = int(year[:4]) + 1
    return f"{start}/{(start + 1) % 100:02d}"


CHANGE_WORDS = {
    "higher": "higher in the latest years",
    "lower": "lower in the latest years",
    "no_clear_change": "no clear change: could be chance",
    "too_few_cases": "too few cases in a span to tell",
    "withheld": "not shown, to protect small numbers",
    "not_available": "not available",
}


def likelihood_over_time(facts: Facts, findings: Sequence[EqualityFinding], years: Sequence[str]) -> Table:
    """The comparisons followed over time: the ratio in the period's earlier years and in its latest
    LATEST_YEARS, and whether it moved."""
    earlier, later = years[:-LATEST_YEARS], years[-LATEST_YEARS:]
    columns = []
    for key, part in (("earlier", earlier), ("later", later)):
        when = f"{part[0]} to {part[-1]}"
        columns += [
            Column(f"{key}_ratio", f"{when}", kind="ratio"),
            Column(f"{key}_low", f"{when}: 95% interval from", kind="interval"),
            Column(f"{key}_high", f"{when}: to", kind="interval"),
        ]
    columns.append(Column("change", "Has it moved?", kind="text"))
    labels = {item.comparison.id: item.comparison.label for item in facts.likelihoods}
    rows = []
    for finding in findings:
        change = finding.over_time
        if change is None:
            continue
        cells = []
        for span in (change.earlier, change.later):
            figure = Figure(None) if span is None else Figure(span.ratio, span.ci_low, span.ci_high)
            cells += figure_cells(figure, "ratio")
        cells.append(f.text_cell(CHANGE_WORDS[change.verdict]))
        rows.append(Row(finding.comparison, labels[finding.comparison], tuple(cells)))
    notes = (
        f"The relative likelihood in the latest {LATEST_YEARS} years (as WRES reads its disciplinary measure) "
        "against the years before, for one comparison of each characteristic. Higher or lower only when an "
        "exact test of one ratio for both spans gives p below 0.05; otherwise the change could be chance. "
        f"Shown only when each group has at least {max(facts.policy.threshold, 5)} cases in each span.",
    )
    return Table(
        "relative_likelihood_over_time",
        "Relative likelihood over time",
        tuple(columns),
        tuple(rows),
        notes,
        detail=True,
    )


def doctors_alone(
    facts: Facts, every: Sequence[EqualityFinding], doctors: Sequence[EqualityFinding]
) -> Table:
    """The comparisons followed over time for doctors alone, beside the same comparison of every
    profession counted, where dentists or pharmacists are counted too."""
    national = facts.national is not None
    columns = (
        Column("ratio", "Doctors alone", kind="ratio"),
        Column("ci_low", "95% interval: from", kind="interval"),
        Column("ci_high", "95% interval: to", kind="interval"),
        Column("every", "Every profession counted", kind="ratio"),
        *((Column("national", "National, doctors alone", kind="ratio"),) if national else ()),
        Column("reading", "What it says", kind="text"),
    )
    by_id = {finding.comparison: finding for finding in every}
    items = {item.comparison.id: item for item in facts.doctor_likelihoods}
    rows = []
    for finding in doctors:
        item = items[finding.comparison]
        figure = (
            HIDDEN
            if finding.verdict == "withheld"
            else Figure(finding.ratio, finding.ci_low, finding.ci_high)
        )
        numbers = ratio_cells(figure, too_few=finding.verdict == "too_few_cases", policy=facts.policy)
        assert item.comparison.of_every_profession is not None  # a doctors-alone comparison
        other = by_id[item.comparison.of_every_profession]
        cells = (
            *numbers,
            f.value_cell(other.ratio, "ratio"),
            *((f.value_cell(finding.national_ratio, "ratio"),) if national else ()),
            f.text_cell(_text.likelihood_short(finding)),
        )
        rows.append(Row(finding.comparison, item.comparison.label.split(":")[0], cells))
    notes = (
        "The same comparisons counting doctors alone: their cases and headcounts, without the dentists' and "
        "pharmacists'. A ratio is not shown where the dentists' and pharmacists' cases it leaves out are a "
        "small number it would give away.",
        f"{f.TOO_FEW}: fewer than {max(facts.policy.threshold, 5)} cases in one of the groups, too few to say.",
        f"{facts.policy.complementary_symbol}: hidden so that a small number of cases cannot be worked out.",
    )
    return Table(
        "relative_likelihood_doctors",
        "Relative likelihood, doctors alone",
        columns,
        tuple(rows),
        notes,
        detail=True,
    )


def likelihood_by_type(facts: Facts, types: TypeFigures) -> Table:
    """The comparisons followed over time for each organisation type, every organisation of it pooled."""
    followed = [item.comparison for item in facts.likelihoods if item.comparison.id in OVER_TIME]
    columns = (
        Column("organisations", "Organisations", kind="count"),
        *(Column(c.id, c.label, kind="text") for c in followed),
    )
    org_types = sorted({org_type for org_type, _ in types.ratios}, key=v.ORG_TYPES.codes.index)
    rows = []
    for org_type in org_types:
        found = [types.of(org_type, c.id) for c in followed]
        assert found[0] is not None  # every type has every comparison followed over time
        organisations = found[0].organisations
        rows.append(
            Row(
                org_type,
                v.ORG_TYPES.label(org_type),
                (Cell(f"{organisations:,}", organisations), *(_type_words(x, facts.policy) for x in found)),
            )
        )
    notes = (
        "Every organisation of the type pooled: the relative likelihood with its 95% interval. A type's "
        "figure is hidden where, with the national figures and the other types', it would let a reader work "
        "out a count an organisation's own report hides.",
        f"{facts.policy.complementary_symbol}: hidden so that a small number of cases cannot be worked out.",
    )
    return Table(
        "relative_likelihood_by_type", "Relative likelihood by organisation type", columns, tuple(rows), notes
    )


def places(facts: Facts, found: Sequence[Place], overall: Place, *, table_id: str, title: str) -> Table:
    """Each nation's (or organisation type's) organisations, cases and rate per 1,000 practitioners a year;
    hidden where the batch could use them (see `_places`)."""
    columns = (
        Column("organisations", "Organisations"),
        Column("cases", "Cases"),
        Column("person_years", "Practitioner-years"),
        *RATE_COLUMNS,
    )
    kind = v.NATIONS if table_id == "by_nation" else v.ORG_TYPES
    rows = [Row(p.code, kind.label(p.code), _place_cells(p, facts.policy)) for p in found]
    rows.append(Row("total", "All organisations", _place_cells(overall, facts.policy), is_total=True))
    notes = [
        "Practitioner-years add up each year's headcount of doctors, dentists and pharmacists; the rate "
        "counts the organisations whose headcount covers every one of their cases."
        if table_id == "by_nation"
        else "Practitioner-years and the rate as in the table by nation.",
    ]
    if any(p.withheld for p in found):
        notes.append(
            f"{facts.policy.complementary_symbol}: hidden because, with the national count and the other "
            "figures shown, it would let a reader work out a count an organisation's own report hides."
        )
    return Table(table_id, title, columns, tuple(rows), tuple(notes))


def _place_cells(place: Place, policy: Policy) -> tuple[Cell, ...]:
    counts = (Cell(f"{place.organisations:,}", place.organisations),)
    if place.withheld:
        hidden = f.hidden_cell(policy.complementary_symbol)
        return (*counts, hidden, Cell(f"{place.person_years:,}", place.person_years), hidden, hidden, hidden)
    rate = (
        [f.value_cell(x, "rate", like=place.rate[0]) for x in place.rate]
        if place.rate
        else [f.value_cell(None, "rate")] * 3
    )
    return (
        *counts,
        Cell(f"{place.cases:,}", place.cases),
        Cell(f"{place.person_years:,}", place.person_years),
        *rate,
    )


def type_spread(found: Places) -> Table:
    """How many of each type's organisations lie outside its funnel's limits, against chance."""
    levels = next((tuple(level for level, _, _ in s.outside) for s in found.spreads if s.outside), ())
    columns = [Column("assessed", "Organisations placed")]
    for level in levels:
        name, label = level_name(level), f"{level * 100:g}%"
        columns += [
            Column(f"above_{name}", f"Above {label} limits"),
            Column(f"below_{name}", f"Below {label} limits"),
            Column(f"chance_{name}", f"Chance, each way ({label})", kind="rate"),
        ]
    columns.append(Column("beyond_chance", "Spread beyond chance", kind="text"))
    rows = []
    for spread in found.spreads:
        cells = [Cell(f"{spread.assessed:,}", spread.assessed)]
        for level, above, below in spread.outside:
            chance = spread.expected_each_way(level)
            cells += [
                Cell(f"{above:,}", above),
                Cell(f"{below:,}", below),
                Cell(f"{chance:.2g}", round(chance, 3)),
            ]
        if not spread.outside:
            cells += [f.value_cell(None, "count")] * (3 * len(levels))
        cells.append(f.text_cell(_text.spread_beyond_chance(spread)))
        rows.append(Row(spread.org_type, v.ORG_TYPES.label(spread.org_type), tuple(cells)))
    notes = (
        "Each organisation's five-year rate against its type's funnel limits, as its own report places it "
        "(organisations expected to have at least one case). Chance alone would put the number shown "
        "outside each limit, each way, if every organisation of the type had the same underlying rate.",
        "Spread beyond chance: whether the organisations' rates vary more than chance alone would give, "
        "tested at 5% against simulations of every organisation at the type's rate.",
    )
    return Table(
        "spread_by_type", "How far organisations' rates spread, by type", tuple(columns), tuple(rows), notes
    )


def _type_words(found: TypeFinding | None, policy: Policy) -> Cell:
    if found is None or found.verdict == "not_available":
        return f.text_cell(f.NOT_AVAILABLE)
    if found.ratio is None:
        return _type_cell(found, policy)
    assert found.ci_low is not None and found.ci_high is not None  # a ratio has its interval
    return f.text_cell(f"{f.ratio(found.ratio)} ({f.ratio(found.ci_low)}–{f.ratio(found.ci_high)})")


def _professions(item: Likelihood) -> str:
    return ", ".join(v.PROFESSIONS.label(p).lower() + "s" for p in item.result.professions) or "none"


def _type_cell(found: TypeFinding | None, policy: Policy) -> Cell:
    """An organisation type's ratio in a table: blank where the comparison has none."""
    if found is None:
        return f.text_cell("")
    if found.verdict == "withheld":
        return f.hidden_cell(policy.complementary_symbol)
    if found.verdict == "too_few_cases":
        return f.hidden_cell(f.TOO_FEW)
    return f.value_cell(found.ratio, "ratio")


def best_words(best: BestFinding | None) -> str:
    """A best estimate in a table cell: "2.02 (1.67–2.47)", or "range 1.10–2.90"."""
    if best is None:
        return ""
    if best.ratio is None:
        return f"range {f.ratio(best.ci_low)}–{f.ratio(best.ci_high)}"
    return f"{f.ratio(best.ratio)} ({f.ratio(best.ci_low)}–{f.ratio(best.ci_high)})"


def relative_likelihood(
    facts: Facts,
    figures: Mapping[str, Figure],
    readings: Mapping[str, str],
    findings: Mapping[str, EqualityFinding] | None = None,
) -> Table:
    """Each comparison's ratio and interval, the national ratio beside it (an organisation's report), and two
    readings against 0.80–1.25: WRES's, of the point estimate, and the interval's."""
    national = facts.national is not None and findings is not None
    typed = any(getattr(finding, "type_ratio", None) for finding in (findings or {}).values())
    columns = (
        Column("ratio", "Relative likelihood", kind="ratio"),
        Column("ci_low", "95% interval: from", kind="interval"),
        Column("ci_high", "95% interval: to", kind="interval"),
        *((Column("national", "National", kind="ratio"),) if national else ()),
        *((Column("type", "Its type", kind="ratio"),) if typed else ()),
        Column("wres_band", "Against 0.80–1.25 (as WRES)", kind="text"),
        Column("band_verdict", "Interval against 0.80–1.25", kind="text"),
        Column("professions", "Professions counted", kind="text"),
        Column("reading", "What it says", kind="text"),
        # Last, so that the verdict's words get their width first in the PDF.
        *((Column("best_estimate", "Best estimate (95% interval)", kind="text"),) if national else ()),
    )
    rows = []
    for item in facts.likelihoods:
        comparison, figure = item.comparison, figures[item.comparison.id]
        numbers = ratio_cells(figure, too_few=item.status == "too_few", policy=facts.policy)
        finding = (findings or {}).get(comparison.id)
        extra = [f.value_cell(finding.national_ratio if finding else None, "ratio")] if national else []
        if typed:
            extra.append(_type_cell(getattr(finding, "type_ratio", None), facts.policy))
        bands = [
            f.text_cell(BAND_WORDS[getattr(finding, name, None)]) for name in ("wres_band", "band_verdict")
        ]
        best = [f.text_cell(best_words(finding.best if finding else None))] if national else []
        rows.append(
            Row(
                comparison.id,
                comparison.label,
                (
                    *numbers,
                    *extra,
                    *bands,
                    f.text_cell(_professions(item)),
                    f.text_cell(readings[comparison.id]),
                    *best,
                ),
            )
        )
    notes = (
        "Relative likelihood: the share of one group of practitioners who were the subject of a case, divided "
        "by the same share for the comparison group (the Workforce Race Equality Standard method), over the "
        "five years. 1 means equally likely. WRES reads 0.80 to 1.25 as no adverse difference, judging the "
        "ratio alone; the interval's reading is above or below only when the whole interval lies beyond that "
        "range, within only when it lies wholly inside, and otherwise cannot tell yet.",
        f"{f.TOO_FEW}: fewer than {max(facts.policy.threshold, 5)} cases in one of the groups, too few to say.",
        *(
            (
                "Best estimate: the organisation's cases combined with the national pattern, nearer the "
                "national ratio the fewer the cases (read the own figure first); “range”: as far as any small "
                "count could take it; blank: its counts are not shown.",
            )
            if national
            else ()
        ),
        *(
            (
                "Its type: every organisation of the same type pooled, for the comparisons followed over "
                "time; hidden where the batch of reports would let an organisation's hidden count be "
                "worked out from it.",
            )
            if typed
            else ()
        ),
        f"{facts.policy.complementary_symbol}: hidden so that a small number of cases cannot be worked out.",
        f"{f.NOT_AVAILABLE}: not available (no workforce figures for the groups).",
    )
    return _uniform_professions(
        Table(
            "relative_likelihood",
            "Relative likelihood of being the subject of a case",
            columns,
            tuple(rows),
            notes,
        )
    )


def _uniform_professions(table: Table) -> Table:
    """The professions counted as one note when every comparison counts the same ones, not a column."""
    index = table.column_index("professions")
    counted = {row.cells[index].display for row in table.rows}
    if len(counted) != 1:
        return table
    (professions,) = counted
    return replace(
        table,
        columns=tuple(c for i, c in enumerate(table.columns) if i != index),
        rows=tuple(
            replace(row, cells=tuple(c for i, c in enumerate(row.cells) if i != index)) for row in table.rows
        ),
        notes=(*table.notes, f"Every comparison counts {f.and_list(professions.split(', '))}."),
    )


# --- clusters --------------------------------------------------------------------------------


def clusters(shown: Sequence[ShownCluster], *, titles: Mapping[str, str], q: float, exact: bool) -> Table:
    """The flagged staff groups whose practitioners may be counted (see _findings.ShownCluster)."""
    columns = (
        Column("observed", "Practitioners with cases"),
        Column("expected", "Expected", kind="rate"),
        Column("ratio", "Observed ÷ expected", kind="ratio"),
        Column("q", "Adjusted p (false discovery rate)", kind="ratio"),
    )
    rows = []
    for cluster in shown:
        test = cluster.test
        assert cluster.observed is not None and test.q is not None  # a named, flagged group
        ratio = cluster.observed / test.expected if test.expected > 0 else None
        # Under a rounding policy the exact p-value would give the unrounded count back.
        q_cell = Cell(f.p_value(test.q), round(test.q, 6)) if exact else Cell(f"≤ {q:g}", None)
        rows.append(
            Row(
                f"{test.dimension}:{'|'.join(test.codes)}",
                f"{titles[test.dimension]}: {test.label}",
                (
                    Cell(f.count(cluster.observed), cluster.observed),
                    f.value_cell(test.expected, "count"),
                    f.derived_cell(ratio, "ratio", hidden=False),
                    q_cell,
                ),
            )
        )
    notes = (
        "Practitioners with cases: distinct practitioners, so one person's repeat cases count once. Expected: "
        "how many of this organisation's practitioners with cases would fall in the group given its workforce "
        "by grade and how cases spread over groups at other organisations of the same type. Adjusted p: the "
        "Benjamini–Hochberg adjusted p-value over every staff group examined; a group stands out when it is "
        f"below {q:g} and practitioners exceed the expected number.",
    )
    return Table("clusters", "Staff groups that stand out", columns, tuple(rows), notes)


# --- position --------------------------------------------------------------------------------


def funnel_position(
    rate: Figure, unit: FunnelUnit | None, target: float | None, levels: Sequence[float], position: str
) -> Table:
    columns = [Column("rate", "Cases per 1,000 practitioners a year", kind="rate")]
    for level in levels:
        name = level_name(level)
        columns += [
            Column(f"low_{name}", f"{level:.1%} limit: lower".replace(".0%", "%"), kind="rate"),
            Column(f"high_{name}", f"{level:.1%} limit: upper".replace(".0%", "%"), kind="rate"),
        ]
    columns.append(Column("position", "Where it sits", kind="text"))
    cells = figure_cells(rate, "rate", interval=False)
    for level in levels:
        limit = unit.limit(level) if unit is not None and unit.limits else None
        cells += [
            f.value_cell(limit.low if limit else None, "rate", like=target),
            f.value_cell(limit.high if limit else None, "rate", like=target),
        ]
    cells.append(f.text_cell(position))
    average = [f.value_cell(target, "rate"), *[Cell("", None)] * (2 * len(levels)), f.text_cell("")]
    rows = (
        Row("this_organisation", "This organisation", tuple(cells)),
        Row("average", "Average of all organisations of the type", tuple(average)),
    )
    inner, outer = (f"{level * 100:g}%" for level in (min(levels), max(levels)))
    notes = (
        f"Control limits at this organisation's number of practitioner-years, drawn for the eye: the "
        f"position is decided by the exact chance of a count this far from the average. Outside the {inner} "
        f"limits is worth a look, outside the {outer} limits a strong signal. Neither judges quality.",
    )
    return Table("funnel_position", "Where the organisation sits", tuple(columns), rows, notes)


# --- data quality ----------------------------------------------------------------------------

QUALITY_FIELDS = ("grade", "specialty_group", "ethnic_group", "sex", "age_band", "pmq", "disability")
EQUALITY_FIELDS = ("ethnic_group", "sex", "age_band", "pmq", "disability")


# Below this share recorded (of cases, or of the workforce's person-years), a comparison by the
# characteristic is not to be trusted: if the unrecorded tenth were mostly of one group, a ratio would
# move by about a fifth, as wide as the 0.80–1.25 band WRES reads ratios against.
RECORDED_ENOUGH = 0.90


def data_quality(facts: Facts, titles: Mapping[str, str]) -> Table:
    """How completely each field is recorded, for the cases and (equality characteristics) for the
    practitioners, side by side, with a warning where too little is recorded to trust a comparison."""
    columns = (
        Column("cases", "Cases with the field not stated"),
        Column("share", "Share of cases", kind="share"),
        Column("workforce", "Share of practitioners not stated", kind="share"),
        Column("enough", "Enough recorded to compare?", kind="text"),
    )
    rows = []
    for field in QUALITY_FIELDS:
        cases_share = facts.share((field, "not_stated"))
        recorded = facts.equality.workforce_recorded.get(field)
        rows.append(
            Row(
                field,
                titles[field],
                (
                    count_cell(facts, (field, "not_stated")),
                    figure_cells(cases_share, "share", interval=False)[0],
                    f.value_cell(None if recorded is None else 1 - recorded, "share"),
                    f.text_cell(recording_verdict(facts, field)),
                ),
            )
        )
    notes = (
        f"Enough recorded to compare: at least {RECORDED_ENOUGH:.0%} of the cases and of the practitioners "
        "have the characteristic recorded; below that, the people not recorded could move a relative "
        "likelihood across the 0.80–1.25 band.",
        *symbol_notes(facts, dimensions=QUALITY_FIELDS),
    )
    return Table("data_quality", "Fields not stated", columns, tuple(rows), notes)


def recorded_too_little(facts: Facts, field: str) -> list[str]:
    """Who records an equality characteristic for fewer than RECORDED_ENOUGH: "cases", "practitioners"."""
    if field not in EQUALITY_FIELDS:
        return []
    cases = facts.share((field, "not_stated"))
    workforce = facts.equality.workforce_recorded.get(field)
    shares = (
        ("cases", 1 - cases.value if cases.available and cases.value is not None else None),
        ("practitioners", workforce),
    )
    return [who for who, recorded in shares if recorded is not None and recorded < RECORDED_ENOUGH]


def recording_verdict(facts: Facts, field: str) -> str:
    """ "Yes", "Too little recorded" (cases or practitioners), or "" where there is no comparison."""
    if field not in EQUALITY_FIELDS:
        return ""
    short = recorded_too_little(facts, field)
    return f"Too little recorded ({' and '.join(short)})" if short else "Yes"
