"""The planning questionnaire and its recommendations."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ...auth import Role, requires
from ...services import call
from .schemas import AssessmentInSchema, AssessmentSchema, LanguageQuerySchema, QuestionnaireSchema

blp = Blueprint(
    "advisor",
    __name__,
    url_prefix="/api/v1/advisor",
    description="Which level of participation fits a decision, and why.",
)


@blp.route("/questionnaire", methods=["GET"])
@blp.arguments(LanguageQuerySchema, location="query")
@blp.response(200, QuestionnaireSchema)
def get_questionnaire(query: dict[str, Any]) -> Any:
    """The planning questionnaire"""
    return call("levels_advisor", "get_questionnaire", query["language"])


@blp.route("/assessments", methods=["POST"])
@requires(Role.PLANNER, Role.OPERATOR)
@blp.arguments(AssessmentInSchema)
@blp.response(201, AssessmentSchema)
def assess(answers: dict[str, Any]) -> Any:
    """Answer the questionnaire and get a recommended level"""
    return call("levels_advisor", "assess", answers)


@blp.route("/assessments/<assessment_id>", methods=["GET"])
@requires(Role.PLANNER, Role.OPERATOR)
@blp.response(200, AssessmentSchema)
def get_assessment(assessment_id: str) -> Any:
    """One assessment"""
    return call("levels_advisor", "get_assessment", assessment_id)
