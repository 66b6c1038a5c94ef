"""Spara som dialogplan: a logged-in planner turns the wizard's suggestion into a dialogue plan.

The plan is made by the levels advisor's ``create_plan`` RPC, as ``POST /api/v1/advisor/plans``
makes it, with the person's name as its author. Only planners and operators may; anyone else
is sent to log in (not logged in) or told they may not (403).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate

from samverkan_common.errors import Invalid, NotFound

from ..auth import Principal, Role, Unauthenticated, authenticate
from ..resources.advisor.schemas import NAME
from ..services import call

blp = Blueprint("plan_pages", __name__, template_folder="../templates")
PLANNERS = (Role.PLANNER, Role.OPERATOR)


class PlanFormSchema(Schema):
    committee = fields.String(required=True, validate=NAME)
    issue = fields.String(required=True, validate=validate.Length(min=1, max=500))


def _messages() -> dict[str, str]:
    return {
        "committee": _("Enter the committee that plans the dialogue, like BMR."),
        "issue": _("Enter the issue the dialogue is about."),
    }


def _planner() -> Principal | Any:
    """The planner asking, or the answer to give instead: to the login page, or 403."""
    try:
        person = authenticate()
    except Unauthenticated:
        person = None
    if person is None:
        return redirect(url_for("login_pages.login_form", next=request.path))
    if person.role not in PLANNERS:
        abort(403)
    return person


def _assessment(assessment_id: str) -> dict[str, Any]:
    try:
        found: dict[str, Any] = call("levels_advisor", "get_assessment", assessment_id)
    except (NotFound, Invalid):
        abort(404)
    return found


def _page(assessment: dict[str, Any], form: dict[str, str], errors: dict[str, str], status: int = 200) -> Any:
    return current_app.make_response(
        (render_template("pages/plan_save.html", assessment=assessment, form=form, errors=errors), status)
    )


@blp.get("/planera/forslag/<assessment_id>/spara")
def plan_form(assessment_id: str) -> Any:
    person = _planner()
    if not isinstance(person, Principal):
        return person
    return _page(_assessment(assessment_id), {"committee": "", "issue": ""}, {})


@blp.post("/planera/forslag/<assessment_id>/spara")
def save_plan(assessment_id: str) -> Any:
    person = _planner()
    if not isinstance(person, Principal):
        return person
    form = {key: request.form.get(key, "").strip() for key in ("committee", "issue")}
    assessment = _assessment(assessment_id)
    try:
        plan = PlanFormSchema().load({key: value for key, value in form.items() if value})
    except ValidationError as error:
        messages = _messages()
        return _page(assessment, form, {k: messages[k] for k in messages if k in error.messages_dict}, 400)
    created = call(
        "levels_advisor",
        "create_plan",
        {**plan, "assessment_id": assessment["id"], "created_by": person.name},
    )
    return redirect(url_for("plan_pages.plan_saved", assessment_id=assessment["id"], plan=created["id"]), code=303)


@blp.get("/planera/forslag/<assessment_id>/sparad")
def plan_saved(assessment_id: str) -> Any:
    person = _planner()
    if not isinstance(person, Principal):
        return person
    plan_id = request.args.get("plan", "")
    try:
        plan = call("levels_advisor", "get_plan", plan_id)
    except (NotFound, Invalid):
        abort(404)
    return render_template("pages/plan_saved.html", assessment=_assessment(assessment_id), plan=plan)
