"""Mina sidor: a logged-in person's registrations, e-mail about forums, and secret calendar link.

Each section reuses what the API does, through the same RPCs and schemas:

- Anmälningar: the person's organisation's registrations for meetings not yet over (the events
  service's ``list_upcoming_registrations``), each with a cancel button that does what
  ``DELETE /api/v1/registrations/<id>`` does (an organisation cancels its own only).
- Bevakningar och aviseringar: the subscriptions the person's login owns (for a representative,
  the organisation's, as ``GET /api/v1/subscriptions`` shows them) and a form for the e-mail about
  forums sent to one address. Saving builds the whole set and sends it to ``replace_subscriptions``,
  as ``PUT /api/v1/subscriptions`` does, validated by the same schema; every subscription the form
  does not edit (webhooks, other addresses, levels) is sent back unchanged, so it is kept.
- Personlig kalenderlänk: the service keeps only a hash of the secret link, so the page can say
  whether a link works and since when, never show it again. "Skapa ny länk" makes a new one
  (the old one stops working at once) and shows it in that one answer, which no cache may keep.

Not logged in: to the login page, and back here afterwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from samverkan_common.errors import Conflict, Unavailable

from ..auth import Principal
from ..people import users
from ..resources.events.routes import changed, feed_links
from ..resources.notifications.schemas import SubscriptionInSchema, SubscriptionSetSchema
from ..resources.schemas import wire
from ..rpc import BrokerUnavailable, RpcTimeout
from ..services import call
from ..sessions import current_person
from .calendar import level_name

blp = Blueprint("my_pages", __name__, template_folder="../templates")
STOCKHOLM = ZoneInfo("Europe/Stockholm")
RHYTHMS = ("immediately", "daily", "weekly")
# The notifier answers at most this many subscriptions per page.
PAGE_SIZE = 500
# The order the form's fields stand on the page, so the error summary reads top to bottom.
FORM_FIELDS = ("forums", "rhythm", "language", "address")
# The address whose e-mail the form edited last, kept in the session: an address never goes in a URL.
EDITED_ADDRESS = "my_pages_address"


def _messages() -> dict[str, str]:
    return {
        "forums": _("Choose forums from the list."),
        "rhythm": _("Choose how often you want e-mail."),
        "language": _("Choose Swedish or English."),
        "address": _("Enter your e-mail address, like name@example.org."),
    }


def _person() -> Principal | Any:
    """The person logged in, or the answer to give instead: the login page, and back here after."""
    person = current_person()
    if person is None:
        return redirect(url_for("login_pages.login_form", next=url_for("my_pages.my_pages")))
    return person


def _email_of(person: Principal) -> str:
    with current_app.extensions["samverkan_db"].connect() as connection:
        email = connection.execute(select(users.c.email).where(users.c.id == person.id)).scalar_one_or_none()
    if email is None:  # the session outlived its user: treat as logged out
        abort(403)
    return str(email)


def _actor(person: Principal) -> dict[str, Any]:
    """The person as the events service knows a caller."""
    return {"role": person.role.value, "organisation_id": person.organisation_id, "name": person.name}


def _caller(person: Principal) -> dict[str, Any]:
    """The person as the notifier knows a caller: a representative files under the organisation."""
    return {"role": person.role.value, "organisation_id": person.organisation_id, "token_id": person.token_id}


def _local(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(STOCKHOLM)


def _registrations(person: Principal) -> list[dict[str, Any]]:
    if not person.organisation_id:
        return []
    found: list[dict[str, Any]] = call("events", "list_upcoming_registrations", _actor(person))
    for item in found:
        item["when"] = _local(item["meeting"]["starts_at"])
    return found


def _subscriptions(person: Principal) -> list[dict[str, Any]]:
    """Every subscription the login owns, all pages of them."""
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = call("notifier", "list_subscriptions", caller=_caller(person), page=page, per_page=PAGE_SIZE)
        found.extend(answer["items"])
        if not answer["items"] or len(found) >= answer["total"]:
            return found
        page += 1


def _forum_mail(subscription: dict[str, Any], addresses: set[str]) -> bool:
    """Whether the form edits this subscription: e-mail about one forum to one of these addresses."""
    return (
        subscription.get("scope") == "forum"
        and subscription.get("channel") == "email"
        and str(subscription.get("address", "")).casefold() in addresses
    )


def _as_wish(subscription: dict[str, Any]) -> dict[str, Any]:
    """A subscription as ``PUT /api/v1/subscriptions`` takes it: the same one again, kept as it is."""
    kept = {
        key: subscription[key]
        for key in ("forum_slug", "organisation_id", "level", "channel", "address", "url", "language", "rhythm")
        if subscription.get(key) is not None
    }
    return kept


def _form_state(subscriptions: list[dict[str, Any]], address: str) -> dict[str, Any]:
    """What the form shows for an address: its forums, and its rhythm and language (the first one's)."""
    mine = [item for item in subscriptions if _forum_mail(item, {address.casefold()})]
    language = "en" if str(get_locale()) == "en" else "sv"
    return {
        "address": address,
        "current_address": address,
        "forums": {item["forum_slug"] for item in mine},
        "rhythm": mine[0]["rhythm"] if mine else "immediately",
        "language": mine[0]["language"] if mine else language,
    }


def _feed_status(person: Principal, email: str) -> dict[str, Any]:
    status: dict[str, Any] = call("events", "personal_feed_status", {"attendee_email": email}, _actor(person))
    status["made"] = _local(status["created_at"]) if status.get("created_at") else None
    return status


def _page(
    person: Principal,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    new_links: dict[str, str] | None = None,
    status: int = 200,
) -> Any:
    email = _email_of(person)
    try:
        subscriptions: list[dict[str, Any]] | None = _subscriptions(person)
    except (BrokerUnavailable, RpcTimeout, Unavailable):
        # The notifier is away: this section says so, and the rest of the page still works.
        subscriptions = None
    if form is None:
        form = _form_state(subscriptions or [], str(session.get(EDITED_ADDRESS) or email))
    forums = sorted(call("events", "list_forums"), key=lambda forum: forum["name"].casefold())
    response = current_app.make_response(
        (
            render_template(
                "pages/my_pages.html",
                person=person,
                email=email,
                registrations=_registrations(person),
                subscriptions=subscriptions,
                forums=forums,
                forum_names={forum["slug"]: forum["name"] for forum in forums},
                level_name=level_name,
                form=form,
                errors=errors or {},
                feed=_feed_status(person, email),
                new_links=new_links,
                notice=request.args.get("klart", ""),
            ),
            status,
        )
    )
    # The page names the person; a new secret link is in it once and must not be kept anywhere.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@blp.get("/mina-sidor")
def my_pages() -> Any:
    person = _person()
    if not isinstance(person, Principal):
        return person
    return _page(person)


@blp.post("/mina-sidor/anmalningar/<registration_id>/avboka")
def cancel_registration(registration_id: str) -> Any:
    """Cancel one of the organisation's registrations, as ``DELETE /api/v1/registrations/<id>`` does."""
    person = _person()
    if not isinstance(person, Principal):
        return person
    if not person.organisation_id:
        abort(404)
    # Another organisation's registration is as invisible as a missing one: the events service says 404.
    changed(call("events", "cancel_registration", registration_id, _actor(person)))
    return redirect(url_for("my_pages.my_pages", klart="avbokad", _anchor="anmalningar"), code=303)


@blp.post("/mina-sidor/bevakningar")
def save_subscriptions() -> Any:
    """Replace the e-mail about forums to one address; everything else the login owns is kept."""
    person = _person()
    if not isinstance(person, Principal):
        return person
    form: dict[str, Any] = {
        "address": request.form.get("address", "").strip(),
        "current_address": request.form.get("current_address", "").strip(),
        "forums": set(request.form.getlist("forum")),
        "rhythm": request.form.get("rhythm", ""),
        "language": request.form.get("language", ""),
    }
    messages = _messages()
    # One subscription as the API takes it checks the fields the form shares by all of them.
    sample = {
        "forum_slug": "x",
        "channel": "email",
        "address": form["address"],
        "rhythm": form["rhythm"],
        "language": form["language"],
    }
    problems = SubscriptionInSchema().validate({key: value for key, value in sample.items() if value})
    missing = [name for name in ("address", "rhythm", "language") if not form[name]]
    known_forums = {forum["slug"] for forum in call("events", "list_forums")}
    errors = {name: messages[name] for name in FORM_FIELDS if name in problems or name in missing}
    if not form["forums"] <= known_forums:
        errors = {"forums": messages["forums"], **errors}
    if errors:
        return _page(person, form=form, errors=errors, status=400)

    subscriptions = _subscriptions(person)
    edited = {form["address"].casefold(), form["current_address"].casefold()}
    wishes = [_as_wish(item) for item in subscriptions if not _forum_mail(item, edited)]
    wishes += [
        {
            "forum_slug": slug,
            "channel": "email",
            "address": form["address"],
            "rhythm": form["rhythm"],
            "language": form["language"],
        }
        for slug in sorted(form["forums"])
    ]
    schema = SubscriptionSetSchema()
    try:
        wanted = schema.load({"items": wishes})
    except ValidationError:
        # Only a subscription made elsewhere that this form sends back unchanged can fail here.
        return _page(
            person, form=form, errors={"forums": _("A subscription could not be kept. Ask support.")}, status=400
        )
    try:
        call("notifier", "replace_subscriptions", wire(schema, wanted), caller=_caller(person))
    except Conflict:
        taken = _("Someone else already gets e-mail about one of these forums at this address.")
        return _page(person, form=form, errors={"address": taken}, status=409)
    session[EDITED_ADDRESS] = form["address"]
    return redirect(url_for("my_pages.my_pages", klart="sparat", _anchor="bevakningar"), 303)


@blp.post("/mina-sidor/kalenderlank")
def new_feed_link() -> Any:
    """A new secret calendar link, shown in this answer only; the old link stops working."""
    person = _person()
    if not isinstance(person, Principal):
        return person
    issued = changed(call("events", "issue_personal_feed", {"attendee_email": _email_of(person)}, _actor(person)))
    links = feed_links("feeds.personal_feed", token=issued["token"])
    return _page(person, new_links=links)
