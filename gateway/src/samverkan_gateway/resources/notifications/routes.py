"""Subscriptions, the one-click unsubscribe, and the notification log operators read.

Who may do what (the notifier enforces it; see its service layer):
- ``GET/PUT/POST /api/v1/subscriptions``: any token. An organisation token sees and
  changes its organisation's subscriptions; a planner's token only its own; an operator
  sees all and may name an organisation with ``?organisation_id=``.
- ``/unsubscribe/<token>``: nobody logs in; the secret token from the message is enough.
- ``POST /api/v1/subscriptions/people``: anyone, no token: a person asks for e-mail and gets
  a confirmation link (double opt-in). The answer is 202 whatever the address, so it never
  tells whether an address is known. ``/bekrafta/<token>`` is that link's page: a GET shows a
  button (mail scanners follow links), the POST confirms.
- ``GET /api/v1/notifications`` and ``POST …/<id>/requeue`` (a parked one): operators only.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, render_template_string, request
from flask_smorest import Blueprint

from samverkan_common.errors import NotFound

from ...auth import Role, requires
from ...services import call
from ..schemas import wire
from .page import CONFIRM_PAGE, UNSUBSCRIBE_PAGE
from .schemas import (
    AcceptedSchema,
    NotificationPageSchema,
    NotificationQuerySchema,
    NotificationSchema,
    OwnerQuerySchema,
    PersonSubscriptionSchema,
    SubscriptionInSchema,
    SubscriptionPageSchema,
    SubscriptionQuerySchema,
    SubscriptionSchema,
    SubscriptionSetSchema,
)

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1",
    description="Who hears about which meetings, how and how often, and what was sent.",
)
unsubscribe_blp = Blueprint(
    "unsubscribe",
    __name__,
    url_prefix="/unsubscribe",
    description="One-click unsubscribe from a message's link (RFC 8058), without logging in.",
)

confirm_blp = Blueprint(
    "confirm",
    __name__,
    url_prefix="/bekrafta",
    description="The page behind a confirmation link: a person confirms an e-mail subscription, without logging in.",
)

ANYONE_WITH_A_TOKEN = (Role.ORGANISATION, Role.PLANNER, Role.OPERATOR)


def _caller() -> dict[str, Any]:
    principal = g.principal
    return {"role": principal.role.value, "organisation_id": principal.organisation_id, "token_id": principal.token_id}


@blp.route("/subscriptions", methods=["POST"])
@requires(*ANYONE_WITH_A_TOKEN)
@blp.arguments(SubscriptionInSchema)
@blp.arguments(OwnerQuerySchema, location="query")
@blp.response(201, SubscriptionSchema)
def subscribe(subscription: dict[str, Any], owner: dict[str, Any]) -> Any:
    """Follow a forum, an organisation's forums, or a level"""
    return call(
        "notifier",
        "subscribe",
        wire(SubscriptionInSchema(), subscription),
        caller=_caller(),
        organisation_id=owner.get("organisation_id"),
    )


ACCEPTED = "If the address can receive e-mail, a message with a confirmation link is on its way."


@blp.route("/subscriptions/people", methods=["POST"])
@blp.arguments(PersonSubscriptionSchema)
@blp.response(202, AcceptedSchema)
def subscribe_person(wish: dict[str, Any]) -> Any:
    """A person asks for e-mail about meetings, without a token; a mailed link confirms (202 whatever the address)"""
    call("notifier", "request_subscription", wire(PersonSubscriptionSchema(), wish))
    return {"message": ACCEPTED}


@blp.route("/subscriptions", methods=["GET"])
@requires(*ANYONE_WITH_A_TOKEN)
@blp.arguments(SubscriptionQuerySchema, location="query")
@blp.response(200, SubscriptionPageSchema)
def list_subscriptions(query: dict[str, Any]) -> Any:
    """The subscriptions this token may see"""
    return call("notifier", "list_subscriptions", caller=_caller(), **query)


@blp.route("/subscriptions", methods=["PUT"])
@requires(*ANYONE_WITH_A_TOKEN)
@blp.arguments(SubscriptionSetSchema)
@blp.arguments(OwnerQuerySchema, location="query")
@blp.response(200, SubscriptionPageSchema)
def replace_subscriptions(wanted: dict[str, Any], owner: dict[str, Any]) -> Any:
    """Replace the whole set: what is listed is kept or added, what is not is removed"""
    return call(
        "notifier",
        "replace_subscriptions",
        wire(SubscriptionSetSchema(), wanted),
        caller=_caller(),
        organisation_id=owner.get("organisation_id"),
    )


@blp.route("/notifications", methods=["GET"])
@requires(Role.OPERATOR)
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationPageSchema)
def list_notifications(query: dict[str, Any]) -> Any:
    """The notification log: every message's state (queued, sent, failed, retried, parked) and its history"""
    return call("notifier", "list_notifications", **query)


@blp.route("/notifications/<notification_id>/requeue", methods=["POST"])
@requires(Role.OPERATOR)
@blp.response(200, NotificationSchema)
def requeue_notification(notification_id: str) -> Any:
    """Give a parked notification a new retry window (409 unless it is parked)"""
    return call("notifier", "requeue_notification", notification_id)


UNKNOWN_LINK = "No subscription has this link (any more): the same page, saying so."


@unsubscribe_blp.route("/<token>", methods=["GET"])
@unsubscribe_blp.response(200, content_type="text/html", description="A page with one button that unsubscribes.")
@unsubscribe_blp.alt_response(404, content_type="text/html", schema={"type": "string"}, description=UNKNOWN_LINK)
def unsubscribe_page(token: str) -> Any:
    """The page behind a message's unsubscribe link (a GET never unsubscribes: link checkers follow links)"""
    return _page("unsubscribe_preview", token, done=False)


@unsubscribe_blp.route("/<token>", methods=["POST"])
@unsubscribe_blp.response(200, content_type="text/html", description="The subscription is ended.")
@unsubscribe_blp.alt_response(404, content_type="text/html", schema={"type": "string"}, description=UNKNOWN_LINK)
def unsubscribe(token: str) -> Any:
    """Unsubscribe: the page's button, or a mail client's one-click POST (List-Unsubscribe=One-Click)"""
    return _page("unsubscribe", token, done=True)


UNKNOWN_CONFIRMATION = "No confirmation has this link (it may have expired and been deleted): a page saying so."
EXPIRED = "The link has expired: a page saying so, and how to ask again."


@confirm_blp.route("/<token>", methods=["GET"])
@confirm_blp.response(200, content_type="text/html", description="A page with one button that confirms.")
@confirm_blp.alt_response(404, content_type="text/html", schema={"type": "string"}, description=UNKNOWN_CONFIRMATION)
@confirm_blp.alt_response(410, content_type="text/html", schema={"type": "string"}, description=EXPIRED)
def confirm_page(token: str) -> Any:
    """The page behind a confirmation link (a GET never confirms: mail scanners follow links)"""
    return _confirmation("confirmation_preview", token)


@confirm_blp.route("/<token>", methods=["POST"])
@confirm_blp.response(200, content_type="text/html", description="The subscription is confirmed.")
@confirm_blp.alt_response(
    400, content_type="text/html", schema={"type": "string"}, description="Sent without the page's CSRF token."
)
@confirm_blp.alt_response(404, content_type="text/html", schema={"type": "string"}, description=UNKNOWN_CONFIRMATION)
@confirm_blp.alt_response(410, content_type="text/html", schema={"type": "string"}, description=EXPIRED)
def confirm(token: str) -> Any:
    """Confirm an e-mail subscription: the confirmation page's button"""
    return _confirmation("confirm_subscription", token)


def _confirmation(method: str, token: str) -> Response:
    try:
        about = call("notifier", method, token)
        status = 410 if about["state"] == "expired" else 200
    except NotFound:
        about, status = None, 404
    language = about["language"] if about else (request.accept_languages.best_match(["sv", "en"]) or "sv")
    return _private(render_template_string(CONFIRM_PAGE, about=about, language=language), status)


def _private(body: str, status: int) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    # The token is in the URL: keep it out of caches and out of Referer headers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page(method: str, token: str, done: bool) -> Response:
    try:
        about = call("notifier", method, token)
        status = 200
    except NotFound:
        about, status = None, 404
    language = about["language"] if about else (request.accept_languages.best_match(["sv", "en"]) or "sv")
    return _private(render_template_string(UNSUBSCRIBE_PAGE, about=about, done=done, language=language), status)
