"""The glossary: every term the generated text uses that a board member may not know."""

from __future__ import annotations

from concerns.disclosure import Policy

TERMS: dict[str, str] = {
    "95% interval": (
        "The range of values the underlying figure plausibly lies in, given the numbers of cases: "
        "with small numbers it is wide. A difference is called clear only when the interval rules out "
        "no difference."
    ),
    "Adjusted p (false discovery rate)": (
        "When many staff groups are examined at once, some will look unusual by chance. The adjusted "
        "p-value (Benjamini–Hochberg) keeps the expected share of false alarms among the groups called out "
        "below 5%."
    ),
    "Case": "A request for advice about a concern over one practitioner, counted in the financial year it opened.",
    "Control limits": (
        "The lines of a funnel plot: how far from the average a rate can be by chance alone, given how many "
        "practitioners an organisation has. 95% limits: worth a look; 99.8% limits: a strong signal."
    ),
    "Ethnic minority": (
        "Every ethnic group except White (and not stated), as the Workforce Race Equality Standard uses it."
    ),
    "Expected (staff groups)": (
        "How many of the organisation's own practitioners with cases would fall in a staff group if cases "
        "spread over its groups as its workforce by grade, and the other organisations of its type, would give."
    ),
    "Exclusion": (
        "Keeping a practitioner from work while a concern is looked into. Under Maintaining High "
        "Professional Standards (MHPS) advice is sought before a formal exclusion and when it goes on."
    ),
    "Funnel plot": (
        "A chart of an organisation's rate of cases against its number of practitioners, with the average of "
        "all organisations of the same type and control limits that narrow as organisations get larger. It "
        "compares without ranking. An organisation's report draws that organisation alone: how many others lie "
        "outside the limits is said in words, as a point for each would give away its number of cases."
    ),
    "HPAN": (
        "A Healthcare Professional Alert Notice: issued at the request of an NHS body's board about a "
        "practitioner who may pose a significant risk of harm and may seek work elsewhere."
    ),
    "MHPS": (
        "Maintaining High Professional Standards in the Modern NHS: the framework for handling concerns "
        "about doctors and dentists in England, including exclusion."
    ),
    "More than one area": "A case whose concerns span two or more types (for example clinical and behaviour).",
    "Overdispersion": (
        "When organisations differ more than chance alone would explain; the funnel plot's limits are then "
        "widened so that ordinary variation is not mistaken for a signal."
    ),
    "Place of primary qualification": (
        "Where a practitioner first qualified: the UK, the European Economic Area, or elsewhere "
        "(international)."
    ),
    "Rate per 1,000 practitioners": (
        "Cases a year for every 1,000 practitioners on the workforce headcount: it allows for the size of "
        "the organisation."
    ),
    "Relative likelihood": (
        "How likely practitioners of one group were to be the subject of a case, compared with another "
        "group: 1 means equally likely, 2 twice as likely."
    ),
    "Similar sized organisations": (
        "The organisations of the same type whose practitioner headcount is nearest to this organisation's."
    ),
    "Staff group that stands out": (
        "A group (for example a specialty, a grade, or both) with more cases than expected, by more than "
        "chance allows once every group examined is taken into account."
    ),
}


def glossary_items(policy: Policy) -> tuple[str, ...]:
    """Glossary entries as "Term: definition", the disclosure symbols included."""
    symbols = {
        policy.symbol: f"fewer than {policy.threshold} cases: a number hidden to protect the practitioners.",
        policy.complementary_symbol: "a number hidden so that a smaller one cannot be worked out from the others.",
    }
    if policy.symbol == policy.complementary_symbol:
        symbols = {
            policy.symbol: (
                f"a hidden number: fewer than {policy.threshold} cases, or hidden so that a "
                "smaller one cannot be worked out."
            )
        }
    items = [f"{term}: {text}" for term, text in sorted(TERMS.items(), key=lambda item: item[0].lower())]
    items += [f"{symbol}: {text}" for symbol, text in symbols.items()]
    return tuple(items)
