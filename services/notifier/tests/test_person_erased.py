"""A person erased in the registry: the notifier keeps no trace of their address, and sends them nothing more."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import String, Text, select, text

from samverkan_common.errors import NotFound
from samverkan_common.events import envelope
from samverkan_notifier.adapters.courier import SmtpAndWebhookCourier, SmtpSettings
from samverkan_notifier.domain.model import NotificationStatus, RetryPolicy
from samverkan_notifier.entrypoints.service import NotifierService
from samverkan_notifier.service_layer import delivery
from services.notifier.tests.conftest import RecordingCourier
from services.notifier.tests.events import meeting, registration

POLICY = RetryPolicy(base=timedelta(seconds=10), max_delay=timedelta(minutes=5), window=timedelta(hours=24))
LINK = re.compile(r"https://samverkan\.example\.org/bekrafta/([A-Za-z0-9_-]+)")
EVA = "eva@example.org"


@pytest.fixture
def service(uow, clock):
    return worker_factory(NotifierService, uow=uow, clock=clock, config={"SUBSCRIPTIONS": {"CONFIRM_DAYS": 7}})


@pytest.fixture
def deliver(uow, clock, smtp_server):
    courier = SmtpAndWebhookCourier(
        SmtpSettings(port=smtp_server.port, sender="noreply@samverkan.example.org"),
        "https://samverkan.example.org",
        clock=clock,
    )
    return lambda: delivery.deliver_due(uow, courier, POLICY, clock)


def erased(address: str) -> dict:
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()
    data = {"erasure_id": "e-1", "email_sha256": digest, "erased_at": "2027-01-05T10:00:00+00:00"}
    return dict(envelope("person_erased", data))


def everything_stored(uow) -> str:
    """Every text value in every table of the notifier's database."""
    values = []
    for table in uow.metadata.sorted_tables:
        columns = [c for c in table.c if isinstance(c.type, String | Text)]
        if columns:
            values += [str(v) for row in uow.session.execute(select(*columns)) for v in row if v]
    uow.session.rollback()
    return " ".join(values).lower()


def statuses(uow) -> list[str]:
    rows = uow.session.execute(text("SELECT status FROM notifications ORDER BY created_at, id")).all()
    uow.session.rollback()
    return sorted(row.status for row in rows)


def mail_to(smtp_server, address):
    return [m for m in smtp_server.messages() if m["To"].lower() == address]


def confirmed_person(service, deliver, smtp_server, address, forum):
    service.request_subscription({"address": address, "forum_slugs": [forum]})
    deliver()
    mails = [m for m in mail_to(smtp_server, address) if m["X-Samverkan-Event"] == "subscription_confirmation"]
    tokens = [LINK.search(m.get_body(preferencelist=("plain",)).get_content()).group(1) for m in mails]
    # An erased person's earlier links are gone with her: only the newest link is known.
    (token,) = [token for token in tokens if _known(service, token)]
    assert service.confirm_subscription(token)["state"] == "confirmed"


def _known(service, token):
    try:
        return service.confirmation_preview(token)["state"] == "pending"
    except NotFound:
        return False


def test_erased_person_leaves_no_address_or_name_and_the_log_keeps_its_states(
    service, deliver, smtp_server, uow, clock
):
    confirmed_person(service, deliver, smtp_server, EVA, "ros-gruppen")
    confirmed_person(service, deliver, smtp_server, "kent@example.org", "ros-gruppen")
    service.subscribe({"forum_slug": "ser", "address": "Eva@Example.org"})  # a token holder's, another spelling
    service.on_meeting_scheduled(meeting(title="Vårmöte"))
    service.on_registration_confirmed(registration(attendee_name="Eva Exempel", attendee_email=EVA))
    deliver()
    # A refusal quoting the address, then success: the transition keeps the refusal's text.
    service.on_meeting_scheduled(meeting(forum_slug="ser", title="SER-möte"))
    refusing = RecordingCourier()
    refusing.failing = "550 <Eva@Example.org> mailbox busy"
    delivery.deliver_due(uow, refusing, POLICY, clock)
    clock.advance(minutes=1)
    deliver()
    # Still to go when the erasure arrives: a queued message and a message that keeps failing.
    service.on_meeting_updated(meeting(title="Flyttat möte"))
    service.on_registration_waitlisted(registration(attendee_name="Eva Exempel", attendee_email=EVA))
    assert "eva@example.org" in everything_stored(uow)  # the checks below can see her
    assert "eva exempel" in everything_stored(uow)
    before = statuses(uow)

    service.on_person_erased(erased("  EVA@example.org "))

    stored = everything_stored(uow)
    assert "eva@example.org" not in stored
    assert "eva exempel" not in stored
    assert "mailbox busy" in stored  # the refusal is kept, without the address
    after = statuses(uow)
    assert after.count("sent") == before.count("sent")  # what was sent stays in the log, as sent
    assert after.count("queued") == before.count("queued") - 2  # the changed meeting and the waiting list, to Eva
    assert [s["address"] for s in service.list_subscriptions()["items"]] == ["kent@example.org"]

    service.on_meeting_scheduled(meeting(title="Nästa möte"))
    service.on_meeting_scheduled(meeting(forum_slug="ser", title="Nästa SER-möte"))
    deliver()
    new = [m for m in smtp_server.messages() if "Nästa" in m["Subject"]]
    assert [m["To"] for m in new] == ["kent@example.org"]


def test_a_redelivered_erasure_and_an_unknown_address_change_nothing(service, deliver, smtp_server, uow):
    confirmed_person(service, deliver, smtp_server, EVA, "ros-gruppen")
    event = erased(EVA)
    service.on_person_erased(event)
    confirmed_person(service, deliver, smtp_server, EVA, "ros-gruppen")  # she comes back, and asks again

    service.on_person_erased(event)  # the same erasure, delivered again
    service.on_person_erased(erased("nobody@example.org"))

    assert [s["address"] for s in service.list_subscriptions()["items"]] == [EVA]


def test_a_message_being_sent_during_the_erasure_is_recorded_and_loses_the_address(service, uow, clock):
    service.on_registration_confirmed(registration(attendee_name="Eva Exempel", attendee_email=EVA))
    (held,) = uow.notifications.claim_due(clock(), clock() + timedelta(minutes=10), 10)
    uow.commit()  # a delivery worker holds it under a lease, and is sending it

    service.on_person_erased(erased(EVA))
    held.status = NotificationStatus.SENT
    uow.notifications.record_outcomes([(held, NotificationStatus.QUEUED)], clock())
    uow.commit()

    (logged,) = service.list_notifications()["items"]
    assert (logged["status"], logged["address"]) == ("sent", f"erased:{held.id}")
    assert "eva" not in everything_stored(uow)
