"""The invitation to a plan's dialogue as read: the level said plainly, the answer link, the .ics."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import vobject

from samverkan_common.events import envelope
from samverkan_notifier.adapters.courier import SmtpAndWebhookCourier, SmtpSettings
from samverkan_notifier.domain.model import RetryPolicy
from samverkan_notifier.service_layer import delivery

POLICY = RetryPolicy(base=timedelta(seconds=10), max_delay=timedelta(minutes=5), window=timedelta(hours=24))
TOKEN = "q2Zs8c3U0oX9bT4m1nVw7yR5kJ6hG2fD"
MEETING = {
    "meeting_id": "m-42",
    "title": "Samråd om handlingsplanen",
    "starts_at": "2027-03-02T10:00:00+01:00",
    "ends_at": "2027-03-02T12:00:00+01:00",
    "timezone": "Europe/Stockholm",
    "location": "Regionens hus, Vänersborg",
    "online_url": None,
    "forum_slug": "bmr-samrad",
    "status": "planned",
    "sequence": 0,
}


def invited(meetings=(MEETING,), language="sv", addresses=("kansli@fyrbodal.example.org",)):
    return dict(
        envelope(
            "plan_invitation_sent",
            {
                "invitation_id": str(uuid.uuid4()),
                "plan_id": "p-1",
                "organisation_id": "o-1",
                "organisation_name": "Föreningen Fyrbodal",
                "addresses": list(addresses),
                "token": TOKEN,
                "language": language,
                "issue": "Handlingsplan för mänskliga rättigheter",
                "committee": "BMR",
                "committee_name": "Beredningen för mänskliga rättigheter",
                "level": "dialogue",
                "level_offer": {
                    "sv": "Ni kan påverka hur förslaget utformas, men inte om det ska göras.",
                    "en": "You can influence how the proposal is shaped, but not whether it is made.",
                },
                "step": "drafting",
                "meetings": list(meetings),
                "expires_at": "2027-06-01T10:00:00+00:00",
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


def test_the_invitation_says_the_influence_on_offer_links_the_answer_page_and_carries_the_meeting(
    service, deliver, smtp_server
):
    service.on_plan_invitation_sent(invited())
    deliver()

    (mail,) = smtp_server.messages()
    assert mail["To"] == "kansli@fyrbodal.example.org"
    assert mail["Subject"] == "Inbjudan till dialog: Handlingsplan för mänskliga rättigheter"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Beredningen för mänskliga rättigheter i Västra Götalandsregionen bjuder in er" in text
    assert "Det här kan ni påverka: Ni kan påverka hur förslaget utformas, men inte om det ska göras." in text
    assert f"https://samverkan.example.org/inbjudan/{TOKEN}" in text
    assert f'href="https://samverkan.example.org/inbjudan/{TOKEN}"' in html
    assert "tisdag 2 mars 2027 kl. 10:00–12:00, Regionens hus, Vänersborg" in text
    (ics,) = [part for part in mail.walk() if part.get_content_type() == "text/calendar"]
    event = vobject.readOne(ics.get_content()).vevent
    assert event.uid.value == "m-42@samverkan"
    assert event.summary.value == "Samråd om handlingsplanen"
    assert event.attendee.value == "mailto:kansli@fyrbodal.example.org"


def test_without_a_booked_meeting_there_is_no_ics_and_the_mail_says_so(service, deliver, smtp_server):
    service.on_plan_invitation_sent(invited(meetings=(), language="en"))
    deliver()

    (mail,) = smtp_server.messages()
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "What you can influence: You can influence how the proposal is shaped, but not whether it is made." in text
    assert "No meeting is booked yet." in text
    assert not [part for part in mail.walk() if part.get_content_type() == "text/calendar"]


def test_the_same_invitation_event_twice_sends_one_mail_per_address(service, deliver, smtp_server):
    event = invited(addresses=("a@example.org", "b@example.org"))

    service.on_plan_invitation_sent(event)
    service.on_plan_invitation_sent(event)
    deliver()

    assert sorted(mail["To"] for mail in smtp_server.messages()) == ["a@example.org", "b@example.org"]
