"""Shared fixtures and checks for the builder's tests (no tests here).

The cross-table check is written independently of the builder's own plan:
it reads the built report's tables (what a reader sees), states what a reader
knows about how they relate, and solves linear programmes for the widest and
narrowest value of every hidden count and every difference a reader can form.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import polars as pl
import pytest
from scipy.optimize import linprog

from concerns import vocabulary as v
from concerns.analytics import Settings, analyse_national, analyse_organisation, organisation_codes, prepare
from concerns.disclosure import get_policy
from concerns.ingest import load
from concerns.report import render_json
from concerns.report._build import build_national_report, build_organisation_report
from concerns.synth import SynthConfig, write

AS_OF = dt.date(2025, 6, 30)
ONE_WAY = ("profession", "grade", "specialty_group", "ethnic_group", "sex", "age_band", "pmq", "disability")
REQUIRED = {
    "cases_by_year": "organisation",
    "concern_categories": "cases",
    "profession": "cases",
    "grade": "cases",
    "specialty_group": "cases",
    "ethnic_group": "cases",
    "sex": "cases",
    "age_band": "cases",
    "pmq": "cases",
    "services": "cases",
    "relative_likelihood": "ratio",
}
REQUIRED_ROWS = {
    "concern_categories": ["clinical", "behaviour", "health", "other", "more_than_one"],
    "profession": ["doctor", "dentist", "pharmacist", "total"],
    "ethnic_group": ["white", "mixed", "asian", "black", "other", "not_stated", "total"],
    "sex": ["female", "male", "not_stated", "total"],
    "pmq": ["uk", "eea", "international", "not_stated", "total"],
    "services": [
        "exclusion",
        "restriction",
        "clinical_assessment",
        "behavioural_assessment",
        "action_plan",
        "team_review",
        "hpan",
        "education",
    ],
}
DOCTOR_GRADES = ("consultant", "sas", "resident", "locally_employed", "gp")
# What a reader may take from the labels alone: these sets hold the same practitioners, or one holds the other.
SAME_PEOPLE = (
    (("grade", ("dentist",)), ("profession", ("dentist",))),
    (("grade", ("pharmacist",)), ("profession", ("pharmacist",))),
    (("grade", DOCTOR_GRADES), ("profession", ("doctor",))),
    (("specialty_group", ("dental",)), ("profession", ("dentist",))),
    (("specialty_group", ("pharmacy",)), ("profession", ("pharmacist",))),
    (("specialty_group", ("general_practice",)), ("grade", ("gp",))),
    (("specialty_group", ("dental",)), ("grade", ("dentist",))),
    (("specialty_group", ("pharmacy",)), ("grade", ("pharmacist",))),
)


# --- data ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Data:
    cases: pl.DataFrame
    organisations: pl.DataFrame
    workforce: pl.DataFrame
    fingerprint: str


def synthetic(folder) -> Data:
    ingested = load(write(SynthConfig(as_of=AS_OF), folder), today=AS_OF)
    return Data(ingested.cases, ingested.organisations, ingested.workforce, ingested.fingerprint)


def context_of(data: Data):
    return prepare(data, Settings.as_of(AS_OF))


def plant_dentists(data: Data, *, dentists: int = 3) -> tuple[Data, str]:
    """The data with one mid-sized organisation's cases rewritten: exactly `dentists` dentist cases
    (grade dentist, dental specialty), every other case of it a doctor."""
    period = Settings.as_of(AS_OF).period
    counts = (
        data.cases.filter(pl.col("fiscal_year").is_in(list(period.fiscal_years)))
        .group_by("org_code")
        .len()
        .filter(pl.col("len").is_between(30, 60))
        .sort("org_code")
    )
    code = counts["org_code"][0]
    cases = data.cases.with_row_index("_row")
    mine = cases.filter((pl.col("org_code") == code) & pl.col("fiscal_year").is_in(list(period.fiscal_years)))
    chosen = mine["_row"].head(dentists).to_list()
    others = mine["_row"].to_list()[dentists:]
    dtypes = data.cases.schema

    def put(column: str, chosen_value: str, other_value: str | None, keep_doctors: bool = False) -> pl.Expr:
        other = pl.col(column)
        if other_value is not None:
            other = (
                pl.when(pl.col("profession").cast(pl.String) != "doctor")
                .then(pl.lit(other_value))
                .otherwise(pl.col(column).cast(pl.String))
                if keep_doctors
                else pl.lit(other_value)
            )
        return (
            pl.when(pl.col("_row").is_in(chosen))
            .then(pl.lit(chosen_value))
            .when(pl.col("_row").is_in(others))
            .then(other.cast(pl.String))
            .otherwise(pl.col(column).cast(pl.String))
            .cast(dtypes[column])
            .alias(column)
        )

    cases = cases.with_columns(
        put("profession", "dentist", "doctor"),
        put("grade", "dentist", "consultant", keep_doctors=True),
        put("specialty_group", "dental", "medicine", keep_doctors=True),
        pl.when(pl.col("_row").is_in(chosen))
        .then(pl.lit("Dental"))
        .otherwise(pl.col("specialty"))
        .alias("specialty"),
    ).drop("_row")
    return dataclasses.replace(data, cases=cases, fingerprint="planted"), code


# --- building --------------------------------------------------------------------------------


@contextmanager
def no_svg() -> Iterator[None]:
    """Charts' SVG drawing stubbed out: the builder's own work is what is measured and checked."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("concerns.report._charts._render.to_svg", lambda spec, **_: "<svg/>")
        yield


def build(context, code: str, policy: str = "standard"):
    analysis = analyse_organisation(context, code)
    return analysis, build_organisation_report(
        analysis, context, policy=policy, as_of=AS_OF, illustrative=True
    )


def build_national(context, policy: str = "standard"):
    return build_national_report(
        analyse_national(context), context, policy=policy, as_of=AS_OF, illustrative=True
    )


def as_json(report) -> dict:
    return json.loads(render_json(report))


def codes(context) -> list[str]:
    return organisation_codes(context)


# --- reading the report ----------------------------------------------------------------------


def tables(data: dict) -> dict[str, dict]:
    return {table["id"]: table for table in data["tables"]}


def cell(table: dict, row: str, column: str) -> dict:
    index = next(i for i, c in enumerate(table["columns"]) if c["key"] == column)
    return next(r for r in table["rows"] if r["key"] == row)["cells"][index]


def texts(data: dict) -> list[str]:
    """Every sentence-bearing string of the report: messages, paragraphs, lists, tiles, callouts, alt text,
    and the text cells of tables."""
    found = list(data["key_messages"])
    for section in data["sections"]:
        for block in section["blocks"]:
            kind = block["type"]
            if kind == "paragraph":
                found.append(block["text"])
            elif kind in ("list", "key_messages"):
                found += block["items"]
            elif kind == "tiles":
                found += [f"{t['label']}: {t['value']}. {t['note']}" for t in block["tiles"]]
            elif kind == "callout":
                found += [block["title"], block["text"]]
            elif kind == "chart":
                found.append(block["alt"])
    for table in data["tables"]:
        for row in table["rows"]:
            for column, c in zip(table["columns"], row["cells"], strict=True):
                if column["kind"] == "text":
                    found.append(c["display"])
    return found


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;])\s+(?=[A-Z0-9])", text) if s]


QUOTED = re.compile(r"(?<!ewer than )(?<![\d,])(\d[\d,]*) of (\d[\d,]*) cases?")


def check_quoted_counts(data: dict) -> None:
    """Every "12 of 40 cases" in the text quotes two counts a table shows."""
    published = {
        c["display"] for t in data["tables"] for r in t["rows"] for c in r["cells"] if not c["suppressed"]
    }
    for text in texts(data):
        for part, whole in QUOTED.findall(text):
            assert part in published and whole in published, text


PEER_WORDS = {
    "higher": "is higher than at similar sized organisations taken together, by more than chance would explain",
    "lower": "is lower than at similar sized organisations taken together, by more than chance would explain",
    "similar": "is in line with that of similar sized organisations: any difference could be chance",
}


def peer_claims(data: dict) -> list[str]:
    """Every sentence about the rate against similar sized organisations says what its finding says."""
    verdict = next(p["verdict"] for p in data["findings"]["peer_comparisons"] if p["indicator"] == "rate")
    said = [words for text in texts(data) for words in PEER_WORDS.values() if f"the rate {words}" in text]
    assert set(said) <= {PEER_WORDS.get(verdict)}, (verdict, said)
    return [verdict] if said else []


# --- the reader's linear programme ------------------------------------------------------------


def variable_of(table_id: str, row: str) -> tuple[str, ...] | None:
    """The count a table row publishes, named as the same count in every table."""
    if row in ("total", "all_cases"):
        return ("total",)
    if table_id == "cases_by_year":
        return ("fiscal_year", row)
    if table_id in ONE_WAY or table_id == "disability":
        return (table_id, row)
    if table_id == "concern_categories":
        return ("concern_category", row)
    if table_id == "concern_subtypes":
        return ("concern_subtype", row)
    if table_id == "services":
        return ("service", row)
    if table_id == "data_quality":
        return (row, "not_stated")
    if table_id == "clusters":
        return ("practitioners", row)
    return None


COUNT_COLUMN = {"cases_by_year": "organisation", "clusters": "observed"}


def published_counts(data: dict) -> dict[tuple[str, ...], dict]:
    """Every count cell of the report by the count it publishes; the same count must read the same everywhere.

    Each cell comes back with `zeros_hidden`: whether every table it appears in says its symbol includes 0.
    """
    seen: dict[tuple[str, ...], dict] = {}
    for table in data["tables"]:
        key = COUNT_COLUMN.get(table["id"], "cases")
        if not any(c["key"] == key for c in table["columns"]):
            continue
        zeros = any("zero included" in note for note in table["notes"])
        withheld = any(note.startswith("Every count in this table is hidden") for note in table["notes"])
        for row in table["rows"]:
            name = variable_of(table["id"], row["key"])
            if name is None or "combined_into" in row:
                continue
            found = cell(table, row["key"], key)
            if name in seen:
                first = {k: seen[name][k] for k in ("display", "value", "suppressed")}
                assert first == found, f"{name} reads {first} in one table and {found} in another"
                seen[name]["zeros_hidden"] &= zeros
                seen[name]["withheld"] |= withheld
            else:
                seen[name] = {**found, "zeros_hidden": zeros, "withheld": withheld}
    return seen


def _small(count: int, policy, zeros_hidden: bool) -> bool:
    return count < policy.threshold and (count > 0 or zeros_hidden or not policy.show_zeros)


@dataclasses.dataclass
class Reader:
    """Linear knowledge: variables with bounds, equalities and inequalities (a·x = b, a·x <= b)."""

    names: list[tuple[str, ...]]
    bounds: list[tuple[float, float | None]]
    equal: list[tuple[dict, float]] = dataclasses.field(default_factory=list)
    at_most: list[tuple[dict, float]] = dataclasses.field(default_factory=list)

    def index(self, name: tuple[str, ...]) -> int:
        return self.names.index(name)

    def add(self, name: tuple[str, ...], low: float, high: float | None) -> None:
        self.names.append(name)
        self.bounds.append((low, high))

    def range_of(self, terms: dict) -> tuple[float, float]:
        """The least and greatest value of sum(coefficient × variable) the reader cannot rule out."""
        objective = np.zeros(len(self.names))
        for name, coefficient in terms.items():
            objective[self.index(name)] += coefficient
        extremes = []
        for sign in (1, -1):
            result = linprog(
                sign * objective,
                A_eq=self._matrix(self.equal)[0],
                b_eq=self._matrix(self.equal)[1],
                A_ub=self._matrix(self.at_most)[0],
                b_ub=self._matrix(self.at_most)[1],
                bounds=self.bounds,
                method="highs",
            )
            if result.status == 3:
                extremes.append(math.inf)
                continue
            assert result.status == 0, result.message
            extremes.append(sign * result.fun)
        low, high = extremes
        return math.ceil(low - 1e-6), (high if math.isinf(high) else math.floor(high + 1e-6))

    def _matrix(self, rows: list[tuple[dict, float]]):
        if not rows:
            return None, None
        matrix = np.zeros((len(rows), len(self.names)))
        for i, (terms, _) in enumerate(rows):
            for name, coefficient in terms.items():
                matrix[i, self.index(name)] += coefficient
        return matrix, np.array([b for _, b in rows])


def true_counts(analysis) -> dict[tuple[str, ...], int]:
    profile = analysis.profile
    counts: dict[tuple[str, ...], int] = {("total",): profile.total}
    for dimension, breakdown in profile.breakdowns.items():
        for row in breakdown.rows:
            counts[(dimension, row.code)] = row.cases
    for test in analysis.findings.clusters:
        counts[("practitioners", f"{test.dimension}:{'|'.join(test.codes)}")] = test.observed
    return counts


def add_combined(truth: dict[tuple[str, ...], int], shown: dict) -> None:
    """The true count of every combined row a report publishes: the sum of its groups."""
    for name in shown:
        if len(name) == 2 and "+" in name[1]:
            truth[name] = sum(truth[(name[0], code)] for code in name[1].split("+"))


def reader_of(data: dict, analysis, policy_name: str) -> tuple[Reader, list[tuple[str, dict, int]]]:
    """What a reader knows from the report, and the differences they can form (name, terms, true value)."""
    policy = get_policy(policy_name)
    truth = true_counts(analysis)
    shown = published_counts(data)
    add_combined(truth, shown)
    reader = Reader([], [])
    for name in shown:
        if "+" in name[-1]:
            # A combined row is, by its label, the sum of its groups: the reader links them.
            members = [(name[0], code) for code in name[-1].split("+")]
            reader.equal.append(({name: 1, **dict.fromkeys(members, -1)}, 0))
            for member in members:
                reader.add(member, 0, None)
    for name, c in shown.items():
        zeros = c["zeros_hidden"] or not policy.show_zeros
        if not c["suppressed"]:
            low, high = policy.shown_as(c["value"])
            reader.add(name, low, high)
        elif c["withheld"]:  # a withheld table's symbols say nothing of which counts are small
            reader.add(name, 0, None)
        elif _small(truth[name], policy, zeros):
            # Cautious: the reader knows a hidden count is small, and that it is not zero where zeros are shown.
            reader.add(name, 0 if zeros else 1, policy.threshold - 1)
        elif truth[name] >= policy.threshold and c["display"] == policy.complementary_symbol:
            reader.add(name, policy.threshold, None)
        else:
            reader.add(name, 0, None)
    tables_ = tables(data)

    def rows(table_id: str) -> list[str]:
        return [
            r["key"]
            for r in tables_[table_id]["rows"]
            if r["key"] not in ("total", "all_cases") and "combined_into" not in r
        ]

    total = {("total",): 1}
    years = [("fiscal_year", y) for y in rows("cases_by_year")]
    reader.equal.append(({**dict.fromkeys(years, 1), ("total",): -1}, 0))
    for table_id in ONE_WAY:
        reader.equal.append(({**{(table_id, r): 1 for r in rows(table_id)}, ("total",): -1}, 0))
    categories = [("concern_category", c) for c in v.CONCERN_CATEGORIES.codes]
    several = ("concern_category", "more_than_one")
    for name in (*categories, several, *(("service", r) for r in rows("services"))):
        reader.at_most.append(({name: 1, ("total",): -1}, 0))
    reader.at_most.append(({**dict.fromkeys(categories, -1), several: 1, **total}, 0))
    reader.at_most.append(({**dict.fromkeys(categories, 1), several: -3, ("total",): -1}, 0))
    for r in rows("concern_subtypes"):
        reader.at_most.append(({("concern_subtype", r): 1, ("concern_category", v.CONCERNS.group(r)): -1}, 0))
    differences = []
    for (dim_a, codes_a), (dim_b, codes_b) in SAME_PEOPLE:
        a = {(dim_a, c): 1 for c in codes_a}
        b = {(dim_b, c): 1 for c in codes_b}
        true_a, true_b = sum(truth[k] for k in a), sum(truth[k] for k in b)
        small, large = (a, b) if true_a <= true_b else (b, a)
        reader.at_most.append(({**small, **{k: -1 for k in large}}, 0))
        label, gap = f"{codes_b} minus {codes_a}", abs(true_b - true_a)
        unrecorded = _unrecorded(analysis.profile, small, large)
        unstated = (next(iter(small))[0], "not_stated")
        if unstated in shown and unrecorded <= gap:
            # Part of the gap may be cases whose grade (or specialty group) was not stated: the reader
            # knows the rest, the practitioners who must not be singled out, only within that many.
            stated = ("difference", label)
            reader.add(stated, 0, None)
            reader.at_most.append(({**{k: -1 for k in large}, **small, stated: 1}, 0))
            reader.at_most.append(({**large, **{k: -1 for k in small}, stated: -1, unstated: -1}, 0))
            differences.append((f"{label}, recorded", {stated: 1}, gap - unrecorded))
        else:
            differences.append((label, {**large, **{k: -1 for k in small}}, gap))
    for row in tables_.get("clusters", {"rows": []})["rows"]:
        # A staff group's practitioners are at most its cases in each breakdown it belongs to.
        name = variable_of("clusters", row["key"])
        dimension, codes_ = row["key"].split(":")
        if dimension == "specialty":  # a specialty's practitioners are among its group's
            margins = [("specialty_group", v.SPECIALTIES.group(codes_))]
        else:
            breakdowns = ("specialty_group", "grade") if dimension == "specialty_grade" else (dimension,)
            margins = list(zip(breakdowns, codes_.split("|"), strict=True))
        for margin in margins:
            reader.at_most.append(({name: 1, margin: -1}, 0))
    if policy.rounding_base == 1:
        _ratio_knowledge(reader, data, analysis)
        differences += _doctors_alone_differences(data, analysis)
    return reader, differences


def _unrecorded(profile, small: dict, large: dict) -> int:
    """The cases of the larger side whose dimension on the smaller side is not stated."""
    (small_dimension, _), (large_dimension, _) = next(iter(small)), next(iter(large))
    by_code = profile.unrecorded.get((small_dimension, large_dimension), {})
    return sum(by_code.get(code, 0) for _, code in large)


def _ratio_knowledge(reader: Reader, data: dict, analysis) -> None:
    """A relative likelihood shown with its interval gives away both of its case counts."""
    from concerns.analytics._equality import COMPARISONS

    table = tables(data)["relative_likelihood"]
    for comparison in COMPARISONS:
        if cell(table, comparison.id, "ratio")["value"] is None:
            continue
        result = analysis.equality.pooled[comparison.id]
        dimension = v.DIMENSION_CASE_COLUMN[comparison.dimension]
        assert result.cases_left_out == 0, "the synthetic data count every profession"
        for codes_, cases in ((comparison.group_a, result.cases_a), (comparison.group_b, result.cases_b)):
            reader.equal.append(({(dimension, c): 1 for c in codes_}, cases))


def _doctors_alone_differences(data: dict, analysis) -> list[tuple[str, dict, int]]:
    """A doctors-alone ratio shown gives away its counts: each group's cases less the doctors' is the
    dentists' and pharmacists' cases in it, a difference a reader can form from the group's rows."""
    from concerns.analytics._equality import DOCTOR_COMPARISONS

    table = tables(data).get("relative_likelihood_doctors")
    shown = {row["key"] for row in table["rows"] if row["cells"][0]["value"] is not None} if table else set()
    found = []
    for comparison in DOCTOR_COMPARISONS:
        if comparison.id not in shown:
            continue
        doctors = analysis.equality.pooled[comparison.id]
        every = analysis.equality.pooled[comparison.of_every_profession]
        dimension = v.DIMENSION_CASE_COLUMN[comparison.dimension]
        for side, codes_, cases, all_cases in (
            ("a", comparison.group_a, doctors.cases_a, every.cases_a),
            ("b", comparison.group_b, doctors.cases_b, every.cases_b),
        ):
            terms = {(dimension, c): 1 for c in codes_}
            found.append((f"{comparison.id}:{side} not doctors", terms, all_cases - cases))
    return found


def unsafe_cells(data: dict, analysis, policy_name: str) -> list[str]:
    """Every hidden count (and every difference a reader can form) narrower than the policy allows."""
    policy = get_policy(policy_name)
    truth = true_counts(analysis)
    reader, differences = reader_of(data, analysis, policy_name)
    problems = []
    shown = published_counts(data)
    add_combined(truth, shown)
    for name, c in shown.items():
        if not c["suppressed"]:
            continue
        low, high = reader.range_of({name: 1})
        needed = policy.min_width if _small(truth[name], policy, c["zeros_hidden"]) else 1
        if high - low < needed:
            problems.append(f"{name}: [{low}, {high}] (true {truth[name]}, needs width {needed})")
    for name in [n for n in shown if "+" in n[-1]]:
        # A small group counted in a combined row must not be separable from it either.
        for member in ((name[0], code) for code in name[-1].split("+")):
            if _small(truth[member], policy, True) and truth[member]:
                low, high = reader.range_of({member: 1})
                if high - low < policy.min_width:
                    problems.append(f"{member} in {name}: [{low}, {high}] (true {truth[member]})")
    for label, terms, true_value in differences:
        if 0 < true_value < policy.threshold:
            low, high = reader.range_of(terms)
            if high - low < policy.min_width:
                problems.append(f"difference {label}: [{low}, {high}] (true {true_value})")
    return problems
