"""The yearly follow-up of the plan for working with civil society (the report to BMR).

How many dialogues, at which level, at which step, how early, in which
forums, with how many organisations; each dialogue as a row (meetings held,
organisations invited and taking part, outcome, feedback); and whether
RÖS-gruppen and the stormöte met as often as Överenskommelsen says.
Every total is worked out from what it totals, so the two cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from samverkan_common.participation import DecisionStep, Level

from .plans import Plan

# RÖS-gruppen, the agreement's steering group, meets 4–12 times a year.
STEERING_GROUP_SLUG = "ros-gruppen"
STEERING_GROUP_MEETINGS = (4, 12)
# The stormöte meets once per term: spring (January–June) and autumn (July–December).
ASSEMBLY_SLUG = "stormote"
CANCELLED = "cancelled"


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _term(starts_at: str) -> str:
    return "spring" if int(starts_at[5:7]) <= 6 else "autumn"


def _ended(occurrence: Mapping[str, Any], now: datetime) -> bool:
    """Held: not cancelled, and over by ``now`` (a meeting still to come, or going on, is not held yet)."""
    if occurrence.get("cancelled") or occurrence.get("status") == CANCELLED:
        return False
    return datetime.fromisoformat(str(occurrence.get("ends_at") or occurrence["starts_at"])) <= now


def dialogue_row(plan: Plan, participation: Mapping[str, Mapping[str, Any]], now: datetime) -> dict[str, Any]:
    """One dialogue as the follow-up lists it: what was planned, what was held, who took part, what came of it.

    ``participation`` is the events service's account of the plan's meetings, by meeting id. An
    organisation took part when it held a confirmed place at a meeting of the plan that was held.
    """
    held = 0
    took_part: set[str] = set()
    for meeting_id in plan.meeting_ids:
        meeting = participation.get(meeting_id)
        if meeting is None:  # gone from the events service: neither held nor attended
            continue
        ended = sum(1 for occurrence in meeting.get("occurrences", ()) if _ended(occurrence, now))
        held += ended
        if ended:
            took_part.update(str(organisation) for organisation in meeting.get("organisation_ids", ()))
    outcome = plan.outcome
    return {
        "plan_id": plan.id,
        "committee": plan.committee,
        "committee_name": plan.committee_name or plan.committee,
        "issue": plan.issue,
        "level": plan.level.value,
        "step": plan.step.value,
        "starts_on": plan.starts_on.isoformat(),
        "meetings_booked": len(plan.meeting_ids),
        "meetings_held": held,
        "organisations_invited": len(plan.invited_organisation_ids),
        "organisations_took_part": len(took_part),
        "outcome_recorded": outcome is not None,
        "feedback_given": outcome is not None and outcome.feedback_on <= now.date(),
    }


# The columns of the dialogue rows that are summed into the totals under them.
ROW_TOTALS = ("meetings_booked", "meetings_held", "organisations_invited", "organisations_took_part")


def follow_up(
    year: int,
    plans: Sequence[Plan],
    meetings: Sequence[Mapping[str, Any]],
    participation: Sequence[Mapping[str, Any]] = (),
    now: datetime | None = None,
) -> dict[str, Any]:
    """The report for ``year`` as it stands at ``now``.

    ``plans`` start in the year; ``meetings`` are every occurrence of the year (cancelled included);
    ``participation`` is the events service's account of the plans' own meetings (which may fall
    outside the year). A meeting counts as held once it has ended; cancelled ones never do.
    """
    moment = now or datetime.now(UTC)
    first, last = year_bounds(year)
    in_year = sorted(
        (plan for plan in plans if first <= plan.starts_on <= last), key=lambda plan: (plan.starts_on, plan.id)
    )
    by_committee = Counter(plan.committee for plan in in_year)
    by_level = Counter(plan.level for plan in in_year)
    by_step = Counter(plan.step for plan in in_year)
    early = sum(1 for plan in in_year if plan.early)
    accounts = {str(item["meeting_id"]): item for item in participation}
    rows = [dialogue_row(plan, accounts, moment) for plan in in_year]

    of_year = [m for m in meetings if str(m["starts_at"])[:4] == str(year)]
    held = [m for m in of_year if _ended(m, moment)]
    cancelled = [m for m in of_year if m.get("status") == CANCELLED]
    coming = [m for m in of_year if m.get("status") != CANCELLED and not _ended(m, moment)]
    held_by_forum = Counter(str(m["forum_slug"]) for m in held)
    coming_by_forum = Counter(str(m["forum_slug"]) for m in coming)
    cancelled_by_forum = Counter(str(m["forum_slug"]) for m in cancelled)
    steering = held_by_forum.get(STEERING_GROUP_SLUG, 0)
    low, high = STEERING_GROUP_MEETINGS
    assembly_terms = Counter(_term(str(m["starts_at"])) for m in held if m["forum_slug"] == ASSEMBLY_SLUG)
    organisations = sorted({org for plan in in_year for org in plan.invited_organisation_ids})

    return {
        "year": year,
        "as_of": moment.isoformat(),
        "dialogues": {
            "total": len(in_year),
            "by_committee": dict(sorted(by_committee.items())),
            "by_level": {level.value: by_level.get(level, 0) for level in Level},
            "by_step": {step.value: by_step.get(step, 0) for step in DecisionStep},
            "early": early,
            "early_share": round(early / len(in_year), 3) if in_year else None,
            "chosen_other_than_recommended": sum(1 for plan in in_year if plan.level is not plan.recommended_level),
            "outcome_recorded": sum(1 for row in rows if row["outcome_recorded"]),
            "feedback_given": sum(1 for row in rows if row["feedback_given"]),
            **{name: sum(row[name] for row in rows) for name in ROW_TOTALS},
        },
        "rows": rows,
        "meetings": {
            "held_by_forum": dict(sorted(held_by_forum.items())),
            "coming_by_forum": dict(sorted(coming_by_forum.items())),
            "cancelled_by_forum": dict(sorted(cancelled_by_forum.items())),
            "total_held": len(held),
            "total_coming": len(coming),
            "total_cancelled": len(cancelled),
        },
        "steering_group": {
            "forum_slug": STEERING_GROUP_SLUG,
            "meetings": steering,
            "coming": coming_by_forum.get(STEERING_GROUP_SLUG, 0),
            "expected": {"min": low, "max": high},
            "as_agreed": low <= steering <= high,
        },
        "assembly": {
            "forum_slug": ASSEMBLY_SLUG,
            "spring": assembly_terms.get("spring", 0),
            "autumn": assembly_terms.get("autumn", 0),
            "met_each_term": assembly_terms.get("spring", 0) >= 1 and assembly_terms.get("autumn", 0) >= 1,
        },
        "organisations": {"count": len(organisations), "ids": organisations},
    }
