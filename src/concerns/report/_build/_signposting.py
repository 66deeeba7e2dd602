"""Signposting to Practitioner Performance Advice's services, and questions, chosen from the profile.

Nothing here quotes a number: the choice rests on published facts and on the
report's findings only (a count shown or known to be at least one, a share
higher than at similar sized organisations by an exact test, a staff group or
a year that stands out). No signpost rests on a finding that could be chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from concerns.disclosure import CellKey
from concerns.report._build import _format as f
from concerns.report._build._facts import Facts
from concerns.report._model import Callout

if TYPE_CHECKING:
    from concerns.analytics import YearFinding


@dataclass(frozen=True)
class Profile:
    """The facts signposting is chosen from."""

    team_groups: tuple[str, ...]  # labels of flagged specialty or specialty-by-grade groups
    flagged: tuple[str, ...]  # labels of every flagged staff group that may be named
    hidden_flagged: int  # flagged staff groups too small to name
    above_peers: frozenset[
        str
    ]  # concern categories whose share is higher than at similar sized organisations
    health: bool  # some cases involved the practitioner's health
    exclusion: bool  # exclusion or suspension advice was part of some cases
    equality: tuple[str, ...]  # comparisons whose interval excludes 1, as key messages
    rate_higher: bool = False  # the rate is higher than similar sized organisations', or above the limits
    year: YearFinding | None = None  # the first year that stands out
    poorly_recorded: tuple[str, ...] = ()  # fields not stated in at least RECORDING_GAP of cases


def present(facts: Facts, key: CellKey) -> bool:
    """Whether a count is known from the published tables to be at least one."""
    pub = facts.pub
    if pub.shown(key):
        return bool(pub.value(key))
    # A hidden count is at least one unless zeros are hidden in its table too.
    return key[0] not in pub.zeros_hidden


def callouts(profile: Profile) -> list[Callout]:
    found = []
    if profile.team_groups:
        found.append(
            Callout(
                "Team review",
                f"Cases cluster in {f.and_list(profile.team_groups)}. Where concerns point to how a clinical team works "
                "together, a team review can help: two reviewers, at least one clinical, use questionnaires and "
                "interviews to understand what is happening. It is voluntary, not disciplinary and not an "
                "investigation.",
                "signpost",
            )
        )
    if "behaviour" in profile.above_peers:
        found.append(
            Callout(
                "Behavioural assessment",
                "Concerns about behaviour are a larger share of cases than at similar sized organisations. "
                "A behavioural assessment (psychometric questionnaires and a day-long interview with an "
                "occupational psychologist) can inform how an individual case is handled. It goes ahead only if "
                "the organisation and the practitioner both agree.",
                "signpost",
            )
        )
    if "clinical" in profile.above_peers:
        found.append(
            Callout(
                "Clinical performance assessment",
                "Clinical concerns are a larger share of cases than at similar sized organisations. A "
                "clinical performance assessment by two clinical assessors (record review, direct observation, "
                "case-based assessment) takes about 18 weeks from offer to report, and needs the agreement of "
                "both the organisation and the practitioner.",
                "signpost",
            )
        )
    if profile.health:
        found.append(
            Callout(
                "Occupational health",
                "One or more cases involved the practitioner's health. Early involvement of occupational health, and "
                "return-to-work action plans after a long absence, help practitioners back to safe practice.",
                "signpost",
            )
        )
    if profile.exclusion:
        found.append(
            Callout(
                "Exclusion reviews",
                "Advice on exclusion or suspension was part of some cases. Under Maintaining High Professional "
                "Standards (MHPS) in England a formal exclusion runs in periods of at most four weeks, each "
                "reviewed before renewal; advice should be sought before a formal exclusion and after three "
                "four-week periods, exclusion should not normally exceed six months, and a board member "
                "monitors. Wales and Northern Ireland have their own frameworks.",
                "signpost",
            )
        )
    if not found:
        found.append(
            Callout(
                "Early advice",
                "Advice can be sought at any stage, with no minimum threshold: early contact helps resolve "
                "concerns locally, fairly and in proportion, in a just and learning culture.",
                "signpost",
            )
        )
    return found


def board_questions(profile: Profile, *, largest: str | None) -> tuple[str, ...]:
    questions = [
        "How does the board receive this profile each year, alongside its own employee relations "
        "data, and who owns the actions that follow?"
    ]
    if profile.equality:
        questions.append(
            "The equality measures show a clear difference between groups of practitioners: "
            "what specific, measurable objective will the board set to close it, and how will "
            "progress be reported (NHS EDI improvement plan, High impact action 1)?"
        )
    else:
        questions.append(
            "These numbers are too small to show a clear difference between groups of "
            "practitioners: which other data (disciplinary cases, staff survey, lived experience) "
            "does the board review to find equality concerns, as High impact action 1 asks?"
        )
    if profile.rate_higher:
        questions.append(
            "The organisation brings more cases for its size than similar organisations: does that "
            "reflect more concerns, or earlier and more frequent use of advice?"
        )
    if profile.year is not None:
        questions.append(
            f"What happened in {profile.year.fiscal_year}, the year that stands out, and has it "
            "been resolved?"
        )
    if profile.exclusion:
        questions.append(
            "How is the board assured that every exclusion is reviewed on time and does not "
            "last longer than it needs to?"
        )
    questions.append("Are concerns raised early enough, and is advice sought before positions harden?")
    if largest:
        questions.append(f"What lies behind concerns about {largest.lower()}, and what would reduce them?")
    return tuple(questions)


def adviser_questions(profile: Profile) -> tuple[str, ...]:
    questions = []
    if profile.flagged:
        questions.append(
            f"What is happening in {f.and_list(profile.flagged)}: a team, a service, a change in "
            "leadership, or in how concerns are recorded?"
        )
    if profile.hidden_flagged:
        questions.append(
            "Which staff group stands out that the report does not name (to protect the "
            "practitioners), and what lies behind it?"
        )
    questions += [
        "Which types of concern are we seeing that we could handle earlier or locally?",
        "Which of Advice's services (assessments, action plans, team reviews) could help with current cases?",
        "How do our case shares by ethnic group and place of qualification compare with our workforce, and "
        "what do our staff networks tell us?",
        "Which fields are often not stated in our referrals, and how can we record them better?",
    ]
    return tuple(questions)


RECORDING_GAP = 0.10  # a field not stated in this share of cases is worth recording better


def next_steps(profile: Profile) -> tuple[str, ...]:
    """At most three steps, chosen by what the report found, most pressing first."""
    found = []
    if profile.flagged:
        found.append(
            f"Look into {f.and_list(profile.flagged)} with the clinical and HR leads for those teams before "
            "the discussion with the link adviser."
        )
    elif profile.hidden_flagged:
        found.append("Ask the link adviser about the staff group that stands out but is not named here.")
    if profile.year is not None:
        found.append(f"Find out what lay behind {profile.year.fiscal_year}, the year that stands out.")
    if profile.equality:
        found.append(
            "Set a measurable objective under High impact action 1 of the NHS EDI improvement plan for "
            "the equality finding, with this report's figure as its baseline."
        )
    if profile.rate_higher:
        found.append(
            "Ask why the organisation brings more cases for its size than similar organisations: more "
            "concerns, or earlier use of advice?"
        )
    if profile.poorly_recorded:
        found.append(
            f"Record {f.and_list(profile.poorly_recorded)} in every referral: too many are not stated for "
            "the equality measures to be trusted."
        )
    steps = found[:2]
    steps.append(
        "Book the confidential discussion with your link adviser and bring the questions on the "
        "questions page."
    )
    return tuple(steps)
