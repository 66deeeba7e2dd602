"""Disclosure policies: which counts are small, how shown counts are rounded, what readers see."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["Policy", "POLICIES", "UnknownPolicyError", "get_policy", "resolve_policy", "with_threshold"]


@dataclass(frozen=True)
class Policy:
    """A disclosure policy, as data.

    A count is *small* when it is below `threshold` (zero included only when
    `show_zeros` is false); small counts are hidden and shown as `symbol`.
    Cells hidden only to protect a small count elsewhere are shown as
    `complementary_symbol`. Every shown count is rounded to the nearest
    multiple of `rounding_base` (1: no rounding), halves rounded up.

    `min_width` is the protection rule: whatever a reader combines (shown
    counts within their rounding, totals, the table's structure, the policy
    itself), the interval they can pin a hidden small count to must be at
    least this wide (upper bound minus lower bound, in whole counts).
    """

    name: str
    threshold: int
    symbol: str
    complementary_symbol: str
    min_width: int
    rounding_base: int = 1
    show_zeros: bool = True
    description: str = ""
    title: str = ""  # what a person choosing a policy reads first: "Standard", "NHS Digital", "ONS 10-5"

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError(f"policy {self.name!r}: threshold must be at least 1, not {self.threshold}")
        if self.rounding_base < 1:
            raise ValueError(
                f"policy {self.name!r}: rounding_base must be at least 1, not {self.rounding_base}"
            )
        if not self.symbol or not self.complementary_symbol:
            raise ValueError(f"policy {self.name!r}: the display symbols must not be empty")
        self._check_min_width()

    def _check_min_width(self) -> None:
        lowest, highest = self.small_range()
        if highest < lowest:  # nothing is small: a policy that hides nothing
            return
        width = highest - lowest
        if width < 1:
            raise ValueError(f"policy {self.name!r}: the small range must span at least two counts")
        if not 1 <= self.min_width <= width:
            raise ValueError(
                f"policy {self.name!r}: min_width must be between 1 and {width}"
                f" (the width of the small range {lowest}..{highest}), not {self.min_width}"
            )

    def small_range(self, *, zeros_hidden: bool = False) -> tuple[int, int]:
        """The lowest and highest small count (the range `symbol` stands for)."""
        lowest = 0 if zeros_hidden or not self.show_zeros else 1
        return lowest, self.threshold - 1

    def is_small(self, count: int, *, zeros_hidden: bool = False) -> bool:
        lowest, highest = self.small_range(zeros_hidden=zeros_hidden)
        return lowest <= count <= highest

    def rounded(self, count: int) -> int:
        """The count as shown: the nearest multiple of the rounding base, halves up."""
        base = self.rounding_base
        return (2 * count + base) // (2 * base) * base

    def shown_as(self, rounded: int) -> tuple[int, int]:
        """Every whole count that is shown as `rounded`: the reader's knowledge of it."""
        base = self.rounding_base
        return max(0, rounded - base // 2), rounded + (base + 1) // 2 - 1


POLICIES: MappingProxyType[str, Policy] = MappingProxyType(
    {
        policy.name: policy
        for policy in (
            Policy(
                name="standard",
                threshold=5,
                symbol="<5",
                complementary_symbol="*",
                min_width=2,
                description="Counts of 1 to 4 shown as <5; zeros shown; no rounding.",
                title="Standard",
            ),
            Policy(
                name="nhs-digital",
                threshold=8,
                symbol="*",
                complementary_symbol="*",
                min_width=3,
                rounding_base=5,
                description=(
                    "As NHS Digital does for Hospital Episode Statistics: counts of 1 to 7 shown as *;"
                    " zeros shown; every other count rounded to the nearest 5."
                ),
                title="NHS Digital",
            ),
            Policy(
                name="ons-10-5",
                threshold=10,
                symbol="[c]",
                complementary_symbol="[c]",
                min_width=5,
                rounding_base=5,
                show_zeros=False,
                description=(
                    "The 10-5 rule: counts below 10, zero included, shown as [c] (confidential);"
                    " every other count rounded to the nearest 5."
                ),
                title="ONS 10-5",
            ),
        )
    }
)


class UnknownPolicyError(ValueError):
    """A policy name that is not one of the known policies."""


def get_policy(name: str) -> Policy:
    """The built-in policy of that name (case and surrounding space ignored)."""
    key = str(name).strip().lower()
    if key in POLICIES:
        return POLICIES[key]
    known = ", ".join(sorted(POLICIES))
    raise UnknownPolicyError(f"unknown disclosure policy {name!r}; the known policies are: {known}")


def with_threshold(policy: Policy | str, threshold: int) -> Policy:
    """A built-in policy with another threshold: counts below it are small.

    Its symbol says the new threshold where the built-in's did ("<5" becomes
    "<7"), and `min_width` is half the new small range, rounded up, as for the
    built-ins. Raises ValueError when the threshold leaves a small range that
    cannot be protected (a single possible value), or is below 1.
    """
    base = resolve_policy(policy)
    if threshold == base.threshold:
        return base
    if threshold < 1:
        raise ValueError(f"the threshold must be at least 1, not {threshold}")
    lowest = 0 if not base.show_zeros else 1
    width = threshold - 1 - lowest
    if 0 <= width < 1:
        raise ValueError(
            f"a threshold of {threshold} leaves a single small count ({threshold - 1}), which no table can "
            f"protect: use at least {lowest + 2}"
        )
    symbol = f"<{threshold}" if base.symbol == f"<{base.threshold}" else base.symbol
    return Policy(
        name=f"{base.name}-{threshold}",
        threshold=threshold,
        symbol=symbol,
        complementary_symbol=base.complementary_symbol,
        min_width=max(1, -(-width // 2)),
        rounding_base=base.rounding_base,
        show_zeros=base.show_zeros,
        description=(
            f"Counts below {threshold}{'' if base.show_zeros else ', zero included,'} shown as {symbol}"
            f"{'; zeros shown' if base.show_zeros else ''}"
            + (
                f"; every other count rounded to the nearest {base.rounding_base}."
                if base.rounding_base > 1
                else "; no rounding."
            )
        ),
        title=f"{base.title or base.name} (threshold {threshold})",
    )


def resolve_policy(policy: Policy | str) -> Policy:
    return policy if isinstance(policy, Policy) else get_policy(policy)
