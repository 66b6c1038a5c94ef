"""Over HTTP, without a token: a person asks for e-mail, confirms by the mailed link, hears of meetings, leaves.

The mail goes to a real SMTP server on loopback; every component runs as its own process.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from tests.support import secrets_seen
from tests.support.http import Client
from tests.support.stack import PUBLIC_URL, Stack, mailing_to
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

CONFIRM_LINK = re.compile(re.escape(PUBLIC_URL) + r"(/bekrafta/[A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PERSON = "eva.person@example.org"
WITNESS = "sekretariatet@example.org"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, smtp_server):
    """The whole system mailing our SMTP server. The reminder-and-purge timer runs once, at start,
    so a link this test makes expire is still there to be refused as expired (not yet forgotten)."""
    running = Stack.start(
        tmp_path_factory.mktemp("logs"),
        **mailing_to(smtp_server),
        NOTIFIER_REMINDER_INTERVAL_SECONDS="3600",
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def forum(planner):
    slug = f"forum-{uuid.uuid4().hex[:8]}"
    created = planner.post("/api/v1/forums", json={"slug": slug, "name": "Medborgarforum", "owner_committee": "BMR"})
    assert created.status_code == 201, created.text
    return slug


@pytest.fixture(scope="module")
def witness(planner, forum):
    """A token holder's subscription to the same forum: when its mail is written, so would the person's be."""
    made = planner.post("/api/v1/subscriptions", json={"forum_slug": forum, "address": WITNESS})
    assert made.status_code == 201, made.text
    return WITNESS


def mail_to(smtp_server, address, kind=None):
    return [
        message
        for message in smtp_server.messages()
        if message["To"] == address and (kind is None or message["X-Samverkan-Event"] == kind)
    ]


def body(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def confirm_path(smtp_server, address):
    """The path of the newest confirmation link mailed to ``address`` (waiting for it to arrive)."""
    mails = wait_until(lambda: mail_to(smtp_server, address, "subscription_confirmation"), bool, timeout=60)
    found = CONFIRM_LINK.search(body(mails[-1]))
    assert found, body(mails[-1])
    secrets_seen.remember(found.group(1).rsplit("/", 1)[1])
    return found.group(1)


def schedule(planner, forum, title, day):
    created = planner.post(
        "/api/v1/meetings",
        json={
            "forum_slug": forum,
            "title": title,
            "starts_at": f"{day}T13:00:00",
            "ends_at": f"{day}T15:00:00",
            "level": "dialogue",
            "location": "Regionens hus, Vänersborg",
        },
    )
    assert created.status_code == 201, created.text
    return created.json()


def log_for(operator, address):
    items = operator.get("/api/v1/notifications", params={"per_page": 100}).json()["items"]
    return sorted((item["event_type"], item["subject"]) for item in items if item["address"] == address)


def subscriptions_of(operator, address):
    items = operator.get("/api/v1/subscriptions", params={"per_page": 100}).json()["items"]
    return [item for item in items if item.get("address") == address]


def test_a_person_confirms_hears_of_the_next_meeting_and_unsubscribes(
    stack, public, planner, operator, forum, witness, smtp_server
):
    asked = public.post("/api/v1/subscriptions/people", json={"address": PERSON, "forum_slugs": [forum]})
    assert asked.status_code == 202, asked.text
    path = confirm_path(smtp_server, PERSON)
    (confirmation,) = mail_to(smtp_server, PERSON)
    assert confirmation["Subject"] == "Bekräfta att du vill få mejl från Samverkan"
    assert forum in body(confirmation)
    assert [item["confirmed"] for item in subscriptions_of(operator, PERSON)] == [False]

    # Unconfirmed: a meeting scheduled now reaches the witness, and the person gets nothing.
    schedule(planner, forum, "Före bekräftelsen", "2027-05-04")
    wait_until(lambda: mail_to(smtp_server, WITNESS, "meeting_scheduled"), bool, timeout=60)
    assert log_for(operator, PERSON) == [("subscription_confirmation", "Bekräfta att du vill få mejl från Samverkan")]

    # The link's page: a GET shows a button and confirms nothing (mail scanners follow links).
    browser = Client(stack.url, None)
    page = browser.get(path)
    assert page.status_code == 200
    assert "Bekräfta e-post" in page.text
    assert '<html lang="sv">' in page.text
    assert [item["confirmed"] for item in subscriptions_of(operator, PERSON)] == [False]
    done = browser.post(path, data={"csrf_token": CSRF.search(page.text).group(1)})
    assert done.status_code == 200
    assert "Tack, nu är det bekräftat" in done.text
    assert [item["confirmed"] for item in subscriptions_of(operator, PERSON)] == [True]

    meeting = schedule(planner, forum, "Efter bekräftelsen", "2027-05-11")
    (news,) = wait_until(lambda: mail_to(smtp_server, PERSON, "meeting_scheduled"), bool, timeout=60)
    assert news["Subject"] == "Nytt möte: Efter bekräftelsen"
    assert f"{PUBLIC_URL}/moten/{meeting['id']}" in body(news)

    # The message's own unsubscribe link works without logging in.
    unsubscribe = urlsplit(news["List-Unsubscribe"].strip().strip("<>")).path
    secrets_seen.remember(unsubscribe.rsplit("/", 1)[1])
    assert Client(stack.url, None).get(unsubscribe).status_code == 200
    ended = Client(stack.url, None).post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert ended.status_code == 200
    assert subscriptions_of(operator, PERSON) == []

    schedule(planner, forum, "Efter avslutet", "2027-05-18")
    wait_until(lambda: mail_to(smtp_server, WITNESS, "meeting_scheduled"), lambda mails: len(mails) == 3, timeout=60)
    assert [message["Subject"] for message in mail_to(smtp_server, PERSON, "meeting_scheduled")] == [
        "Nytt möte: Efter bekräftelsen"
    ]


def test_a_known_address_gets_the_same_202_and_no_second_mail(public, operator, forum, witness, smtp_server):
    unknown = public.post(
        "/api/v1/subscriptions/people", json={"address": f"ny-{uuid.uuid4().hex[:6]}@example.org", "level": "dialogue"}
    )
    known = public.post("/api/v1/subscriptions/people", json={"address": WITNESS, "forum_slugs": [forum]})

    assert (unknown.status_code, known.status_code) == (202, 202)
    assert unknown.json() == known.json()
    assert unknown.headers["Content-Type"] == known.headers["Content-Type"]
    # The notifier has answered by the time the gateway does: nothing was owed to the known address.
    assert [kind for kind, _ in log_for(operator, WITNESS)].count("subscription_confirmation") == 0


def test_an_expired_link_is_refused_with_a_clear_message(stack, public, operator, smtp_server):
    address = "sen.person@example.org"
    assert (
        public.post("/api/v1/subscriptions/people", json={"address": address, "level": "partnership"}).status_code
        == 202
    )
    path = confirm_path(smtp_server, address)
    browser = Client(stack.url, None)
    opened = browser.get(path)  # opened in time, but the button is pressed too late
    assert opened.status_code == 200
    # Seven days pass: the confirmation's deadline is moved into the past in the notifier's own database.
    engine = create_engine(stack.databases.urls["notifier"])
    with engine.begin() as connection:
        moved = connection.execute(
            text("UPDATE subscriptions SET confirm_by = :past WHERE address = :address AND confirm_by IS NOT NULL"),
            {"past": datetime.now(UTC) - timedelta(minutes=1), "address": address},
        ).rowcount
    engine.dispose()
    assert moved == 1

    refused = browser.post(path, data={"csrf_token": CSRF.search(opened.text).group(1)})
    page = browser.get(path)

    assert refused.status_code == 410
    assert "Länken har gått ut" in refused.text
    assert page.status_code == 410
    assert "Länken har gått ut" in page.text
    assert "<form" not in page.text
    assert [item["confirmed"] for item in subscriptions_of(operator, address)] == [False]


def test_the_page_form_sends_a_confirmation_link_without_logging_in(stack, operator, forum, smtp_server):
    address = "formular.person@example.org"
    secrets_seen.remember(address, "e-mail")
    browser = Client(stack.url, None)
    form = browser.get(f"/e-post?forum={forum}")
    assert form.status_code == 200
    assert "Få e-post om nya möten" in form.text
    assert f'value="{forum}" checked' in form.text

    sent = browser.post(
        "/e-post",
        data={"csrf_token": CSRF.search(form.text).group(1), "address": address, "forum": forum, "rhythm": "daily"},
    )

    assert sent.status_code == 200  # followed the 303 back to the form
    assert sent.url.endswith("/e-post?skickat=1")
    assert "Titta i din inkorg" in sent.text
    path = confirm_path(smtp_server, address)
    assert browser.get(path).status_code == 200
    (waiting,) = subscriptions_of(operator, address)
    assert (waiting["forum_slug"], waiting["rhythm"], waiting["confirmed"]) == (forum, "daily", False)
