"""Delivery to a real SMTP server and a real HTTP receiver on 127.0.0.1, read back with independent parsers."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
import vobject
from icalendar import Calendar
from sqlalchemy import text

from samverkan_notifier.adapters.courier import SmtpAndWebhookCourier, SmtpSettings
from samverkan_notifier.domain.model import RetryPolicy
from samverkan_notifier.service_layer import delivery
from services.notifier.tests.events import meeting
from services.notifier.tests.loopback import TlsSmtpServer

POLICY = RetryPolicy(base=timedelta(seconds=10), max_delay=timedelta(minutes=5), window=timedelta(hours=24))
SECRET = "a-webhook-secret-of-some-length"


@pytest.fixture
def deliver(uow, clock, smtp_server):
    courier = SmtpAndWebhookCourier(
        SmtpSettings(port=smtp_server.port, sender="noreply@samverkan.example.org"),
        "https://samverkan.example.org",
        clock=clock,
    )
    return lambda: delivery.deliver_due(uow, courier, POLICY, clock)


def calendar_part(message):
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def test_invitation_arrives_with_text_html_and_an_ics_independent_parsers_read(service, deliver, smtp_server):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org"})
    event = meeting()
    service.on_meeting_scheduled(event)

    assert deliver() == 1

    (message,) = smtp_server.messages()
    assert message["Subject"] == "Nytt möte: Vårmöte"
    assert message["To"] == "anna@example.org"
    text_body = message.get_body(preferencelist=("plain",)).get_content()
    html_body = message.get_body(preferencelist=("html",)).get_content()
    assert "tisdag 2 mars 2027 kl. 10:00–12:00" in text_body
    assert "Regionens hus, Göteborg" in html_body
    part = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    ics = part.get_payload(decode=True)
    parsed = Calendar.from_ical(ics)
    (vevent,) = parsed.walk("VEVENT")
    assert str(parsed["METHOD"]) == "REQUEST"
    assert str(vevent["UID"]) == f"{event['data']['meeting_id']}@samverkan"
    assert vevent.decoded("DTSTART").isoformat() == "2027-03-02T10:00:00+01:00"
    assert str(vevent["DTSTART"].params["TZID"]) == "Europe/Stockholm"
    # A second, independent reader, validating as it parses.
    other = vobject.readOne(ics.decode("utf-8"), validate=True)
    assert other.vevent.uid.value == f"{event['data']['meeting_id']}@samverkan"
    assert other.vevent.summary.value == "Vårmöte"


def test_change_and_cancellation_update_the_same_calendar_entry(service, deliver, smtp_server):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org"})
    scheduled = meeting()
    meeting_id = scheduled["data"]["meeting_id"]
    service.on_meeting_scheduled(scheduled)
    service.on_meeting_updated(
        meeting("meeting_updated", meeting_id, starts_at="2027-03-03T13:00:00+01:00",
                ends_at="2027-03-03T15:00:00+01:00", sequence=1, changes=["starts_at", "ends_at"])
    )  # fmt: skip
    service.on_meeting_cancelled(meeting("meeting_cancelled", meeting_id, status="cancelled", sequence=2))

    assert deliver() == 3

    by_method = {}
    for message in smtp_server.messages():
        part = calendar_part(message)
        (vevent,) = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
        by_method.setdefault(part.get_param("method"), []).append(vevent)
    uids = {str(vevent["UID"]) for vevents in by_method.values() for vevent in vevents}
    assert uids == {f"{meeting_id}@samverkan"}
    assert sorted(int(vevent["SEQUENCE"]) for vevent in by_method["REQUEST"]) == [0, 1]
    (cancel,) = by_method["CANCEL"]
    assert int(cancel["SEQUENCE"]) == 2
    assert str(cancel["STATUS"]) == "CANCELLED"


def test_webhook_body_is_signed_with_the_subscriptions_secret(service, deliver, http_receiver):
    service.subscribe({"forum_slug": "ros-gruppen", "channel": "webhook", "url": http_receiver.url, "secret": SECRET})
    event = meeting()
    service.on_meeting_scheduled(event)

    assert deliver() == 1

    (request,) = http_receiver.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["headers"]["X-Samverkan-Signature"], expected)
    assert request["headers"]["X-Samverkan-Event"] == "meeting_scheduled"
    (logged,) = service.list_notifications()["items"]
    assert request["headers"]["X-Samverkan-Delivery"] == logged["id"]
    body = http_receiver.json(request)
    assert (body["event_id"], body["data"]["meeting_id"]) == (event["event_id"], event["data"]["meeting_id"])


def test_one_click_unsubscribe_works_and_only_the_tokens_hash_is_kept(service, deliver, smtp_server, uow):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org"})
    service.on_meeting_scheduled(meeting())
    deliver()
    (message,) = smtp_server.messages()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip().strip("<>")
    assert url in message.get_body(preferencelist=("plain",)).get_content()
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 22  # at least 128 random bits, URL-safe base64
    stored = uow.session.execute(text("SELECT unsubscribe_sha256 FROM notifications")).scalars().all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]

    assert service.unsubscribe(token)["active"] is False
    service.on_meeting_scheduled(meeting(title="Höstmöte"))

    assert service.list_subscriptions()["total"] == 0
    assert [n["subject"] for n in service.list_notifications()["items"]] == ["Nytt möte: Vårmöte"]
    assert service.unsubscribe(token)["active"] is False  # a second click changes nothing and fails nothing


def test_mail_is_retried_while_the_smtp_server_is_down_and_arrives_once(service, deliver, smtp_server, clock):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org"})
    smtp_server.stop()
    service.on_meeting_scheduled(meeting())

    deliver()
    (failed,) = service.list_notifications()["items"]
    assert failed["status"] == "failed"
    assert "Connection refused" in failed["last_error"] or "Errno" in failed["last_error"]
    clock.advance(seconds=5)
    assert deliver() == 0  # the backoff is not over yet
    clock.advance(seconds=6)
    deliver()  # still down: the second wait is twice the first
    assert service.list_notifications()["items"][0]["attempts"] == 2

    smtp_server.start()
    clock.advance(seconds=21)
    assert deliver() == 1
    clock.advance(hours=1)
    assert deliver() == 0

    assert len(smtp_server.messages()) == 1
    (sent,) = service.list_notifications()["items"]
    assert sent["status"] == "sent"
    assert [(step["from"], step["to"]) for step in sent["transitions"]] == [
        ("queued", "failed"),
        ("failed", "retried"),
        ("retried", "failed"),
        ("failed", "retried"),
        ("retried", "sent"),
    ]


def test_webhook_answering_500_three_times_then_200_is_delivered_once(service, deliver, http_receiver, clock):
    http_receiver.statuses = [500, 500, 500]
    service.subscribe({"forum_slug": "ros-gruppen", "channel": "webhook", "url": http_receiver.url, "secret": SECRET})
    service.on_meeting_scheduled(meeting())

    for _ in range(6):
        deliver()
        clock.advance(minutes=5)

    assert [request["status"] for request in http_receiver.requests] == [500, 500, 500, 200]
    assert len({request["headers"]["X-Samverkan-Delivery"] for request in http_receiver.requests}) == 1
    (sent,) = service.list_notifications()["items"]
    assert (sent["status"], sent["attempts"]) == ("sent", 4)
    assert sent["transitions"][0]["reason"] == "HTTP 500"


def test_a_recurring_meeting_is_invited_as_the_series_and_a_moved_occurrence_by_its_recurrence_id(
    service, deliver, smtp_server
):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org"})
    series = meeting(rrule="FREQ=WEEKLY;COUNT=4")
    meeting_id = series["data"]["meeting_id"]
    service.on_meeting_scheduled(series)
    service.on_meeting_updated(
        meeting("meeting_updated", meeting_id, rrule="FREQ=WEEKLY;COUNT=4", sequence=1,
                occurrence_start="2027-03-09T10:00:00+01:00", starts_at="2027-03-10T10:00:00+01:00",
                ends_at="2027-03-10T12:00:00+01:00")
    )  # fmt: skip

    deliver()

    vevents = {
        message["Subject"]: Calendar.from_ical(calendar_part(message).get_payload(decode=True)).walk("VEVENT")[0]
        for message in smtp_server.messages()
    }
    invited, moved = vevents["Nytt möte: Vårmöte"], vevents["Ändrat möte: Vårmöte"]
    assert invited["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=4"
    assert "RRULE" not in moved
    assert moved.decoded("RECURRENCE-ID").isoformat() == "2027-03-09T10:00:00+01:00"
    assert str(moved["UID"]) == str(invited["UID"]) == f"{meeting_id}@samverkan"


@pytest.fixture
def tls_smtp_server(tmp_path):
    server = TlsSmtpServer(tmp_path / "tls-maildir", "samverkan", "hemligt-losen-42")
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize(("password", "arrives"), [("hemligt-losen-42", True), ("fel", False)])
def test_mail_goes_over_starttls_with_the_configured_login(service, uow, clock, tls_smtp_server, password, arrives):
    courier = SmtpAndWebhookCourier(
        SmtpSettings(
            port=tls_smtp_server.port,
            starttls=True,
            username="samverkan",
            password=password,
            ca_file=str(tls_smtp_server.cert),
            timeout=5,
        ),
        "https://samverkan.example.org",
        clock=clock,
    )
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org"})
    service.on_meeting_scheduled(meeting())

    delivery.deliver_due(uow, courier, POLICY, clock)

    (logged,) = service.list_notifications()["items"]
    assert len(tls_smtp_server.messages()) == (1 if arrives else 0)
    assert logged["status"] == ("sent" if arrives else "failed")
    if not arrives:
        assert logged["last_error"]
