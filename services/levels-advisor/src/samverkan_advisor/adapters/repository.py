"""SQLAlchemy repository and the advisor's unit of work."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from samverkan_common.db import UnitOfWork
from samverkan_common.participation import DecisionStep, Level

from ..domain.model import Assessment, Message
from .tables import assessments, metadata


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
                },
                created_at=assessment.created_at,
            )
        )

    def get(self, assessment_id: str) -> Assessment | None:
        row = self.session.execute(select(assessments).where(assessments.c.id == assessment_id)).first()
        return _assessment(row._mapping) if row else None


def _assessment(row: Any) -> Assessment:
    result = row["result"]
    return Assessment(
        id=row["id"],
        questionnaire_version=row["questionnaire_version"],
        answers=row["answers"],
        level=Level(row["level"]),
        levels_by_step={DecisionStep(step): Level(level) for step, level in result["levels_by_step"].items()},
        reasons=tuple(Message(**reason) for reason in result["reasons"]),
        warnings=tuple(Message(**warning) for warning in result["warnings"]),
        created_at=row["created_at"],
    )


class AdvisorUnitOfWork(UnitOfWork):
    metadata = metadata

    @property
    def assessments(self) -> AssessmentRepository:
        return AssessmentRepository(self.session)
