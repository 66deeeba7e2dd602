"""Disclosure control for published tables of counts.

Small counts are hidden (primary suppression), further cells are hidden so
that no hidden count can be worked out from what is shown (complementary
suppression), shown counts are rounded when the policy says so, and a linear
programming audit proves, for every hidden small count, how little a reader
can narrow it down. Depends only on NumPy and SciPy. See docs/disclosure.md.

    >>> from concerns.disclosure import one_way, protect
    >>> table = one_way("profession", {"doctor": 40, "dentist": 3, "pharmacist": 12})
    >>> protected = protect(table, "standard")
    >>> [protected.display(key) for key in table.keys]
    ['40', '<5', '*', '55']
"""

from ._attack import Candidate, attack, peer_figures, recoveries
from ._audit import AuditResult, Interval, Problem, Reason, audit, hidden_range
from ._difference import (
    Breakdown,
    Link,
    Narrowing,
    Row,
    Subtotal,
    difference,
    national_counts,
    report_breakdown,
)
from ._policy import POLICIES, Policy, UnknownPolicyError, get_policy, resolve_policy, with_threshold
from ._suppress import ProtectedCell, Protection, mask_derived, protect
from ._table import (
    Cell,
    CellKey,
    Constraint,
    Relation,
    Table,
    TableError,
    link,
    multi_response,
    one_way,
    two_way,
)

__all__ = [
    "POLICIES",
    "AuditResult",
    "Breakdown",
    "Candidate",
    "Cell",
    "CellKey",
    "Constraint",
    "Interval",
    "Link",
    "Narrowing",
    "Policy",
    "Problem",
    "ProtectedCell",
    "Protection",
    "Reason",
    "Relation",
    "Row",
    "Subtotal",
    "Table",
    "TableError",
    "UnknownPolicyError",
    "attack",
    "audit",
    "difference",
    "get_policy",
    "hidden_range",
    "resolve_policy",
    "with_threshold",
    "link",
    "mask_derived",
    "multi_response",
    "national_counts",
    "one_way",
    "peer_figures",
    "protect",
    "recoveries",
    "report_breakdown",
    "two_way",
]
