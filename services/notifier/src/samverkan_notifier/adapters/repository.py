"""SQLAlchemy repositories and the notifier unit of work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from samverkan_common.db import UnitOfWork

from ..domain.model import (
    CONFIRMATION,
    PENDING,
    Channel,
    Language,
    Notification,
    NotificationStatus,
    Rhythm,
    Scope,
    Subscription,
)
from .erasure import AddressEraser
from .tables import (
    attendees,
    event_payloads,
    meetings,
    memberships,
    metadata,
    notification_transitions,
    notifications,
    subscriptions,
)

BATCH = 1000


def _insert_ignoring_duplicates(session: Session, table: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING in the dialect at hand."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(dialect)


class SubscriptionRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, subscription: Subscription) -> None:
        self.session.execute(insert(subscriptions).values(**asdict(subscription)))

    def update(self, subscription: Subscription) -> None:
        values = asdict(subscription)
        self.session.execute(update(subscriptions).where(subscriptions.c.id == subscription.id).values(**values))

    def delete(self, subscription_id: str) -> None:
        self.session.execute(delete(subscriptions).where(subscriptions.c.id == subscription_id))

    def get(self, subscription_id: str) -> Subscription | None:
        row = self.session.execute(select(subscriptions).where(subscriptions.c.id == subscription_id)).first()
        return _subscription(row._mapping) if row else None

    def find(self, scope: Scope, target: str, channel: Channel, address: str) -> Subscription | None:
        row = self.session.execute(
            select(subscriptions).where(
                subscriptions.c.scope == scope.value,
                subscriptions.c.target == target,
                subscriptions.c.channel == channel.value,
                subscriptions.c.address == address,
            )
        ).first()
        return _subscription(row._mapping) if row else None

    def of_owner(self, owner: str) -> list[Subscription]:
        rows = self.session.execute(
            select(subscriptions).where(subscriptions.c.owner == owner).order_by(subscriptions.c.created_at)
        ).all()
        return [_subscription(row._mapping) for row in rows]

    def page(self, page: int, per_page: int, owner: str | None) -> tuple[list[Subscription], int]:
        query = select(subscriptions)
        counted = select(func.count()).select_from(subscriptions)
        if owner is not None:
            query = query.where(subscriptions.c.owner == owner)
            counted = counted.where(subscriptions.c.owner == owner)
        rows = self.session.execute(
            query.order_by(subscriptions.c.created_at, subscriptions.c.id).limit(per_page).offset((page - 1) * per_page)
        ).all()
        return [_subscription(row._mapping) for row in rows], self.session.execute(counted).scalar_one()

    def following_meeting(self, forum_slug: str, level: str | None, on: date | None) -> Iterator[list[Subscription]]:
        """Everyone who follows the forum, the level, or an organisation sitting in the forum, a batch at a time."""
        member = [memberships.c.forum_slug == forum_slug, memberships.c.active.is_(True)]
        if on is not None:
            member += [
                or_(memberships.c.starts_on.is_(None), memberships.c.starts_on <= on),
                or_(memberships.c.ends_on.is_(None), memberships.c.ends_on >= on),
            ]
        condition = or_(
            and_(subscriptions.c.scope == Scope.FORUM.value, subscriptions.c.target == forum_slug),
            and_(
                subscriptions.c.scope == Scope.ORGANISATION.value,
                subscriptions.c.target.in_(select(memberships.c.organisation_id).where(*member)),
            ),
        )
        if level:
            condition = or_(
                condition, and_(subscriptions.c.scope == Scope.LEVEL.value, subscriptions.c.target == level)
            )
        return self._stream(condition)

    def of_organisations(self, organisation_ids: list[str]) -> Iterator[list[Subscription]]:
        """Subscriptions an organisation owns or that follow it: where an invitation to it should go."""
        owners = [f"organisation:{organisation_id}" for organisation_id in organisation_ids]
        return self._stream(
            or_(
                subscriptions.c.owner.in_(owners),
                and_(
                    subscriptions.c.scope == Scope.ORGANISATION.value,
                    subscriptions.c.target.in_(organisation_ids),
                ),
            )
        )

    def of_request(self, request_id: str) -> list[Subscription]:
        rows = self.session.execute(
            select(subscriptions).where(subscriptions.c.request_id == request_id).order_by(subscriptions.c.id)
        ).all()
        return [_subscription(row._mapping) for row in rows]

    def confirm_request(self, request_id: str, now: datetime) -> int:
        """Confirm the request's subscriptions still waiting (and not expired); return how many."""
        result = self.session.execute(
            update(subscriptions)
            .where(
                subscriptions.c.request_id == request_id,
                subscriptions.c.confirm_by.is_not(None),
                subscriptions.c.confirm_by > now,
            )
            .values(confirm_by=None, confirmed_at=now)
        )
        return max(result.rowcount, 0)

    def unconfirmed_expired(self, now: datetime, limit: int) -> list[str]:
        rows = self.session.execute(
            select(subscriptions.c.id)
            .where(subscriptions.c.confirm_by.is_not(None), subscriptions.c.confirm_by <= now)
            .limit(limit)
        ).all()
        return [row.id for row in rows]

    def delete_many(self, subscription_ids: list[str]) -> None:
        self.session.execute(delete(subscriptions).where(subscriptions.c.id.in_(subscription_ids)))

    def _stream(self, condition: ColumnElement[bool]) -> Iterator[list[Subscription]]:
        # Keyset paging: memory stays flat however many follow, and no cursor is held open.
        # Only confirmed subscriptions hear anything: an unconfirmed address may not be its owner's wish.
        last = ""
        while True:
            rows = self.session.execute(
                select(subscriptions)
                .where(condition, subscriptions.c.confirm_by.is_(None), subscriptions.c.id > last)
                .order_by(subscriptions.c.id)
                .limit(BATCH)
            ).all()
            if not rows:
                return
            yield [_subscription(row._mapping) for row in rows]
            last = rows[-1].id


class NotificationRepository:
    def __init__(self, session: Session):
        self.session = session

    def add_all(self, items: list[Notification]) -> int:
        """Record what is not recorded yet (one message per event and address); return how many were new."""
        if not items:
            return 0
        result = self.session.execute(
            _insert_ignoring_duplicates(self.session, notifications), [asdict(item) for item in items]
        )
        return max(result.rowcount, 0)

    def get(self, notification_id: str) -> Notification | None:
        row = self.session.execute(select(notifications).where(notifications.c.id == notification_id)).first()
        return _notification(row._mapping) if row else None

    def page(
        self, page: int, per_page: int, event_id: str | None = None, status: str | None = None
    ) -> tuple[list[Notification], int]:
        conditions = []
        if event_id:
            conditions.append(notifications.c.event_id == event_id)
        if status:
            conditions.append(notifications.c.status == status)
        query = select(notifications).where(*conditions)
        counted = select(func.count()).select_from(notifications).where(*conditions)
        rows = self.session.execute(
            query.order_by(notifications.c.created_at.desc(), notifications.c.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        total = self.session.execute(counted).scalar_one()
        return [_notification(row._mapping) for row in rows], total

    def transitions(self, notification_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        rows = self.session.execute(
            select(notification_transitions)
            .where(notification_transitions.c.notification_id.in_(notification_ids))
            .order_by(notification_transitions.c.id)
        ).all()
        found: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            found.setdefault(row.notification_id, []).append(
                {"from": row.from_status, "to": row.to_status, "reason": row.reason, "at": row.at}
            )
        return found

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Notification]:
        """Take up to ``limit`` messages that are due, leased until ``lease_until`` so no other worker takes them.

        A failed one becomes ``retried`` while its retry runs. If the process dies
        holding a lease, the message is due again when the lease runs out.
        """
        query = (
            select(notifications)
            .where(
                notifications.c.status.in_([status.value for status in PENDING]),
                notifications.c.digest_key.is_(None),
                notifications.c.next_attempt_at <= now,
            )
            .order_by(notifications.c.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = [_notification(row._mapping) for row in self.session.execute(query).all()]
        if not claimed:
            return []
        ids = [item.id for item in claimed]
        self.session.execute(
            update(notifications).where(notifications.c.id.in_(ids)).values(next_attempt_at=lease_until)
        )
        retrying = [item.id for item in claimed if item.status is NotificationStatus.FAILED]
        if retrying:
            self.session.execute(
                update(notifications)
                .where(notifications.c.id.in_(retrying))
                .values(status=NotificationStatus.RETRIED.value)
            )
            self.add_transitions(
                [(item_id, NotificationStatus.FAILED, NotificationStatus.RETRIED, None) for item_id in retrying], now
            )
        for item in claimed:
            if item.status is NotificationStatus.FAILED:
                item.status = NotificationStatus.RETRIED
        return claimed

    def record_outcomes(self, outcomes: list[tuple[Notification, NotificationStatus]], now: datetime) -> None:
        """Write each message's new state and its transition, in two statements for the whole round."""
        if not outcomes:
            return
        self.session.execute(
            update(notifications)
            .where(notifications.c.id == bindparam("item_id"))
            .values(
                status=bindparam("new_status"),
                attempts=bindparam("new_attempts"),
                next_attempt_at=bindparam("new_next_attempt_at"),
                last_error=bindparam("new_last_error"),
                sent_at=bindparam("new_sent_at"),
            )
            .execution_options(synchronize_session=False),
            [
                {
                    "item_id": item.id,
                    "new_status": item.status.value,
                    "new_attempts": item.attempts,
                    "new_next_attempt_at": item.next_attempt_at,
                    "new_last_error": item.last_error,
                    "new_sent_at": item.sent_at,
                }
                for item, _ in outcomes
            ],
        )
        self.add_transitions([(item.id, previous, item.status, item.last_error) for item, previous in outcomes], now)

    def requeue(self, notification_id: str, now: datetime) -> tuple[Notification | None, bool]:
        """A parked message gets a new retry window, starting now; True if it was parked."""
        found = self.get(notification_id)
        if found is None or found.status is not NotificationStatus.PARKED:
            return found, False
        self.session.execute(
            update(notifications)
            .where(notifications.c.id == notification_id)
            .values(status=NotificationStatus.FAILED.value, queued_at=now, next_attempt_at=now)
        )
        self.add_transitions(
            [(notification_id, NotificationStatus.PARKED, NotificationStatus.FAILED, "requeued by an operator")], now
        )
        return self.get(notification_id), True

    def set_unsubscribe_digest(self, notification_id: str, digest: str) -> None:
        self.session.execute(
            update(notifications).where(notifications.c.id == notification_id).values(unsubscribe_sha256=digest)
        )

    def by_unsubscribe_digest(self, digest: str) -> Notification | None:
        row = self.session.execute(select(notifications).where(notifications.c.unsubscribe_sha256 == digest)).first()
        return _notification(row._mapping) if row else None

    def confirmations_since(self, address: str, since: datetime) -> int:
        """How many confirmation mails this address was owed since ``since`` (a cap against mail bombing)."""
        return int(
            self.session.execute(
                select(func.count())
                .select_from(notifications)
                .where(
                    notifications.c.address == address,
                    notifications.c.event_type == CONFIRMATION,
                    notifications.c.created_at >= since,
                )
            ).scalar_one()
        )

    def delete_confirmations(self, subscription_ids: list[str], orphaned_before: datetime | None = None) -> int:
        """Forget the confirmation mails of these subscriptions, and those left without a subscription.

        Only confirmation mails can belong to an unconfirmed subscription, and one whose
        subscriptions are all gone is no longer needed for anything.
        """
        whose: ColumnElement[bool] = notifications.c.subscription_id.in_(subscription_ids)
        if orphaned_before is not None:
            whose = or_(
                whose, and_(notifications.c.subscription_id.is_(None), notifications.c.created_at < orphaned_before)
            )
        condition = and_(notifications.c.event_type == CONFIRMATION, whose)
        found = self.session.execute(select(notifications.c.id, notifications.c.event_id).where(condition)).all()
        if not found:
            return 0
        ids = [row.id for row in found]
        self.session.execute(
            delete(notification_transitions).where(notification_transitions.c.notification_id.in_(ids))
        )
        self.session.execute(delete(notifications).where(notifications.c.id.in_(ids)))
        self.session.execute(
            delete(event_payloads).where(
                event_payloads.c.event_id.in_({row.event_id for row in found}), event_payloads.c.type == CONFIRMATION
            )
        )
        return len(ids)

    def add_transitions(
        self,
        changes: list[tuple[str, NotificationStatus, NotificationStatus, str | None]],
        now: datetime,
    ) -> None:
        if changes:
            self.session.execute(
                insert(notification_transitions),
                [
                    {
                        "notification_id": item_id,
                        "from_status": old.value,
                        "to_status": new.value,
                        "reason": why,
                        "at": now,
                    }
                    for item_id, old, new, why in changes
                ],
            )

    def withdraw_pending(self, subscription_id: str, now: datetime) -> int:
        pending = [status.value for status in PENDING]
        ids = list(
            self.session.execute(
                select(notifications.c.id, notifications.c.status).where(
                    notifications.c.subscription_id == subscription_id, notifications.c.status.in_(pending)
                )
            ).all()
        )
        if not ids:
            return 0
        self.session.execute(
            update(notifications)
            .where(notifications.c.id.in_([row.id for row in ids]))
            .values(status=NotificationStatus.WITHDRAWN.value, next_attempt_at=None)
        )
        self.add_transitions(
            [(row.id, NotificationStatus(row.status), NotificationStatus.WITHDRAWN, "unsubscribed") for row in ids],
            now,
        )
        return len(ids)

    def due_digests(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(subscription, period) pairs whose period has closed and that hold items not yet in a digest."""
        rows = self.session.execute(
            select(notifications.c.subscription_id, notifications.c.digest_key)
            .where(
                notifications.c.digest_key.is_not(None),
                notifications.c.digest_id.is_(None),
                notifications.c.status == NotificationStatus.QUEUED.value,
                notifications.c.next_attempt_at <= now,
            )
            .group_by(notifications.c.subscription_id, notifications.c.digest_key)
            .limit(limit)
        ).all()
        return [(row.subscription_id, row.digest_key) for row in rows if row.subscription_id]

    def digest_items(self, subscription_id: str, digest_key: str) -> list[Notification]:
        rows = self.session.execute(
            select(notifications)
            .where(
                notifications.c.subscription_id == subscription_id,
                notifications.c.digest_key == digest_key,
                notifications.c.digest_id.is_(None),
                notifications.c.status == NotificationStatus.QUEUED.value,
            )
            .order_by(notifications.c.created_at, notifications.c.id)
        ).all()
        return [_notification(row._mapping) for row in rows]

    def items_of_digest(self, digest_id: str) -> list[Notification]:
        rows = self.session.execute(
            select(notifications)
            .where(notifications.c.digest_id == digest_id)
            .order_by(notifications.c.created_at, notifications.c.id)
        ).all()
        return [_notification(row._mapping) for row in rows]

    def bundle(self, item_ids: list[str], digest_id: str, now: datetime) -> None:
        self.session.execute(
            update(notifications)
            .where(notifications.c.id.in_(item_ids))
            .values(digest_id=digest_id, status=NotificationStatus.BUNDLED.value, next_attempt_at=None)
        )
        self.add_transitions(
            [(item_id, NotificationStatus.QUEUED, NotificationStatus.BUNDLED, None) for item_id in item_ids], now
        )


class EventPayloadRepository:
    def __init__(self, session: Session):
        self.session = session

    def keep(self, event: dict[str, Any]) -> None:
        self.session.execute(
            _insert_ignoring_duplicates(self.session, event_payloads).values(
                event_id=str(event["event_id"]),
                type=str(event["type"]),
                occurred_at=str(event.get("occurred_at", "")),
                data=json.dumps(event.get("data") or {}),
            )
        )

    def get_many(self, event_ids: set[str]) -> dict[str, dict[str, Any]]:
        if not event_ids:
            return {}
        rows = self.session.execute(select(event_payloads).where(event_payloads.c.event_id.in_(event_ids))).all()
        return {
            row.event_id: {
                "event_id": row.event_id,
                "type": row.type,
                "occurred_at": row.occurred_at,
                "data": json.loads(row.data),
            }
            for row in rows
        }


class MembershipRepository:
    def __init__(self, session: Session):
        self.session = session

    def put(
        self,
        organisation_id: str,
        forum_slug: str,
        role: str | None,
        starts_on: date | None,
        ends_on: date | None,
        active: bool,
    ) -> None:
        key = and_(memberships.c.organisation_id == organisation_id, memberships.c.forum_slug == forum_slug)
        values = {"role": role, "starts_on": starts_on, "ends_on": ends_on, "active": active}
        if self.session.execute(select(memberships.c.active).where(key)).first():
            self.session.execute(update(memberships).where(key).values(**values))
        else:
            self.session.execute(
                insert(memberships).values(organisation_id=organisation_id, forum_slug=forum_slug, **values)
            )


class MeetingRepository:
    def __init__(self, session: Session):
        self.session = session

    def put(
        self,
        meeting_id: str,
        forum_slug: str,
        starts_at: datetime,
        registration_deadline: datetime | None,
        status: str,
        data: dict[str, Any],
    ) -> None:
        values = {
            "forum_slug": forum_slug,
            "starts_at": starts_at,
            "registration_deadline": registration_deadline,
            "status": status,
            "data": json.dumps(data),
        }
        if self.session.execute(select(meetings.c.meeting_id).where(meetings.c.meeting_id == meeting_id)).first():
            self.session.execute(update(meetings).where(meetings.c.meeting_id == meeting_id).values(**values))
        else:
            self.session.execute(insert(meetings).values(meeting_id=meeting_id, **values))

    def starting_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(meetings.c.data).where(
                meetings.c.starts_at > start, meetings.c.starts_at <= end, meetings.c.status != "cancelled"
            )
        ).all()
        return [json.loads(row.data) for row in rows]

    def deadline_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(meetings.c.data).where(
                meetings.c.registration_deadline > start,
                meetings.c.registration_deadline <= end,
                meetings.c.status != "cancelled",
            )
        ).all()
        return [json.loads(row.data) for row in rows]


class AttendeeRepository:
    def __init__(self, session: Session):
        self.session = session

    def put(self, registration_id: str, meeting_id: str, email: str, language: str, status: str) -> None:
        key = attendees.c.registration_id == registration_id
        values = {"meeting_id": meeting_id, "email": email, "language": language, "status": status}
        if self.session.execute(select(attendees.c.status).where(key)).first():
            self.session.execute(update(attendees).where(key).values(**values))
        else:
            self.session.execute(insert(attendees).values(registration_id=registration_id, **values))

    def confirmed(self, meeting_id: str) -> Iterator[list[tuple[str, str]]]:
        """(e-mail, language) of everyone with a place, a batch at a time."""
        last = ""
        while True:
            rows = self.session.execute(
                select(attendees.c.registration_id, attendees.c.email, attendees.c.language)
                .where(
                    attendees.c.meeting_id == meeting_id,
                    attendees.c.status == "confirmed",
                    attendees.c.registration_id > last,
                )
                .order_by(attendees.c.registration_id)
                .limit(BATCH)
            ).all()
            if not rows:
                return
            yield [(row.email, row.language) for row in rows]
            last = rows[-1].registration_id


def _subscription(values: Any) -> Subscription:
    fields = dict(values)
    return Subscription(
        **{
            **fields,
            "scope": Scope(fields["scope"]),
            "channel": Channel(fields["channel"]),
            "language": Language(fields["language"]),
            "rhythm": Rhythm(fields["rhythm"]),
        }
    )


def _notification(values: Any) -> Notification:
    fields = dict(values)
    fields.pop("unsubscribe_sha256", None)
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

    @property
    def payloads(self) -> EventPayloadRepository:
        return EventPayloadRepository(self.session)

    @property
    def memberships(self) -> MembershipRepository:
        return MembershipRepository(self.session)

    @property
    def meetings(self) -> MeetingRepository:
        return MeetingRepository(self.session)

    @property
    def attendees(self) -> AttendeeRepository:
        return AttendeeRepository(self.session)

    @property
    def erasure(self) -> AddressEraser:
        return AddressEraser(self.session)
