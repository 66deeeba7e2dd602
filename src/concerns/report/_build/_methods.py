"""Fixed explanatory text: methods, the disclosure policy, the board's use of equality data."""

from __future__ import annotations

from concerns import vocabulary as v
from concerns.analytics import Rate
from concerns.disclosure import Policy
from concerns.report._build import _text
from concerns.report._build._facts import Facts
from concerns.report._model import NOT_STATED_SHOWN


def high_impact_action_short(has_finding: bool) -> str:
    """High impact action 1 in two sentences, for the board summary."""
    if has_finding:
        return (
            "High impact action 1 of the NHS EDI improvement plan asks boards for specific, measurable "
            "objectives: a relative likelihood clear of 1 can anchor one, with a target, an owner and progress "
            "reported to the board over rolling five-year windows."
        )
    return (
        "High impact action 1 of the NHS EDI improvement plan asks boards for specific, measurable objectives: "
        "here the numbers are too small to show a clear difference, which is not evidence that there is none; "
        "review them over rolling five-year windows with the organisation's own employee relations data."
    )


def high_impact_action(has_finding: bool, *, drafts: bool = False) -> str:
    opening = (
        "High impact action 1 of the NHS equality, diversity and inclusion improvement plan asks boards for "
        "specific, measurable EDI objectives, to review data to find where to act, and to show how data and "
        "lived experience have improved their culture. "
    )
    if has_finding:
        return opening + (
            "A relative likelihood whose interval lies clear of 1 can anchor such an objective"
            + (" (the table “Draft objectives” drafts one for each)" if drafts else "")
            + ": "
            "a measure, a target and an owner, with progress reported to the board, read alongside the "
            "organisation's own employee relations data and staff networks."
        )
    return opening + (
        "Here the numbers are too small, or the intervals too wide, to show a clear difference: that is not "
        "evidence that there is none. Pool with the organisation's own employee relations data, review over "
        "rolling five-year windows as small numbers require, and hear from staff networks."
    )


def disclosure(policy: Policy) -> str:
    complementary = (
        f"{policy.complementary_symbol} marks a number hidden so that a smaller one cannot be worked out"
        if policy.complementary_symbol != policy.symbol
        else f"{policy.symbol} also marks a number hidden so that a smaller one cannot be worked out"
    )
    rounding = (
        f" Counts are rounded to the nearest {policy.rounding_base}, and shares, rates and ratios are worked "
        "out from the rounded counts."
        if policy.rounding_base > 1
        else ""
    )
    return (
        f"Disclosure control ({policy.name} policy): {policy.description} {policy.symbol} means "
        f"{_text.fewer_than(policy)} cases; {complementary}; a dash marks a share, rate or ratio worked out "
        f"from a hidden number.{rounding} {NOT_STATED_SHOWN} Every table of the report is protected together, including the "
        "counts that two tables share (a total; a grade and a profession that hold the same practitioners), "
        "and the protection is checked by linear programming: no hidden number can be narrowed down by "
        "combining what is shown. An organisation with fewer cases than the threshold gets no breakdown at "
        "all. Sentences quote only numbers the tables publish; a hidden small number reads "
        f'"{_text.fewer_than(policy)}".'
    )


def statistics() -> list[str]:
    return [
        "Shares of cases are given with 95% Wilson intervals; rates per 1,000 practitioners divide cases by "
        "the headcount summed over the years counted (person-years), with exact Poisson intervals. A missing "
        "headcount is never read as zero: the rate is then not available.",
        "The trend is a Poisson regression of yearly cases (or rates, when every year's headcount is known) on "
        "the year, allowing for extra variation between years; it is called rising or falling only when its "
        "95% interval excludes no change, and needs at least 10 cases over 3 years.",
        "The funnel plot follows Spiegelhalter (2005): control limits at 95% and 99.8% around the pooled rate "
        "of all organisations of the type, widened only when a test finds that organisations differ more than "
        "chance would give. Where the organisation sits is decided by the exact chance of a count this far "
        "from the average, not read off the drawn lines.",
        "Against similar sized organisations, the rate is compared with their rate taken together by an exact "
        "test, and the shares of each type of concern by Fisher's exact test (Holm's correction across the "
        "types); higher or lower is said only when the test rejects at 5%. A year stands out when it has more "
        "cases than the organisation's other years give for its size (exact test, Bonferroni across years).",
        "Relative likelihoods follow the Workforce Race Equality Standard: the cases of a group per head of its "
        "workforce, divided by the same for the comparison group, over the five years pooled, with a "
        "log-method 95% interval. A ratio is given only with at least 5 cases in each group.",
        "Staff groups (specialty group, specialty, grade, and specialty group with grade) are tested within the organisation: the practitioners "
        "with cases in a group against how many of the organisation's own practitioners with cases its "
        "workforce mix would put there. A group with at least 3 practitioners is examined, and stands out when "
        "an exact binomial test survives the Benjamini–Hochberg false discovery rate of 5% over the groups "
        "examined.",
    ]


def organisation_methods(built) -> list[str]:
    analysis = built.analysis
    return [
        f"Period: {len(analysis.period)} complete NHS financial years, {analysis.period.label()}, counting each "
        "case in the year it was opened.",
        f"Similar sized organisations: {analysis.peers.method}",
        *statistics(),
        disclosure(built.policy),
    ]


def national_methods(policy: Policy, period_label: str, years: int) -> list[str]:
    return [
        f"Period: {years} complete NHS financial years, {period_label}, counting each case in the year it was "
        "opened, for every organisation in the data.",
        *statistics()[:2],
        statistics()[3],
        PLACES,
        disclosure(policy),
        *([NATIONAL_POLICY] if policy.rounding_base == 1 else []),
    ]


PLACES = (
    "Nations and organisation types: a nation's or type's cases are the sum of its organisations', and its "
    "rate counts the organisations whose headcount covers every case, with an exact Poisson interval. "
    "Each type's spread counts its organisations by their place against the type's funnel limits (as each "
    "organisation's own report places it), against what chance alone would give if every organisation had "
    "the same underlying rate; the spread is beyond chance when the type's dispersion (the funnel's φ) is "
    "larger than in 95% of simulations that give every organisation the type's rate, the type's total fixed. No organisation is drawn or named: with public headcounts a point would give away its count."
)


NATIONAL_POLICY = (
    "National counts follow the national policy: a small number across every organisation identifies no "
    "one, so a national count is shown whatever its size, unless, set beside every organisation's own "
    "report, it would let a number one of them hides be worked out (checked by linear programming over the "
    "whole batch); such counts stay hidden. Types of concern and services keep the policy above."
)


def denominators(facts: Facts, rate: Rate) -> str:
    """Which professions have no workforce headcount, quoting only published counts."""
    covered = set(rate.professions)
    missing = [code for code in v.PROFESSIONS.codes if code not in covered]
    if not missing:
        return "Every profession has a workforce headcount for every year, so rates cover all cases."
    parts = []
    for code in missing:
        quoted = _text.quoted(facts, ("profession", code))
        label = v.PROFESSIONS.label(code).lower() + "s"
        parts.append(f"{label} ({quoted} cases)" if quoted is not None else label)
    return (
        f"Cases without workforce denominators: the workforce headcount is not known for every year for "
        f"{', '.join(parts)}; their cases are left out of the rates per 1,000 practitioners."
    )
