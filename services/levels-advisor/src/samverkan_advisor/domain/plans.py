"""A dialogue plan: an assessment turned into what a committee will actually do.

The planner picks the level. When it differs from the recommendation the
planner must say why, so the follow-up can show where and why committees
chose otherwise.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from samverkan_common.errors import Conflict, Invalid
from samverkan_common.participation import DecisionStep, Level

# The registry's areas of interest (its search takes one as ``area``), with the words
# that show a forum works with the area in its name or description.
AREAS: dict[str, tuple[str, ...]] = {
    "health_care": ("hälso", "sjukvård", "vården", "health"),
    "regional_development": ("regional utveckling", "regional development"),
    "culture": ("kultur", "culture"),
    "public_transport": ("kollektivtrafik", "public transport"),
}

# Överenskommelsen's six principles, by the ids the questionnaire's checklist uses.
PRINCIPLES = ("independence", "dialogue", "quality", "long_term", "openness", "diversity")


class PlanState(StrEnum):
    """How far a plan has come; always worked out from the plan, never kept beside it."""

    PLANNED = "planned"
    MEETINGS_BOOKED = "meetings_booked"
    OUTCOME_RECORDED = "outcome_recorded"
    FEEDBACK_GIVEN = "feedback_given"


@dataclass(frozen=True)
class Proposal:
    """A proposal an organisation made in the dialogue, whether it was taken up, and why (or why not)."""

    text: str
    taken_up: bool
    reason: str = ""


@dataclass(frozen=True)
class Outcome:
    """What came of the dialogue, and the feedback (återkoppling) given to the participants."""

    summary: str
    feedback: str
    feedback_on: date
    recorded_at: datetime
    proposals: tuple[Proposal, ...] = ()
    # When the feedback was sent by e-mail to the organisations, and to how many; None when it was not.
    feedback_sent_at: datetime | None = None
    feedback_sent_to: int = 0


@dataclass(frozen=True)
class Plan:
    assessment_id: str
    questionnaire_version: int
    committee: str
    issue: str
    step: DecisionStep
    recommended_level: Level
    level: Level
    level_reason: str | None
    starts_on: date
    created_by: str
    areas: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    forum_slugs: tuple[str, ...] = ()
    invited_organisation_ids: tuple[str, ...] = ()
    meeting_ids: tuple[str, ...] = ()
    outcome: Outcome | None = None
    # The committee the plan belongs to; None for plans made when committees were free text.
    committee_id: str | None = None
    # The committee's full name as it is now (read, never written: it follows a rename).
    committee_name: str = ""
    # Who made the plan, as the gateway knows them ("user:12" or a token's id): whose "Mina planer".
    author_id: str | None = None
    principles_checked: tuple[str, ...] = ()
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def early(self) -> bool:
        """Started at agenda setting or drafting, as Överenskommelsen asks."""
        return self.step in (DecisionStep.AGENDA_SETTING, DecisionStep.DRAFTING)

    def state(self, today: date) -> PlanState:
        """Planned, meetings booked, outcome recorded, or feedback given (on or before ``today``)."""
        if self.outcome is not None:
            return PlanState.FEEDBACK_GIVEN if self.outcome.feedback_on <= today else PlanState.OUTCOME_RECORDED
        return PlanState.MEETINGS_BOOKED if self.meeting_ids else PlanState.PLANNED

    def event_data(self) -> dict[str, Any]:
        """The data of plan_created and plan_updated (RULES.md contract, plus meeting_ids)."""
        return {
            "plan_id": self.id,
            "committee": self.committee,
            "committee_id": self.committee_id,
            "issue": self.issue,
            "level": self.level.value,
            "forum_slugs": list(self.forum_slugs),
            "invited_organisation_ids": list(self.invited_organisation_ids),
            "meeting_ids": list(self.meeting_ids),
        }


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _checked_reason(recommended: Level, level: Level, reason: str | None) -> str | None:
    reason = (reason or "").strip() or None
    if level is not recommended and reason is None:
        raise Invalid(
            "A level other than the recommended one needs a reason.",
            "LEVEL_REASON_REQUIRED",
            {"level_reason": [f"Say why you chose {level.value} and not {recommended.value}."]},
        )
    return reason


def _checked_principles(principles: Iterable[str]) -> tuple[str, ...]:
    chosen = _unique(principles)
    unknown = [principle for principle in chosen if principle not in PRINCIPLES]
    if unknown:
        raise Invalid(
            "These are not principles of Överenskommelsen.",
            "PRINCIPLE_UNKNOWN",
            {"principles_checked": [f"Unknown: {', '.join(unknown)}. Use {', '.join(PRINCIPLES)}."]},
        )
    # Kept in the principles' own order, however they were ticked.
    return tuple(principle for principle in PRINCIPLES if principle in chosen)


def new_plan(
    *,
    assessment_id: str,
    questionnaire_version: int,
    step: DecisionStep,
    recommended_level: Level,
    committee: str,
    issue: str,
    created_by: str,
    starts_on: date,
    level: Level | None = None,
    level_reason: str | None = None,
    areas: Sequence[str] = (),
    municipalities: Sequence[str] = (),
    forum_slugs: Sequence[str] = (),
    invited_organisation_ids: Sequence[str] = (),
    committee_id: str | None = None,
    committee_name: str = "",
    author_id: str | None = None,
    principles_checked: Sequence[str] = (),
    now: datetime | None = None,
) -> Plan:
    chosen = level or recommended_level
    moment = now or datetime.now(UTC)
    return Plan(
        assessment_id=assessment_id,
        questionnaire_version=questionnaire_version,
        committee=committee.strip(),
        issue=issue.strip(),
        step=step,
        recommended_level=recommended_level,
        level=chosen,
        level_reason=_checked_reason(recommended_level, chosen, level_reason),
        starts_on=starts_on,
        created_by=created_by,
        areas=_unique(areas),
        municipalities=_unique(municipalities),
        forum_slugs=_unique(forum_slugs),
        invited_organisation_ids=_unique(invited_organisation_ids),
        committee_id=committee_id,
        committee_name=committee_name.strip() or committee.strip(),
        author_id=author_id,
        principles_checked=_checked_principles(principles_checked),
        created_at=moment,
        updated_at=moment,
    )


EDITABLE = (
    "committee",
    "issue",
    "level",
    "level_reason",
    "step",
    "starts_on",
    "areas",
    "municipalities",
    "forum_slugs",
    "invited_organisation_ids",
    "principles_checked",
    # Set together with "committee" by the use case, from the committee chosen.
    "committee_id",
    "committee_name",
)


def updated(plan: Plan, changes: Mapping[str, Any], now: datetime | None = None) -> Plan:
    """The plan with ``changes`` applied; the level rule is checked again."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise Invalid(
            "These fields cannot be changed.", "PLAN_FIELD_READ_ONLY", {name: ["Read-only."] for name in unknown}
        )
    values = dict(changes)
    for name in ("areas", "municipalities", "forum_slugs", "invited_organisation_ids"):
        if name in values:
            values[name] = _unique(values[name])
    if "principles_checked" in values:
        values["principles_checked"] = _checked_principles(values["principles_checked"])
    for name in ("committee", "issue"):
        if name in values:
            values[name] = values[name].strip()
    level = values.get("level", plan.level)
    reason = values.get("level_reason", plan.level_reason)
    values["level_reason"] = _checked_reason(plan.recommended_level, level, reason)
    return replace(plan, **values, updated_at=now or datetime.now(UTC))


def with_meeting(plan: Plan, meeting_id: str, now: datetime | None = None) -> Plan:
    return replace(plan, meeting_ids=_unique([*plan.meeting_ids, meeting_id]), updated_at=now or datetime.now(UTC))


def with_outcome(
    plan: Plan,
    summary: str,
    feedback: str,
    feedback_on: date,
    now: datetime | None = None,
    proposals: Sequence[Proposal] = (),
) -> Plan:
    """Record what came of the dialogue, the organisations' proposals and the feedback given; once only.

    A proposal that was not taken up needs the reason why: that is what the organisations want to hear.
    """
    if plan.outcome is not None:
        raise Conflict("The outcome of this plan is already recorded.", "OUTCOME_ALREADY_RECORDED")
    errors: dict[str, list[str]] = {}
    if not summary.strip():
        errors["outcome"] = ["Say what came of the dialogue."]
    if not feedback.strip():
        errors["feedback"] = ["Say what feedback the participants got."]
    for index, proposal in enumerate(proposals):
        if not proposal.text.strip():
            errors[f"proposals.{index}.text"] = ["Say what the proposal was."]
        elif not proposal.taken_up and not proposal.reason.strip():
            errors[f"proposals.{index}.reason"] = ["Say why the proposal was not taken up."]
    if errors:
        raise Invalid("The outcome is not complete.", "OUTCOME_INVALID", errors)
    moment = now or datetime.now(UTC)
    outcome = Outcome(
        summary=summary.strip(),
        feedback=feedback.strip(),
        feedback_on=feedback_on,
        recorded_at=moment,
        proposals=tuple(
            Proposal(text=proposal.text.strip(), taken_up=proposal.taken_up, reason=proposal.reason.strip())
            for proposal in proposals
        ),
    )
    return replace(plan, outcome=outcome, updated_at=moment)


def with_feedback_sent(plan: Plan, recipients: int, now: datetime) -> Plan:
    """Note that the feedback went out by e-mail to ``recipients`` organisations at ``now``."""
    assert plan.outcome is not None
    return replace(plan, outcome=replace(plan.outcome, feedback_sent_at=now, feedback_sent_to=recipients))


def fitting_forums(
    committee: str | Sequence[str], areas: Sequence[str], forums: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Forums that fit a plan: those its committee owns, then those whose name or description names one of its areas.

    ``committee`` may be several names of one committee (short and full): a forum may give either.
    """
    names = {name.strip().lower() for name in ([committee] if isinstance(committee, str) else committee) if name}
    fitting = []
    words = [word for area in areas for word in AREAS.get(area, (area.replace("_", " "),))]
    for forum in forums:
        text = f"{forum.get('name', '')} {forum.get('description', '')}".lower()
        if str(forum.get("owner_committee", "")).strip().lower() in names:
            fitting.append({**forum, "why": "owner_committee"})
        elif any(word in text for word in words):
            fitting.append({**forum, "why": "area"})
    return sorted(fitting, key=lambda forum: (forum["why"] != "owner_committee", str(forum.get("slug", ""))))
