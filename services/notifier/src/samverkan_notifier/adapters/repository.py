"""SQLAlchemy repositories and the notifier unit of work."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from samverkan_common.db import UnitOfWork

from ..domain.model import Channel, Language, Notification, NotificationStatus, Subscription
from .tables import metadata, notifications, subscriptions


class SubscriptionRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, subscription: Subscription) -> None:
        self.session.execute(insert(subscriptions).values(**asdict(subscription)))

    def find(self, forum_slug: str, address: str, channel: Channel) -> Subscription | None:
        row = self.session.execute(
            select(subscriptions).where(
                subscriptions.c.forum_slug == forum_slug,
                subscriptions.c.address == address,
                subscriptions.c.channel == channel.value,
            )
        ).first()
        return _subscription(row._mapping) if row else None

    def of_forum(self, forum_slug: str) -> list[Subscription]:
        rows = self.session.execute(
            select(subscriptions).where(subscriptions.c.forum_slug == forum_slug).order_by(subscriptions.c.id)
        ).all()
        return [_subscription(row._mapping) for row in rows]


class NotificationRepository:
    def __init__(self, session: Session):
        self.session = session

    def add_all(self, items: list[Notification]) -> None:
        if items:
            self.session.execute(insert(notifications), [asdict(item) for item in items])

    def page(self, page: int, per_page: int, event_id: str | None = None) -> tuple[list[Notification], int]:
        query = select(notifications)
        counted = select(func.count()).select_from(notifications)
        if event_id:
            query = query.where(notifications.c.event_id == event_id)
            counted = counted.where(notifications.c.event_id == event_id)
        rows = self.session.execute(
            query.order_by(notifications.c.created_at.desc(), notifications.c.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        total = self.session.execute(counted).scalar_one()
        return [_notification(row._mapping) for row in rows], total


def _subscription(values: Any) -> Subscription:
    fields = dict(values)
    return Subscription(**{**fields, "channel": Channel(fields["channel"]), "language": Language(fields["language"])})


def _notification(values: Any) -> Notification:
    fields = dict(values)
    return Notification(
        **{
            **fields,
            "channel": Channel(fields["channel"]),
            "language": Language(fields["language"]),
            "status": NotificationStatus(fields["status"]),
        }
    )


class NotifierUnitOfWork(UnitOfWork):
    metadata = metadata

    @property
    def subscriptions(self) -> SubscriptionRepository:
        return SubscriptionRepository(self.session)

    @property
    def notifications(self) -> NotificationRepository:
        return NotificationRepository(self.session)
