"""Invite organisations to a plan's dialogue, and the page an invited organisation answers on.

- "Bjud in organisationer" (``/planer/<id>/bjud-in``): the advisor's suggestions, each with why it fits,
  signatories first, with checkboxes; the forums that fit; a search in the directory (the registry's own
  search) to find and tick others. The page is one form: "Sök" re-renders it (303 to a GET with ``q`` and
  the ticked organisations in the address), "Skicka inbjudningar" sends. No script is needed.
- ``/inbjudan/<token>``: what the mailed link opens. A GET only shows the invitation (mail scanners follow
  links); the answer is a POST with the page's CSRF token. An unknown link is the error pages' 404, an
  expired one their 410.
- The plan page includes ``_plan_invitations.html``, which asks for the invitations through the template
  global :func:`plan_invitations_of`, so the plan page's own view needs no change.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import Gone

from samverkan_common.errors import Conflict, Invalid, NotFound

from ..auth import Principal, Role, Unauthenticated, authenticate
from ..services import call
from .calendar import level_name
from .organisations import area_names

blp = Blueprint("plan_invitation_pages", __name__, template_folder="../templates")
PLANNERS = (Role.PLANNER, Role.OPERATOR)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Results of a search in the directory shown on the page.
SEARCH_RESULTS = 20
# At most this many organisations may be ticked at once (the advisor's limit per sending).
MAX_TICKED = 200
# What an answer token looks like (secrets.token_urlsafe(24) gives 32 of these characters).
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,100}$")
ID = re.compile(r"^[A-Za-z0-9-]{1,36}$")


def _language() -> str:
    return str(get_locale() or "sv")


def _plan_for_planner(plan_id: str) -> tuple[Principal | None, Any]:
    """The planner (or the plan's author) with the plan; or no one, and the answer to give instead."""
    try:
        person = authenticate()
    except Unauthenticated:
        person = None
    if person is None:
        return None, redirect(url_for("login_pages.login_form", next=request.full_path.rstrip("?")))
    plan: dict[str, Any] = call("levels_advisor", "get_plan", plan_id)
    if person.role not in PLANNERS and plan.get("author_id") != str(person.token_id):
        abort(403)
    return person, plan


def _ticked(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if ID.match(value)))[:MAX_TICKED]


def _names_of(organisation_ids: list[str]) -> list[dict[str, Any]]:
    """Ticked organisations that are neither suggested nor among the results, by name, as the page keeps them."""
    found = []
    for organisation_id in organisation_ids:
        try:
            found.append(call("registry", "get_organisation", organisation_id))
        except NotFound:
            continue
    return sorted(found, key=lambda organisation: str(organisation.get("name", "")).casefold())


def _municipality_names() -> dict[str, str]:
    return {m["code"]: m["name"] for m in call("registry", "list_municipalities")}


def _reason_texts(organisation: dict[str, Any], municipalities: dict[str, str], areas: dict[str, str]) -> list[str]:
    texts = []
    for reason in organisation.get("reasons") or ():
        if reason["code"] == "signatory":
            texts.append(_("has signed Överenskommelsen"))
        elif reason["code"] == "municipality":
            code = reason.get("municipality_code", "")
            texts.append(_("active in %(municipality)s", municipality=municipalities.get(code, code)))
        elif reason["code"] == "area":
            area = areas.get(reason.get("area", ""), reason.get("area", ""))
            texts.append(_("interested in %(area)s", area=area[:1].lower() + area[1:]))
    return texts


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _forum_reason(forum: dict[str, Any], plan: dict[str, Any]) -> str:
    if forum.get("why") == "owner_committee":
        return str(_("the forum of %(committee)s", committee=plan.get("committee_name") or plan.get("committee")))
    return str(_("works with the issue's area"))


def _invite_page(plan: dict[str, Any], ticked: list[str], errors: dict[str, str], status: int = 200) -> Any:
    query = request.args.get("q", "").strip()[:200]
    suggested = call("levels_advisor", "invitation_suggestions", plan["id"])
    invitations = call("levels_advisor", "plan_invitations", plan["id"])
    invited = {invitation["organisation_id"] for invitation in invitations}
    municipalities = _municipality_names()
    areas = area_names()
    organisations = [
        {**organisation, "why": _sentence(" · ".join(_reason_texts(organisation, municipalities, areas)))}
        for organisation in suggested["organisations"]
    ]
    results: dict[str, Any] | None = None
    if query:
        try:
            results = call("registry", "search_organisations", {"q": query, "per_page": SEARCH_RESULTS})
        except Invalid:
            errors = {**errors, "q": _("The search could not be understood. Change it and try again.")}
    shown = {str(o["id"]) for o in organisations} | {str(o["id"]) for o in (results or {}).get("items", [])}
    kept = _names_of([organisation_id for organisation_id in ticked if organisation_id not in shown])
    return current_app.make_response(
        (
            render_template(
                "pages/plan_invite.html",
                plan=plan,
                organisations=organisations,
                forums=[{**forum, "reason": _forum_reason(forum, plan)} for forum in suggested["forums"]],
                unavailable=suggested.get("unavailable") or [],
                level_offer=(suggested.get("level_offer") or {}).get(_language(), ""),
                level_name=level_name,
                results=results,
                query=query,
                kept=kept,
                ticked=set(ticked),
                invited=invited,
                municipality_names=municipalities,
                errors=errors,
            ),
            status,
        )
    )


@blp.get("/planer/<plan_id>/bjud-in")
def invite(plan_id: str) -> Any:
    person, plan = _plan_for_planner(plan_id)
    if person is None:
        return plan
    return _invite_page(plan, _ticked(request.args.getlist("organisation")), {})


@blp.post("/planer/<plan_id>/bjud-in")
def send(plan_id: str) -> Any:
    person, plan = _plan_for_planner(plan_id)
    if person is None:
        return plan
    ticked = _ticked(request.form.getlist("organisation"))
    if "sok" in request.form:
        # "Sök": the same page again with the results, keeping what is ticked, at an address that can be reloaded.
        query = request.form.get("q", "").strip()[:200]
        target = url_for("plan_invitation_pages.invite", plan_id=plan_id, q=query or None, organisation=ticked)
        return redirect(f"{target}#sok", code=303)
    if not ticked:
        return _invite_page(plan, [], {"organisation": _("Choose at least one organisation to invite.")}, 400)
    try:
        sent = call("levels_advisor", "send_plan_invitations", plan_id, {"organisation_ids": ticked})
    except Invalid:
        message = _("One of the organisations is no longer in the directory. Choose again.")
        return _invite_page(plan, ticked, {"organisation": message}, 400)
    return redirect(url_for("plan_pages.plan_page", plan_id=plan_id, inbjudna=len(sent), _anchor="inbjudna"), code=303)


# The plan page's partial


@blp.app_template_global()
def plan_invitations_of(plan_id: str) -> list[dict[str, Any]]:
    """The plan's invitations with their answers, by organisation name (for ``_plan_invitations.html``)."""
    invitations: list[dict[str, Any]] = call("levels_advisor", "plan_invitations", plan_id)
    return [{**invitation, "answered": _local(invitation.get("answered_at"))} for invitation in invitations]


def _local(moment: str | None) -> datetime | None:
    return datetime.fromisoformat(moment).astimezone(STOCKHOLM) if moment else None


# The answer page


def _about(token: str) -> dict[str, Any]:
    if not TOKEN.match(token):
        raise NotFound("There is no invitation with this link.", "INVITATION_NOT_FOUND")
    about: dict[str, Any] = call("levels_advisor", "invitation_by_token", token)
    if about["expired"]:
        raise Gone()
    return about


def _meetings(meeting_ids: list[str]) -> list[dict[str, Any]]:
    meetings = []
    for meeting_id in meeting_ids:
        try:
            meeting = call("events", "get_meeting", meeting_id)
        except NotFound:
            continue
        if meeting.get("status") != "cancelled":
            meetings.append({**meeting, "when": _local(meeting["starts_at"])})
    return sorted(meetings, key=lambda meeting: meeting["starts_at"])


def answer_names() -> dict[str, str]:
    return {"sent": _("Not answered yet"), "yes": _("Yes, we are coming"), "no": _("No, we decline")}


@blp.get("/inbjudan/<token>")
def invitation(token: str) -> Any:
    about = _about(token)
    return render_template(
        "pages/invitation.html",
        token=token,
        about=about,
        invitation=about["invitation"],
        level_offer=about["level_offer"].get(_language(), ""),
        level_name=level_name,
        meetings=_meetings(about["meeting_ids"]),
        answer_names=answer_names(),
        answered=request.args.get("svar") == "1",
    )


@blp.post("/inbjudan/<token>")
def answer(token: str) -> Any:
    _about(token)
    choice = request.form.get("answer", "")
    if choice not in ("yes", "no"):
        abort(400)
    try:
        call("levels_advisor", "answer_invitation", token, {"answer": choice})
    except Conflict as refused:
        if refused.code == "INVITATION_EXPIRED":
            raise Gone() from None
        raise
    return redirect(url_for("plan_invitation_pages.invitation", token=token, svar=1, _anchor="svar"), code=303)
