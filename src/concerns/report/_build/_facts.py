"""Published figures of one scope: counts after disclosure control, and everything derived from them.

Every number a report prints comes through here. A share, rate or ratio is
computed from *published* counts (under a rounding policy the rounded ones,
so a percentage never gives an unrounded count back) and is None when a
count it rests on is hidden. The analysis' own figures are used only where
they equal what the published counts give.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from concerns.analytics import (
    OVER_TIME,
    BestFinding,
    ChangeFinding,
    EqualityMeasures,
    Profile,
    Rate,
    SpanFigure,
)
from concerns.disclosure import CellKey, Policy
from concerns.report._build._coarsen import exact_cover, is_combined, members
from concerns.report._build._plan import Likelihood, case_dimension
from concerns.report._build._protection import TOTAL, Published


@dataclass(frozen=True)
class Figure:
    """A derived figure with its 95% interval; hidden when built on a hidden count."""

    value: float | None
    low: float | None = None
    high: float | None = None
    hidden: bool = False

    @property
    def available(self) -> bool:
        return self.value is not None and not self.hidden


HIDDEN = Figure(None, hidden=True)
MISSING = Figure(None)


@dataclass(frozen=True)
class Facts:
    """One scope's published counts (an organisation, or national) and what the tables need."""

    profile: Profile
    pub: Published
    equality: EqualityMeasures
    every_likelihood: tuple[Likelihood, ...]  # every comparison, doctors alone included
    national: Facts | None = None  # for national comparison columns in an organisation's report

    @property
    def likelihoods(self) -> tuple[Likelihood, ...]:
        """The comparisons of every profession counted, in the report's order."""
        return tuple(item for item in self.every_likelihood if not item.comparison.doctors_alone)

    @property
    def doctor_likelihoods(self) -> tuple[Likelihood, ...]:
        """The doctors-alone comparisons, where the same comparison of every profession counts dentists or
        pharmacists too (elsewhere they are the same comparison)."""
        counted = {item.comparison.id: item.result.professions for item in self.likelihoods}
        return tuple(
            item
            for item in self.every_likelihood
            if item.comparison.of_every_profession is not None  # doctors alone
            and set(counted[item.comparison.of_every_profession]) - {"doctor"}
        )

    @property
    def policy(self) -> Policy:
        return self.pub.policy

    @property
    def exact(self) -> bool:
        return self.policy.rounding_base == 1

    def labels(self, dimension: str) -> list[tuple[str, str]]:
        return [(row.code, row.label) for row in self.profile[dimension].rows]

    def count(self, key: CellKey) -> int | None:
        """A published count; a row another scope combined is the sum of its groups' counts here."""
        if key in self.pub:
            return self.pub.value(key)
        dimension, code = key
        if not is_combined(code):
            raise KeyError(key)
        values = [self.pub.value((dimension, member)) for member in members(code)]
        return None if None in values else sum(value or 0 for value in values)

    # --- shares -----------------------------------------------------------------------------

    def share(self, key: CellKey, of: CellKey = TOTAL) -> Figure:
        """`key` as a share of `of`, with its Wilson interval, from published counts."""
        from concerns.analytics.stats import wilson_interval

        part, whole = self.count(key), self.pub.value(of)
        if part is None or whole is None:
            return HIDDEN
        if whole == 0:
            return MISSING
        part = min(part, whole)  # rounded counts can cross: a share stays within 0–100%
        interval = wilson_interval(part, whole)
        assert interval  # whole > 0
        return Figure(part / whole, interval.low, interval.high)

    def stated_share(self, dimension: str, code: str) -> Figure:
        """A group's share of the cases whose characteristic is recorded (not stated left out)."""
        from concerns.analytics.stats import wilson_interval

        part, whole, not_stated = (
            self.pub.value((dimension, code)),
            self.pub.value(TOTAL),
            self.pub.value((dimension, "not_stated")),
        )
        if part is None or whole is None or not_stated is None:
            return HIDDEN
        stated = whole - not_stated
        if stated <= 0:
            return MISSING
        part = min(part, stated)
        interval = wilson_interval(part, stated)
        assert interval  # stated > 0
        return Figure(part / stated, interval.low, interval.high)

    def stated_share_range(self, dimension: str, code: str) -> tuple[Figure, Figure] | None:
        """When the not-stated count is hidden: the shares where recorded (with Wilson intervals) at the
        fewest and the most cases not stated that the published counts allow; None when not known.

        Worked out from published figures only, so it tells a reader nothing the tables do not: the
        hidden not-stated count lies between 0 and the sum of the dimension's hidden counts (the
        total less its shown rows), and below the threshold when its symbol says it is a small
        count. Exact policies only: under rounding that sum is not known.
        """
        from concerns.analytics.stats import wilson_interval

        pub, policy, not_stated = self.pub, self.policy, (dimension, "not_stated")
        part, whole = pub.value((dimension, code)), pub.value(TOTAL)
        if part is None or not whole or not self.exact or pub.shown(not_stated):
            return None
        most = whole - sum(pub.value((dimension, row)) or 0 for row, _ in self.labels(dimension))
        if pub.display(not_stated) == policy.symbol != policy.complementary_symbol:
            most = min(most, policy.threshold - 1)
        figures = []
        for stated in (whole, max(whole - most, part, 1)):
            interval = wilson_interval(min(part, stated), stated)
            assert interval  # stated > 0
            figures.append(Figure(min(part, stated) / stated, interval.low, interval.high))
        return figures[0], figures[1]

    # --- sums a table determines ----------------------------------------------------------------

    def determined_sum(self, keys: Sequence[CellKey], dimension: str, codes: Sequence[str]) -> int | None:
        """The published sum of `keys` (rows of a one-way table over `codes`), or None.

        Known when every one of them is shown, or (under an exact policy) when
        the total and every other row are shown; otherwise showing a figure
        built on the sum would reveal something the tables do not.
        """
        pub = self.pub
        if all(pub.shown(key) for key in keys):
            return sum(pub.value(key) or 0 for key in keys)
        others = [(dimension, code) for code in codes if (dimension, code) not in keys]
        if self.exact and pub.shown(TOTAL, *others):
            return (pub.value(TOTAL) or 0) - sum(pub.value(key) or 0 for key in others)
        return None

    # --- rates ---------------------------------------------------------------------------------

    def rate(self, rate: Rate, published_cases: int | None) -> Figure:
        """A rate per 1,000 from its published count; the analysis' figure when they agree."""
        if published_cases is None:
            return HIDDEN
        if not rate.available or not rate.person_years:
            return MISSING
        if published_cases == rate.cases:
            return Figure(rate.per_1000, rate.low, rate.high)
        from concerns.analytics.stats import rate_per_1000

        estimate = rate_per_1000(published_cases, rate.person_years)
        assert estimate  # person_years > 0
        return Figure(estimate.value, estimate.low, estimate.high)

    def overall_rate(self, rate: Rate) -> Figure:
        """The all-practitioner rate: its count is the cases of the professions it covers.

        Which professions have cases is decided from published counts only (a
        hidden zero must not show through whether the rate is shown).
        """
        from concerns import vocabulary as v

        if not rate.available:
            return MISSING
        if set(rate.professions) == set(v.PROFESSIONS.codes):
            return self.rate(rate, self.pub.value(TOTAL))
        covered = [("profession", code) for code in rate.professions]
        return self.rate(rate, self.determined_sum(covered, "profession", v.PROFESSIONS.codes))

    # --- relative likelihoods --------------------------------------------------------------------

    def likelihood(self, item: Likelihood) -> Figure:
        """The ratio and interval if its counts may be published; HIDDEN when they may not."""
        result = item.result
        if item.status in ("too_few", "implied_small", "combined"):
            return HIDDEN
        if item.status != "candidate" or result.ratio is None:
            return MISSING
        a, b = self._likelihood_count(item, item.a_keys), self._likelihood_count(item, item.b_keys)
        if a is None or b is None:
            return HIDDEN
        if a == result.cases_a and b == result.cases_b:
            return Figure(result.ratio, result.low, result.high)
        from concerns.analytics.stats import relative_likelihood

        redone = relative_likelihood(
            a, result.headcount_a, b, result.headcount_b, result.level, min_cases=self.policy.threshold
        )
        if not redone:
            return HIDDEN
        return Figure(redone.ratio, redone.low, redone.high)

    def likelihood_counts(self, item: Likelihood) -> tuple[int, int] | None:
        """The published case counts of a shown comparison's two groups."""
        if item.status != "candidate":
            return None
        a, b = self._likelihood_count(item, item.a_keys), self._likelihood_count(item, item.b_keys)
        return None if a is None or b is None else (a, b)

    def best_estimate(self, item: Likelihood, figure: Figure) -> BestFinding | None:
        """The empirical Bayes estimate of a comparison, from published counts only.

        With its ratio shown, at its published counts. With too few cases in a group, a range: the
        least and most the estimate's interval reaches over every count of fewer than the threshold
        (a small count is never published, so the estimate must read the same for each), the other
        group's count as its table publishes it. Otherwise (hidden, combined, rounded) none.
        """
        result = item.result
        if not self.exact or result.cases_left_out:
            return None
        if figure.available and item.status == "candidate":
            counts = self.likelihood_counts(item)
            point = None if counts is None else self.equality.best_estimate(item.comparison.id, *counts)
            return (
                None if point is None else BestFinding(point.ratio, point.low, point.high, point.own_weight)
            )
        if item.status != "too_few":
            return None
        side_a = self._side_range(item, item.comparison.group_a, result.cases_a)
        side_b = self._side_range(item, item.comparison.group_b, result.cases_b)
        if side_a is None or side_b is None:
            return None
        (a_low, a_high), (b_low, b_high) = side_a, side_b
        lowest = self.equality.best_estimate(item.comparison.id, a_low, b_high)
        highest = self.equality.best_estimate(item.comparison.id, a_high, b_low)
        if lowest is None or highest is None:
            return None
        if (a_low, b_low) == (a_high, b_high):
            return BestFinding(lowest.ratio, lowest.low, lowest.high, lowest.own_weight)
        return BestFinding(None, lowest.low, highest.high, None)

    def over_time(self, item: Likelihood, figure: Figure) -> ChangeFinding | None:
        """Whether a comparison followed over time (OVER_TIME) moved between the period's earlier years
        and its latest ones; None for the others.

        The spans' counts are published only beside a pooled ratio shown at its own counts, and only when
        every one of them is at least the threshold: each is then large, and so is the pooled count less
        it, its one relation. Otherwise none is published (a hidden ratio is withheld over time too).
        """
        from concerns.analytics.stats import likelihood_change

        if item.comparison.id not in OVER_TIME:
            return None
        result = item.result
        if item.status == "too_few" or (
            result.not_available and result.not_available.reason == "too_few_cases"
        ):
            return ChangeFinding("too_few_cases")
        if figure.hidden or (figure.available and not self.exact):
            return ChangeFinding("withheld")
        found = self.equality.spans(item.comparison.id)
        if not figure.available or found is None:
            return ChangeFinding("not_available")
        if self.likelihood_counts(item) != (result.cases_a, result.cases_b):
            return ChangeFinding("withheld")
        (earlier, later), (earlier_years, later_years) = found
        counts = (earlier.cases_a, earlier.cases_b, later.cases_a, later.cases_b)
        if min(counts) < self.policy.threshold:
            return ChangeFinding("too_few_cases")
        change = likelihood_change(earlier, later, result.level, min_cases=self.policy.threshold)
        if not change.available:
            return ChangeFinding("too_few_cases")
        return ChangeFinding(
            str(change.verdict),
            SpanFigure(earlier_years, change.earlier.ratio, change.earlier.low, change.earlier.high),
            SpanFigure(later_years, change.later.ratio, change.later.low, change.later.high),
            change.p,
        )

    def _side_range(self, item: Likelihood, group: tuple[str, ...], cases: int) -> tuple[int, int] | None:
        """What a reader may take a group's cases to be: any small count, or its published sum."""
        if cases < self.policy.threshold:
            return 0, self.policy.threshold - 1
        dimension = case_dimension(item.comparison)
        rows = exact_cover(self.profile, dimension, group)
        if rows is None:
            return None
        codes = [code for code, _ in self.labels(dimension)]
        published = self.determined_sum([(dimension, row) for row in rows], dimension, codes)
        return None if published is None else (published, published)

    def _likelihood_count(self, item: Likelihood, keys: tuple[CellKey, ...]) -> int | None:
        if keys and keys[0][0] == "likelihood":
            return self.pub.value(keys[0])
        dimension = case_dimension(item.comparison)
        return self.determined_sum(keys, dimension, [code for code, _ in self.labels(dimension)])
