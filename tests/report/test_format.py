from __future__ import annotations

from concerns.report._build import _format as f


def test_it_gives_a_share_known_only_within_bounds_as_a_range():
    cell = f.range_cell(0.3001, 0.3162, "share")
    assert (cell.display, cell.value, cell.suppressed) == ("30.0% to 31.6%", None, False)
    assert f.is_range(cell)


def test_it_gives_a_single_share_when_both_ends_of_the_range_read_the_same():
    cell = f.range_cell(0.0, 0.0, "share")
    assert (cell.display, cell.value, cell.suppressed) == ("0.0%", 0.0, False)
    assert not f.is_range(cell)
