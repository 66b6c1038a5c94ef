"""Redigera organisation: the organisation's own representative, planners and operators change its profile.

The form sends what ``PATCH /api/v1/organisations/{id}`` takes, checked by the same schema, to the
registry's ``update_organisation`` RPC with the version the form was read at, so a change made by
someone else meanwhile is not overwritten: the form comes back with the fresh values instead.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from samverkan_common.errors import Conflict, Forbidden, Invalid

from ..auth import Principal, Unauthenticated, authenticate
from ..resources.organisations.routes import actor
from ..resources.organisations.schemas import AREAS, KINDS, OrganisationPatchSchema
from ..resources.schemas import wire
from ..services import call
from .organisations import area_names, kind_names, may_edit

blp = Blueprint("organisation_edit_pages", __name__, template_folder="../templates")
TEXT_FIELDS = ("name", "kind", "organisation_number", "municipality_code", "description", "website", "contact_email")
LIST_FIELDS = ("other_names", "tags")
CLEARABLE = ("organisation_number", "website", "contact_email", "founded_year")


def _messages() -> dict[str, str]:
    return {
        "name": _("Enter the organisation's name, at most 200 characters."),
        "kind": _("Choose a kind of organisation from the list."),
        "organisation_number": _("Enter the organisation number as ten digits, like 802500-1234, or leave it empty."),
        "municipality_code": _("Choose a municipality from the list."),
        "description": _("Write at most 5000 characters about the organisation."),
        "website": _("Enter the website's whole address, starting with https://, or leave it empty."),
        "contact_email": _("Enter an e-mail address in the form name@example.org, or leave it empty."),
        "other_names": _("Write at most 20 other names, separated by commas, each at most 200 characters."),
        "areas": _("Choose areas from the list."),
        "tags": _("Write at most 30 tags, separated by commas, each at most 50 characters."),
        "founded_year": _("Enter the year the organisation was founded with four digits, like 1998."),
        "version": _("Open the form again: it was made for an earlier version of the organisation."),
    }


def _editor(organisation_id: str) -> Principal | Any:
    """The person asking, or the answer to give instead: to the login page; someone else's is 403."""
    try:
        person = authenticate()
    except Unauthenticated:
        person = None
    if person is None:
        return redirect(url_for("login_pages.login_form", next=request.path))
    if not may_edit(person, organisation_id):
        raise Forbidden("Only the organisation's representatives, planners and operators edit it.", "NOT_AN_EDITOR")
    return person


def _organisation(organisation_id: str) -> dict[str, Any]:
    found: dict[str, Any] = call("registry", "get_organisation", organisation_id)
    return found


def _form_of(organisation: dict[str, Any]) -> dict[str, Any]:
    """The form's fields as the organisation has them now."""
    form: dict[str, Any] = {name: organisation.get(name) or "" for name in TEXT_FIELDS}
    form.update({name: ", ".join(organisation.get(name) or []) for name in LIST_FIELDS})
    form["areas"] = list(organisation.get("areas") or [])
    form["founded_year"] = str(organisation["founded_year"]) if organisation.get("founded_year") else ""
    form["version"] = str(organisation.get("version", ""))
    return form


def _submitted() -> dict[str, Any]:
    form: dict[str, Any] = {name: request.form.get(name, "").strip() for name in (*TEXT_FIELDS, *LIST_FIELDS)}
    form["areas"] = request.form.getlist("areas")
    form["founded_year"] = request.form.get("founded_year", "").strip()
    form["version"] = request.form.get("version", "").strip()
    return form


def _changes(form: dict[str, Any]) -> dict[str, Any]:
    """The form as the API's JSON body: lists split at commas, numbers as numbers, empty as none."""
    body: dict[str, Any] = {name: form[name] for name in TEXT_FIELDS}
    for name in LIST_FIELDS:
        body[name] = [part.strip() for part in form[name].split(",") if part.strip()]
    body["areas"] = form["areas"]
    year = form["founded_year"]
    body["founded_year"] = int(year) if year.isdigit() else (year or None)
    for name in CLEARABLE:
        if body[name] == "":
            body[name] = None
    version = form["version"]
    body["version"] = int(version) if version.isdigit() else version
    return body


def _page(
    organisation: dict[str, Any], form: dict[str, Any], errors: dict[str, str], status: int = 200, stale: bool = False
) -> Any:
    municipalities = call("registry", "list_municipalities")
    return render_template(
        "pages/organisation_edit.html",
        organisation=organisation,
        form=form,
        errors=errors,
        stale=stale,
        kinds=[(value, kind_names()[value]) for value in KINDS],
        areas=[(value, area_names()[value]) for value in AREAS],
        municipalities=sorted(((m["code"], m["name"]) for m in municipalities), key=lambda m: m[1]),
    ), status


@blp.get("/organisationer/<organisation_id>/redigera")
def edit_form(organisation_id: str) -> Any:
    person = _editor(organisation_id)
    if not isinstance(person, Principal):
        return person
    organisation = _organisation(organisation_id)
    return _page(organisation, _form_of(organisation), {})


@blp.post("/organisationer/<organisation_id>/redigera")
def save(organisation_id: str) -> Any:
    person = _editor(organisation_id)
    if not isinstance(person, Principal):
        return person
    form = _submitted()
    schema = OrganisationPatchSchema()
    messages = _messages()
    try:
        changes = schema.load(_changes(form))
    except ValidationError as error:
        organisation = _organisation(organisation_id)
        return _page(organisation, form, {k: messages[k] for k in messages if k in error.messages_dict}, 400)
    try:
        call("registry", "update_organisation", organisation_id, wire(schema, changes), actor())
    except Conflict as error:
        fresh = _organisation(organisation_id)
        if error.code == "ORGANISATION_VERSION_CONFLICT":
            return _page(fresh, _form_of(fresh), {}, 409, stale=True)
        # The number is another organisation's already.
        return _page(fresh, form, {"organisation_number": _("Another organisation has this number already.")}, 409)
    except Invalid as error:
        found = {k: messages[k] for k in messages if k in (error.errors or {})}
        if not found:
            found = {"name": _("The register did not accept the change. Check the fields and try again.")}
        return _page(_organisation(organisation_id), form, found, 400)
    _organisation_changed()
    return redirect(url_for("organisation_pages.organisation", organisation_id=organisation_id, sparad=1), code=303)


def _organisation_changed() -> None:
    """As after the API's PATCH: this gateway's copies of organisations are read again at once."""
    watcher = current_app.extensions.get("samverkan_organisation_watcher")
    if watcher is not None:
        watcher.changed()
