"""Hand-worked examples of primary and complementary suppression, rounding and derived values.

Every expected pattern and interval here was worked out by hand from the
table's sums; the comments give the arithmetic.
"""

from __future__ import annotations

import dataclasses

import pytest

from concerns.disclosure import (
    Cell,
    Constraint,
    Interval,
    Reason,
    Table,
    audit,
    get_policy,
    link,
    mask_derived,
    multi_response,
    one_way,
    protect,
    two_way,
)


def displays(protection, table):
    return [protection.display(key) for key in table.keys]


def interval(protection, key):
    found = protection.audit.intervals[key]
    return (found.low, found.high)


def test_it_hides_a_second_cell_when_one_cell_of_a_list_is_small():
    table = one_way("profession", {"doctor": 40, "dentist": 3, "pharmacist": 12})
    protected = protect(table, "standard")
    assert displays(protected, table) == ["40", "<5", "*", "55"]
    assert protected[("profession", "dentist")].reason is Reason.PRIMARY
    assert protected[("profession", "pharmacist")].reason is Reason.COMPLEMENTARY
    # dentist + pharmacist = 55 - 40 = 15; dentist is 1..4, pharmacist at least 5.
    assert interval(protected, ("profession", "dentist")) == (1, 4)
    assert interval(protected, ("profession", "pharmacist")) == (11, 14)
    assert protected.audit.ok


def test_it_does_not_trust_a_partner_just_above_the_threshold():
    table = one_way("y", {"a": 2, "b": 5, "c": 9, "d": 30})
    # Hiding a and b: a + b = 7 and b >= 5, so a is 1 or 2 -- narrower than the 2 the policy needs.
    naive = audit(table, [("y", "a"), ("y", "b")], "standard")
    assert [(p.key, p.interval) for p in naive.problems] == [(("y", "a"), Interval(1, 2))]
    protected = protect(table, "standard")
    assert displays(protected, table) == ["<5", "5", "*", "30", "46"]
    # a + c = 11 and c >= 5: a is 1..4 (its full range).
    assert interval(protected, ("y", "a")) == (1, 4)


def test_it_needs_all_four_cells_of_the_classic_two_by_two_with_margins():
    table = two_way("t", {"a": {"x": 2, "y": 9}, "b": {"x": 8, "y": 15}})
    interior = [("t", "a", "x"), ("t", "a", "y"), ("t", "b", "x"), ("t", "b", "y")]
    # One complement per line is not enough: the other line gives each cell away.
    for naive in ([interior[0], interior[1]], [interior[0], interior[2]], interior[:3]):
        result = audit(table, naive, "standard")
        assert ("t", "a", "x") in [p.key for p in result.problems]
        assert result.intervals[("t", "a", "x")] == Interval(2, 2)
    protected = protect(table, "standard")
    assert sorted(key for key, cell in protected.cells.items() if cell.suppressed) == sorted(interior)
    assert all(not protected[key].suppressed for key in table.keys if "total" in key)
    # a,x + a,y = 11; a,x + b,x = 10; complements >= 5: a,x <= 5, so its whole range 1..4.
    assert interval(protected, ("t", "a", "x")) == (1, 4)
    assert interval(protected, ("t", "a", "y")) == (7, 10)
    assert interval(protected, ("t", "b", "x")) == (6, 9)
    assert interval(protected, ("t", "b", "y")) == (14, 17)


def test_it_hides_a_total_only_when_no_interior_cell_will_do():
    table = one_way("y", {"a": 1, "b": 5})
    # With only b hidden, a + b = 6 and b >= 5 give a = 1: the total must go too.
    protected = protect(table, "standard")
    assert displays(protected, table) == ["<5", "*", "*"]
    assert protected[("y", "total")].reason is Reason.COMPLEMENTARY
    assert protected[("y", "total")].is_total


def test_it_shows_zeros_under_policies_that_show_them_and_hides_them_under_the_10_5_rule():
    table = one_way("y", {"a": 0, "b": 3, "c": 12, "d": 20})
    assert displays(protect(table, "standard"), table) == ["0", "<5", "*", "20", "35"]
    assert displays(protect(table, "nhs-digital"), table) == ["0", "*", "10", "20", "35"]
    ons = protect(table, "ons-10-5")
    assert displays(ons, table) == ["[c]", "[c]", "10", "20", "35"]
    assert ons[("y", "a")].reason is Reason.PRIMARY
    assert ons.zeros_hidden


def test_it_rounds_shown_counts_and_lets_the_rounding_protect_when_it_is_enough():
    table = one_way("y", {"a": 3, "b": 9, "c": 14})
    protected = protect(table, "nhs-digital")
    assert displays(protected, table) == ["*", "10", "15", "25"]
    assert [protected.published(key) for key in table.keys] == [None, 10, 15, 25]
    # A reader knows b in 8..12, c in 13..17, total in 23..27: a = total - b - c <= 27 - 8 - 13 = 6.
    assert interval(protected, ("y", "a")) == (1, 6)


def test_it_hides_zeros_too_when_shown_zeros_would_give_the_small_counts_away():
    table = one_way("cases_by_year", {"2020/21": 1, "2021/22": 1, "2022/23": 1, "2023/24": 1, "2024/25": 0})
    nonzero = [key for key in table.keys if table.cell(key).value > 0]
    # Four cells of at least 1 that add up to at most 4: every one is exactly 1, the total 4.
    result = audit(table, nonzero, "standard")
    assert {p.key[1]: p.interval for p in result.problems} == {
        **{year: Interval(1, 1) for year in ("2020/21", "2021/22", "2022/23", "2023/24")},
        "total": Interval(4, 4),
    }
    protected = protect(table, "standard")
    assert protected.zeros_hidden and not protected.withheld
    assert displays(protected, table) == ["<5"] * 6
    assert protected.audit.ok


def test_it_withholds_a_table_whose_own_relations_give_a_small_count_away():
    cells = (Cell(("t", "a"), 2), Cell(("t", "b"), 10))
    table = Table(cells, (Constraint(((("t", "a"), 1),), constant=2),))  # "a is 2" is public knowledge
    protected = protect(table, "standard")
    assert protected.withheld
    assert all(
        cell.suppressed and cell.value is None and cell.display == "*" for cell in protected.cells.values()
    )
    assert {cell.reason for cell in protected.cells.values()} == {Reason.WITHHELD}
    assert not protected.audit.ok  # honest: the relation itself discloses a


def test_it_protects_a_multi_response_table_against_its_sum_relations():
    counts = {"clinical": 8, "behaviour": 1, "health": 0, "other": 1, "more_than_one": 0}
    table = multi_response("concern_categories", counts, 10, more_than_one="more_than_one")
    # No case has two areas, so the categories add up to exactly 10: behaviour + other = 2, so both are 1.
    protected = protect(table, "standard")
    assert displays(protected, table) == ["*", "<5", "0", "<5", "0", "10"]
    assert interval(protected, ("concern_categories", "behaviour")) == (1, 4)


def test_it_protects_tables_published_together_against_their_shared_total():
    profession = one_way("profession", {"doctor": 5, "dentist": 1})
    sex = one_way("sex", {"female": 6, "male": 0})
    alone = protect(profession, "standard")
    assert displays(alone, profession) == ["*", "<5", "*"]
    linked = link(profession, sex, same=[(("profession", "total"), ("sex", "total"))])
    # The sex table shows the total the profession table hid: dentist = total - doctor... = 1.
    exposed = audit(linked, alone.reasons, "standard")
    assert ("profession", "dentist") in [p.key for p in exposed.problems]
    together = protect(linked, "standard")
    assert displays(together, linked) == ["*", "<5", "*", "*", "0", "*"]
    assert together.audit.ok


def test_it_masks_values_built_on_hidden_counts():
    table = one_way("profession", {"doctor": 40, "dentist": 3, "pharmacist": 12})
    protected = protect(table, "standard")
    doctor, dentist, total = ("profession", "doctor"), ("profession", "dentist"), ("profession", "total")
    assert protected.mask(0.73, doctor, total) == 0.73
    assert protected.mask(0.05, dentist, total) is None
    assert protected.share(doctor, total) == pytest.approx(40 / 55)
    assert protected.share(dentist, total) is None
    column = mask_derived(
        protected, {"doctor": 72.7, "dentist": 5.5}, {"doctor": [doctor, total], "dentist": [dentist]}
    )
    assert column == {"doctor": 72.7, "dentist": None}
    with pytest.raises(KeyError, match="depends on"):
        mask_derived(protected, {"doctor": 72.7}, {})


def test_it_computes_shares_from_published_rounded_counts():
    table = one_way("y", {"a": 12, "b": 43})
    protected = protect(table, "nhs-digital")
    assert protected.share(("y", "a"), ("y", "total")) == pytest.approx(10 / 55)


def test_it_gives_the_same_result_for_the_same_table():
    counts = {f"r{r}": {f"c{c}": (r * 7 + c * 3) % 11 for c in range(4)} for r in range(5)}
    first = protect(two_way("t", counts), "standard")
    second = protect(two_way("t", dict(counts)), "standard")
    assert first == second
    assert list(first.cells) == list(second.cells)


def test_it_accepts_a_custom_policy_and_a_stricter_protection():
    strict = dataclasses.replace(get_policy("standard"), name="strict", min_width=3)
    table = one_way("y", {"a": 2, "b": 1, "c": 30})
    # a + b = total - c; with both hidden the total 33 and c 30 shown give a + b = 3: a is 1..2.
    assert not audit(table, [("y", "a"), ("y", "b")], strict).ok
    protected = protect(table, strict)
    assert protected.audit.ok
    assert protected[("y", "c")].suppressed
    assert protected.audit.intervals[("y", "a")].width >= 3


def test_it_rejects_an_unknown_policy_name_with_the_known_names():
    with pytest.raises(ValueError, match="known policies are: nhs-digital, ons-10-5, standard"):
        protect(one_way("y", {"a": 1}), "hes")


def test_it_names_a_missing_cell_when_asked_for_one():
    protected = protect(one_way("y", {"a": 3, "b": 12}), "standard")
    with pytest.raises(KeyError, match="no cell"):
        protected[("y", "c")]


def _ethnic_table(*, keep: bool, exempt: bool):
    from concerns.disclosure import Cell, Constraint, Table

    counts = {"white": 19, "mixed": 3, "asian": 14, "black": 7, "other": 6, "not_stated": 2}
    cells = [
        Cell(("g", code), n, keep=keep and code == "white", exempt=exempt and code == "not_stated")
        for code, n in counts.items()
    ]
    minority = Cell(("g", "minority"), 30, keep=keep)
    total = Cell(("g", "total"), 51, is_total=True)
    groups = [("g", code) for code in ("mixed", "asian", "black", "other")]
    constraints = (
        Constraint.total(total.key, [cell.key for cell in cells]),
        Constraint.total(minority.key, groups),
    )
    return Table((*cells, minority, total), constraints)


def test_it_shows_an_exempt_small_count_and_hides_a_kept_aggregate_last():
    protected = protect(_ethnic_table(keep=True, exempt=True), "standard")
    assert protected.display(("g", "not_stated")) == "2"  # exempt: a record kept, not a person
    assert protected.display(("g", "mixed")) == "<5"
    # The complement is another minority group, so the aggregate and white survive.
    assert protected.published(("g", "minority")) == 30 and protected.published(("g", "white")) == 19
    assert sum(protected[("g", code)].suppressed for code in ("asian", "black", "other")) == 1


def test_without_keep_and_exempt_the_cascade_hides_the_aggregate_or_white():
    protected = protect(_ethnic_table(keep=False, exempt=False), "standard")
    assert protected.display(("g", "not_stated")) == "<5"
    assert protected.is_hidden(("g", "minority")) or protected.is_hidden(("g", "white"))
