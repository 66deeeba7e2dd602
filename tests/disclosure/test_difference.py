"""Differencing across a batch: organisations' hidden counts against the national counts they add up to."""

from __future__ import annotations

import pytest

from concerns.disclosure import (
    Breakdown,
    Link,
    Row,
    Subtotal,
    difference,
    get_policy,
    national_counts,
    report_breakdown,
)

POLICY = get_policy("standard")


def shown(code: str, count: int) -> Row:
    return Row((code,), count, count)


def small(code: str, *, zeros: bool = False) -> Row:
    return Row((code,), 0 if zeros else 1, 4, small=True)


def complement(code: str) -> Row:
    return Row((code,), 5, None)


def audit(breakdowns, national, **options):
    found = difference(breakdowns, national, min_width=2, threshold=5, **options)
    return {(n.organisation, n.codes[0]): (n.low, n.high) for n in found}


def test_a_national_count_minus_what_the_others_show_pins_the_one_organisation_hiding_it():
    a = Breakdown("A", (shown("x", 12), small("y"), complement("z")), (20, 20))
    b = Breakdown("B", (shown("x", 30), shown("y", 9), shown("z", 10)), (49, 49))
    assert audit([a, b], {"y": None}) == {}  # the national count hidden: A's y is anything in 1 to 4
    assert audit([a, b], {"y": 12}) == {("A", "y"): (3, 3)}
    # With a second organisation hiding its y as well, the national count only gives their sum.
    c = Breakdown("C", (shown("x", 7), small("y"), complement("z")), (16, 16))
    assert audit([a, b, c], {"y": 13}) == {}  # 4 between them: each 1 to 3
    # ... unless the sum is at an end of what the two could hold: 2 means 1 and 1.
    assert audit([a, b, c], {"y": 11}) == {("A", "y"): (1, 1), ("C", "y"): (1, 1)}


def test_it_leaves_counts_the_policy_shows_whatever_their_size_to_the_policy():
    a = Breakdown("A", (shown("x", 12), small("not_stated", zeros=True), complement("z")), (20, 20))
    b = Breakdown("B", (shown("x", 30), shown("not_stated", 0), shown("z", 10)), (40, 40))
    assert audit([a, b], {"not_stated": 0}) == {("A", "not_stated"): (0, 0)}
    assert audit([a, b], {"not_stated": 0}, exempt={"not_stated"}) == {}
    assert audit([a, b], {"not_stated": 0}, audited={"B"}) == {}


def test_the_groups_of_a_combined_row_are_counts_of_their_own():
    # A shows x and y only together (7); the national y, minus B's, is A's y: 2, and x is 5.
    a = Breakdown("A", (Row(("x", "y"), 7, 7), complement("z")), (20, 20))
    b = Breakdown("B", (shown("x", 30), shown("y", 9), shown("z", 10)), (49, 49))
    assert audit([a, b], {"y": 11}) == {("A", "y"): (2, 2)}
    assert audit([a, b], {"y": None}) == {}


def test_a_link_between_breakdowns_of_one_report_is_part_of_what_the_reader_knows():
    # Grade pharmacist is at most profession pharmacist (the same people): with profession pharmacist
    # shown as 2, a hidden grade pharmacist in 1 to 4 can only be 1 or 2.
    rows = (shown("profession:pharmacist", 2), small("grade:pharmacist"), complement("grade:other"))
    link = Link((("profession:pharmacist", 1.0), ("grade:pharmacist", -1.0)), 0, None)
    a = Breakdown("A", rows, None, (link,))
    found = difference([a], {}, min_width=2, threshold=5)
    assert [(n.codes, n.low, n.high) for n in found] == [(("grade:pharmacist",), 1, 2)]
    assert difference([Breakdown("A", rows, None)], {}, min_width=2, threshold=5) == []


def test_it_reads_a_report_as_its_reader_would():
    table = {
        "notes": ["<5: fewer than 5 cases, zero included."],
        "rows": [
            {"key": "doctor", "cells": [{"display": "1,204"}]},
            {
                "key": "dentist+pharmacist",
                "combines": ["dentist", "pharmacist"],
                "cells": [{"display": "<5"}],
            },
            {"key": "dentist", "combined_into": "dentist+pharmacist", "cells": [{"display": "combined"}]},
            {"key": "other", "cells": [{"display": "*"}]},
            {"key": "total", "is_total": True, "cells": [{"display": "1,215"}]},
        ],
    }
    found = report_breakdown("A", table, POLICY)
    assert found.total == (1215, 1215)
    assert found.rows == (
        Row(("doctor",), 1204, 1204),
        Row(("dentist", "pharmacist"), 0, 4, small=True),
        Row(("other",), 5, None),
    )
    # A table with no count shown was withheld whole: its "*" says nothing of the threshold.
    withheld = {**table, "notes": [], "rows": [r for r in table["rows"] if r["key"] != "doctor"]}
    assert report_breakdown("A", withheld, POLICY).rows[-1] == Row(("other",), 0, None)
    assert national_counts(table) == {
        "doctor": 1204,
        "dentist+pharmacist": None,
        "dentist": None,
        "other": None,
    }


@pytest.mark.parametrize("national", [{"y": 3}, {"y": 100}])
def test_a_national_count_no_organisation_could_reach_is_a_contradiction_not_a_finding(national):
    a = Breakdown("A", (shown("x", 12), small("y"), complement("z")), (20, 20))
    with pytest.raises(RuntimeError, match="could not solve"):
        difference([a, Breakdown("B", (shown("y", 9),), None)], national, min_width=2, threshold=5)


def test_a_count_over_some_organisations_pins_the_one_of_them_hiding_it():
    # A type's count over A and B, with B's shown: A's hidden y is the type's count less B's.
    a = Breakdown("A", (shown("x", 12), small("y"), complement("z")), (20, 20))
    b = Breakdown("B", (shown("x", 30), shown("y", 9), shown("z", 10)), (49, 49))
    c = Breakdown("C", (shown("x", 30), small("y"), complement("z")), (40, 40))
    assert audit([a, b, c], {"y": None}) == {}
    over_a_and_b = Subtotal(frozenset({"A", "B"}), ("y",), 12)
    assert audit([a, b, c], {"y": None}, subtotals=[over_a_and_b]) == {("A", "y"): (3.0, 3.0)}
    # Over A and C, both hidden: A's is 1 to 3 (its z is at least 5), C's 2 to 4, adding up to 5.
    over_a_and_c = Subtotal(frozenset({"A", "C"}), ("y",), 5)
    assert audit([a, b, c], {"y": None}, subtotals=[over_a_and_c]) == {}
    # A count over several codes (every ethnic minority group as one) is a subtotal of their rows.
    both = Subtotal(frozenset({"A", "B"}), ("x", "y"), 12 + 3 + 30 + 9)
    assert audit([a, b, c], {"y": None}, subtotals=[both]) == {("A", "y"): (3.0, 3.0)}
