"""Over the real stack: a follower hears once that registration closes soon, with the meeting's link.

The reminder window is made short through config (``NOTIFIER_DEADLINE_REMINDER_HOURS``) and the
timer ticks twice a second, instead of waiting days for a deadline to come near.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support.stack import PUBLIC_URL, Stack, mailing_to
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

FOLLOWER = "foljare@example.org"
DAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december"]  # fmt: skip


@pytest.fixture(scope="module")
def stack(tmp_path_factory, smtp_server):
    running = Stack.start(
        tmp_path_factory.mktemp("logs"),
        **mailing_to(smtp_server),
        NOTIFIER_DEADLINE_REMINDER_HOURS="3",
        NOTIFIER_REMINDER_INTERVAL_SECONDS="0.5",
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def forum(planner):
    slug = f"forum-{uuid.uuid4().hex[:8]}"
    created = planner.post("/api/v1/forums", json={"slug": slug, "name": "Påminnelseforum", "owner_committee": "KUN"})
    assert created.status_code == 201, created.text
    made = planner.post("/api/v1/subscriptions", json={"forum_slug": slug, "address": FOLLOWER})
    assert made.status_code == 201, made.text
    return slug


def schedule(planner, forum, title, deadline):
    starts = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    created = planner.post(
        "/api/v1/meetings",
        json={
            "forum_slug": forum,
            "title": title,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "level": "consultation",
            "location": "Skövde",
            "capacity": 30,
            "registration_deadline": deadline.isoformat(),
        },
    )
    assert created.status_code == 201, created.text
    return created.json()


def deadline_mails(smtp_server):
    return [
        message
        for message in smtp_server.messages()
        if message["To"] == FOLLOWER and message["X-Samverkan-Event"] == "registration_deadline"
    ]


def logged(operator):
    """The deadline reminders to the follower in the notification log."""
    items = operator.get("/api/v1/notifications", params={"per_page": 100}).json()["items"]
    return [item for item in items if item["event_type"] == "registration_deadline" and item["address"] == FOLLOWER]


def in_words(moment):
    local = moment.astimezone(ZoneInfo("Europe/Stockholm"))
    return f"{DAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} {local.year} kl. {local:%H:%M}"


def test_a_follower_gets_the_deadline_reminder_once_across_ticks_and_a_restart(stack, planner, operator, forum,
                                                                               smtp_server):  # fmt: skip
    deadline = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    meeting = schedule(planner, forum, "Samråd om kulturplanen", deadline)

    (reminder,) = wait_until(lambda: deadline_mails(smtp_server), bool, timeout=60)

    assert reminder["Subject"] == "Sista dag att anmäla sig: Samråd om kulturplanen"
    text = reminder.get_body(preferencelist=("plain",)).get_content()
    assert "Snart går det inte längre att anmäla sig till det här mötet." in text
    assert f"Sista tid att anmäla sig: {in_words(deadline)}." in text
    assert f"Anmäl dig här: {PUBLIC_URL}/moten/{meeting['id']}" in text
    html = reminder.get_body(preferencelist=("html",)).get_content()
    assert f'href="{PUBLIC_URL}/moten/{meeting["id"]}"' in html

    # Sent and recorded as sent (so the crash below cannot leave it leased and due again).
    wait_until(lambda: logged(operator), lambda items: [item["status"] for item in items] == ["sent"])
    # The notifier dies and comes back; its timer starts afresh and looks for reminders at once.
    stack.kill("notifier")
    stack.start_service("notifier")
    stack.wait_ready()
    # A second meeting's reminder proves the restarted timer has looked at every deadline near,
    # the first meeting's too, in the same query.
    schedule(planner, forum, "Samråd om kollektivtrafiken", deadline + timedelta(minutes=30))
    wait_until(lambda: deadline_mails(smtp_server), lambda mails: len(mails) == 2, timeout=60)

    subjects = sorted(message["Subject"] for message in deadline_mails(smtp_server))
    assert subjects == [
        "Sista dag att anmäla sig: Samråd om kollektivtrafiken",
        "Sista dag att anmäla sig: Samråd om kulturplanen",
    ]
    sent = wait_until(
        lambda: logged(operator), lambda items: [item["status"] for item in items] == ["sent", "sent"], timeout=30
    )
    assert sorted(item["subject"] for item in sent) == subjects
    # No meeting reminder: the meetings are ten days away and the meeting reminder window is two days.
    assert [m for m in smtp_server.messages() if m["X-Samverkan-Event"] == "meeting_reminder"] == []
