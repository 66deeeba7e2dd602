"""Replacing other people's names with their role, for a subject access pack."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

SHORTEST_NAME = 2  # one letter is an initial, not a name to hunt for in text
OTHER_PERSON = "another person"


def spellings(name: str) -> set[str]:
    """A name as it may be written: case-insensitive matching misses "STRAUSS" for "Strauß"."""
    name = " ".join(name.split())
    return {name, name.upper(), name.lower(), name.casefold(), name.title()}


def _words(name: str) -> str:
    """A name's pattern: its words in order, with any spacing (or a line break) between them."""
    return r"\s+".join(re.escape(word) for word in name.split())


@dataclass(frozen=True)
class Redactor:
    """Replaces each known name (any case, whole words only) with `[role]`; longer names first, so
    "Jane Smith" becomes one role, not "Jane" and "Smith" separately."""

    replacements: Mapping[str, str]  # name → role
    if TYPE_CHECKING:  # set by __post_init__, not fields of the dataclass
        _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
        _roles: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        roles = {
            variant.casefold(): role
            for name, role in self.replacements.items()
            for variant in spellings(name)
            if len(variant) >= SHORTEST_NAME
        }
        names = sorted(
            {
                variant
                for name in self.replacements
                for variant in spellings(name)
                if len(variant) >= SHORTEST_NAME
            },
            key=len,
            reverse=True,
        )
        pattern = (
            re.compile("|".join(rf"(?<!\w){_words(name)}(?!\w)" for name in names), re.IGNORECASE)
            if names
            else None
        )
        object.__setattr__(self, "_pattern", pattern)
        object.__setattr__(self, "_roles", roles)

    def redact(self, text: str) -> tuple[str, int]:
        """The text with every known name replaced, and how many replacements were made."""
        if self._pattern is None or not text:
            return text, 0
        return self._pattern.subn(self._role_of, text)

    def _role_of(self, match: re.Match[str]) -> str:
        return f"[{self._roles.get(' '.join(match.group(0).split()).casefold(), OTHER_PERSON)}]"

    def __call__(self, text: str) -> str:
        return self.redact(text)[0]
