"""Sentences generated from published figures, under the report's writing rules.

- Only numbers a table publishes are quoted; a hidden small count reads
  "fewer than 5"; a count hidden to protect another is not quoted at all.
- Every verdict comes from a finding (`_findings`), never decided here: higher
  or lower than similar sized organisations only when the exact test says so,
  a position against the funnel limits from its exact tail probability, rising
  or falling only when the trend's interval excludes no change, "more likely"
  only when the interval excludes 1.
- What a test did not find is said as "could be chance", never as "no
  difference" or "no more than chance explains".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from concerns import vocabulary as v
from concerns.analytics import EqualityFinding, FunnelFinding, PeerVerdict, SpanFigure, TrendFinding
from concerns.disclosure import CellKey, Policy
from concerns.report._build import _format as f
from concerns.report._build._facts import Facts, Figure
from concerns.report._build._places import Place, Places, Spread
from concerns.report._build._plan import Likelihood
from concerns.report._build._protection import TOTAL

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def in_words(n: int) -> str:
    """Small whole numbers in words, as plain English prefers: "five financial years"."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def fewer_than(policy: Policy) -> str:
    return f"fewer than {policy.threshold}"


def quoted(facts: Facts, key: CellKey) -> str | None:
    """A count as text: its published figure, "fewer than 5" if small and hidden, else None."""
    pub = facts.pub
    if pub.shown(key):
        return f.count(pub.value(key) or 0)
    if pub.is_primary(key) or (pub.withheld and key != TOTAL):
        return fewer_than(facts.policy)
    return None


def of_cases(facts: Facts, key: CellKey, of: CellKey = TOTAL) -> str | None:
    """ "12 of 40 cases", "fewer than 5 of 40 cases"; None when either cannot be quoted."""
    part, whole = quoted(facts, key), quoted(facts, of)
    if part is None or whole is None or facts.pub.hidden(of) or not facts.pub.value(of):
        return None
    if facts.pub.hidden(key) and (facts.pub.value(of) or 0) <= facts.policy.threshold:
        return None  # "fewer than 5 of 5 cases" says nothing
    noun = "case" if whole == "1" else "cases"
    share = facts.share(key, of)
    tail = f" ({f.percent(share.value)})" if share.available and share.value is not None else ""
    return f"{part} of {whole} {noun}{tail}"


def interval(figure: Figure, kind: str) -> str:
    low, high = (f.number(x, kind, like=figure.value) for x in (figure.low, figure.high))
    return f"95% interval {low} to {high}"


# --- peers -----------------------------------------------------------------------------------


def shown_as(value: float, kind: str) -> float:
    """A figure as the reader sees it: comparisons are made on the printed numbers, so that a sentence
    never says "above 76.0%" of a share printed as 76.0%."""
    return float(f.number(value, kind).rstrip("%").replace(",", "").replace("−", "-"))


# --- verdicts against similar sized organisations and the funnel limits ----------------------


def against_similar(verdict: PeerVerdict, what: str) -> str:
    """An exact test against similar sized organisations taken together, in words."""
    if verdict.verdict in ("higher", "lower"):
        return (
            f"{what} is {verdict.verdict} than at similar sized organisations taken together, by more than "
            f"chance would explain"
        )
    if verdict.verdict == "similar":
        return f"{what} is in line with that of similar sized organisations: any difference could be chance"
    return f"{what} cannot be compared with similar sized organisations (too few of them have figures)"


def similar_note(verdict: PeerVerdict) -> str:
    """A tile's short note on the comparison with similar sized organisations."""
    return {
        "higher": "Higher than similar sized organisations",
        "lower": "Lower than similar sized organisations",
        "similar": "In line with similar sized organisations (any difference could be chance)",
    }.get(verdict.verdict, "")


def similar_cell(verdict: PeerVerdict) -> str:
    """A table cell: the comparison with similar sized organisations, in a word or two."""
    return {
        "higher": "Higher",
        "lower": "Lower",
        "similar": "In line (could be chance)",
    }.get(verdict.verdict, "Not compared")


def level_words(level: float) -> str:
    return f"{level * 100:g}%"


def funnel_position(finding: FunnelFinding, levels: tuple[float, ...]) -> str:
    """A funnel position in words: "above the 99.8% limits", "inside the 95% limits"."""
    from concerns.analytics import level_name

    position = finding.position
    if position == "not_assessed":
        return "not placed: too few cases are expected for a position to mean anything"
    if position == "inside":
        return f"inside the {level_words(min(levels))} limits"
    side, name = position.split("_", 1)
    level = next(level for level in levels if level_name(level) == name)
    wider = [other for other in levels if other > level]
    inside = f", inside the {level_words(min(wider))} limits" if wider else ""
    return f"{side} the {level_words(level)} limits{inside}"


# --- trend -----------------------------------------------------------------------------------


def trend(finding: TrendFinding, *, whose: str) -> str:
    """The trend in plain words, from its finding."""
    if finding.reason == "withheld":
        return (
            "No trend is shown: some years' counts are hidden to protect small numbers, and a trend would "
            "let them be worked out."
        )
    if finding.verdict == "not_assessed":
        why = (
            "there are too few cases to say"
            if finding.reason == "too_few_cases"
            else ("it cannot be estimated from these figures")
        )
        return f"No trend can be given: {why}."
    what = "the rate of cases per practitioner" if finding.measure == "rate" else "the number of cases"
    what = f"{what} {whose}" if whose else what
    change, low, high = finding.change_per_year, finding.ci_low, finding.ci_high
    assert change is not None and low is not None and high is not None  # an assessed trend has them
    bounds = f"95% interval {f.change(low)} to {f.change(high)}"
    if finding.verdict == "rising":
        return f"{sentence(what)} rose by about {f.change(change).lstrip('+')} a year ({bounds})."
    if finding.verdict == "falling":
        return f"{sentence(what)} fell by about {f.change(change).lstrip('−')} a year ({bounds})."
    return (
        f"There is no clear trend in {what}: the change of {f.change(change)} a year could "
        f"be chance ({bounds})."
    )


def trend_verdict(finding: TrendFinding) -> str:
    if finding.reason == "withheld":
        return "Trend not shown"
    if finding.verdict == "not_assessed":
        return "Too few cases for a trend"
    per = " per practitioner" if finding.measure == "rate" else ""
    if finding.verdict == "no_clear_trend":
        return f"No clear trend{per} (could be chance)"
    return f"{sentence(finding.verdict)}{per}"


# --- relative likelihoods --------------------------------------------------------------------


def likelihood_reading(item: Likelihood, finding: EqualityFinding) -> str:
    """One line per comparison, from its finding: no more than the interval allows, no counts quoted."""
    comparison = item.comparison
    a, b = comparison.noun_a, comparison.noun_b
    if finding.verdict == "too_few_cases":
        return f"Too few cases to compare {a} with {b}."
    if finding.verdict == "withheld":
        return "Not shown: it would allow a small number of cases to be worked out."
    if finding.verdict == "not_available":
        return _not_available(item)
    ratio, low, high = finding.ratio, finding.ci_low, finding.ci_high
    assert ratio is not None and low is not None and high is not None  # an available ratio has them
    bounds = f"95% interval {f.ratio(low)} to {f.ratio(high)}"
    if finding.verdict in ("more_likely", "less_likely"):
        text = (
            f"{sentence(a)} were {finding.verdict.replace('_', ' ')} than {b} to be the subject of a case: "
            f"{f.ratio(ratio)} times as likely ({bounds})."
        )
        if finding.band_verdict == "within":
            text += (
                " The whole interval lies within 0.80 to 1.25, the range WRES reads as no adverse difference."
            )
        return text
    return (
        f"No clear difference between {a} and {b}: the ratio of {f.ratio(ratio)} could be chance "
        f"({bounds}, which includes 1, equal likelihood)."
    )


def _not_available(item: Likelihood) -> str:
    from concerns import vocabulary as v

    reason = item.result.not_available.reason.value if item.result.not_available else ""
    characteristic = v.WORKFORCE_DIMENSIONS.label(item.comparison.dimension).lower()
    if reason == "zero_denominator":
        return f"Not available: the workforce figures show no {item.comparison.noun_a.split(' who ')[0]}."
    if reason == "inconsistent":
        return "Not available: the workforce figures are inconsistent with the cases."
    return f"Not available: the workforce headcount by {characteristic} is not known for every year."


def likelihood_short(finding: EqualityFinding) -> str:
    """A table's reading of a comparison, in a few words (the sentence is in the text, stated once)."""
    return {
        "more_likely": "more likely",
        "less_likely": "less likely",
        "no_clear_difference": "could be chance",
        "too_few_cases": "too few cases",
        "withheld": "not shown, to protect small numbers",
    }.get(finding.verdict, "not available")


def likelihood_claim(item: Likelihood, finding: EqualityFinding) -> str | None:
    """A key message for a comparison whose interval excludes 1, else None."""
    if finding.verdict not in ("more_likely", "less_likely"):
        return None
    return likelihood_reading(item, finding)


class _EqualityFindings(Protocol):
    @property
    def equality(self) -> tuple[EqualityFinding, ...]: ...


def equality_claims(findings: _EqualityFindings, facts: Facts) -> tuple[str, ...]:
    """The key messages of every comparison whose interval excludes 1, in the report's order."""
    items = {item.comparison.id: item for item in facts.likelihoods}
    return tuple(
        claim
        for finding in findings.equality
        if finding.comparison in items and (claim := likelihood_claim(items[finding.comparison], finding))
    )


def over_time(findings: Sequence[EqualityFinding], facts: Facts) -> str:
    """The headline comparison over time, and any other comparison that moved: from the findings only."""
    nouns = {
        item.comparison.id: (item.comparison.noun_a, item.comparison.noun_b) for item in facts.likelihoods
    }
    followed = [(finding, finding.over_time) for finding in findings if finding.over_time is not None]
    if not followed:
        return ""
    (headline, change), others = followed[0], followed[1:]
    a, b = nouns[headline.comparison]
    if change.earlier is None or change.later is None:
        why = {
            "too_few_cases": "too few cases in the earlier or the latest years to tell",
            "withheld": "not shown, to protect small numbers",
        }.get(change.verdict, "not available")
        text = f"Over time, the relative likelihood of {a} against {b}: {why}."
    else:
        text = (
            f"Over time, the relative likelihood of {a} against {b} was {_span(change.later)} in "
            f"{_years(change.later.years)}, against {_span(change.earlier)} in {_years(change.earlier.years)}: "
            f"{_moved(change.verdict)}."
        )
    moved = [(finding, over) for finding, over in others if over.verdict in ("higher", "lower")]
    for finding, over in moved:
        a, b = nouns[finding.comparison]
        assert over.earlier is not None and over.later is not None  # a change found has both spans
        text += (
            f" For {a} against {b} it was {_span(over.later)} in the latest years, against "
            f"{_span(over.earlier)} before: {_moved(over.verdict)}."
        )
    return text


def _span(span: SpanFigure) -> str:
    return f"{f.ratio(span.ratio)} ({f.ratio(span.ci_low)} to {f.ratio(span.ci_high)})"


def _years(years: Sequence[str]) -> str:
    return years[0] if len(years) == 1 else f"{years[0]} to {years[-1]}"


def _moved(verdict: str) -> str:
    return {
        "higher": "higher, by more than chance would usually give",
        "lower": "lower, by more than chance would usually give",
    }.get(verdict, "the change could be chance")


# --- nations and organisation types ----------------------------------------------------------


def spread_beyond_chance(spread: Spread) -> str:
    """Whether a type's organisations vary more than chance gives, in a table cell."""
    if spread.overdispersed is None or spread.dispersion_p is None:
        return f.NOT_AVAILABLE
    p = f.p_value(spread.dispersion_p)
    return f"Yes (p = {p})" if spread.overdispersed else f"Could be chance (p = {p})"


def places(found: Places) -> str:
    """What the nations' and types' tables show, in two or three sentences."""
    parts = []
    nations = [p for p in found.nations if p.rate]
    if nations:
        parts.append(
            "Cases per 1,000 practitioners a year, by nation: "
            + "; ".join(f"{v.NATIONS.label(p.code)} {_rate(p)}" for p in nations)
            + "."
        )
    hidden = [v.NATIONS.label(p.code) + "'s" for p in found.nations if p.withheld]
    if hidden:
        parts.append(
            f"{f.and_list(hidden)} {'figures are' if len(hidden) > 1 else 'figure is'} hidden: with the "
            "national count and the figures shown, they would let a reader work out a count an organisation's "
            "own report hides."
        )
    types = sorted((p for p in found.types if p.rate), key=_rate_value)
    if len(types) > 1:
        parts.append(
            f"By organisation type the rate runs from {_rate(types[0])} in {_type_plural(types[0].code)} to "
            f"{_rate(types[-1])} in {_type_plural(types[-1].code)}; where intervals overlap, the difference "
            "could be chance."
        )
    parts.append(_spread_text(found))
    return " ".join(parts)


def places_message(found: Places) -> str | None:
    """The rate over every organisation and its range by organisation type, in one key message."""
    overall = found.overall.rate
    if overall is None:
        return None
    value, low, high = overall
    ends = (f.number(x, "rate", like=value) for x in (low, high))
    text = f"Cases per 1,000 practitioners a year: {f.rate(value)} (95% interval {' to '.join(ends)}) overall"
    types = sorted((p for p in found.types if p.rate), key=_rate_value)
    if len(types) > 1:
        text += (
            f"; by organisation type from {f.rate(_rate_value(types[0]))} in {_type_plural(types[0].code)} to "
            f"{f.rate(_rate_value(types[-1]))} in {_type_plural(types[-1].code)}"
        )
    return text + "."


def _type_plural(org_type: str) -> str:
    """ "acute trusts", "integrated health boards or trusts"."""
    label = v.ORG_TYPES.label(org_type).lower()
    return label.replace(" or ", "s or ", 1) + "s" if " or " in label else label + "s"


def _rate_value(place: Place) -> float:
    assert place.rate is not None  # a place with a rate
    return place.rate[0]


def _rate(place: Place) -> str:
    assert place.rate is not None  # a place with a rate
    value, low, high = place.rate
    return f"{f.rate(value)} ({f.number(low, 'rate', like=value)}–{f.number(high, 'rate', like=value)})"


def _spread_text(found: Places) -> str:
    beyond = [_type_plural(s.org_type) for s in found.spreads if s.overdispersed]
    largest = max(found.spreads, key=lambda s: s.assessed, default=None)
    if largest is None or not largest.outside:
        return ""
    level, above, below = largest.outside[0]
    chance = largest.expected_each_way(level)
    text = (
        f"Of the {largest.assessed:,} {_type_plural(largest.org_type)} placed on their funnel, "
        f"{in_words(above)} {'lies' if above == 1 else 'lie'} above the {level_words(level)} limits and "
        f"{in_words(below).replace('no', 'none')} below; chance alone would put about {chance:.2g} each way."
    )
    if beyond:
        return text + f" The rates of {f.and_list(beyond)} vary more than chance alone would give."
    return text + " In every type, how far the organisations' rates spread could be chance."
