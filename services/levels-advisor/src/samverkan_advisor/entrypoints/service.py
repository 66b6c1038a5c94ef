"""The levels advisor: thin RPC entrypoints over the use cases."""

from __future__ import annotations

from typing import Any

from samverkan_common.providers import UnitOfWorkProvider
from samverkan_common.service import health_report, load, rpc

from ..adapters.repository import AdvisorUnitOfWork
from ..domain.model import Questionnaire
from ..service_layer import handlers
from .providers import QuestionnaireProvider
from .schemas import AssessmentSchema, AssessSchema, QuestionnaireQuerySchema, questionnaire_out


class AdvisorService:
    name = "levels_advisor"

    uow: AdvisorUnitOfWork = UnitOfWorkProvider(AdvisorUnitOfWork)  # type: ignore[assignment]
    questionnaire: Questionnaire = QuestionnaireProvider()  # type: ignore[assignment]

    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, "samverkan-advisor", self.uow)

    @rpc
    def get_questionnaire(self, language: str = "sv") -> dict[str, Any]:
        query = load(QuestionnaireQuerySchema(), {"language": language})
        return questionnaire_out(self.questionnaire, query["language"])

    @rpc
    def assess(self, payload: dict[str, Any]) -> dict[str, Any]:
        command = load(AssessSchema(), payload)
        assessment = handlers.assess(self.uow, self.questionnaire, command["answers"])
        return AssessmentSchema().dump(assessment)

    @rpc
    def get_assessment(self, assessment_id: str) -> dict[str, Any]:
        return AssessmentSchema().dump(handlers.get_assessment(self.uow, assessment_id))
