"""Organisationer: a searchable directory and a page per organisation with its forums and meetings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from samverkan_common.errors import Invalid

from ..auth import Principal, Role, Unauthenticated, authenticate
from ..resources.organisations.schemas import AREAS, KINDS, SUB_REGIONS
from ..services import call
from .calendar import HORIZON_DAYS, _local, level_name, mode_names, subscription

blp = Blueprint("organisation_pages", __name__, template_folder="../templates")
PER_PAGE = 20
FILTERS = ("q", "municipality", "subregion", "kind", "area")
SUB_REGION_NAMES = {
    "fyrbodal": "Fyrbodal",
    "goteborgsregionen": "Göteborgsregionen",
    "sjuharad": "Sjuhärad",
    "skaraborg": "Skaraborg",
}


def kind_names() -> dict[str, str]:
    return {
        "ideell_forening": _("Non-profit association"),
        "stiftelse": _("Foundation"),
        "trossamfund": _("Faith community"),
        "natverk": _("Network"),
        "other": _("Other kind of organisation"),
    }


def area_names() -> dict[str, str]:
    return {
        "health_care": _("Health care"),
        "regional_development": _("Regional development"),
        "culture": _("Culture"),
        "public_transport": _("Public transport"),
    }


def role_names() -> dict[str, str]:
    return {
        "member": _("Member"),
        "chair": _("Chair"),
        "vice_chair": _("Vice chair"),
        "substitute": _("Substitute"),
        "observer": _("Observer"),
    }


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _filter_errors(chosen: dict[str, str], municipality_codes: set[str]) -> dict[str, str]:
    """Each filter that is not one of the choices offered, by its field id, in plain words."""
    errors: dict[str, str] = {}
    if len(chosen["q"]) > 200:
        errors["q"] = _("Write at most 200 characters.")
    if chosen["municipality"] and chosen["municipality"] not in municipality_codes:
        errors["municipality"] = _("Choose a municipality from the list.")
    if chosen["subregion"] and chosen["subregion"] not in SUB_REGIONS:
        errors["subregion"] = _("Choose a sub-region from the list.")
    if chosen["kind"] and chosen["kind"] not in KINDS:
        errors["kind"] = _("Choose a kind of organisation from the list.")
    if chosen["area"] and chosen["area"] not in AREAS:
        errors["area"] = _("Choose an area from the list.")
    return errors


@blp.get("/organisationer")
def directory() -> Any:
    context = _search()
    return render_template("pages/organisations.html", **context), (400 if context["errors"] else 200)


@blp.get("/organisationer/traffar")
def results() -> Any:
    """The directory's results alone (no page around them), for search as you type; the same query as the page."""
    context = _search()
    return render_template("pages/_organisation_results.html", **context), (400 if context["errors"] else 200)


def _search() -> dict[str, Any]:
    """The directory's query checked, the registry asked, and what the results need to be shown."""
    chosen = {name: request.args.get(name, "").strip() for name in FILTERS}
    page = _page_number(request.args.get("page"))
    municipalities = call("registry", "list_municipalities")
    errors = _filter_errors(chosen, {m["code"] for m in municipalities})
    found: dict[str, Any] = {"items": [], "total": 0, "page": page, "per_page": PER_PAGE}
    if not errors:
        try:
            found = call("registry", "search_organisations", {**chosen, "page": page, "per_page": PER_PAGE})
        except Invalid:
            errors["q"] = _("The search could not be understood. Change it and try again.")
    return {
        "chosen": chosen,
        "errors": errors,
        "found": found,
        "pages": max(1, -(-found["total"] // PER_PAGE)),
        "kept": {name: value for name, value in chosen.items() if value},
        "municipality_names": {m["code"]: m["name"] for m in municipalities},
        "sub_regions": [(value, SUB_REGION_NAMES[value]) for value in SUB_REGIONS],
        "kinds": kind_names(),
        "areas": area_names(),
    }


@blp.get("/organisationer/<organisation_id>")
def organisation(organisation_id: str) -> Any:
    found = call("registry", "get_organisation", organisation_id)
    today = date.today().isoformat()
    memberships = [
        m for m in call("registry", "memberships", organisation_id) if m["ends_on"] is None or m["ends_on"] >= today
    ]
    forums = {forum["slug"]: forum for forum in call("events", "list_forums")}
    slugs = {m["forum_slug"] for m in memberships}
    meetings = []
    if slugs:
        horizon = (date.today() + timedelta(days=HORIZON_DAYS)).isoformat()
        upcoming = call("events", "meetings_between", today, horizon, {"forum_slugs": sorted(slugs)})
        meetings = [{**m, "when": _local(m["starts_at"])} for m in sorted(upcoming, key=lambda m: m["starts_at"])]
    municipalities = {m["code"]: m["name"] for m in call("registry", "list_municipalities")}
    editable = may_edit(_signed_in(), found["id"])
    return render_template(
        "pages/organisation.html",
        organisation=found,
        memberships=memberships,
        forums=forums,
        meetings=meetings,
        municipality=municipalities.get(found["municipality_code"], found["municipality_code"]),
        kinds=kind_names(),
        areas=area_names(),
        roles=role_names(),
        level_name=level_name,
        modes=mode_names(),
        feed=subscription(f"/feeds/organisations/{found['id']}.ics"),
        can_edit=editable,
        saved=editable and request.args.get("sparad") == "1",
    )


def may_edit(person: Principal | None, organisation_id: str) -> bool:
    """Planners and operators edit any organisation; a representative only their own (the registry's rule)."""
    if person is None:
        return False
    if person.role in (Role.PLANNER, Role.OPERATOR):
        return True
    return person.role is Role.ORGANISATION and person.organisation_id == organisation_id


def _signed_in() -> Principal | None:
    try:
        return authenticate()
    except Unauthenticated:
        return None
