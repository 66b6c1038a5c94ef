"""Få e-post om nya möten: a person asks for e-mail about forums' meetings, without logging in.

The form hands the wish to the notifier, which mails a confirmation link (double opt-in); nothing
is sent about meetings until the person follows it. Whatever the address, the page then says the
same thing ("look in your inbox"), so it never tells whether an address is already known. After
the POST the browser is sent to the form's GET (post, redirect, get), so reloading sends nothing twice.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from samverkan_common.errors import Unavailable

from ..resources.notifications.schemas import PersonSubscriptionSchema
from ..resources.schemas import wire
from ..rpc import BrokerUnavailable, RpcTimeout
from ..services import call

blp = Blueprint("email_pages", __name__, template_folder="../templates")
RHYTHMS = ("immediately", "daily", "weekly")


def _messages() -> dict[str, str]:
    return {
        "address": _("Enter your e-mail address, like name@example.org."),
        "forum_slugs": _("Choose at least one forum."),
        "rhythm": _("Choose how often you want e-mail."),
    }


def _page(
    chosen: list[str], address: str, rhythm: str, errors: dict[str, str], status: int = 200, unavailable: bool = False
) -> Any:
    forums = sorted(call("events", "list_forums"), key=lambda forum: forum["name"].casefold())
    page = render_template(
        "pages/email_updates.html",
        forums=forums,
        chosen=set(chosen),
        address=address,
        rhythm=rhythm,
        errors=errors,
        sent=request.args.get("skickat") == "1",
        unavailable=unavailable,
    )
    return page, status


@blp.get("/e-post")
def form() -> Any:
    return _page(request.args.getlist("forum"), "", "immediately", {})


@blp.post("/e-post")
def ask() -> Any:
    chosen = request.form.getlist("forum")
    address = request.form.get("address", "").strip()
    rhythm = request.form.get("rhythm", "immediately")
    wish: dict[str, Any] = {
        "address": address,
        "rhythm": rhythm,
        "language": "en" if str(get_locale()) == "en" else "sv",
    }
    if chosen:
        wish["forum_slugs"] = chosen
    schema = PersonSubscriptionSchema()
    problems = schema.validate(wish)
    if not chosen:  # said even when the address is wrong too (the schema's own check waits for the fields)
        problems.setdefault("forum_slugs", ["Choose at least one forum."])
    if problems:
        messages = _messages()
        # In the order the fields stand on the page, so the summary reads top to bottom.
        ordered = [field for field in ("forum_slugs", "rhythm", "address") if field in problems]
        errors = {field: messages.get(field, _("Check this field.")) for field in ordered + sorted(problems)}
        return _page(chosen, address, rhythm, errors, 400)
    try:
        call("notifier", "request_subscription", wire(schema, schema.load(wish)))
    except (BrokerUnavailable, RpcTimeout, Unavailable):
        # The notifier is away: say so on the form, with what the person chose kept. Sending again later
        # is safe: a second request for the same address only mails the confirmation link again.
        return _page(chosen, address, rhythm, {}, 503, unavailable=True)
    return redirect(url_for("email_pages.form", skickat=1), 303)
