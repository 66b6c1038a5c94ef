"""The feedback (återkoppling) on a plan's dialogue, mailed to every organisation invited or taking part."""

from __future__ import annotations

from datetime import timedelta

import pytest

from samverkan_common.events import envelope
from samverkan_notifier.adapters.courier import SmtpAndWebhookCourier, SmtpSettings
from samverkan_notifier.domain.model import RetryPolicy
from samverkan_notifier.service_layer import delivery

POLICY = RetryPolicy(base=timedelta(seconds=10), max_delay=timedelta(minutes=5), window=timedelta(hours=24))
RECIPIENTS = [
    {"organisation_id": "o-1", "name": "Föreningen Fyrbodal", "email": "kansli@fyrbodal.example.org"},
    {"organisation_id": "o-2", "name": "Bostad åt alla", "email": "info@bostad.example.org"},
    # Two organisations sharing one address get one mail.
    {"organisation_id": "o-3", "name": "Bostad åt alla, Trollhättan", "email": "info@bostad.example.org"},
]


def given(recipients=RECIPIENTS):
    return dict(
        envelope(
            "plan_feedback_given",
            {
                "plan_id": "p-1",
                "issue": "Handlingsplan för mänskliga rättigheter",
                "committee": "BMR",
                "committee_name": "Beredningen för mänskliga rättigheter",
                "outcome": "Planen fick ett avsnitt om tillgänglighet.",
                "feedback": "Tack för era förslag.\nVi hörs i höst.",
                "proposals": [
                    {"text": "Tolk på mötena", "taken_up": True, "reason": ""},
                    {"text": "Ersättning för tid", "taken_up": False, "reason": "Ingen budget i år."},
                ],
                "recipients": list(recipients),
            },
        )
    )


@pytest.fixture
def deliver(uow, clock, smtp_server):
    courier = SmtpAndWebhookCourier(
        SmtpSettings(port=smtp_server.port, sender="noreply@samverkan.example.org"),
        "https://samverkan.example.org",
        clock=clock,
    )
    return lambda: delivery.deliver_due(uow, courier, POLICY, clock)


def test_each_organisation_gets_the_outcome_its_proposals_and_the_feedback_in_swedish(service, deliver, smtp_server):
    service.on_plan_feedback_given(given())
    deliver()

    mails = smtp_server.messages()
    assert sorted(mail["To"] for mail in mails) == ["info@bostad.example.org", "kansli@fyrbodal.example.org"]
    mail = mails[0]
    assert mail["Subject"] == "Återkoppling från dialogen: Handlingsplan för mänskliga rättigheter"
    assert mail["X-Samverkan-Event"] == "plan_feedback_given"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    for body in (text, html):
        assert "Beredningen för mänskliga rättigheter" in body
        assert "Planen fick ett avsnitt om tillgänglighet." in body
        assert "Tolk på mötena: togs med" in body
        assert "Ersättning för tid: togs inte med. Ingen budget i år." in body
        assert "Tack för era förslag." in body
    assert not any(part.get_content_type() == "text/calendar" for part in mail.walk())


def test_the_same_feedback_event_twice_sends_one_mail_per_address(service, deliver, smtp_server):
    event = given()
    service.on_plan_feedback_given(event)
    service.on_plan_feedback_given(event)
    deliver()

    assert len(smtp_server.messages()) == 2


def test_feedback_without_any_address_sends_nothing(service, deliver, smtp_server):
    service.on_plan_feedback_given(given(recipients=[{"organisation_id": "o-9", "name": "Utan adress", "email": ""}]))
    deliver()

    assert smtp_server.messages() == []


def booked():
    return dict(
        envelope(
            "plan_meeting_booked",
            {
                "plan_id": "p-1",
                "issue": "Handlingsplan för mänskliga rättigheter",
                "committee": "BMR",
                "committee_name": "Beredningen för mänskliga rättigheter",
                "meeting_id": "m-7",
                "title": "Hearing om handlingsplanen",
                "starts_at": "2027-03-02T13:00:00+01:00",
                "ends_at": "2027-03-02T15:00:00+01:00",
                "timezone": "Europe/Stockholm",
                "location": "Regionens hus, Vänersborg",
                "forum_slug": "bmr-samrad",
                "status": "planned",
                "sequence": 0,
                "addresses": ["kansli@fyrbodal.example.org", "info@bostad.example.org"],
            },
        )
    )


def test_invited_organisations_get_a_meeting_booked_later_with_its_calendar_invitation_once(
    service, deliver, smtp_server
):
    event = booked()
    service.on_plan_meeting_booked(event)
    service.on_plan_meeting_booked(event)
    deliver()

    mails = smtp_server.messages()
    assert sorted(mail["To"] for mail in mails) == ["info@bostad.example.org", "kansli@fyrbodal.example.org"]
    assert mails[0]["Subject"] == "Nytt möte i dialogen: Hearing om handlingsplanen"
    text = mails[0].get_body(preferencelist=("plain",)).get_content()
    assert "inbjuden till: Handlingsplan för mänskliga rättigheter" in text
    assert "Regionens hus, Vänersborg" in text
    assert "https://samverkan.example.org/moten/m-7" in text
    [calendar] = [part for part in mails[0].walk() if part.get_content_type() == "text/calendar"]
    assert "SUMMARY:Hearing om handlingsplanen" in calendar.get_content()
