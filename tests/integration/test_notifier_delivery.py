"""The notifier's outgoing worker on real RabbitMQ and PostgreSQL, to a real SMTP server and HTTP receiver."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from icalendar import Calendar
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from samverkan_events.entrypoints.service import EventsService
from samverkan_notifier.entrypoints.service import NotifierService
from services.notifier.tests.events import meeting
from services.notifier.tests.loopback import HttpReceiver, SmtpServer
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

SECRET = "integration-webhook-secret"


@pytest.fixture
def smtp_server(tmp_path):
    server = SmtpServer(tmp_path / "maildir")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def http_receiver():
    receiver = HttpReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def notifier(container_factory, rabbit_config, databases, smtp_server):
    """The notifier with its worker running, short waits between retries, mail to the loopback server."""
    config = {
        **rabbit_config,
        "DATABASE_URL": databases["notifier"],
        "PUBLIC_URL": "https://samverkan.example.org",
        "SMTP": {"HOST": "127.0.0.1", "PORT": smtp_server.port, "FROM": "noreply@samverkan.example.org"},
        "DELIVERY": {"INTERVAL_SECONDS": 0.1, "RETRY_BASE_SECONDS": 0.2, "RETRY_MAX_DELAY_SECONDS": 1},
    }
    container = container_factory(NotifierService, config)
    container.start()
    return container


def log(notifier, **query):
    with entrypoint_hook(notifier, "list_notifications") as list_notifications:
        return list_notifications(**query)["items"]


def subscribe(notifier, payload):
    with entrypoint_hook(notifier, "subscribe") as subscribe_:
        return subscribe_(payload)


def publish(notifier, rabbit_config, event):
    with entrypoint_waiter(notifier, f"on_{event['type']}", timeout=15):
        event_dispatcher(rabbit_config)("events", event["type"], event)


def test_a_meeting_scheduled_through_the_events_service_arrives_with_the_feeds_uid(
    notifier, container_factory, rabbit_config, databases, smtp_server
):
    events = container_factory(EventsService, {**rabbit_config, "DATABASE_URL": databases["events"]})
    events.start()
    subscribe(notifier, {"forum_slug": "ser", "address": "anna@example.org"})
    with entrypoint_hook(events, "create_forum") as create_forum:
        create_forum({"slug": "ser", "name": "SER", "owner_committee": "KUN"})
    with entrypoint_hook(events, "schedule_meeting") as schedule_meeting:
        scheduled = schedule_meeting(
            {
                "forum_slug": "ser",
                "title": "SER: årsplanering",
                "starts_at": "2027-02-02T10:00:00+01:00",
                "ends_at": "2027-02-02T12:00:00+01:00",
                "level": "dialogue",
            }
        )

    (message,) = wait_until(smtp_server.messages, lambda messages: len(messages) == 1)

    with entrypoint_hook(events, "forum_feed") as forum_feed:
        feed = forum_feed("ser")
    feed = feed.encode() if isinstance(feed, str) else feed
    (feed_event,) = Calendar.from_ical(feed).walk("VEVENT")
    (part,) = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    (mailed_event,) = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert str(mailed_event["UID"]) == str(feed_event["UID"]) == f"{scheduled['id']}@samverkan"
    assert wait_until(lambda: log(notifier), lambda items: items[0]["status"] == "sent")


def test_mail_waits_while_smtp_is_down_and_arrives_once_when_it_returns(notifier, rabbit_config, smtp_server):
    subscribe(notifier, {"forum_slug": "ros-gruppen", "address": "anna@example.org"})
    smtp_server.stop()
    publish(notifier, rabbit_config, meeting())

    wait_until(lambda: log(notifier), lambda items: items and items[0]["attempts"] >= 2)
    assert smtp_server.messages() == []
    smtp_server.start()

    (sent,) = wait_until(lambda: log(notifier), lambda items: items[0]["status"] == "sent")
    assert len(smtp_server.messages()) == 1
    assert ("failed", "retried") in {(step["from"], step["to"]) for step in sent["transitions"]}


def test_webhook_failing_three_times_then_accepting_gets_it_once(notifier, rabbit_config, http_receiver):
    http_receiver.statuses = [500, 500, 500]
    subscribe(notifier, {"forum_slug": "ros-gruppen", "channel": "webhook", "url": http_receiver.url, "secret": SECRET})
    publish(notifier, rabbit_config, meeting())

    (sent,) = wait_until(lambda: log(notifier), lambda items: items[0]["status"] == "sent")

    assert [request["status"] for request in http_receiver.requests] == [500, 500, 500, 200]
    assert sent["attempts"] == 4
    accepted = http_receiver.accepted()[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), accepted["body"], hashlib.sha256).hexdigest()
    assert accepted["headers"]["X-Samverkan-Signature"] == expected


def test_an_unreachable_webhook_is_parked_after_the_retry_window_and_listed_for_operators(
    container_factory, rabbit_config, databases, smtp_server
):
    container = container_factory(
        NotifierService,
        {
            **rabbit_config,
            "DATABASE_URL": databases["notifier"],
            "SMTP": {"HOST": "127.0.0.1", "PORT": smtp_server.port},
            # A window of about a second stands in for the real 24 hours.
            "DELIVERY": {"INTERVAL_SECONDS": 0.1, "RETRY_BASE_SECONDS": 0.1, "RETRY_WINDOW_HOURS": 0.0003},
        },
    )
    container.start()
    subscribe(container, {"forum_slug": "ros-gruppen", "channel": "webhook", "url": "http://127.0.0.1:9/nothing"})
    publish(container, rabbit_config, meeting())

    (parked,) = wait_until(lambda: log(container, status="parked"), lambda items: len(items) == 1)

    assert parked["attempts"] >= 2
    assert parked["transitions"][-1]["to"] == "parked"
    assert parked["last_error"]


def test_an_operator_requeues_a_parked_message_and_it_is_sent_once_the_receiver_is_back(
    container_factory, rabbit_config, databases, smtp_server, http_receiver
):
    container = container_factory(
        NotifierService,
        {
            **rabbit_config,
            "DATABASE_URL": databases["notifier"],
            "SMTP": {"HOST": "127.0.0.1", "PORT": smtp_server.port},
            "DELIVERY": {"INTERVAL_SECONDS": 0.1, "RETRY_BASE_SECONDS": 0.1, "RETRY_WINDOW_HOURS": 0.0003},
        },
    )
    container.start()
    http_receiver.statuses = [503] * 1000
    subscribe(container, {"forum_slug": "ros-gruppen", "channel": "webhook", "url": http_receiver.url})
    publish(container, rabbit_config, meeting())
    (parked,) = wait_until(lambda: log(container, status="parked"), lambda items: len(items) == 1)
    http_receiver.statuses = []

    with entrypoint_hook(container, "requeue_notification") as requeue:
        requeue(parked["id"])

    (sent,) = wait_until(lambda: log(container), lambda items: items[0]["status"] == "sent")
    assert len(http_receiver.accepted()) == 1
    assert ("parked", "failed") in {(step["from"], step["to"]) for step in sent["transitions"]}
