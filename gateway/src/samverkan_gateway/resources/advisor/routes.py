"""The planning questionnaire, its recommendations and the dialogue plans made from them."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint

from ...auth import Role, requires
from ...services import call
from ..schemas import wire
from .schemas import (
    AssessmentInSchema,
    AssessmentSchema,
    CommitteeChangeSchema,
    CommitteeInSchema,
    CommitteeQuerySchema,
    CommitteeSchema,
    LanguageQuerySchema,
    OutcomeInSchema,
    PlanChangeSchema,
    PlanInSchema,
    PlanMeetingInSchema,
    PlanMeetingSchema,
    PlanSchema,
    QuestionnaireSchema,
    SuggestionsSchema,
)

blp = Blueprint(
    "advisor",
    __name__,
    url_prefix="/api/v1/advisor",
    description="Which level of participation fits a decision, and why; dialogue plans.",
)

PLANNERS = (Role.PLANNER, Role.OPERATOR)


@blp.route("/questionnaire", methods=["GET"])
@blp.arguments(LanguageQuerySchema, location="query")
@blp.response(200, QuestionnaireSchema)
def get_questionnaire(query: dict[str, Any]) -> Any:
    """The planning questionnaire (the current version, or an earlier one)"""
    return call("levels_advisor", "get_questionnaire", query["language"], query["version"])


@blp.route("/assessments", methods=["POST"])
@requires(*PLANNERS)
@blp.arguments(AssessmentInSchema)
@blp.response(201, AssessmentSchema)
def assess(answers: dict[str, Any]) -> Any:
    """Answer the questionnaire and get a recommended level"""
    return call("levels_advisor", "assess", answers)


@blp.route("/assessments/<assessment_id>", methods=["GET"])
@requires(*PLANNERS)
@blp.response(200, AssessmentSchema)
def get_assessment(assessment_id: str) -> Any:
    """One assessment, as it was shown, with the questionnaire version it used"""
    return call("levels_advisor", "get_assessment", assessment_id)


@blp.route("/plans", methods=["POST"])
@requires(*PLANNERS)
@blp.arguments(PlanInSchema)
@blp.response(201, PlanSchema)
def create_plan(plan: dict[str, Any]) -> Any:
    """Save an assessment as a dialogue plan for a committee and an issue"""
    return call(
        "levels_advisor",
        "create_plan",
        {**wire(PlanInSchema(), plan), "created_by": g.principal.name, "author_id": str(g.principal.token_id)},
    )


@blp.route("/plans", methods=["GET"])
@requires(*PLANNERS)
@blp.response(200, PlanSchema(many=True))
def list_my_plans() -> Any:
    """The plans the caller made, newest first"""
    return call("levels_advisor", "list_plans", {"author_id": str(g.principal.token_id)})


@blp.route("/plans/<plan_id>", methods=["GET"])
@requires(*PLANNERS)
@blp.response(200, PlanSchema)
def get_plan(plan_id: str) -> Any:
    """One dialogue plan"""
    return call("levels_advisor", "get_plan", plan_id)


@blp.route("/plans/<plan_id>", methods=["PATCH"])
@requires(*PLANNERS)
@blp.arguments(PlanChangeSchema)
@blp.response(200, PlanSchema)
def update_plan(changes: dict[str, Any], plan_id: str) -> Any:
    """Change a plan: level (with a reason if not the recommended), forums, invitees, areas"""
    return call("levels_advisor", "update_plan", plan_id, wire(PlanChangeSchema(), changes))


@blp.route("/plans/<plan_id>/suggestions", methods=["GET"])
@requires(*PLANNERS)
@blp.response(200, SuggestionsSchema)
def plan_suggestions(plan_id: str) -> Any:
    """Organisations to invite (from the registry) and forums that fit (from the events service)"""
    return call("levels_advisor", "plan_suggestions", plan_id)


@blp.route("/plans/<plan_id>/meetings", methods=["POST"])
@requires(*PLANNERS)
@blp.arguments(PlanMeetingInSchema)
@blp.response(201, PlanMeetingSchema)
def schedule_plan_meeting(meeting: dict[str, Any], plan_id: str) -> Any:
    """Schedule a meeting of the plan in a forum, at the plan's level and step"""
    return call("levels_advisor", "schedule_plan_meeting", plan_id, meeting)


@blp.route("/plans/<plan_id>/outcome", methods=["POST"])
@requires(*PLANNERS)
@blp.arguments(OutcomeInSchema)
@blp.response(201, PlanSchema)
def record_outcome(outcome: dict[str, Any], plan_id: str) -> Any:
    """Record what came of the dialogue and the feedback given to the participants"""
    return call("levels_advisor", "record_outcome", plan_id, wire(OutcomeInSchema(), outcome))


@blp.route("/committees", methods=["GET"])
@blp.arguments(CommitteeQuerySchema, location="query")
@blp.response(200, CommitteeSchema(many=True))
def list_committees(query: dict[str, Any]) -> Any:
    """The region's committees and boards that plans belong to, by name"""
    return call("levels_advisor", "list_committees", query["include_retired"])


@blp.route("/committees", methods=["POST"])
@requires(Role.OPERATOR)
@blp.arguments(CommitteeInSchema)
@blp.response(201, CommitteeSchema)
def add_committee(committee: dict[str, Any]) -> Any:
    """Add a committee (operators)"""
    return call("levels_advisor", "add_committee", committee)


@blp.route("/committees/<committee_id>", methods=["PATCH"])
@requires(Role.OPERATOR)
@blp.arguments(CommitteeChangeSchema)
@blp.response(200, CommitteeSchema)
def change_committee(changes: dict[str, Any], committee_id: str) -> Any:
    """Rename a committee, or retire it (no new plans) or bring it back (operators)"""
    return call("levels_advisor", "change_committee", committee_id, changes)
