"""The cross-report attack: order statistics and interpolated pairs of named peers, with public headcounts."""

from __future__ import annotations

from concerns.disclosure import attack, peer_figures, recoveries

PERSON_YEARS = {"A": 2000.0, "B": 3100.0, "C": 4700.0, "D": 5300.0}
TRUTH = {("A", "rates", "total"): 3, ("B", "rates", "total"): 2, ("C", "rates", "total"): 40}


def report(value: float, display: str, column: str = "peer_q1", kind: str = "rate") -> dict:
    """One organisation's report that prints a figure computed from its four named peers."""
    return {
        "org": {"code": "Z"},
        "peers": {"organisations": [{"code": code, "name": code} for code in PERSON_YEARS]},
        "tables": [
            {
                "id": "rates",
                "columns": [{"key": "rate", "kind": "rate"}, {"key": column, "kind": kind}],
                "rows": [
                    {
                        "key": "total",
                        "cells": [
                            {"display": "9.1", "value": 9.1, "suppressed": False},
                            {"display": display, "value": value, "suppressed": False},
                        ],
                    }
                ],
            }
        ],
    }


def test_it_recovers_a_peers_small_count_from_a_printed_order_statistic_of_rates():
    # A's rate, 3 cases over 2,000 person-years, printed as 1.500: only A's person-years give a whole count.
    found = attack([report(1.5, "1.500")], PERSON_YEARS, {}, threshold=5)
    assert [(c.peer, c.count, c.how) for c in recoveries(found, TRUTH, threshold=5)] == [("A", 3, "single")]


def test_it_recovers_both_peers_from_an_interpolated_quartile():
    # A quarter of the way from A's rate (1.5) to B's (2 / 3.1 = 0.645…), printed to 4 places.
    value = 0.75 * 3 / 2.0 + 0.25 * 2 / 3.1
    found = attack([report(value, f"{value:.4f}")], PERSON_YEARS, {}, threshold=5)
    assert {(c.peer, c.count) for c in recoveries(found, TRUTH, threshold=5)} == {("A", 3), ("B", 2)}


def test_it_recovers_nothing_from_a_coarse_figure_or_a_report_without_peer_figures():
    assert recoveries(attack([report(1.5, "2")], PERSON_YEARS, {}, threshold=5), TRUTH, threshold=5) == []
    without = report(1.5, "1.500", column="national")
    assert list(peer_figures(without)) == []
    assert attack([without], PERSON_YEARS, {}, threshold=5) == []


def test_a_share_of_a_peer_is_a_count_when_its_total_is_published():
    found = attack([report(0.1, "10.0%", kind="share")], PERSON_YEARS, {"C": 40, "A": 3}, threshold=5)
    truth = {("C", "rates", "total"): 4}
    assert [(c.peer, c.count) for c in recoveries(found, truth, threshold=5)] == [("C", 4)]
