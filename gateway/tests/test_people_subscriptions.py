"""A person asks for e-mail without a token, and confirms on a page; the notifier is faked here."""

from __future__ import annotations

import re

import pytest

from samverkan_common.errors import NotFound
from samverkan_gateway.rpc import BrokerUnavailable, RpcTimeout

PENDING = {
    "state": "pending",
    "language": "sv",
    "address": "eva@example.org",
    "targets": [{"scope": "forum", "target": "ros-gruppen"}, {"scope": "level", "target": "consultation"}],
}


class FakeNotifier:
    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def call(self, service, method, *args, **kwargs):
        self.calls.append((method, args))
        answer = self.answers[method]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self):
        pass


@pytest.fixture
def notifier(app):
    fake = FakeNotifier(
        {
            "request_subscription": None,
            "confirmation_preview": PENDING,
            "confirm_subscription": {**PENDING, "state": "confirmed"},
        }
    )
    app.extensions["rpc"] = fake
    return fake


def test_anyone_may_ask_and_always_gets_the_same_202(client, notifier):
    answers = [
        client.post("/api/v1/subscriptions/people", json={"address": address, "forum_slugs": ["ros-gruppen"]})
        for address in ("known@example.org", "new@example.org")
    ]

    assert [answer.status_code for answer in answers] == [202, 202]
    assert answers[0].get_json() == answers[1].get_json()
    assert notifier.calls[0] == (
        "request_subscription",
        ({"address": "known@example.org", "forum_slugs": ["ros-gruppen"]},),
    )


def test_sign_ups_from_one_address_are_limited_and_the_notifier_is_not_asked_again(app, client, with_forums):
    notifier = with_forums
    app.config["RATE_LIMIT_SIGN_UPS"] = "2/hour"
    form = {"csrf_token": csrf_of(client, "/e-post"), "address": "eva@example.org", "forum": ["ser"]}
    body = {"address": "eva@example.org", "forum_slugs": ["ros-gruppen"]}

    answers = [client.post("/api/v1/subscriptions/people", json=body) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [202, 202, 429]
    assert int(answers[2].headers["Retry-After"]) > 0
    assert answers[2].headers["Content-Type"] == "application/problem+json"
    assert [call[0] for call in notifier.calls].count("request_subscription") == 2
    # The page's form shares the count: it answers with a page, not JSON.
    page = client.post("/e-post", data=form)
    assert page.status_code == 429
    assert page.mimetype == "text/html"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"forum_slugs": ["ros-gruppen"]}, "address"),
        ({"address": "eva", "forum_slugs": ["ros-gruppen"]}, "address"),
        ({"address": "eva@example.org"}, "forum_slugs"),
        ({"address": "eva@example.org", "level": "dialogue", "organisation_id": "x"}, "forum_slugs"),
        ({"address": "eva@example.org", "level": "loud"}, "level"),
    ],
)
def test_a_bad_request_is_422_naming_the_field(client, notifier, body, field):
    response = client.post("/api/v1/subscriptions/people", json=body)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in str(response.get_json()["errors"])
    assert notifier.calls == []


def test_the_link_shows_a_button_in_swedish_and_a_get_confirms_nothing(client, notifier):
    page = client.get("/bekrafta/the-token")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "Vill du få mejl till eva@example.org om" in html
    assert "möten i forumet ros-gruppen" in html
    assert "möten på nivån samråd" in html
    assert '<form method="post">' in html
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert [method for method, _ in notifier.calls] == ["confirmation_preview"]


def test_the_button_confirms_and_a_post_without_the_pages_token_does_not(client, notifier):
    assert client.post("/bekrafta/the-token").status_code == 400
    assert notifier.calls == []

    page = client.get("/bekrafta/the-token").get_data(as_text=True)
    field = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert field, "the page's form carries its CSRF token"

    done = client.post("/bekrafta/the-token", data={"csrf_token": field.group(1)})

    assert done.status_code == 200
    assert "Tack, nu är det bekräftat" in done.get_data(as_text=True)
    assert notifier.calls[-1] == ("confirm_subscription", ("the-token",))


def test_an_expired_link_is_410_with_a_clear_message(client, notifier):
    notifier.answers["confirmation_preview"] = {**PENDING, "state": "expired", "language": "en"}

    page = client.get("/bekrafta/old")

    assert page.status_code == 410
    assert "The link has expired" in page.get_data(as_text=True)
    assert "<form" not in page.get_data(as_text=True)


def test_an_unknown_link_is_404_saying_it_may_have_expired(client, notifier):
    notifier.answers["confirmation_preview"] = NotFound("no", "CONFIRMATION_TOKEN_UNKNOWN")

    page = client.get("/bekrafta/nothing")

    assert page.status_code == 404
    assert "Länken fungerar inte" in page.get_data(as_text=True)
    assert "7 dagar" in page.get_data(as_text=True)


FORUMS = [
    {"slug": "ser", "name": "Sociala ekonomirådet"},
    {"slug": "ros-gruppen", "name": "RÖS-gruppen"},
]


@pytest.fixture
def with_forums(notifier):
    notifier.answers["list_forums"] = FORUMS
    return notifier


def csrf_of(client, path):
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, "the form carries its CSRF token"
    return found.group(1)


def test_the_form_is_swedish_and_offers_every_forum_with_the_one_asked_for_ticked(client, with_forums):
    page = client.get("/e-post?forum=ser")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Få e-post om nya möten</h1>" in html
    assert 'value="ser" checked' in html
    assert 'value="ros-gruppen">' in html
    assert "Titta i din inkorg" not in html


def test_the_form_hands_the_wish_to_the_notifier_and_says_look_in_your_inbox(client, with_forums):
    token = csrf_of(client, "/e-post")

    sent = client.post(
        "/e-post",
        data={"csrf_token": token, "address": "eva@example.org", "forum": ["ser", "ros-gruppen"], "rhythm": "weekly"},
    )

    assert sent.status_code == 303
    assert sent.headers["Location"].endswith("/e-post?skickat=1")
    assert with_forums.calls[-1] == (
        "request_subscription",
        (
            {
                "address": "eva@example.org",
                "forum_slugs": ["ser", "ros-gruppen"],
                "rhythm": "weekly",
                "language": "sv",
            },
        ),
    )
    assert "Titta i din inkorg" in client.get("/e-post?skickat=1").get_data(as_text=True)


def test_the_form_names_what_is_missing_and_asks_nothing(client, with_forums):
    token = csrf_of(client, "/e-post")

    refused = client.post("/e-post", data={"csrf_token": token, "address": "inte en adress"})

    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Skriv din e-postadress, till exempel namn@example.org." in html
    assert "Välj minst ett forum." in html
    assert 'href="#forum_slugs"' in html
    assert [method for method, _ in with_forums.calls if method == "request_subscription"] == []


@pytest.mark.parametrize("away", [RpcTimeout("notifier.request_subscription"), BrokerUnavailable("no notifier")])
def test_with_the_notifier_away_the_form_says_so_and_keeps_the_choices(client, with_forums, away):
    with_forums.answers["request_subscription"] = away
    form = {"csrf_token": csrf_of(client, "/e-post"), "address": "eva@example.org", "forum": ["ser"]}

    page = client.post("/e-post", data=form)

    assert page.status_code == 503
    assert page.mimetype == "text/html"
    shown = page.get_data(as_text=True)
    assert "Det går inte att beställa e-post just nu" in shown
    assert "din beställning skickades inte" in shown
    assert 'value="eva@example.org"' in shown
    assert re.search(r'value="ser"\s+checked', shown)
