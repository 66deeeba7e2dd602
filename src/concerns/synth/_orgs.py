"""The organisations: a fictional national registry, or a given one read from a file.

Fictional organisations get names built from invented place words ("Ashmere Valley
Hospitals NHS Trust") and codes of the form `X` + 3 digits, which no real ODS
code has (trusts are `R` + 2 characters, Welsh boards `7A1`, sites 5 characters).
The mix of types and nations follows the real NHS: England has most organisations,
Wales and Northern Ireland mostly integrated boards and trusts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from concerns import vocabulary as v
from concerns.synth._config import SynthError
from concerns.synth._tables import read_table, required_text

__all__ = ["ORG_COLUMNS", "fictional_organisations", "read_organisations", "largest_remainder"]

ORG_COLUMNS = ("org_code", "name", "org_type", "nation", "region")

# (nation, org_type, count out of 220), close to the real shape of the service's organisations.
_COMPOSITION: tuple[tuple[str, str, int], ...] = (
    ("england", "acute", 112),
    ("england", "specialist", 13),
    ("england", "mental_health", 40),
    ("england", "community", 10),
    ("england", "ambulance", 10),
    ("england", "primary_care", 12),
    ("england", "independent", 8),
    ("wales", "integrated", 7),
    ("wales", "specialist", 1),
    ("wales", "ambulance", 1),
    ("northern_ireland", "integrated", 5),
    ("northern_ireland", "ambulance", 1),
)

# Kept first when there are too few organisations for everything: every type, every nation.
_MUST_HAVE: tuple[tuple[str, str], ...] = (
    ("england", "acute"),
    ("wales", "integrated"),
    ("northern_ireland", "integrated"),
    ("england", "mental_health"),
    ("england", "primary_care"),
    ("england", "community"),
    ("england", "ambulance"),
    ("england", "specialist"),
    ("england", "independent"),
)

_ENGLISH_REGIONS: dict[str, float] = {
    "East of England": 0.11,
    "London": 0.14,
    "Midlands": 0.19,
    "North East and Yorkshire": 0.15,
    "North West": 0.14,
    "South East": 0.15,
    "South West": 0.12,
}
_NATION_REGION = {"wales": "Wales", "northern_ireland": "Northern Ireland"}

# Invented place words; a test checks none is a word of a real organisation's name.
_PLACE_HEADS = (
    "Alder",
    "Ashen",
    "Birch",
    "Bramble",
    "Briar",
    "Corrie",
    "Elder",
    "Fallow",
    "Fennel",
    "Garth",
    "Hazel",
    "Heron",
    "Holly",
    "Kestrel",
    "Lark",
    "Linnet",
    "Maple",
    "Merlin",
    "Nettle",
    "Osier",
    "Otter",
    "Plover",
    "Quill",
    "Raven",
    "Rowan",
    "Sedge",
    "Sorrel",
    "Teasel",
    "Thistle",
    "Umber",
    "Vetch",
    "Wren",
    "Yarrow",
    "Amber",
    "Cobble",
    "Dunlin",
)
_PLACE_TAILS = (
    "mere",
    "brook",
    "combe",
    "dale",
    "holt",
    "haven",
    "hurst",
    "stead",
    "wick",
    "moor",
    "ridge",
    "wold",
    "fold",
    "garth",
    "marsh",
    "wood",
)
_QUALIFIERS = ("Valley", "Vale", "Coast", "Downs", "and District", "Borders", "Riverside", "Hills", "Estuary")
_ROUND_QUALIFIERS = 5  # qualifiers kept for names past the word list

_SUFFIXES: dict[tuple[str, str], tuple[str, ...]] = {
    ("*", "acute"): (
        "Hospitals NHS Trust",
        "Hospitals NHS Foundation Trust",
        "Teaching Hospitals NHS Foundation Trust",
        "University Hospitals NHS Trust",
        "General Hospital NHS Trust",
    ),
    ("*", "specialist"): (
        "Children's Hospital NHS Foundation Trust",
        "Heart and Chest Hospital NHS Foundation Trust",
        "Orthopaedic Hospital NHS Foundation Trust",
        "Cancer Centre NHS Foundation Trust",
        "Eye Hospital NHS Foundation Trust",
        "Women's Hospital NHS Foundation Trust",
    ),
    ("*", "mental_health"): (
        "Mental Health NHS Trust",
        "Partnership NHS Foundation Trust",
        "Mental Health and Wellbeing NHS Foundation Trust",
        "Care NHS Foundation Trust",
    ),
    ("*", "community"): (
        "Community Health Services NHS Trust",
        "Community Healthcare NHS Trust",
        "Health and Care NHS Trust",
    ),
    ("*", "ambulance"): ("Ambulance Service NHS Trust", "Ambulance Service NHS Foundation Trust"),
    ("wales", "integrated"): ("University Health Board", "Teaching Health Board"),
    ("northern_ireland", "integrated"): ("Health and Social Care Trust",),
    ("*", "integrated"): ("Integrated Care NHS Trust",),
    ("*", "primary_care"): ("Primary Care Commissioning Hub", "Primary Care Performers Team"),
    ("*", "independent"): ("Healthcare Ltd", "Clinics Ltd", "Hospital Group Ltd", "Independent Hospital"),
}
_WALES_SPECIALIST: tuple[str, ...] = ("Cancer Centre NHS Trust",)


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers proportional to `weights` that add up to `total` exactly."""
    weights = np.asarray(weights, dtype=float)
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(weights.shape, dtype=np.int64)
    exact = weights / weights.sum() * total
    whole: np.ndarray = np.floor(exact).astype(np.int64)
    short = total - int(whole.sum())
    order = np.argsort(-(exact - whole), kind="stable")
    whole[order[:short]] += 1
    return whole


def _composition(count: int) -> list[tuple[str, str, int]]:
    weights = np.array([n for *_, n in _COMPOSITION], dtype=float)
    counts = largest_remainder(weights, count)
    index = {(nation, kind): i for i, (nation, kind, _) in enumerate(_COMPOSITION)}
    for nation_kind in _MUST_HAVE[: min(count, len(_MUST_HAVE))]:
        i = index[nation_kind]
        if counts[i] == 0:
            counts[i] = 1
            counts[int(np.argmax(counts))] -= 1
    return [(nation, kind, int(n)) for (nation, kind, _), n in zip(_COMPOSITION, counts, strict=True) if n]


def _place_names(rng: np.random.Generator, count: int) -> list[str]:
    """Unique place names: each word once, then again with a qualifier ("Ashmere Vale")."""
    places = [head + tail for head in _PLACE_HEADS for tail in _PLACE_TAILS]
    if count > len(places) * (1 + _ROUND_QUALIFIERS):
        raise SynthError(f"at most {len(places) * (1 + _ROUND_QUALIFIERS)} fictional organisations")
    order = rng.permutation(len(places))
    names = []
    for i in range(count):
        place = places[order[i % len(places)]]
        round_ = i // len(places)
        if round_:
            names.append(f"{place} {_QUALIFIERS[round_ - 1]}")
        elif rng.random() < 0.3:
            # The first round's optional qualifiers never meet a later round's.
            names.append(
                f"{place} {_QUALIFIERS[_ROUND_QUALIFIERS + int(rng.integers(len(_QUALIFIERS) - _ROUND_QUALIFIERS))]}"
            )
        else:
            names.append(place)
    return names


def _suffix(rng: np.random.Generator, nation: str, kind: str) -> str:
    if nation == "wales" and kind == "specialist":
        options = _WALES_SPECIALIST
    else:
        options = _SUFFIXES.get((nation, kind)) or _SUFFIXES[("*", kind)]
    return options[int(rng.integers(len(options)))]


def _region(rng: np.random.Generator, nation: str) -> str:
    if nation in _NATION_REGION:
        return _NATION_REGION[nation]
    names = list(_ENGLISH_REGIONS)
    weights = np.array(list(_ENGLISH_REGIONS.values()))
    return names[int(rng.choice(len(names), p=weights / weights.sum()))]


def fictional_organisations(rng: np.random.Generator, count: int) -> pl.DataFrame:
    """`count` clearly fictional organisations, sorted by code."""
    plan = [(nation, kind) for nation, kind, n in _composition(count) for _ in range(n)]
    width = 3 if count <= 900 else 4
    numbers = rng.choice(np.arange(10 ** (width - 1), 10**width), size=count, replace=False)
    places = _place_names(rng, count)
    names, regions = [], []
    for place, (nation, kind) in zip(places, plan, strict=True):
        names.append(f"{place} {_suffix(rng, nation, kind)}")
        regions.append(_region(rng, nation))
    frame = pl.DataFrame(
        {
            "org_code": [f"X{n}" for n in numbers],
            "name": names,
            "org_type": [kind for _, kind in plan],
            "nation": [nation for nation, _ in plan],
            "region": regions,
        }
    )
    return frame.sort("org_code")


def read_organisations(path: Path) -> pl.DataFrame:
    """A registry in the contract's `organisations` format, codes resolved; SynthError if unusable."""
    table = read_table(path, "organisations", required=("org_code", "name", "org_type", "nation"))
    org_code = required_text(table, "org_code", path)
    name = required_text(table, "name", path)
    org_type = _resolve(table, "org_type", v.ORG_TYPES, path)
    nation = _resolve(table, "nation", v.NATIONS, path)
    region = table.get_column("region") if "region" in table.columns else pl.Series([None] * table.height)
    frame = pl.DataFrame(
        {"org_code": org_code, "name": name, "org_type": org_type, "nation": nation, "region": region},
        schema=dict.fromkeys(ORG_COLUMNS, pl.String),
    ).with_columns(pl.col("region").str.strip_chars().replace("", None))
    duplicated = frame.filter(pl.col("org_code").is_duplicated()).get_column("org_code")
    if duplicated.len():
        raise SynthError(f"{path}: org_code {duplicated[0]} appears more than once")
    if frame.height == 0:
        raise SynthError(f"{path}: no organisations")
    return frame.sort("org_code")


def _resolve(table: pl.DataFrame, column: str, codes: v.CodeSet, path: Path) -> list[str]:
    resolved = []
    for row, text in enumerate(required_text(table, column, path), start=2):
        code = codes.resolve(text)
        if code is None:
            hint = codes.suggest(text)
            raise SynthError(
                f"{path}: row {row}: unknown {column} {text!r}" + (f" (did you mean {hint}?)" if hint else "")
            )
        resolved.append(code)
    return resolved
