"""Sentences generated from published figures, under the report's writing rules.

- Only numbers a table publishes are quoted; a hidden small count reads
  "fewer than 5"; a count hidden to protect another is not quoted at all.
- "Higher than most similar sized organisations" only above the peers' upper
  quartile, "lower than most" only below the lower quartile, and the sentence
  quotes the quartile it was compared with.
- "More likely" / "less likely" only when the interval excludes 1; otherwise
  "no clear difference", and why.
- Rising or falling only when the trend's interval excludes no change.
"""

from __future__ import annotations

from concerns.analytics._peers import PeerComparison
from concerns.disclosure import CellKey, Policy
from concerns.report._build import _format as f
from concerns.report._build._facts import Facts, Figure
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
    noun = "case" if whole == "1" else "cases"
    share = facts.share(key, of)
    tail = f" ({f.percent(share.value)})" if share.available else ""
    return f"{part} of {whole} {noun}{tail}"


def interval(figure: Figure, kind: str) -> str:
    return f"95% interval {f.number(figure.low, kind)} to {f.number(figure.high, kind)}"


# --- peers -----------------------------------------------------------------------------------


def shown_as(value: float, kind: str) -> float:
    """A figure as the reader sees it: comparisons are made on the printed numbers, so that a sentence
    never says "above 76.0%" of a share printed as 76.0%."""
    return float(f.number(value, kind).rstrip("%").replace(",", "").replace("−", "-"))


def position_of(value: float | None, comparison: PeerComparison | None, kind: str) -> str:
    """"above", "below", "within" or "not available": a published value against the peers' quartiles."""
    if value is None or comparison is None or comparison.q1 is None or comparison.q3 is None:
        return "not available"
    if shown_as(value, kind) > shown_as(comparison.q3, kind):
        return "above"
    if shown_as(value, kind) < shown_as(comparison.q1, kind):
        return "below"
    return "within"


def against_peers(value: float | None, comparison: PeerComparison | None, kind: str) -> str:
    """Where a published value sits among similar sized organisations, quoting the quartile used."""
    position = position_of(value, comparison, kind)
    if position == "not available":
        return "it cannot be compared with similar sized organisations (too few of them have figures)"
    if position == "above":
        return (f"higher than most similar sized organisations (above their upper quartile of "
                f"{f.number(comparison.q3, kind)})")
    if position == "below":
        return (f"lower than most similar sized organisations (below their lower quartile of "
                f"{f.number(comparison.q1, kind)})")
    return (f"within the middle half of similar sized organisations ({f.number(comparison.q1, kind)} "
            f"to {f.number(comparison.q3, kind)})")


# --- trend -----------------------------------------------------------------------------------


def trend(result: object, *, shown: bool, whose: str) -> str:
    """The trend in plain words; `shown` is false when a year's count is hidden."""
    from concerns.analytics.stats import Trend, TrendVerdict

    if not shown:
        return ("No trend is shown: some years' counts are hidden to protect small numbers, and a trend would "
                "let them be worked out.")
    if not isinstance(result, Trend):
        reason = getattr(result, "reason", None)
        why = "there are too few cases to say" if reason is not None and reason.value == "too_few_cases" else (
            "it cannot be estimated from these figures")
        return f"No trend can be given: {why}."
    change = result.annual_change
    what = "the rate of cases" if result.per_exposure else "the number of cases"
    what = f"{what} {whose}" if whose else what
    bounds = f"95% interval {f.change(change.low)} to {f.change(change.high)}"
    verdict = result.verdict if _clear_of_zero(change.low, change.high) else None
    if verdict is TrendVerdict.RISING:
        return f"{sentence(what)} rose by about {f.change(change.value).lstrip('+')} a year ({bounds})."
    if verdict is TrendVerdict.FALLING:
        return f"{sentence(what)} fell by about {f.change(change.value).lstrip('−')} a year ({bounds})."
    return (f"There is no clear trend in {what}: the change of {f.change(change.value)} a year could "
            f"be chance ({bounds}, which includes no change).")


def trend_verdict(result: object, *, shown: bool) -> str:
    from concerns.analytics.stats import Trend

    if not shown:
        return "Trend not shown"
    if not isinstance(result, Trend):
        return "Too few cases for a trend"
    if not _clear_of_zero(result.annual_change.low, result.annual_change.high):
        return "No clear trend"
    return sentence(result.verdict.value)


def _clear_of_zero(low: float, high: float) -> bool:
    """The printed interval of a change lies wholly above or below no change."""
    return round(low * 100, 1) > 0 or round(high * 100, 1) < 0


# --- relative likelihoods --------------------------------------------------------------------


def likelihood_reading(item: Likelihood, figure: Figure) -> str:
    """One line per comparison, claiming no more than the interval allows; no counts quoted."""
    comparison = item.comparison
    a, b = comparison.noun_a, comparison.noun_b
    if item.status == "too_few":
        return f"No clear difference can be shown between {a} and {b}: too few cases to say."
    if figure.hidden:
        return "Not shown: it would allow a small number of cases to be worked out."
    if not figure.available:
        return _not_available(item)
    bounds = interval(figure, "ratio")
    low, high = shown_as(figure.low, "ratio"), shown_as(figure.high, "ratio")
    if low > 1:
        return (f"{sentence(a)} were more likely than {b} to be the subject of a case: "
                f"{f.ratio(figure.value)} times as likely ({bounds}).")
    if high < 1:
        return (f"{sentence(a)} were less likely than {b} to be the subject of a case: "
                f"{f.ratio(figure.value)} times as likely ({bounds}).")
    reaches = "includes" if figure.low <= 1 <= figure.high else "reaches"
    return (f"No clear difference between {a} and {b}: the ratio of {f.ratio(figure.value)} could be chance "
            f"({bounds}, which {reaches} 1, equal likelihood).")


def _not_available(item: Likelihood) -> str:
    from concerns import vocabulary as v

    reason = item.result.not_available.reason.value if item.result.not_available else ""
    characteristic = v.WORKFORCE_DIMENSIONS.label(item.comparison.dimension).lower()
    if reason == "zero_denominator":
        return f"Not available: the workforce figures show no {item.comparison.noun_a.split(' who ')[0]}."
    if reason == "inconsistent":
        return "Not available: the workforce figures are inconsistent with the cases."
    return f"Not available: the workforce headcount by {characteristic} is not known for every year."


def likelihood_claim(item: Likelihood, figure: Figure) -> str | None:
    """A key message for a comparison whose interval excludes 1, else None."""
    if not figure.available or figure.hidden:
        return None
    if not (shown_as(figure.low, "ratio") > 1 or shown_as(figure.high, "ratio") < 1):
        return None
    return likelihood_reading(item, figure)
