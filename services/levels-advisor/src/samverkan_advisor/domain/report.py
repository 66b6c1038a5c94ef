"""The yearly follow-up of the plan for working with civil society (the report to BMR).

How many dialogues, at which level, at which step, how early, in which
forums, with how many organisations; and whether RÖS-gruppen and the
stormöte met as often as Överenskommelsen says.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
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


def follow_up(year: int, plans: Sequence[Plan], meetings: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The report for ``year``: ``plans`` that start in it and every meeting of it (cancelled included)."""
    first, last = year_bounds(year)
    in_year = [plan for plan in plans if first <= plan.starts_on <= last]
    by_committee = Counter(plan.committee for plan in in_year)
    by_level = Counter(plan.level for plan in in_year)
    by_step = Counter(plan.step for plan in in_year)
    early = sum(1 for plan in in_year if plan.early)

    held = [m for m in meetings if m.get("status") != CANCELLED and str(m["starts_at"])[:4] == str(year)]
    cancelled = [m for m in meetings if m.get("status") == CANCELLED and str(m["starts_at"])[:4] == str(year)]
    held_by_forum = Counter(str(m["forum_slug"]) for m in held)
    cancelled_by_forum = Counter(str(m["forum_slug"]) for m in cancelled)
    steering = held_by_forum.get(STEERING_GROUP_SLUG, 0)
    low, high = STEERING_GROUP_MEETINGS
    assembly_terms = Counter(_term(str(m["starts_at"])) for m in held if m["forum_slug"] == ASSEMBLY_SLUG)
    organisations = sorted({org for plan in in_year for org in plan.invited_organisation_ids})

    return {
        "year": year,
        "dialogues": {
            "total": len(in_year),
            "by_committee": dict(sorted(by_committee.items())),
            "by_level": {level.value: by_level.get(level, 0) for level in Level},
            "by_step": {step.value: by_step.get(step, 0) for step in DecisionStep},
            "early": early,
            "early_share": round(early / len(in_year), 3) if in_year else None,
            "chosen_other_than_recommended": sum(1 for plan in in_year if plan.level is not plan.recommended_level),
            "outcome_recorded": sum(1 for plan in in_year if plan.outcome is not None),
        },
        "meetings": {
            "held_by_forum": dict(sorted(held_by_forum.items())),
            "cancelled_by_forum": dict(sorted(cancelled_by_forum.items())),
            "total_held": len(held),
        },
        "steering_group": {
            "forum_slug": STEERING_GROUP_SLUG,
            "meetings": steering,
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
