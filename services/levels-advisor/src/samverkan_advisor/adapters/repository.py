"""SQLAlchemy repositories and the advisor's unit of work."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from samverkan_common.db import UnitOfWork
from samverkan_common.participation import DecisionStep, Level

from ..domain.committees import Committee
from ..domain.invitations import Invitation, InvitationState
from ..domain.model import Assessment, CheckItem, Message, StepMethods, Text
from ..domain.plans import Outcome, Plan, Proposal
from .tables import assessments, committees, invitations, metadata, plans


class AssessmentRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, assessment: Assessment) -> None:
        self.session.execute(
            insert(assessments).values(
                id=assessment.id,
                questionnaire_version=assessment.questionnaire_version,
                answers=dict(assessment.answers),
                level=assessment.level.value,
                result={
                    "levels_by_step": {step.value: level.value for step, level in assessment.levels_by_step.items()},
                    "reasons": [asdict(reason) for reason in assessment.reasons],
                    "warnings": [asdict(warning) for warning in assessment.warnings],
                    "score": assessment.score,
                    "confidence": assessment.confidence,
                    "confidence_reasons": [asdict(reason) for reason in assessment.confidence_reasons],
                    "methods": [
                        {
                            "step": item.step.value,
                            "level": item.level.value,
                            "methods": [asdict(text) for text in item.methods],
                            "verified": item.verified,
                        }
                        for item in assessment.methods
                    ],
                    "checklist": [
                        {
                            "principle": item.principle,
                            "name": asdict(item.name),
                            "check": asdict(item.check),
                            "notes": [asdict(note) for note in item.notes],
                        }
                        for item in assessment.checklist
                    ],
                    "rules_digest": assessment.rules_digest,
                },
                created_at=assessment.created_at,
            )
        )

    def get(self, assessment_id: str) -> Assessment | None:
        row = self.session.execute(select(assessments).where(assessments.c.id == assessment_id)).first()
        return _assessment(row._mapping) if row else None


def _assessment(row: Any) -> Assessment:
    # Assessments made before version 2 lack the later keys: they read back as they were shown.
    result = row["result"]
    return Assessment(
        id=row["id"],
        questionnaire_version=row["questionnaire_version"],
        answers=row["answers"],
        level=Level(row["level"]),
        levels_by_step={DecisionStep(step): Level(level) for step, level in result["levels_by_step"].items()},
        reasons=tuple(Message(**reason) for reason in result["reasons"]),
        warnings=tuple(Message(**warning) for warning in result["warnings"]),
        score=result.get("score"),
        confidence=result.get("confidence"),
        confidence_reasons=tuple(Message(**reason) for reason in result.get("confidence_reasons", [])),
        methods=tuple(
            StepMethods(
                step=DecisionStep(item["step"]),
                level=Level(item["level"]),
                methods=tuple(Text(**text) for text in item["methods"]),
                verified=item["verified"],
            )
            for item in result.get("methods", [])
        ),
        checklist=tuple(
            CheckItem(
                principle=item["principle"],
                name=Text(**item["name"]),
                check=Text(**item["check"]),
                notes=tuple(Text(**note) for note in item["notes"]),
            )
            for item in result.get("checklist", [])
        ),
        rules_digest=result.get("rules_digest"),
        created_at=row["created_at"],
    )


class CommitteeRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, committee: Committee) -> None:
        self.session.execute(insert(committees).values(**_committee_values(committee)))

    def save(self, committee: Committee) -> None:
        values = _committee_values(committee)
        self.session.execute(update(committees).where(committees.c.id == values.pop("id")).values(**values))

    def get(self, committee_id: str) -> Committee | None:
        row = self.session.execute(select(committees).where(committees.c.id == committee_id)).first()
        return Committee(**row._mapping) if row else None

    def all(self) -> list[Committee]:
        rows = self.session.execute(select(committees).order_by(func.lower(committees.c.name)))
        return [Committee(**row._mapping) for row in rows]


def _committee_values(committee: Committee) -> dict[str, Any]:
    return {
        "id": committee.id,
        "short_name": committee.short_name,
        "name": committee.name,
        "retired_at": committee.retired_at,
        "created_at": committee.created_at,
        "updated_at": committee.updated_at,
    }


def _plans_with_committee() -> Select[Any]:
    """Plans with their committee's names as they are now (a plan without a committee keeps its free text)."""
    return select(
        plans,
        committees.c.short_name.label("committee_short_name"),
        committees.c.name.label("committee_full_name"),
    ).outerjoin(committees, committees.c.id == plans.c.committee_id)


class PlanRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, plan: Plan) -> None:
        self.session.execute(insert(plans).values(id=plan.id, **_plan_values(plan), created_at=plan.created_at))

    def save(self, plan: Plan) -> None:
        self.session.execute(update(plans).where(plans.c.id == plan.id).values(**_plan_values(plan)))

    def get(self, plan_id: str) -> Plan | None:
        row = self.session.execute(_plans_with_committee().where(plans.c.id == plan_id)).first()
        return _plan(row._mapping) if row else None

    def starting_between(self, first: date, last: date) -> list[Plan]:
        rows = self.session.execute(
            _plans_with_committee()
            .where(plans.c.starts_on >= first, plans.c.starts_on <= last)
            .order_by(plans.c.starts_on)
        )
        return [_plan(row._mapping) for row in rows]

    def by_author(self, author_id: str, limit: int) -> list[Plan]:
        """The author's plans, newest first."""
        rows = self.session.execute(
            _plans_with_committee()
            .where(plans.c.author_id == author_id)
            .order_by(plans.c.created_at.desc(), plans.c.id)
            .limit(limit)
        )
        return [_plan(row._mapping) for row in rows]


def _plan_values(plan: Plan) -> dict[str, Any]:
    outcome = plan.outcome
    return {
        "assessment_id": plan.assessment_id,
        "questionnaire_version": plan.questionnaire_version,
        "committee": plan.committee,
        "issue": plan.issue,
        "step": plan.step.value,
        "recommended_level": plan.recommended_level.value,
        "level": plan.level.value,
        "level_reason": plan.level_reason,
        "starts_on": plan.starts_on,
        "created_by": plan.created_by,
        "areas": list(plan.areas),
        "municipalities": list(plan.municipalities),
        "forum_slugs": list(plan.forum_slugs),
        "invited_organisation_ids": list(plan.invited_organisation_ids),
        "meeting_ids": list(plan.meeting_ids),
        "outcome": outcome.summary if outcome else None,
        "feedback": outcome.feedback if outcome else None,
        "feedback_on": outcome.feedback_on if outcome else None,
        "outcome_recorded_at": outcome.recorded_at if outcome else None,
        "proposals": [
            {"text": proposal.text, "taken_up": proposal.taken_up, "reason": proposal.reason}
            for proposal in (outcome.proposals if outcome else ())
        ],
        "feedback_sent_at": outcome.feedback_sent_at if outcome else None,
        "feedback_sent_to": outcome.feedback_sent_to if outcome else 0,
        "updated_at": plan.updated_at,
        "committee_id": plan.committee_id,
        "author_id": plan.author_id,
        "principles_checked": list(plan.principles_checked),
    }


def _plan(row: Any) -> Plan:
    outcome = None
    if row["outcome_recorded_at"] is not None:
        outcome = Outcome(
            summary=row["outcome"],
            feedback=row["feedback"],
            feedback_on=row["feedback_on"],
            recorded_at=row["outcome_recorded_at"],
            proposals=tuple(
                Proposal(text=item["text"], taken_up=bool(item["taken_up"]), reason=item.get("reason") or "")
                for item in row["proposals"] or ()
            ),
            feedback_sent_at=row["feedback_sent_at"],
            feedback_sent_to=row["feedback_sent_to"] or 0,
        )
    return Plan(
        id=row["id"],
        assessment_id=row["assessment_id"],
        questionnaire_version=row["questionnaire_version"],
        committee=row["committee_short_name"] or row["committee"],
        committee_id=row["committee_id"],
        committee_name=row["committee_full_name"] or row["committee"],
        author_id=row["author_id"],
        principles_checked=tuple(row["principles_checked"] or ()),
        issue=row["issue"],
        step=DecisionStep(row["step"]),
        recommended_level=Level(row["recommended_level"]),
        level=Level(row["level"]),
        level_reason=row["level_reason"],
        starts_on=row["starts_on"],
        created_by=row["created_by"],
        areas=tuple(row["areas"]),
        municipalities=tuple(row["municipalities"]),
        forum_slugs=tuple(row["forum_slugs"]),
        invited_organisation_ids=tuple(row["invited_organisation_ids"]),
        meeting_ids=tuple(row["meeting_ids"]),
        outcome=outcome,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class InvitationRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, invitation: Invitation) -> None:
        self.session.execute(insert(invitations).values(**_invitation_values(invitation)))

    def save(self, invitation: Invitation) -> None:
        values = _invitation_values(invitation)
        self.session.execute(update(invitations).where(invitations.c.id == values.pop("id")).values(**values))

    def by_token_digest(self, digest: str) -> Invitation | None:
        row = self.session.execute(select(invitations).where(invitations.c.token_digest == digest)).first()
        return _invitation(row._mapping) if row else None

    def of_plan(self, plan_id: str) -> list[Invitation]:
        rows = self.session.execute(
            select(invitations)
            .where(invitations.c.plan_id == plan_id)
            .order_by(invitations.c.organisation_name, invitations.c.id)
        )
        return [_invitation(row._mapping) for row in rows]


def _invitation_values(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "plan_id": invitation.plan_id,
        "organisation_id": invitation.organisation_id,
        "organisation_name": invitation.organisation_name,
        "addresses": list(invitation.addresses),
        "token_digest": invitation.token_digest,
        "state": invitation.state.value,
        "sent_at": invitation.sent_at,
        "expires_at": invitation.expires_at,
        "answered_at": invitation.answered_at,
    }


def _invitation(row: Any) -> Invitation:
    return Invitation(
        id=row["id"],
        plan_id=row["plan_id"],
        organisation_id=row["organisation_id"],
        organisation_name=row["organisation_name"],
        addresses=tuple(row["addresses"]),
        token_digest=row["token_digest"],
        state=InvitationState(row["state"]),
        sent_at=row["sent_at"],
        expires_at=row["expires_at"],
        answered_at=row["answered_at"],
    )


class AdvisorUnitOfWork(UnitOfWork):
    metadata = metadata

    @property
    def assessments(self) -> AssessmentRepository:
        return AssessmentRepository(self.session)

    @property
    def plans(self) -> PlanRepository:
        return PlanRepository(self.session)

    @property
    def committees(self) -> CommitteeRepository:
        return CommitteeRepository(self.session)

    @property
    def invitations(self) -> InvitationRepository:
        return InvitationRepository(self.session)
