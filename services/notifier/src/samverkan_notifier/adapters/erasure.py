"""Forgetting one person's e-mail address everywhere the notifier keeps it (GDPR art. 17).

The address is found by its SHA-256 (``person_erased`` carries nothing else), so every
distinct e-mail address held is hashed and compared: an erasure is rare, and the set of
distinct addresses is small beside the delivery log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, delete, literal, select, update
from sqlalchemy.orm import Session

from samverkan_common.persons import email_digest, normalised_email

from ..domain.model import CONFIRMATION, PENDING, Channel, NotificationStatus
from .tables import attendees, event_payloads, notification_transitions, notifications, subscriptions

# What a registration event's payload says instead of the person's name and address.
ERASED = ""
# A kept log entry's address becomes "erased:<its own id>" (one event, one address: the ids keep
# the entries apart), and an error text quoting the address says this instead.
ADDRESS_MARKER = "erased:"
QUOTED_MARKER = "[erased]"


class AddressEraser:
    def __init__(self, session: Session):
        self.session = session

    def addresses_with_digest(self, digest: str) -> set[str]:
        """Every stored spelling of the e-mail address whose SHA-256 (normalised) is ``digest``."""
        email = Channel.EMAIL.value
        stored: Iterable[Any] = (
            *self.session.execute(select(subscriptions.c.address).where(subscriptions.c.channel == email).distinct()),
            *self.session.execute(select(notifications.c.address).where(notifications.c.channel == email).distinct()),
            *self.session.execute(select(attendees.c.email).distinct()),
        )
        return {row[0] for row in stored if row[0] and email_digest(row[0]) == digest}

    def delete_subscriptions(self, addresses: set[str]) -> list[str]:
        """Delete every e-mail subscription to these addresses, whoever owns it; return their ids."""
        condition = and_(subscriptions.c.channel == Channel.EMAIL.value, subscriptions.c.address.in_(addresses))
        ids = [row.id for row in self.session.execute(select(subscriptions.c.id).where(condition))]
        if ids:
            self.session.execute(delete(subscriptions).where(subscriptions.c.id.in_(ids)))
        return ids

    def delete_attendances(self, addresses: set[str]) -> int:
        result = self.session.execute(delete(attendees).where(attendees.c.email.in_(addresses)))
        return max(result.rowcount, 0)

    def forget_in_log(self, addresses: set[str], now: datetime) -> tuple[int, int]:
        """Delete what was not yet sent to these addresses; the rest keeps its state, not the address.

        A message a delivery worker holds right now (leased: queued or retried, and its
        next attempt in the future) cannot be taken back from it and must stay for the worker
        to record the outcome; it loses the address like a sent one. Returns (deleted, kept).
        """
        to_them = and_(notifications.c.channel == Channel.EMAIL.value, notifications.c.address.in_(addresses))
        in_flight = and_(
            notifications.c.status.in_([NotificationStatus.QUEUED.value, NotificationStatus.RETRIED.value]),
            notifications.c.digest_key.is_(None),
            notifications.c.next_attempt_at > now,
        )
        unsent = [status.value for status in (*PENDING, NotificationStatus.PARKED)]
        rows = self.session.execute(
            select(notifications.c.id, notifications.c.event_id, notifications.c.event_type).where(
                to_them, notifications.c.status.in_(unsent), ~in_flight
            )
        ).all()
        doomed = [row.id for row in rows]
        # The payload of a registration event names the person: it is scrubbed below, before
        # the messages that would have been rendered from it go.
        event_ids = {
            row.event_id
            for row in self.session.execute(
                select(notifications.c.event_id).where(to_them, notifications.c.event_type != CONFIRMATION)
            )
        }
        self._scrub_payloads(event_ids, addresses)
        if doomed:
            self.session.execute(
                delete(notification_transitions).where(notification_transitions.c.notification_id.in_(doomed))
            )
            self.session.execute(delete(notifications).where(notifications.c.id.in_(doomed)))
        confirmation_ids = {row.event_id for row in rows if row.event_type == CONFIRMATION}
        if confirmation_ids:
            self.session.execute(
                delete(event_payloads).where(
                    event_payloads.c.event_id.in_(confirmation_ids),
                    event_payloads.c.type == CONFIRMATION,
                    ~event_payloads.c.event_id.in_(select(notifications.c.event_id)),
                )
            )
        kept = [row.id for row in self.session.execute(select(notifications.c.id).where(to_them))]
        if kept:
            # An SMTP server's refusal often quotes the address it refused, in its own spelling.
            quoted = re.compile("|".join(re.escape(address) for address in addresses), re.IGNORECASE)
            for table, key, column in (
                (notifications, notifications.c.id, notifications.c.last_error),
                (
                    notification_transitions,
                    notification_transitions.c.notification_id,
                    notification_transitions.c.reason,
                ),
            ):
                texts = self.session.execute(
                    select(table.c.id, column.label("text")).where(key.in_(kept), column.is_not(None))
                ).all()
                for row in texts:
                    if quoted.search(row.text):
                        self.session.execute(
                            update(table)
                            .where(table.c.id == row.id)
                            .values({column.name: quoted.sub(QUOTED_MARKER, row.text)})
                        )
            self.session.execute(
                update(notifications)
                .where(notifications.c.id.in_(kept))
                .values(address=literal(ADDRESS_MARKER, String) + notifications.c.id)
            )
        return len(doomed), len(kept)

    def _scrub_payloads(self, event_ids: set[str], addresses: set[str]) -> None:
        if not event_ids:
            return
        rows = self.session.execute(
            select(event_payloads.c.event_id, event_payloads.c.data).where(event_payloads.c.event_id.in_(event_ids))
        ).all()
        normalised = {normalised_email(address) for address in addresses}
        for row in rows:
            data = json.loads(row.data)
            if isinstance(data, dict) and normalised_email(str(data.get("attendee_email") or "")) in normalised:
                data.update(attendee_email=ERASED, attendee_name=ERASED)
                self.session.execute(
                    update(event_payloads)
                    .where(event_payloads.c.event_id == row.event_id)
                    .values(data=json.dumps(data))
                )
