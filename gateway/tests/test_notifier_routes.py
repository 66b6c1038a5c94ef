"""Subscriptions, the notification log and the unsubscribe page at the gateway, with the notifier faked."""

from __future__ import annotations

import pytest

from samverkan_common.errors import NotFound
from samverkan_gateway.auth import Role, create_token


class FakeRpc:
    """Answers as the notifier would and remembers each call."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def call(self, service, method, *args, **kwargs):
        self.calls.append((service, method, args, kwargs))
        answer = self.answers[method]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self):
        pass


PAGE = {"items": [], "page": 1, "per_page": 20, "total": 0}
PREVIEW = {"language": "sv", "address": "anna@example.org", "active": True, "scope": "forum", "target": "ser"}


@pytest.fixture
def rpc(app):
    fake = FakeRpc(
        {
            "subscribe": {"id": "s-1", "scope": "forum", "forum_slug": "ser", "address": "a@example.org"},
            "list_subscriptions": PAGE,
            "replace_subscriptions": PAGE,
            "list_notifications": PAGE,
            "unsubscribe_preview": PREVIEW,
            "unsubscribe": {**PREVIEW, "active": False},
            "requeue_notification": {"id": "n-1", "status": "failed"},
        }
    )
    app.extensions["rpc"] = fake
    return fake


def organisation_token(app, organisation_id="org-a"):
    token = create_token(app.extensions["samverkan_db"], "org", Role.ORGANISATION, organisation_id)
    return {"Authorization": f"Bearer {token}"}


def test_the_notifier_learns_which_organisation_is_calling(app, client, rpc):
    response = client.post(
        "/api/v1/subscriptions", json={"forum_slug": "ser", "address": "a@example.org"}, headers=organisation_token(app)
    )

    assert response.status_code == 201
    (_, method, _, kwargs) = rpc.calls[0]
    assert method == "subscribe"
    assert kwargs["caller"]["role"] == "organisation"
    assert kwargs["caller"]["organisation_id"] == "org-a"


def test_subscriptions_are_read_and_replaced_with_a_token_and_never_without(client, token, rpc):
    assert client.get("/api/v1/subscriptions").status_code == 401
    assert client.put("/api/v1/subscriptions", json={"items": []}).status_code == 401

    assert client.get("/api/v1/subscriptions", headers=token("planner")).status_code == 200
    replaced = client.put(
        "/api/v1/subscriptions",
        json={"items": [{"level": "dialogue", "address": "a@example.org", "rhythm": "weekly"}]},
        headers=token("organisation"),
    )
    assert replaced.status_code == 200
    assert rpc.calls[-1][2][0] == {"items": [{"level": "dialogue", "address": "a@example.org", "rhythm": "weekly"}]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"level": "everything", "address": "a@example.org"}, "level"),
        ({"forum_slug": "ser", "channel": "webhook", "url": "ftp://hooks.example.org"}, "url"),
        ({"forum_slug": "ser", "address": "a@example.org", "rhythm": "hourly"}, "rhythm"),
        ({"forum_slug": "ser", "channel": "webhook", "url": "https://h.example.org", "secret": "short"}, "secret"),
    ],
)
def test_a_bad_subscription_is_422_before_the_notifier_is_asked(client, token, rpc, body, field):
    response = client.post("/api/v1/subscriptions", json=body, headers=token("planner"))

    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert rpc.calls == []


def test_operators_filter_the_log_by_status(client, token, rpc):
    assert client.get("/api/v1/notifications?status=parked", headers=token("operator")).status_code == 200
    assert rpc.calls[-1][3] == {"status": "parked", "page": 1, "per_page": 20}
    assert client.get("/api/v1/notifications?status=lost", headers=token("operator")).status_code == 422


def test_the_unsubscribe_link_shows_a_button_and_a_get_never_unsubscribes(client, rpc):
    page = client.get("/unsubscribe/some-token")

    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert '<form method="post">' in page.get_data(as_text=True)
    assert [call[1] for call in rpc.calls] == ["unsubscribe_preview"]


def test_one_click_post_unsubscribes_without_logging_in(client, rpc):
    response = client.post(
        "/unsubscribe/some-token",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "Du har avslutat prenumerationen" in response.get_data(as_text=True)
    assert rpc.calls[-1][1:3] == ("unsubscribe", ("some-token",))


def test_an_unknown_unsubscribe_link_is_a_plain_404_page(client, rpc):
    rpc.answers["unsubscribe"] = NotFound("no", "UNSUBSCRIBE_TOKEN_UNKNOWN")

    response = client.post("/unsubscribe/nope", headers={"Accept-Language": "en"})

    assert response.status_code == 404
    assert "The link does not work" in response.get_data(as_text=True)


def test_only_operators_requeue_a_parked_notification(client, token, rpc):
    assert client.post("/api/v1/notifications/n-1/requeue", headers=token("planner")).status_code == 403

    response = client.post("/api/v1/notifications/n-1/requeue", headers=token("operator"))

    assert response.status_code == 200
    assert rpc.calls[-1][1:3] == ("requeue_notification", ("n-1",))
