"""Over HTTP: a person erased through the gateway is forgotten by every service that held their address.

The person is a contact person in the registry, follows a forum by e-mail (double opt-in, over a real
SMTP server on loopback) and holds a place at a meeting with a secret calendar link. After the erasure
the notifier's and the events service's PostgreSQL databases, read as text, hold neither their address
nor their name; the next meeting in the forum mails them nothing; the meeting keeps its count.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from tests.support import secrets_seen
from tests.support.http import Client
from tests.support.stack import PUBLIC_URL, Stack, mailing_to
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

CONFIRM_LINK = re.compile(re.escape(PUBLIC_URL) + r"(/bekrafta/[A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
WITNESS = "vittnet@example.org"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, smtp_server):
    running = Stack.start(
        tmp_path_factory.mktemp("logs"),
        **mailing_to(smtp_server),
    )
    yield running
    running.stop()


def created(response) -> dict:
    assert response.status_code == 201, response.text
    return dict(response.json())


def mail_to(smtp_server, address, kind=None):
    return [
        message
        for message in smtp_server.messages()
        if message["To"] == address and (kind is None or message["X-Samverkan-Event"] == kind)
    ]


def schedule(planner, forum, title, starts_at):
    return created(
        planner.post(
            "/api/v1/meetings",
            json={
                "forum_slug": forum,
                "title": title,
                "starts_at": starts_at.isoformat(),
                "ends_at": (starts_at + timedelta(hours=2)).isoformat(),
                "level": "dialogue",
                "capacity": 20,
            },
        )
    )


def database_text(url: str) -> str:
    """Every row of every table of one service's database, each cast to text, lower-cased."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = connection.execute(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
            ).scalars()
            rows = [
                value
                for table in list(tables)
                for value in connection.execute(text(f'SELECT CAST(t AS text) FROM "{table}" AS t')).scalars()
            ]
    finally:
        engine.dispose()
    return "\n".join(rows).lower()


def traces(stored: str, *words: str) -> list[str]:
    return [row for row in stored.splitlines() if any(word in row for word in words)]


def confirm(stack, smtp_server, address):
    (mail,) = wait_until(lambda: mail_to(smtp_server, address, "subscription_confirmation"), bool, timeout=60)
    path = CONFIRM_LINK.search(mail.get_body(preferencelist=("plain",)).get_content()).group(1)
    secrets_seen.remember(path.rsplit("/", 1)[1])
    browser = Client(stack.url, None)
    page = browser.get(path)
    done = browser.post(path, data={"csrf_token": CSRF.search(page.text).group(1)})
    assert done.status_code == 200, done.text


def test_an_erased_person_is_forgotten_by_the_notifier_and_the_events_service(
    stack, public, planner, operator, smtp_server
):
    suffix = uuid.uuid4().hex[:8]
    name, address = f"Erika Raderad {suffix}", f"erika.{suffix}@example.org"
    forum = f"radering-{suffix}"
    created(planner.post("/api/v1/forums", json={"slug": forum, "name": "Raderingsforum", "owner_committee": "BMR"}))
    created(planner.post("/api/v1/subscriptions", json={"forum_slug": forum, "address": WITNESS}))
    association = created(
        planner.post(
            "/api/v1/organisations",
            json={"name": f"Förening {suffix}", "kind": "ideell_forening", "municipality_code": "1480"},
        )
    )
    created(
        planner.post(
            f"/api/v1/organisations/{association['id']}/contacts",
            json={"name": name, "email": address, "legal_basis": "legitimate_interest"},
        )
    )
    asked = public.post("/api/v1/subscriptions/people", json={"address": address, "forum_slugs": [forum]})
    assert asked.status_code == 202, asked.text
    confirm(stack, smtp_server, address)
    soon = datetime.now(UTC) + timedelta(days=30)
    meeting = schedule(planner, forum, "Före raderingen", soon)
    registration = created(
        planner.post(
            f"/api/v1/meetings/{meeting['id']}/registrations",
            json={"attendee_name": name, "attendee_email": address, "dietary_needs": "vegetariskt"},
        )
    )
    assert registration["status"] == "confirmed"
    feed = created(planner.post("/api/v1/personal-feeds", json={"attendee_email": address}))
    secrets_seen.remember(feed["token"])
    feed_path = f"/feeds/personal/{feed['token']}.ics"
    assert public.get(feed_path).status_code == 200
    # She has had the meeting's news and her place confirmed: the notifier logged and stored both.
    wait_until(lambda: mail_to(smtp_server, address, "meeting_scheduled"), bool, timeout=60)
    wait_until(lambda: mail_to(smtp_server, address, "registration_confirmed"), bool, timeout=60)
    notifier_url, events_url = stack.databases.urls["notifier"], stack.databases.urls["events"]
    for url in (notifier_url, events_url):  # the checks below can see her
        assert address in database_text(url)
        assert name.lower() in database_text(url)
    places = planner.get(f"/api/v1/meetings/{meeting['id']}/registrations").json()

    erased = operator.post("/api/v1/persons/erase", json={"email": address})

    assert erased.status_code == 200, erased.text
    assert erased.json() == {"erased": 1}
    for url in (notifier_url, events_url):
        # What still names her: nothing, once the service has had the erasure.
        wait_until(lambda url=url: traces(database_text(url), address, name.lower()), lambda found: not found, 60)
    assert "vegetariskt" not in database_text(events_url)
    after = planner.get(f"/api/v1/meetings/{meeting['id']}/registrations").json()
    assert [(r["id"], r["status"]) for r in after] == [(r["id"], r["status"]) for r in places]
    assert public.get(feed_path).status_code == 404
    # The notifier kept what it had sent, in its log, without the address.
    log = operator.get("/api/v1/notifications", params={"per_page": 100}).json()["items"]
    assert {"meeting_scheduled", "registration_confirmed"} <= {
        item["event_type"] for item in log if item["status"] == "sent" and item["address"].startswith("erased:")
    }

    schedule(planner, forum, "Efter raderingen", soon + timedelta(days=7))
    wait_until(
        lambda: [m["Subject"] for m in mail_to(smtp_server, WITNESS, "meeting_scheduled")],
        lambda subjects: "Nytt möte: Efter raderingen" in subjects,
        timeout=60,
    )
    assert [m["Subject"] for m in mail_to(smtp_server, address, "meeting_scheduled")] == ["Nytt möte: Före raderingen"]
