"""Use cases of the notifier."""

from __future__ import annotations

from typing import Any

from samverkan_common.errors import Conflict

from ..adapters.repository import NotifierUnitOfWork
from ..domain.model import Channel, Language, Notification, Subscription, notifications_for


def subscribe(
    uow: NotifierUnitOfWork, *, forum_slug: str, address: str, channel: Channel, language: Language
) -> Subscription:
    if uow.subscriptions.find(forum_slug, address, channel) is not None:
        raise Conflict(
            "This address already follows the forum.",
            "SUBSCRIPTION_EXISTS",
            {"address": ["Already subscribed to this forum."]},
        )
    subscription = Subscription(forum_slug=forum_slug, address=address, channel=channel, language=language)
    uow.subscriptions.add(subscription)
    uow.commit()
    return subscription


def meeting_scheduled(uow: NotifierUnitOfWork, event: dict[str, Any]) -> list[Notification]:
    """Owe each follower of the meeting's forum one notification, however often the event arrives."""
    if not uow.first_delivery(event):
        uow.rollback()
        return []
    subscribers = uow.subscriptions.of_forum(event["data"]["forum_slug"])
    owed = notifications_for(event, subscribers)
    uow.notifications.add_all(owed)
    uow.commit()
    return owed


def list_notifications(
    uow: NotifierUnitOfWork, *, page: int, per_page: int, event_id: str | None = None
) -> tuple[list[Notification], int]:
    return uow.notifications.page(page, per_page, event_id)
