"""Subscriptions, and the notification log operators read."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ...auth import Role, requires
from ...services import call
from ..schemas import wire
from .schemas import NotificationPageSchema, NotificationQuerySchema, SubscriptionInSchema, SubscriptionSchema

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1",
    description="Who hears about which meetings, and what was sent.",
)


@blp.route("/subscriptions", methods=["POST"])
@requires(Role.ORGANISATION, Role.PLANNER, Role.OPERATOR)
@blp.arguments(SubscriptionInSchema)
@blp.response(201, SubscriptionSchema)
def subscribe(subscription: dict[str, Any]) -> Any:
    """Follow a forum's meetings"""
    return call("notifier", "subscribe", wire(SubscriptionInSchema(), subscription))


@blp.route("/notifications", methods=["GET"])
@requires(Role.OPERATOR)
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationPageSchema)
def list_notifications(query: dict[str, Any]) -> Any:
    """The notification log"""
    return call("notifier", "list_notifications", **query)
