"""Over HTTP: organisations choose what to hear, meetings reach a real mailbox, and the link unsubscribes."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from tests.support.http import Client
from tests.support.stack import Stack, mailing_to
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

ORG_A, ORG_B = str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture(scope="module")
def stack(tmp_path_factory, smtp_server):
    """The whole system, its notifier sending to our SMTP server with short waits between retries."""
    running = Stack.start(tmp_path_factory.mktemp("logs"), **mailing_to(smtp_server), NOTIFIER_RETRY_BASE_SECONDS="0.5")
    yield running
    running.stop()


def organisation_client(stack, organisation_id):
    token = stack.cli("tokens", "create", "--role", "organisation", "--name", "e2e org", "--organisation-id",
                      organisation_id).strip()  # fmt: skip
    return Client(stack.url, token)


@pytest.fixture(scope="module")
def org_a(stack):
    return organisation_client(stack, ORG_A)


@pytest.fixture(scope="module")
def org_b(stack):
    return organisation_client(stack, ORG_B)


@pytest.fixture(scope="module")
def forum(planner):
    slug = f"forum-{uuid.uuid4().hex[:8]}"
    created = planner.post("/api/v1/forums", json={"slug": slug, "name": "Notisforum", "owner_committee": "BMR"})
    assert created.status_code == 201, created.text
    return slug


def mail_to(smtp_server, address):
    return [message for message in smtp_server.messages() if message["To"] == address]


def calendar_of(message):
    (part,) = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    return part.get_param("method"), Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]


def test_an_organisation_sees_and_replaces_only_its_own_subscriptions(org_a, org_b, operator, forum):
    wanted = {
        "items": [
            {"forum_slug": forum, "address": "anna@example.org"},
            {"level": "partnership", "address": "anna@example.org", "rhythm": "weekly", "language": "en"},
        ]
    }

    replaced = org_a.session.put(f"{org_a.base}/api/v1/subscriptions", json=wanted, timeout=30)

    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["total"] == 2
    assert org_a.get("/api/v1/subscriptions").json()["total"] == 2
    assert org_b.get("/api/v1/subscriptions").json()["total"] == 0
    assert org_b.get("/api/v1/subscriptions", params={"organisation_id": ORG_A}).status_code == 403
    assert operator.get("/api/v1/subscriptions", params={"organisation_id": ORG_A}).json()["total"] == 2


def test_a_meeting_scheduled_changed_and_cancelled_is_one_calendar_entry_in_the_mailbox(
    org_a, planner, operator, forum, smtp_server
):
    org_a.post("/api/v1/subscriptions", json={"forum_slug": forum, "address": "bo@example.org", "language": "en"})
    created = planner.post(
        "/api/v1/meetings",
        json={
            "forum_slug": forum,
            "title": "Dialog om kulturstöd",
            "starts_at": "2027-05-04T13:00:00",
            "ends_at": "2027-05-04T15:00:00",
            "level": "dialogue",
            "location": "Vänersborg",
        },
    )
    assert created.status_code == 201, created.text
    meeting = created.json()
    changed = planner.session.patch(
        f"{planner.base}/api/v1/meetings/{meeting['id']}",
        json={"version": meeting["version"], "starts_at": "2027-05-05T13:00:00", "ends_at": "2027-05-05T15:00:00"},
        timeout=30,
    )
    assert changed.status_code == 200, changed.text
    cancelled = planner.post(f"/api/v1/meetings/{meeting['id']}/cancel", json={"version": changed.json()["version"]})
    assert cancelled.status_code == 200, cancelled.text

    received = wait_until(lambda: mail_to(smtp_server, "bo@example.org"), lambda mails: len(mails) == 3, timeout=60)

    entries = sorted((calendar_of(message) for message in received), key=lambda entry: int(entry[1]["SEQUENCE"]))
    assert [method for method, _ in entries] == ["REQUEST", "REQUEST", "CANCEL"]
    assert {str(vevent["UID"]) for _, vevent in entries} == {f"{meeting['id']}@samverkan"}
    assert entries[1][1].decoded("DTSTART").isoformat() == "2027-05-05T13:00:00+02:00"
    assert sorted(message["Subject"] for message in received) == [
        "Meeting cancelled: Dialog om kulturstöd",
        "Meeting changed: Dialog om kulturstöd",
        "New meeting: Dialog om kulturstöd",
    ]
    sent = wait_until(
        lambda: operator.get("/api/v1/notifications", params={"status": "sent", "per_page": 100}).json()["items"],
        lambda items: len([n for n in items if n["address"] == "bo@example.org"]) == 3,
    )
    assert all(n["attempts"] == 1 for n in sent if n["address"] == "bo@example.org")


def test_the_unsubscribe_link_works_without_logging_in(org_a, public, smtp_server):
    (message, *_) = wait_until(lambda: mail_to(smtp_server, "anna@example.org"), bool, timeout=60)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip().strip("<>")
    before = org_a.get("/api/v1/subscriptions").json()["total"]

    page = public.get(urlsplit(link).path)
    assert page.status_code == 200
    assert 'method="post"' in page.text
    assert org_a.get("/api/v1/subscriptions").json()["total"] == before  # a GET changes nothing

    done = public.post(urlsplit(link).path, data={"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200
    assert org_a.get("/api/v1/subscriptions").json()["total"] == before - 1
