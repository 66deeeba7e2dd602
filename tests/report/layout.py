"""A PDF's words and where they stand (poppler's `pdftotext -bbox-layout`), and the typesetting faults
they show: a word printed over another, and anything but the footer in the footer band.

No tests here: the layout tests and `python -m tests.report.layout FILE.pdf...` use it.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

CM = 72 / 2.54
BOTTOM_MARGIN = 2.2 * CM  # the template's bottom margin: the footer band
# Words on one line are a space apart (2 pt at the smallest size printed); closer than this, two words
# read as one, as two column headers did. Boxes are the font's full height, so lines overlap vertically
# only when this share of the smaller height is shared.
MIN_GAP = 1.0
MIN_OVERLAP_HEIGHT = 0.3

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.DOTALL)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2

    def __str__(self) -> str:
        return f"p{self.page} {self.text!r} at ({self.x0:.0f}, {self.y0:.0f})"


@dataclass(frozen=True)
class Page:
    number: int
    height: float
    words: tuple[Word, ...]


def pages(pdf: Path) -> list[Page]:
    """Every page's words with their boxes, in points from the top left. In the order they are drawn
    (`-raw`): poppler otherwise joins two words printed into each other into one."""
    result = subprocess.run(
        ["pdftotext", "-raw", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    found = []
    for number, match in enumerate(_PAGE.finditer(result.stdout), start=1):
        words = tuple(
            Word(number, html.unescape(text), float(x0), float(y0), float(x1), float(y1))
            for x0, y0, x1, y1, text in _WORD.findall(match.group(3))
        )
        found.append(Page(number, float(match.group(2)), words))
    return found


def overlapping(page: Page) -> list[tuple[Word, Word]]:
    """Pairs of words printed over or into each other: their boxes overlap or all but touch."""
    words = sorted(page.words, key=lambda word: word.x0)
    pairs = []
    for index, word in enumerate(words):
        for other in words[index + 1 :]:
            if other.x0 >= word.x1 + MIN_GAP:
                break
            if _overlap(word, other):
                pairs.append((word, other))
    return pairs


def _overlap(a: Word, b: Word) -> bool:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    smaller = min(a.y1 - a.y0, b.y1 - b.y0)
    return width > -MIN_GAP and height > MIN_OVERLAP_HEIGHT * smaller


def in_footer_band(page: Page) -> list[Word]:
    """The words below the text area other than the footer's own line."""
    footer = footer_line(page)
    return [word for word in _band(page) if word not in footer]


def footer_line(page: Page) -> list[Word]:
    """The footer's words, left to right: one line in the band ending "Page N of M" for this page's N;
    none when the band holds no such line."""
    band = _band(page)
    page_word = next((word for word in band if word.text == "Page"), None)
    if page_word is None:
        return []
    line = sorted((word for word in band if abs(word.y0 - page_word.y0) < 0.5), key=lambda word: word.x0)
    text = " ".join(word.text for word in line)
    return line if re.fullmatch(rf".+ Page {page.number} of \d+", text) else []


def _band(page: Page) -> list[Word]:
    return [word for word in page.words if word.middle > page.height - BOTTOM_MARGIN]


def faults(pdf: Path, read: list[Page] | None = None) -> list[str]:
    """Every overlap and every intruder in the footer band, one line each (`read`: its pages, if read)."""
    found = []
    for page in pages(pdf) if read is None else read:
        found += [f"{pdf}: {a} overlaps {b}" for a, b in overlapping(page)]
        found += [f"{pdf}: {word} is in the footer band" for word in in_footer_band(page)]
    return found


if __name__ == "__main__":
    problems = [line for name in sys.argv[1:] for line in faults(Path(name))]
    print("\n".join(problems) or "no faults")
    sys.exit(1 if problems else 0)
