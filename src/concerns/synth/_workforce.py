"""The denominators: practitioner headcount by organisation, year, profession and group.

Sizes are log-normal by organisation type and profession (acute trusts ~50 to
~3,000 doctors; primary care organisations hold the GPs, most dentists and many
pharmacists). Each organisation's mix of each dimension is the national mix for
its profession and setting, perturbed (Dirichlet) and shifted by region for
ethnicity, then drifts slowly year by year with national trends (more ethnic
minority and international staff, more women). Groups are whole numbers that
add up to the total exactly (largest remainder).

Ethnic group and place of qualification are strongly related among doctors, so
their joint table (needed by the rate model) is fitted to each cell's two margins
by iterative proportional fitting from a national pattern. The other dimensions
are treated as independent of each other.

Given headcounts (`--workforce`) are kept exactly; only what is missing is invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from concerns import vocabulary as v
from concerns.synth._config import SynthError
from concerns.synth._tables import read_table, required_text

__all__ = ["DIMENSIONS", "PROFESSIONS", "Population", "build_population", "read_workforce", "workforce_frame"]

PROFESSIONS: tuple[str, ...] = v.PROFESSIONS.codes
DIMENSIONS: tuple[str, ...] = tuple(d for d in v.WORKFORCE_DIMENSIONS.codes if d != "total")
GROUPS: dict[str, tuple[str, ...]] = {d: v.DIMENSION_CODESETS[d].codes for d in DIMENSIONS}
WORKFORCE_COLUMNS = ("org_code", "fiscal_year", "profession", "dimension", "group", "headcount")

# Log-normal headcount by (org type, profession): median, sigma, lowest, highest.
_SIZES: dict[str, dict[str, tuple[float, float, int, int]]] = {
    "acute": {"doctor": (650, 0.65, 50, 3000), "dentist": (10, 0.8, 0, 80), "pharmacist": (55, 0.6, 5, 300)},
    "specialist": {
        "doctor": (280, 0.7, 30, 1500),
        "dentist": (4, 1.2, 0, 200),
        "pharmacist": (30, 0.6, 3, 150),
    },
    "mental_health": {"doctor": (150, 0.5, 20, 600), "dentist": (0, 0, 0, 0), "pharmacist": (15, 0.5, 2, 60)},
    "community": {"doctor": (60, 0.6, 8, 300), "dentist": (25, 0.6, 0, 120), "pharmacist": (10, 0.6, 1, 50)},
    "ambulance": {"doctor": (20, 0.6, 3, 80), "dentist": (0, 0, 0, 0), "pharmacist": (2, 0.5, 0, 8)},
    "integrated": {
        "doctor": (1100, 0.6, 100, 3000),
        "dentist": (70, 0.5, 5, 250),
        "pharmacist": (120, 0.5, 10, 400),
    },
    "primary_care": {
        "doctor": (800, 0.5, 100, 3000),
        "dentist": (900, 0.5, 100, 3000),
        "pharmacist": (400, 0.5, 40, 1500),
    },
    "independent": {"doctor": (80, 0.8, 5, 600), "dentist": (8, 1.2, 0, 300), "pharmacist": (6, 0.7, 0, 60)},
}
# Yearly growth of headcount: mean and spread of the log change.
_SIZE_CORRELATION = 0.8  # between the log sizes of an organisation's professions
_GROWTH = {"doctor": (0.025, 0.03), "dentist": (0.0, 0.03), "pharmacist": (0.04, 0.04)}

_ETHNICITY = {  # white, mixed, asian, black, other, not stated
    "doctor": (0.53, 0.03, 0.29, 0.07, 0.05, 0.03),
    "dentist": (0.58, 0.03, 0.28, 0.03, 0.05, 0.03),
    "pharmacist": (0.45, 0.03, 0.38, 0.08, 0.03, 0.03),
}
_SEX = {"doctor": (0.48, 0.52, 0.0), "dentist": (0.52, 0.48, 0.0), "pharmacist": (0.63, 0.37, 0.0)}
_PMQ = {  # uk, eea, international, not stated
    "doctor": (0.57, 0.08, 0.34, 0.01),
    "dentist": (0.72, 0.17, 0.10, 0.01),
    "pharmacist": (0.88, 0.05, 0.06, 0.01),
}
_AGE = {  # under 35, 35-44, 45-54, 55-64, 65+, not stated
    "doctor": (0.36, 0.28, 0.20, 0.12, 0.04, 0.0),
    "gp": (0.12, 0.32, 0.28, 0.20, 0.08, 0.0),
    "dentist": (0.25, 0.30, 0.22, 0.16, 0.07, 0.0),
    "pharmacist": (0.32, 0.33, 0.20, 0.11, 0.04, 0.0),
}
_DISABILITY = (0.04, 0.81, 0.15)  # yes, no, not stated
_DOCTOR_GRADES = {  # consultant, sas, resident, locally employed, gp, other
    "secondary": (0.34, 0.09, 0.42, 0.13, 0.0, 0.02),
    "integrated": (0.33, 0.09, 0.40, 0.13, 0.03, 0.02),
    "community": (0.30, 0.20, 0.30, 0.10, 0.05, 0.05),
    "ambulance": (0.20, 0.15, 0.10, 0.30, 0.15, 0.10),
    "primary_care": (0.0, 0.0, 0.08, 0.0, 0.90, 0.02),
    "independent": (0.60, 0.10, 0.0, 0.10, 0.10, 0.10),
}
# Ethnic minority share of the workforce relative to the national mix, by region.
_REGION_MINORITY = {
    "London": 1.35,
    "Midlands": 1.1,
    "North West": 1.0,
    "North East and Yorkshire": 0.9,
    "South East": 0.95,
    "South West": 0.75,
    "East of England": 0.95,
    "Wales": 0.7,
    "Northern Ireland": 0.55,
}
# Relative odds of each place of qualification by ethnic group (rows), for the joint table.
_ETHNICITY_PMQ_PATTERN = np.array(
    [
        [0.80, 0.15, 0.04, 0.01],  # white
        [0.80, 0.06, 0.13, 0.01],  # mixed
        [0.38, 0.02, 0.59, 0.01],  # asian
        [0.38, 0.02, 0.59, 0.01],  # black
        [0.35, 0.12, 0.52, 0.01],  # other
        [0.55, 0.08, 0.36, 0.01],  # not stated
    ]
)
# Yearly national trends (multiplier per year) on some groups.
_TRENDS = {("ethnicity", g): 1.015 for g in v.ETHNIC_MINORITY_GROUPS} | {
    ("pmq", "international"): 1.03,
    ("sex", "female"): 1.01,
}
_CONCENTRATION = 150.0  # how closely an organisation's mix follows the national mix
_DRIFT_SD = 0.02  # yearly organisation-level drift of each group (log scale)


@dataclass
class Population:
    """Headcounts as arrays indexed [organisation, year, profession, group]."""

    orgs: pl.DataFrame
    years: tuple[str, ...]
    totals: np.ndarray  # [O, Y, P]
    counts: dict[str, np.ndarray]  # dimension -> [O, Y, P, G]
    joint: np.ndarray = field(init=False)  # ethnicity x pmq persons, [O, Y, P, 6, 4]
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.joint = _fit_joint(self.counts["ethnicity"], self.counts["pmq"])

    def year_index(self, year: str) -> int:
        return self.years.index(year)


def _setting(org_type: str) -> str:
    if org_type in ("acute", "specialist", "mental_health"):
        return "secondary"
    return org_type


def _national_mix(dimension: str, profession: str, org_type: str) -> np.ndarray:
    if dimension == "ethnicity":
        return np.array(_ETHNICITY[profession])
    if dimension == "sex":
        return np.array(_SEX[profession])
    if dimension == "pmq":
        return np.array(_PMQ[profession])
    if dimension == "disability":
        return np.array(_DISABILITY)
    if dimension == "age_band":
        key = "gp" if profession == "doctor" and org_type == "primary_care" else profession
        return np.array(_AGE[key])
    mix = dict.fromkeys(GROUPS["grade"], 0.0)
    if profession == "doctor":
        shares = _DOCTOR_GRADES[_setting(org_type)]
        mix.update(
            zip(("consultant", "sas", "resident", "locally_employed", "gp", "other"), shares, strict=True)
        )
    else:
        mix[profession] = 1.0
    return np.array(list(mix.values()))


def _org_shares(
    rng: np.random.Generator, orgs: pl.DataFrame, years: tuple[str, ...], dimension: str, profession: str
) -> np.ndarray:
    """Shares [O, Y, G] of one dimension for one profession."""
    org_types = orgs.get_column("org_type").to_list()
    base = np.array([_national_mix(dimension, profession, kind) for kind in org_types])
    if dimension == "ethnicity":
        regions = orgs.get_column("region").fill_null("").to_list()
        minority = np.array([g in v.ETHNIC_MINORITY_GROUPS for g in GROUPS["ethnicity"]])
        factor = np.array([_REGION_MINORITY.get(region, 1.0) for region in regions])
        base = np.where(minority, base * factor[:, None], base)
    base = base / base.sum(axis=1, keepdims=True)
    perturbed = rng.gamma(shape=np.maximum(base * _CONCENTRATION, 0.0)) * (base > 0)
    perturbed = np.where(perturbed.sum(axis=1, keepdims=True) > 0, perturbed, base)
    trend = np.array([_TRENDS.get((dimension, g), 1.0) for g in GROUPS[dimension]])
    steps = np.arange(len(years))[:, None]
    drift = np.exp(np.cumsum(rng.normal(0.0, _DRIFT_SD, size=(len(orgs), len(years), base.shape[1])), axis=1))
    shares = perturbed[:, None, :] * trend[None, None, :] ** steps[None] * drift
    normalised: np.ndarray = shares / np.maximum(shares.sum(axis=2, keepdims=True), 1e-300)
    return normalised


def split_whole(shares: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Largest-remainder rounding along the last axis: whole numbers adding up to `totals`."""
    exact = shares * totals[..., None]
    whole = np.floor(exact + 1e-9).astype(np.int64)
    short = totals.astype(np.int64) - whole.sum(axis=-1)
    order = np.argsort(-(exact - whole), axis=-1, kind="stable")
    rank = np.argsort(order, axis=-1, kind="stable")
    rounded: np.ndarray = whole + (rank < short[..., None])
    return rounded


def _size_scores(rng: np.random.Generator, org_types: list[str], given: np.ndarray) -> np.ndarray:
    """How large each organisation is (a standard-normal score), read from a given total if there is one,
    so invented dentists and pharmacists follow a real organisation's known number of doctors."""
    scores = rng.standard_normal(len(org_types))
    for o, kind in enumerate(org_types):
        for p, profession in enumerate(PROFESSIONS):
            known = given[o, :, p][given[o, :, p] > 0]
            median, sigma, *_ = _SIZES[kind][profession]
            if known.size and median > 0 and sigma > 0:
                scores[o] = np.clip(np.log(known[0] / median) / sigma, -3, 3)
                break
    return scores


def _invented_sizes(
    rng: np.random.Generator, org_types: list[str], profession: str, scores: np.ndarray
) -> np.ndarray:
    """First-year headcount: log-normal by type, correlated across an organisation's professions."""
    params = np.array([_SIZES[kind][profession] for kind in org_types])
    median, sigma, low, high = params.T
    own = _SIZE_CORRELATION * scores + np.sqrt(1 - _SIZE_CORRELATION**2) * rng.standard_normal(len(org_types))
    sizes: np.ndarray = np.clip(np.round(median * np.exp(sigma * own)), low, high)
    return sizes


def _totals(
    rng: np.random.Generator, orgs: pl.DataFrame, years: tuple[str, ...], given: np.ndarray
) -> np.ndarray:
    """Totals [O, Y, P]; where `given` (>= 0) has a value it is kept and anchors the other years."""
    org_types = orgs.get_column("org_type").to_list()
    totals = np.zeros((len(orgs), len(years), len(PROFESSIONS)), dtype=np.int64)
    starts = np.array([v.parse_fiscal_year(y) for y in years])
    scores = _size_scores(rng, org_types, given)
    for p, profession in enumerate(PROFESSIONS):
        mean, sd = _GROWTH[profession]
        first = _invented_sizes(rng, org_types, profession, scores)
        span = starts[-1] - starts[0] + 1
        level = np.cumsum(rng.normal(mean, sd, size=(len(orgs), span)), axis=1)
        level = level - level[:, :1]
        at_years = level[:, starts - starts[0]]  # [O, Y]
        for o in range(len(orgs)):
            known = np.flatnonzero(given[o, :, p] >= 0)
            if known.size == 0:
                totals[o, :, p] = np.round(first[o] * np.exp(at_years[o]))
                continue
            for y in range(len(years)):
                anchor = known[np.argmin(np.abs(known - y))]
                value = given[o, anchor, p] * np.exp(at_years[o, y] - at_years[o, anchor])
                totals[o, y, p] = given[o, y, p] if y in known else round(float(value))
    return totals


def build_population(
    seed_streams: tuple[np.random.Generator, np.random.Generator],
    orgs: pl.DataFrame,
    years: tuple[str, ...],
    given: pl.DataFrame | None = None,
) -> Population:
    """Headcounts for every organisation, year, profession and group."""
    size_rng, share_rng = seed_streams
    index = _GivenIndex(orgs, years, given)
    totals = _totals(size_rng, orgs, years, index.totals())
    counts = {}
    for dimension in DIMENSIONS:
        shares = np.stack(
            [_org_shares(share_rng, orgs, years, dimension, profession) for profession in PROFESSIONS], axis=2
        )
        counts[dimension] = index.apply(dimension, shares, totals)
    return Population(orgs=orgs, years=years, totals=totals, counts=counts, notes=index.notes)


class _GivenIndex:
    """Given headcount rows as arrays: -1 where nothing was given."""

    def __init__(self, orgs: pl.DataFrame, years: tuple[str, ...], given: pl.DataFrame | None) -> None:
        shape = (len(orgs), len(years), len(PROFESSIONS))
        self.total = np.full(shape, -1, dtype=np.int64)
        self.groups = {d: np.full((*shape, len(GROUPS[d])), -1, dtype=np.int64) for d in DIMENSIONS}
        self.notes: list[str] = []
        if given is None:
            return
        org_at = {code: i for i, code in enumerate(orgs.get_column("org_code").to_list())}
        year_at = {year: i for i, year in enumerate(years)}
        for row in given.iter_rows(named=True):
            o, y, p = (
                org_at[row["org_code"]],
                year_at[row["fiscal_year"]],
                PROFESSIONS.index(row["profession"]),
            )
            if row["dimension"] == "total":
                self.total[o, y, p] = row["headcount"]
            else:
                self.groups[row["dimension"]][o, y, p, GROUPS[row["dimension"]].index(row["group"])] = row[
                    "headcount"
                ]

    def totals(self) -> np.ndarray:
        """Given totals, or failing one the largest sum of a dimension's given groups."""
        derived = np.max([np.where(g >= 0, g, 0).sum(axis=-1) for g in self.groups.values()], axis=0)
        has_groups = np.any([np.any(g >= 0, axis=-1) for g in self.groups.values()], axis=0)
        return np.where(self.total >= 0, self.total, np.where(has_groups, derived, -1))

    def apply(self, dimension: str, shares: np.ndarray, totals: np.ndarray) -> np.ndarray:
        given = self.groups[dimension]
        invented = split_whole(shares, totals)
        known = given >= 0
        if not known.any():
            return invented
        rest = np.maximum(totals - np.where(known, given, 0).sum(axis=-1), 0)
        missing_shares = np.where(known, 0.0, shares)
        norm = missing_shares.sum(axis=-1, keepdims=True)
        missing_shares = np.where(norm > 0, missing_shares / np.where(norm > 0, norm, 1), 0.0)
        filled = split_whole(missing_shares, np.where(norm[..., 0] > 0, rest, 0))
        result = np.where(known, given, filled)
        cells = np.any(known, axis=-1)
        off = cells & (result.sum(axis=-1) != totals)
        if off.any():
            self.notes.append(
                f"{int(off.sum())} given {dimension} breakdowns do not add up to their totals; kept as given"
            )
        return np.where(cells[..., None], result, invented)


def _fit_joint(ethnicity: np.ndarray, pmq: np.ndarray, rounds: int = 40) -> np.ndarray:
    """Ethnicity x pmq tables matching both margins, by iterative proportional fitting."""
    rows = ethnicity.astype(float)[..., :, None]
    columns = pmq.astype(float)[..., None, :]
    table = np.broadcast_to(_ETHNICITY_PMQ_PATTERN, (*ethnicity.shape[:-1], 6, 4)).copy()
    for _ in range(rounds):
        table *= _ratio(rows, table.sum(axis=-1, keepdims=True))
        table *= _ratio(columns, table.sum(axis=-2, keepdims=True))
    return table


def _ratio(target: np.ndarray, current: np.ndarray) -> np.ndarray:
    """target / current, 0 where current is 0."""
    ratio: np.ndarray = np.divide(
        target, current, out=np.zeros(np.broadcast_shapes(target.shape, current.shape)), where=current > 0
    )
    return ratio


def workforce_frame(population: Population) -> pl.DataFrame:
    """The contract's `workforce` rows, sorted by organisation, year, profession, dimension, group."""
    orgs, years, professions = population.totals.shape
    codes = population.orgs.get_column("org_code").to_list()
    pieces: list[tuple[str, tuple[str, ...], np.ndarray]] = [
        ("total", ("all",), population.totals[..., None])
    ]
    pieces += [(d, GROUPS[d], population.counts[d]) for d in DIMENSIONS]
    frames = []
    for rank, (_, groups, values) in enumerate(pieces):
        shape = (orgs, years, professions, len(groups))
        o, y, p, g = np.meshgrid(*(np.arange(n) for n in shape), indexing="ij")
        frames.append(
            pl.DataFrame(
                {
                    "o": o.ravel(),
                    "y": y.ravel(),
                    "p": p.ravel(),
                    "d": np.full(o.size, rank),
                    "g": g.ravel(),
                    "group": pl.Series(groups).gather(g.ravel()),
                    "headcount": values.ravel().astype(np.int64),
                }
            )
        )
    rows = pl.concat(frames).sort(["o", "y", "p", "d", "g"])
    dimension_names = pl.Series([name for name, *_ in pieces])
    return pl.DataFrame(
        {
            "org_code": pl.Series(codes).gather(rows.get_column("o")),
            "fiscal_year": pl.Series(population.years).gather(rows.get_column("y")),
            "profession": pl.Series(PROFESSIONS).gather(rows.get_column("p")),
            "dimension": dimension_names.gather(rows.get_column("d")),
            "group": rows.get_column("group"),
            "headcount": rows.get_column("headcount"),
        }
    )


def read_workforce(path: Path, orgs: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Given headcount rows with codes resolved, and how many rows named an unknown organisation."""
    table = read_table(path, "workforce", required=WORKFORCE_COLUMNS)
    known = set(orgs.get_column("org_code").to_list())
    rows: dict[tuple[str, str, str, str, str], int] = {}
    dropped = 0
    values = {c: required_text(table, c, path) for c in WORKFORCE_COLUMNS}
    for i in range(table.height):
        row_number = i + 2
        org_code = values["org_code"][i]
        if org_code not in known:
            dropped += 1
            continue
        key = _workforce_key(path, row_number, {c: values[c][i] for c in WORKFORCE_COLUMNS})
        if key in rows:
            raise SynthError(
                f"{path}: row {row_number}: a second headcount for the same organisation, year and group"
            )
        rows[key] = _headcount(path, row_number, values["headcount"][i])
    frame = pl.DataFrame(
        [(*key, count) for key, count in rows.items()],
        schema={c: (pl.Int64 if c == "headcount" else pl.String) for c in WORKFORCE_COLUMNS},
        orient="row",
    )
    return frame, dropped


def _workforce_key(path: Path, row: int, values: dict[str, str]) -> tuple[str, str, str, str, str]:
    if not v.is_fiscal_year(values["fiscal_year"]):
        raise SynthError(f"{path}: row {row}: fiscal_year {values['fiscal_year']!r} is not like 2023/24")
    profession = v.PROFESSIONS.resolve(values["profession"])
    dimension = v.WORKFORCE_DIMENSIONS.resolve(values["dimension"])
    if profession is None:
        raise SynthError(f"{path}: row {row}: unknown profession {values['profession']!r}")
    if dimension is None:
        raise SynthError(f"{path}: row {row}: unknown dimension {values['dimension']!r}")
    if dimension == "total":
        group = v.TOTAL_GROUP if values["group"].strip().lower() == v.TOTAL_GROUP else None
    else:
        group = v.DIMENSION_CODESETS[dimension].resolve(values["group"])
    if group is None:
        raise SynthError(f"{path}: row {row}: unknown {dimension} group {values['group']!r}")
    return values["org_code"], values["fiscal_year"].strip(), profession, dimension, group


def _headcount(path: Path, row: int, text: str) -> int:
    try:
        number = float(text)
    except ValueError:
        raise SynthError(f"{path}: row {row}: headcount {text!r} is not a number") from None
    if number < 0 or number != int(number):
        raise SynthError(f"{path}: row {row}: headcount {text!r} is not a whole number of 0 or more")
    return int(number)
