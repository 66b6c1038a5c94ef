"""The reminders as people read them: when registration closes, and the meeting's own page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from samverkan_notifier.adapters.courier import SmtpAndWebhookCourier, SmtpSettings
from samverkan_notifier.domain.model import RetryPolicy
from samverkan_notifier.service_layer import delivery, handlers
from services.notifier.tests.events import meeting

POLICY = RetryPolicy(base=timedelta(seconds=10), max_delay=timedelta(minutes=5), window=timedelta(hours=24))


@pytest.fixture
def deliver(uow, clock, smtp_server):
    courier = SmtpAndWebhookCourier(
        SmtpSettings(port=smtp_server.port, sender="noreply@samverkan.example.org"),
        "https://samverkan.example.org",
        clock=clock,
    )
    return lambda: delivery.deliver_due(uow, courier, POLICY, clock)


@pytest.mark.parametrize(
    ("language", "subject", "says"),
    [
        ("sv", "Sista dag att anmäla sig: Kulturdialog", "Sista tid att anmäla sig: onsdag 6 januari 2027 kl. 12:00."),
        ("en", "Last day to register: Kulturdialog", "Register by: Wednesday 6 January 2027, 12:00 (Swedish time)."),
    ],
)
def test_the_deadline_reminder_says_when_registration_closes_and_links_the_meeting(
    service, deliver, smtp_server, uow, clock, language, subject, says
):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org", "language": language})
    scheduled = meeting(title="Kulturdialog", registration_deadline="2027-01-06T12:00:00+01:00")
    service.on_meeting_scheduled(scheduled)
    deliver()

    for _ in range(2):  # the timer ticks twice
        handlers.send_reminders(uow, clock(), timedelta(days=2), timedelta(hours=30))
    deliver()

    reminders = [m for m in smtp_server.messages() if m["X-Samverkan-Event"] == "registration_deadline"]
    assert [m["Subject"] for m in reminders] == [subject]
    text = reminders[0].get_body(preferencelist=("plain",)).get_content()
    html = reminders[0].get_body(preferencelist=("html",)).get_content()
    link = f"https://samverkan.example.org/moten/{scheduled['data']['meeting_id']}"
    assert says in text
    assert link in text
    assert f'href="{link}"' in html
    assert reminders[0]["List-Unsubscribe"]  # a reminder can be unsubscribed from like any message


def test_a_meeting_reminder_links_the_meeting_page(service, deliver, smtp_server, uow, clock):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org"})
    soon = meeting(title="Snart", starts_at="2027-01-06T10:00:00+01:00", ends_at="2027-01-06T12:00:00+01:00")
    service.on_meeting_scheduled(soon)

    handlers.send_reminders(uow, clock(), timedelta(days=2), timedelta(hours=24))
    deliver()

    (reminder,) = [m for m in smtp_server.messages() if m["X-Samverkan-Event"] == "meeting_reminder"]
    text = reminder.get_body(preferencelist=("plain",)).get_content()
    assert "Snart är det möte i RÖS-gruppen." in text
    assert f"Mer om mötet: https://samverkan.example.org/moten/{soon['data']['meeting_id']}" in text
