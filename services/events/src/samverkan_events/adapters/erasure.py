"""Forgetting one person in the events service (GDPR art. 17): registrations, secret links, sent events.

``person_erased`` names the person by the SHA-256 of their normalised address only, so the
distinct addresses held are hashed and compared: an erasure is rare, and there are far
fewer distinct attendees than rows.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from samverkan_common.persons import email_digest, normalised_email

from .tables import metadata, personal_feeds, registrations

REGISTRATION_EVENTS = ("registration_confirmed", "registration_waitlisted", "registration_cancelled")
# What a registration says instead of the person: nothing. An empty address is one the
# notifier sends nothing to, should an anonymised registration be cancelled later.
ERASED = ""


class PersonEraser:
    def __init__(self, session: Session):
        self.session = session

    def addresses_with_digest(self, digest: str) -> set[str]:
        """Every stored spelling of the address whose SHA-256 (normalised) is ``digest``."""
        stored = [
            *self.session.execute(select(registrations.c.attendee_email).distinct()),
            *self.session.execute(select(personal_feeds.c.attendee_email).distinct()),
        ]
        return {row[0] for row in stored if row[0] and email_digest(row[0]) == digest}

    def anonymise_registrations(self, addresses: set[str], now: datetime) -> list[str]:
        """Keep each registration and its status (the meeting's count), without who it was; return their ids."""
        rows = self.session.execute(
            select(registrations.c.id, registrations.c.attendee_name, registrations.c.registered_by).where(
                registrations.c.attendee_email.in_(addresses)
            )
        ).all()
        spellings = {normalised_email(address) for address in addresses}
        for row in rows:
            # Who registered is kept (an organisation's token, a planner), unless it was the person.
            by = row.registered_by
            if normalised_email(by) in spellings or normalised_email(by) == normalised_email(row.attendee_name):
                by = ERASED
            self.session.execute(
                update(registrations)
                .where(registrations.c.id == row.id)
                .values(
                    attendee_name=ERASED,
                    attendee_email=ERASED,
                    accessibility_needs="",
                    dietary_needs="",
                    registered_by=by,
                    updated_at=now,
                )
            )
        return [row.id for row in rows]

    def delete_personal_feeds(self, addresses: set[str]) -> int:
        """The person's secret calendar links stop working, and their rows go with the address."""
        result = self.session.execute(
            delete(personal_feeds).where(
                personal_feeds.c.attendee_email.in_({a.lower() for a in addresses} | addresses)
            )
        )
        return max(result.rowcount, 0)

    def scrub_outbox(self, registration_ids: list[str]) -> int:
        """The registration events kept in the outbox (sent or not) lose the person's name and address."""
        if not registration_ids:
            return 0
        outbox = metadata.tables["outbox"]
        rows = self.session.execute(
            select(outbox.c.id, outbox.c.envelope).where(
                outbox.c.type.in_(REGISTRATION_EVENTS),
                or_(*(outbox.c.envelope.contains(registration_id) for registration_id in registration_ids)),
            )
        ).all()
        wanted = set(registration_ids)
        scrubbed = 0
        for row in rows:
            envelope = json.loads(row.envelope)
            data = envelope.get("data") or {}
            if data.get("registration_id") in wanted:
                data.update(attendee_name=ERASED, attendee_email=ERASED)
                self.session.execute(update(outbox).where(outbox.c.id == row.id).values(envelope=json.dumps(envelope)))
                scrubbed += 1
        return scrubbed
