"""A person subscribes by e-mail without a token: double opt-in, nothing before confirming, forgotten if not."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import text

from samverkan_common.errors import Invalid, NotFound
from samverkan_notifier.adapters.courier import SmtpAndWebhookCourier, SmtpSettings
from samverkan_notifier.domain.model import RetryPolicy
from samverkan_notifier.entrypoints.service import NotifierService
from samverkan_notifier.service_layer import delivery, people
from services.notifier.tests.events import meeting

POLICY = RetryPolicy(base=timedelta(seconds=10), max_delay=timedelta(minutes=5), window=timedelta(hours=24))
LINK = re.compile(r"https://samverkan\.example\.org/bekrafta/([A-Za-z0-9_-]+)")


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


def mail_to(smtp_server, address):
    return [message for message in smtp_server.messages() if message["To"] == address]


def confirmation_token(smtp_server, address):
    (message,) = [m for m in mail_to(smtp_server, address) if m["X-Samverkan-Event"] == "subscription_confirmation"]
    found = LINK.search(message.get_body(preferencelist=("plain",)).get_content())
    assert found, "the confirmation mail carries its link"
    return found.group(1)


def count(uow, sql, **params):
    return uow.session.execute(text(sql), params).scalar_one()


def test_a_person_gets_nothing_until_they_confirm_then_the_next_meeting(service, deliver, smtp_server, uow):
    assert service.request_subscription({"address": "Eva@Example.org", "forum_slugs": ["ros-gruppen"]}) is None
    deliver()
    token = confirmation_token(smtp_server, "eva@example.org")
    confirmation = mail_to(smtp_server, "eva@example.org")[0]
    assert confirmation["Subject"] == "Bekräfta att du vill få mejl från Samverkan"
    assert confirmation["List-Unsubscribe"] is None  # its one link confirms; nothing to unsubscribe from yet
    assert "ros-gruppen" in confirmation.get_body(preferencelist=("plain",)).get_content()
    assert len(token) >= 22  # ≥128 random bits
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert count(uow, "SELECT count(*) FROM notifications WHERE unsubscribe_sha256 = :d", d=digest) == 1
    assert count(uow, "SELECT count(*) FROM notifications WHERE unsubscribe_sha256 = :d", d=token) == 0

    service.on_meeting_scheduled(meeting(title="Före"))
    deliver()
    assert [m["Subject"] for m in mail_to(smtp_server, "eva@example.org")][1:] == []

    assert service.confirmation_preview(token)["state"] == "pending"  # the page's GET changes nothing
    confirmed = service.confirm_subscription(token)
    service.on_meeting_scheduled(meeting(title="Efter"))
    deliver()

    assert confirmed["state"] == "confirmed"
    assert "request_id" not in confirmed
    assert [m["Subject"] for m in mail_to(smtp_server, "eva@example.org")][1:] == ["Nytt möte: Efter"]
    assert service.confirm_subscription(token)["state"] == "confirmed"  # a second click is fine
    assert count(uow, "SELECT count(*) FROM subscriptions WHERE confirmed_at IS NOT NULL") == 1


def test_the_answer_is_the_same_for_a_known_address_and_nothing_more_is_sent(service, deliver, smtp_server):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "kent@example.org"})

    answer = service.request_subscription({"address": "kent@example.org", "forum_slugs": ["ros-gruppen"]})
    deliver()

    assert answer is None
    assert mail_to(smtp_server, "kent@example.org") == []
    assert service.list_subscriptions()["total"] == 1


def test_one_link_confirms_several_forums_asked_for_together(service, deliver, smtp_server):
    service.request_subscription({"address": "eva@example.org", "forum_slugs": ["ros-gruppen", "ser", "ser"]})
    deliver()
    token = confirmation_token(smtp_server, "eva@example.org")

    about = service.confirm_subscription(token)

    assert sorted(target["target"] for target in about["targets"]) == ["ros-gruppen", "ser"]
    service.on_meeting_scheduled(meeting(forum_slug="ser", title="SER-möte"))
    deliver()
    assert "Nytt möte: SER-möte" in [m["Subject"] for m in mail_to(smtp_server, "eva@example.org")]


def test_an_expired_link_is_refused_and_the_address_is_forgotten(service, deliver, smtp_server, uow, clock):
    service.request_subscription({"address": "eva@example.org", "level": "dialogue", "language": "en"})
    deliver()
    token = confirmation_token(smtp_server, "eva@example.org")
    clock.advance(days=7, seconds=1)

    refused = service.confirm_subscription(token)
    purged = people.purge_unconfirmed(uow, clock(), keep_orphans=timedelta(days=7))

    assert (refused["state"], refused["language"]) == ("expired", "en")
    assert purged == 1
    assert count(uow, "SELECT count(*) FROM subscriptions") == 0
    assert count(uow, "SELECT count(*) FROM notifications WHERE address = 'eva@example.org'") == 0
    assert count(uow, "SELECT count(*) FROM event_payloads") == 0
    with pytest.raises(NotFound):
        service.confirmation_preview(token)


def test_a_confirmed_subscription_survives_the_purge_and_unsubscribes_with_its_link(
    service, deliver, smtp_server, uow, clock
):
    service.request_subscription({"address": "eva@example.org", "forum_slugs": ["ros-gruppen"]})
    deliver()
    service.confirm_subscription(confirmation_token(smtp_server, "eva@example.org"))
    clock.advance(days=30)
    people.purge_unconfirmed(uow, clock(), keep_orphans=timedelta(days=7))
    service.on_meeting_scheduled(meeting(title="Senare"))
    deliver()
    (news,) = [m for m in mail_to(smtp_server, "eva@example.org") if m["X-Samverkan-Event"] == "meeting_scheduled"]

    ended = service.unsubscribe(news["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1])

    assert ended["active"] is False
    assert count(uow, "SELECT count(*) FROM subscriptions") == 0


def test_a_wrong_token_and_an_unsubscribe_token_do_not_confirm(service, deliver, smtp_server):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "org@example.org"})
    service.on_meeting_scheduled(meeting())
    deliver()
    (news,) = mail_to(smtp_server, "org@example.org")
    unsubscribe_token = news["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]

    for token in ("x" * 32, unsubscribe_token):
        with pytest.raises(NotFound):
            service.confirm_subscription(token)


def test_a_confirmation_token_does_not_unsubscribe(service, deliver, smtp_server):
    service.request_subscription({"address": "eva@example.org", "forum_slugs": ["ros-gruppen"]})
    deliver()

    with pytest.raises(NotFound):
        service.unsubscribe(confirmation_token(smtp_server, "eva@example.org"))


def test_asking_again_sends_a_new_link_and_only_the_newest_works(service, deliver, smtp_server, clock):
    service.request_subscription({"address": "eva@example.org", "forum_slugs": ["ros-gruppen"]})
    deliver()
    first = confirmation_token(smtp_server, "eva@example.org")
    clock.advance(minutes=5)
    service.request_subscription({"address": "eva@example.org", "forum_slugs": ["ros-gruppen"]})
    deliver()
    tokens = {
        LINK.search(m.get_body(preferencelist=("plain",)).get_content()).group(1)
        for m in mail_to(smtp_server, "eva@example.org")
    }  # a mailbox does not keep the order the messages came in

    assert len(tokens) == 2
    (newest,) = tokens - {first}
    assert service.confirmation_preview(first)["state"] == "expired"
    assert service.confirm_subscription(newest)["state"] == "confirmed"


def test_at_most_three_confirmation_mails_an_hour_go_to_one_address(service, deliver, smtp_server, clock):
    for _ in range(5):
        service.request_subscription({"address": "eva@example.org", "forum_slugs": ["ros-gruppen"]})
        clock.advance(minutes=1)
    deliver()
    assert len(mail_to(smtp_server, "eva@example.org")) == 3

    clock.advance(hours=1)
    service.request_subscription({"address": "eva@example.org", "forum_slugs": ["ros-gruppen"]})
    deliver()
    assert len(mail_to(smtp_server, "eva@example.org")) == 4


def test_a_token_holder_takes_over_an_address_a_stranger_left_unconfirmed(service, deliver, smtp_server, uow):
    service.request_subscription({"address": "kent@example.org", "forum_slugs": ["ros-gruppen"]})

    made = service.subscribe({"forum_slug": "ros-gruppen", "address": "kent@example.org"})
    service.on_meeting_scheduled(meeting(title="För organisationen"))
    deliver()

    assert made["owner"] == "token:system"
    assert [m["Subject"] for m in mail_to(smtp_server, "kent@example.org")] == ["Nytt möte: För organisationen"]
    assert count(uow, "SELECT count(*) FROM notifications WHERE event_type = 'subscription_confirmation'") == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"forum_slugs": ["ros-gruppen"]}, "address"),
        ({"address": "not-an-address", "forum_slugs": ["ros-gruppen"]}, "address"),
        ({"address": "eva@example.org"}, "forum_slugs"),
        ({"address": "eva@example.org", "forum_slugs": ["a"], "level": "dialogue"}, "forum_slugs"),
        ({"address": "eva@example.org", "forum_slugs": []}, "forum_slugs"),
        ({"address": "eva@example.org", "level": "loud"}, "level"),
    ],
)
def test_a_bad_request_is_refused_naming_the_field(service, payload, field):
    with pytest.raises(Invalid) as refused:
        service.request_subscription(payload)
    assert field in refused.value.errors
