"""Subscriptions: what can be followed, how, and who sees and changes which."""

from __future__ import annotations

import pytest

from samverkan_common.errors import Conflict, Forbidden, Invalid, NotFound
from services.notifier.tests.events import meeting

ORG_A = {"role": "organisation", "organisation_id": "org-a", "token_id": 1}
ORG_A_OTHER_TOKEN = {"role": "organisation", "organisation_id": "org-a", "token_id": 2}
ORG_B = {"role": "organisation", "organisation_id": "org-b", "token_id": 3}
PLANNER = {"role": "planner", "token_id": 4}
OPERATOR = {"role": "operator", "token_id": 5}


def forum(slug, address, **more):
    return {"forum_slug": slug, "address": address, **more}


def test_an_organisation_sees_only_its_own_subscriptions_whichever_of_its_tokens_made_them(service):
    service.subscribe(forum("ros-gruppen", "a@example.org"), caller=ORG_A)
    service.subscribe(forum("ser", "a2@example.org"), caller=ORG_A_OTHER_TOKEN)
    service.subscribe(forum("ros-gruppen", "b@example.org"), caller=ORG_B)
    service.subscribe(forum("ros-gruppen", "p@example.org"), caller=PLANNER)

    def addresses(caller):
        return sorted(item["address"] for item in service.list_subscriptions(caller=caller)["items"])

    assert addresses(ORG_A) == ["a2@example.org", "a@example.org"]
    assert addresses(ORG_B) == ["b@example.org"]
    assert addresses(PLANNER) == ["p@example.org"]
    assert len(addresses(OPERATOR)) == 4


def test_one_organisation_cannot_read_or_replace_anothers_subscriptions(service):
    with pytest.raises(Forbidden):
        service.list_subscriptions(caller=ORG_B, organisation_id="org-a")
    with pytest.raises(Forbidden):
        service.replace_subscriptions({"items": []}, caller=ORG_B, organisation_id="org-a")


def test_an_operator_may_replace_an_organisations_subscriptions(service):
    service.replace_subscriptions({"items": [forum("ser", "a@example.org")]}, caller=OPERATOR, organisation_id="org-a")

    assert [item["forum_slug"] for item in service.list_subscriptions(caller=ORG_A)["items"]] == ["ser"]


def test_replacing_keeps_what_stays_changes_preferences_adds_and_removes(service):
    first = service.subscribe(forum("ros-gruppen", "a@example.org"), caller=ORG_A)
    service.subscribe(forum("ser", "a@example.org"), caller=ORG_A)

    replaced = service.replace_subscriptions(
        {
            "items": [
                forum("ros-gruppen", "a@example.org", rhythm="weekly", language="en"),
                {"level": "partnership", "address": "a@example.org"},
                {"organisation_id": "org-a", "address": "a@example.org", "rhythm": "daily"},
            ]
        },
        caller=ORG_A,
    )["items"]

    kept = next(item for item in replaced if item.get("forum_slug") == "ros-gruppen")
    assert (kept["id"], kept["rhythm"], kept["language"]) == (first["id"], "weekly", "en")
    assert sorted(item["scope"] for item in replaced) == ["forum", "level", "organisation"]
    assert "ser" not in {item.get("forum_slug") for item in replaced}


def test_a_removed_subscription_gets_nothing_more_even_what_was_already_queued(service):
    service.subscribe(forum("ros-gruppen", "a@example.org"), caller=ORG_A)
    service.on_meeting_scheduled(meeting())

    service.replace_subscriptions({"items": []}, caller=ORG_A)

    (withdrawn,) = service.list_notifications()["items"]
    assert withdrawn["status"] == "withdrawn"


def test_a_webhook_secret_is_shown_once_when_made_and_never_listed(service):
    created = service.subscribe({"forum_slug": "ser", "channel": "webhook", "url": "https://hooks.example.org/x"})

    assert len(created["secret"]) >= 32
    (listed,) = service.list_subscriptions()["items"]
    assert "secret" not in listed
    assert listed["secret_set"] is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"address": "a@example.org"}, "forum_slug"),
        ({"forum_slug": "ser", "level": "dialogue", "address": "a@example.org"}, "forum_slug"),
        ({"forum_slug": "ser"}, "address"),
        ({"forum_slug": "ser", "channel": "webhook"}, "url"),
        ({"forum_slug": "ser", "channel": "webhook", "url": "ftp://x.example.org"}, "url"),
        ({"forum_slug": "ser", "address": "a@example.org", "rhythm": "hourly"}, "rhythm"),
        ({"forum_slug": "ser", "address": "a@example.org", "language": "de"}, "language"),
        ({"level": "everything", "address": "a@example.org"}, "level"),
    ],
)
def test_a_bad_subscription_is_refused_naming_the_field(service, payload, field):
    with pytest.raises(Invalid) as refused:
        service.subscribe(payload)
    assert field in refused.value.errors


def test_the_same_subscription_listed_twice_is_a_conflict(service):
    with pytest.raises(Conflict):
        service.replace_subscriptions({"items": [forum("ser", "a@example.org")] * 2}, caller=ORG_A)


def test_only_a_parked_notification_can_be_requeued(service):
    service.subscribe(forum("ros-gruppen", "a@example.org"))
    service.on_meeting_scheduled(meeting())
    (queued,) = service.list_notifications()["items"]

    with pytest.raises(Conflict):
        service.requeue_notification(queued["id"])
    with pytest.raises(NotFound):
        service.requeue_notification("no-such-id")
