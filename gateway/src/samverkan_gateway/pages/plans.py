"""A planner's dialogue plans: save the wizard's suggestion as a plan, Mina planer, and the plan's own page.

- "Spara som dialogplan": the levels advisor's ``create_plan`` RPC, as ``POST /api/v1/advisor/plans`` makes it,
  with the person's name as its author and the committee chosen from the region's list. It lands on the plan.
- Mina planer: the plans the person made, newest first, each with its next meeting and how far it has come.
- The plan page: the suggestion per step of the decision process and the level chosen (with the reason when
  they differ), the assessment's reasons and warnings, the six principles with what the planner has ticked off,
  the meetings, the invited organisations, the outcome and the feedback. It prints well.

Only planners and operators (and a plan's own author) may; anyone else is sent to log in (not logged in)
or told they may not (403). A plan or assessment that is not there is the error pages' 404.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate

from samverkan_common.errors import Invalid, NotFound
from samverkan_common.participation import DecisionStep, Level

from ..auth import Principal, Role, Unauthenticated, authenticate
from ..resources.advisor.schemas import PRINCIPLES
from ..services import call
from .calendar import level_name
from .planning import step_names

blp = Blueprint("plan_pages", __name__, template_folder="../templates")
PLANNERS = (Role.PLANNER, Role.OPERATOR)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
# How far ahead Mina planer looks for a plan's next meeting.
NEXT_MEETING_HORIZON = timedelta(days=730)
# At most this many invited organisations are looked up by name on the plan page.
MAX_SHOWN_ORGANISATIONS = 100


class PlanFormSchema(Schema):
    committee = fields.String(required=True, validate=validate.Length(min=1, max=40))
    issue = fields.String(required=True, validate=validate.Length(min=1, max=500))


def state_names() -> dict[str, str]:
    return {
        "planned": _("Planned"),
        "meetings_booked": _("Meetings booked"),
        "outcome_recorded": _("Outcome recorded"),
        "feedback_given": _("Feedback given"),
    }


def principle_names() -> dict[str, str]:
    return {
        "independence": _("Independence"),
        "dialogue": _("Dialogue"),
        "quality": _("Quality"),
        "long_term": _("Long-term"),
        "openness": _("Openness and transparency"),
        "diversity": _("Diversity"),
    }


def _messages() -> dict[str, str]:
    return {
        "committee": _("Choose the committee that plans the dialogue."),
        "issue": _("Enter the issue the dialogue is about."),
        "level": _("Choose a level."),
        "level_reason": _("Write why you chose another level than the suggested one."),
    }


def _language() -> str:
    return str(get_locale() or "sv")


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


def _reader(plan_id: str) -> tuple[Principal | None, Any]:
    """The person who may see and change the plan, with the plan; or no one, and the answer to give instead.

    Planners and operators may, and the plan's own author; anyone else logged in is told they may not (403).
    """
    try:
        person = authenticate()
    except Unauthenticated:
        person = None
    if person is None:
        return None, redirect(url_for("login_pages.login_form", next=request.path))
    plan: dict[str, Any] = call("levels_advisor", "get_plan", plan_id)
    if person.role not in PLANNERS and plan.get("author_id") != str(person.token_id):
        abort(403)
    return person, plan


def _committees() -> list[dict[str, Any]]:
    committees: list[dict[str, Any]] = call("levels_advisor", "list_committees", False)
    return committees


# Spara som dialogplan


def _save_page(assessment: dict[str, Any], form: dict[str, str], errors: dict[str, str], status: int = 200) -> Any:
    return current_app.make_response(
        (
            render_template(
                "pages/plan_save.html", assessment=assessment, form=form, errors=errors, committees=_committees()
            ),
            status,
        )
    )


@blp.get("/planera/forslag/<assessment_id>/spara")
def plan_form(assessment_id: str) -> Any:
    person = _planner()
    if not isinstance(person, Principal):
        return person
    assessment = call("levels_advisor", "get_assessment", assessment_id)
    return _save_page(assessment, {"committee": "", "issue": ""}, {})


@blp.post("/planera/forslag/<assessment_id>/spara")
def save_plan(assessment_id: str) -> Any:
    person = _planner()
    if not isinstance(person, Principal):
        return person
    form = {key: request.form.get(key, "").strip() for key in ("committee", "issue")}
    assessment = call("levels_advisor", "get_assessment", assessment_id)
    messages = _messages()
    errors: dict[str, str] = {}
    try:
        plan = PlanFormSchema().load({key: value for key, value in form.items() if value})
    except ValidationError as error:
        errors = {key: messages[key] for key in ("committee", "issue") if key in error.messages_dict}
    if "committee" not in errors and form["committee"] not in {c["id"] for c in _committees()}:
        errors["committee"] = messages["committee"]
    if errors:
        return _save_page(assessment, form, errors, 400)
    created = call(
        "levels_advisor",
        "create_plan",
        {**plan, "assessment_id": assessment["id"], "created_by": person.name, "author_id": str(person.token_id)},
    )
    return redirect(url_for("plan_pages.plan_page", plan_id=created["id"], sparad=1), code=303)


# Mina planer


def _local(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(STOCKHOLM)


def _next_meetings(plans: list[dict[str, Any]], today: date) -> dict[str, dict[str, Any]]:
    """Each plan's next meeting that is not cancelled, by plan id, in one call to the events service."""
    slugs = sorted({slug for plan in plans if plan["meeting_ids"] for slug in plan["forum_slugs"]})
    if not slugs:
        return {}
    end = today + NEXT_MEETING_HORIZON
    found = call("events", "meetings_between", today.isoformat(), end.isoformat(), {"forum_slugs": slugs})
    now = datetime.now(STOCKHOLM)
    upcoming: dict[str, dict[str, Any]] = {}
    for plan in plans:
        ids = set(plan["meeting_ids"])
        for meeting in found:  # sorted by start
            if (
                meeting["meeting_id"] in ids
                and meeting["status"] != "cancelled"
                and _local(meeting["starts_at"]) >= now
            ):
                upcoming[plan["id"]] = {**meeting, "when": _local(meeting["starts_at"])}
                break
    return upcoming


@blp.get("/mina-planer")
def my_plans() -> Any:
    person = _planner()
    if not isinstance(person, Principal):
        return person
    plans: list[dict[str, Any]] = call("levels_advisor", "list_plans", {"author_id": str(person.token_id)})
    return render_template(
        "pages/plans_mine.html",
        plans=plans,
        next_meetings=_next_meetings(plans, date.today()),
        level_name=level_name,
        step_names=step_names(),
        state_names=state_names(),
    )


# The plan page


def _steps(assessment: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    names = step_names()
    levels = assessment.get("levels_by_step") or {}
    return [(step.value, names[step.value], levels.get(step.value)) for step in DecisionStep]


def _meetings(plan: dict[str, Any]) -> list[dict[str, Any]]:
    meetings = []
    for meeting_id in plan["meeting_ids"]:
        try:
            meeting = call("events", "get_meeting", meeting_id)
        except NotFound:
            meetings.append({"id": meeting_id, "missing": True})
            continue
        meetings.append({**meeting, "when": _local(meeting["starts_at"])})
    return sorted(meetings, key=lambda meeting: (meeting.get("missing", False), meeting.get("starts_at", "")))


def _organisations(plan: dict[str, Any]) -> list[dict[str, Any]]:
    organisations = []
    for organisation_id in plan["invited_organisation_ids"][:MAX_SHOWN_ORGANISATIONS]:
        try:
            organisations.append(call("registry", "get_organisation", organisation_id))
        except NotFound:
            organisations.append({"id": organisation_id, "missing": True})
    return sorted(organisations, key=lambda found: str(found.get("name", "")).casefold())


def _checklist(assessment: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """The six principles, with the assessment's question and notes for each where it has them."""
    names = principle_names()
    by_id = {item["principle"]: item for item in assessment.get("checklist") or []}
    items = []
    for principle in PRINCIPLES:
        item = by_id.get(principle, {})
        items.append(
            {
                "id": principle,
                "name": names[principle],
                "check": (item.get("check") or {}).get(language, ""),
                "notes": [note.get(language, "") for note in item.get("notes") or []],
            }
        )
    return items


def _plan_page(
    plan: dict[str, Any], form: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200
) -> Any:
    language = _language()
    assessment = call("levels_advisor", "get_assessment", plan["assessment_id"])
    form = form or {"level": plan["level"], "level_reason": plan.get("level_reason") or ""}
    return current_app.make_response(
        (
            render_template(
                "pages/plan.html",
                plan=plan,
                assessment=assessment,
                language=language,
                steps=_steps(assessment),
                levels=[(level.value, level_name(level.value)) for level in Level],
                checklist=_checklist(assessment, language),
                meetings=_meetings(plan),
                organisations=_organisations(plan),
                more_organisations=max(0, len(plan["invited_organisation_ids"]) - MAX_SHOWN_ORGANISATIONS),
                level_name=level_name,
                step_names=step_names(),
                state_names=state_names(),
                form=form,
                errors=errors or {},
                notice=request.args.get("sparad") and "saved" or request.args.get("sparat", ""),
                starts_on=date.fromisoformat(plan["starts_on"]),
                feedback_on=date.fromisoformat(plan["outcome"]["feedback_on"]) if plan.get("outcome") else None,
            ),
            status,
        )
    )


@blp.get("/planer/<plan_id>")
def plan_page(plan_id: str) -> Any:
    person, plan = _reader(plan_id)
    if person is None:
        return plan
    return _plan_page(plan)


@blp.post("/planer/<plan_id>/niva")
def choose_level(plan_id: str) -> Any:
    person, plan = _reader(plan_id)
    if person is None:
        return plan
    form = {key: request.form.get(key, "").strip() for key in ("level", "level_reason")}
    messages = _messages()
    if form["level"] not in {level.value for level in Level}:
        return _plan_page(plan, form, {"level": messages["level"]}, 400)
    try:
        call("levels_advisor", "update_plan", plan_id, {"level": form["level"], "level_reason": form["level_reason"]})
    except Invalid as refused:
        # The advisor keeps the rule (another level needs a reason); the page says it next to the field.
        if not set(refused.errors) <= set(messages):
            raise
        return _plan_page(plan, form, {key: messages[key] for key in refused.errors}, 400)
    return redirect(url_for("plan_pages.plan_page", plan_id=plan_id, sparat="niva", _anchor="niva"), code=303)


@blp.post("/planer/<plan_id>/principer")
def check_principles(plan_id: str) -> Any:
    person, plan = _reader(plan_id)
    if person is None:
        return plan
    ticked = [principle for principle in request.form.getlist("principle") if principle in PRINCIPLES]
    call("levels_advisor", "update_plan", plan_id, {"principles_checked": ticked})
    return redirect(url_for("plan_pages.plan_page", plan_id=plan_id, sparat="principer", _anchor="principer"), code=303)
