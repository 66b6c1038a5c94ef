"""Use cases of the levels advisor: each takes a unit of work and plain values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from samverkan_common.errors import NotFound

from ..domain import advice
from ..domain.model import Assessment, Questionnaire


class AssessmentStore(Protocol):
    def add(self, assessment: Assessment) -> None: ...
    def get(self, assessment_id: str) -> Assessment | None: ...


class AdvisorUow(Protocol):
    @property
    def assessments(self) -> AssessmentStore: ...
    def emit(self, type_: str, data: dict[str, object], version: int = 1) -> object: ...
    def commit(self) -> None: ...


def assess(uow: AdvisorUow, questionnaire: Questionnaire, answers: Mapping[str, object]) -> Assessment:
    """Recommend a level for the answers, keep the assessment and announce it."""
    assessment = advice.assess(questionnaire, answers)
    uow.assessments.add(assessment)
    uow.emit(
        "assessment_made",
        {
            "assessment_id": assessment.id,
            "level": assessment.level.value,
            "questionnaire_version": assessment.questionnaire_version,
        },
    )
    uow.commit()
    return assessment


def get_assessment(uow: AdvisorUow, assessment_id: str) -> Assessment:
    assessment = uow.assessments.get(assessment_id)
    if assessment is None:
        raise NotFound(f"There is no assessment {assessment_id!r}.", "ASSESSMENT_NOT_FOUND")
    return assessment
