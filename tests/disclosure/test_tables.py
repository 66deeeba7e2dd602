"""The table model: constructors, linking and validation."""

from __future__ import annotations

import itertools

import pytest

from concerns.disclosure import (
    Cell,
    Constraint,
    Relation,
    Table,
    TableError,
    link,
    multi_response,
    one_way,
    two_way,
)


def test_it_builds_a_one_way_table_with_its_total():
    table = one_way("sex", {"female": 4, "male": 9, "not_stated": 0})
    assert table.keys == (("sex", "female"), ("sex", "male"), ("sex", "not_stated"), ("sex", "total"))
    assert table.cell(("sex", "total")) == Cell(("sex", "total"), 13, is_total=True)
    assert table.constraints == (
        Constraint(
            (
                (("sex", "total"), 1),
                (("sex", "female"), -1),
                (("sex", "male"), -1),
                (("sex", "not_stated"), -1),
            )
        ),
    )
    assert one_way("sex", {"female": 4}, total=False).constraints == ()


def test_it_builds_a_two_way_table_with_margins_and_a_grand_total():
    table = two_way("t", {"a": {"x": 1, "y": 2}, "b": {"x": 3, "y": 4}})
    values = table.values
    assert values[("t", "a", "total")] == 3
    assert values[("t", "b", "total")] == 7
    assert values[("t", "total", "x")] == 4
    assert values[("t", "total", "y")] == 6
    assert values[("t", "total", "total")] == 10
    assert len(table.cells) == 9
    assert len(table.constraints) == 2 + 2 + 2
    assert [c.is_total for c in table.cells] == [False] * 4 + [True] * 5


def test_it_builds_two_way_tables_with_only_some_margins():
    rows_only = two_way("t", {"a": {"x": 1, "y": 2}}, column_totals=False)
    assert ("t", "total", "x") not in rows_only
    assert ("t", "a", "total") in rows_only
    assert ("t", "total", "total") not in rows_only


def test_it_refuses_ragged_rows_and_the_reserved_total_key():
    with pytest.raises(TableError, match="row 'b' has columns"):
        two_way("t", {"a": {"x": 1, "y": 2}, "b": {"x": 3}})
    with pytest.raises(TableError, match="reserved for totals"):
        one_way("t", {"total": 3})


def test_it_refuses_negative_or_non_integer_counts_and_duplicate_cells():
    with pytest.raises(TableError, match="whole number"):
        Table((Cell(("t", "a"), -1),))
    with pytest.raises(TableError, match="whole number"):
        Table((Cell(("t", "a"), 2.5),))  # type: ignore[arg-type]
    with pytest.raises(TableError, match="whole number"):
        Table((Cell(("t", "a"), True),))
    with pytest.raises(TableError, match="two cells"):
        Table((Cell(("t", "a"), 1), Cell(("t", "a"), 2)))


def test_it_refuses_relations_the_counts_break_or_that_name_unknown_cells():
    cells = (Cell(("t", "a"), 1), Cell(("t", "b"), 2), Cell(("t", "total"), 4, is_total=True))
    with pytest.raises(TableError, match="do not satisfy"):
        Table(cells, (Constraint.total(("t", "total"), [("t", "a"), ("t", "b")]),))
    with pytest.raises(TableError, match="does not have"):
        Table(cells, (Constraint.total(("t", "total"), [("t", "a"), ("t", "c")]),))
    with pytest.raises(TableError, match="twice"):
        Table(cells, (Constraint(((("t", "a"), 1), (("t", "a"), -1))),))


def test_it_links_tables_published_together_and_checks_shared_totals_agree():
    profession = one_way("profession", {"doctor": 10, "dentist": 2})
    sex = one_way("sex", {"female": 5, "male": 7})
    linked = link(profession, sex, same=[(("profession", "total"), ("sex", "total"))])
    assert len(linked.cells) == 6
    assert linked.constraints[-1] == Constraint.same(("profession", "total"), ("sex", "total"))
    with pytest.raises(TableError, match="do not satisfy"):
        link(profession, one_way("sex", {"female": 5}), same=[(("profession", "total"), ("sex", "total"))])


# Every way of giving 4 cases categories from {c1, c2, c3}, for the multi-response relations.
CATEGORY_SETS = [frozenset(s) for r in (0, 1, 2, 3) for s in itertools.combinations(("c1", "c2", "c3"), r)]


@pytest.mark.parametrize("at_least_one", [True, False])
def test_it_states_multi_response_relations_that_hold_for_every_real_set_of_cases(at_least_one):
    allowed = [s for s in CATEGORY_SETS if s or not at_least_one]
    checked = 0
    for cases in itertools.combinations_with_replacement(allowed, 4):
        counts = {c: sum(c in case for case in cases) for c in ("c1", "c2", "c3")}
        counts["several"] = sum(len(case) >= 2 for case in cases)
        table = multi_response("cat", counts, 4, more_than_one="several", at_least_one=at_least_one)
        assert all(constraint.holds_for(table.values) for constraint in table.constraints)
        checked += 1
    assert checked > 100


def test_it_bounds_each_multi_response_count_by_the_number_of_cases():
    table = multi_response("cat", {"clinical": 3, "behaviour": 5}, 7)
    at_most = [c for c in table.constraints if c.relation is Relation.AT_MOST and len(c.terms) == 2]
    assert {c.keys for c in at_most} == {
        (("cat", "clinical"), ("cat", "total")),
        (("cat", "behaviour"), ("cat", "total")),
    }
    with pytest.raises(TableError, match="do not satisfy"):
        multi_response("cat", {"clinical": 3, "behaviour": 2}, 7)  # two categories cannot cover 7 cases


def test_it_refuses_tables_without_rows_or_columns():
    with pytest.raises(TableError, match="no rows"):
        one_way("t", {})
    with pytest.raises(TableError, match="no rows"):
        two_way("t", {})
    with pytest.raises(TableError, match="no columns"):
        two_way("t", {"a": {}})
    with pytest.raises(TableError, match="no rows"):
        multi_response("t", {}, 0)
