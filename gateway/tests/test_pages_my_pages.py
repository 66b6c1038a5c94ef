"""Mina sidor: a representative's registrations, e-mail choices and secret calendar link; the services are faked."""

from __future__ import annotations

import re

import pytest

from samverkan_common.errors import Conflict, NotFound
from samverkan_gateway.auth import Role
from samverkan_gateway.people import create_user
from samverkan_gateway.rpc import BrokerUnavailable, RpcTimeout

PASSWORD = "rätt häst batteri häftklammer"
FORUMS = [
    {"slug": "ros-gruppen", "name": "RÖS-gruppen"},
    {"slug": "ser", "name": "Sociala ekonomins råd (SER)"},
    {"slug": "stormote", "name": "Stormöte"},
]
REGISTRATION = {
    "id": "reg-1",
    "meeting_id": "m-1",
    "organisation_id": "org-1",
    "attendee_name": "Anna Exempel",
    "attendee_email": "anna@example.org",
    "language": "sv",
    "status": "confirmed",
    "created_at": "2026-11-20T10:00:00+00:00",
    "meeting": {
        "id": "m-1",
        "title": "Stormöte: överenskommelsen i praktiken",
        "starts_at": "2027-01-13T10:00:00+01:00",
        "ends_at": "2027-01-13T15:00:00+01:00",
        "recurring": False,
        "status": "planned",
        "forum_slug": "stormote",
        "forum_name": "Stormöte",
    },
}
WEBHOOK = {
    "id": "s-hook",
    "scope": "level",
    "level": "consultation",
    "channel": "webhook",
    "url": "https://hooks.example.org/samverkan",
    "secret_set": True,
    "language": "sv",
    "rhythm": "immediately",
    "owner": "organisation:org-1",
    "confirmed": True,
}


def mail(slug: str, address: str = "anna@example.org", rhythm: str = "immediately", **extra: str) -> dict[str, str]:
    return {
        "id": f"s-{slug}-{address}",
        "scope": "forum",
        "forum_slug": slug,
        "channel": "email",
        "address": address,
        "language": "sv",
        "rhythm": rhythm,
        "owner": "organisation:org-1",
        **extra,
    }


class FakeServices:
    """The events service and the notifier as the page calls them, keeping what it was asked."""

    def __init__(self):
        self.calls: list[tuple[str, str, tuple, dict]] = []
        self.subscriptions = [mail("ser", rhythm="weekly"), mail("ser", address="kansli@example.org"), WEBHOOK]
        self.registrations = [REGISTRATION]
        self.feed = {"exists": False, "created_at": None}
        self.refuse: dict[str, Exception] = {}

    def call(self, service, method, *args, **kwargs):
        self.calls.append((service, method, args, kwargs))
        if method in self.refuse:
            raise self.refuse[method]
        if method == "list_forums":
            return FORUMS
        if method == "list_upcoming_registrations":
            return [dict(item) for item in self.registrations]
        if method == "cancel_registration":
            return {**REGISTRATION, "status": "cancelled", "promoted_registration_id": None}
        if method == "list_subscriptions":
            return {"items": self.subscriptions, "page": 1, "per_page": 500, "total": len(self.subscriptions)}
        if method == "replace_subscriptions":
            return {"items": args[0]["items"], "page": 1, "per_page": 1, "total": len(args[0]["items"])}
        if method == "personal_feed_status":
            return self.feed
        if method == "issue_personal_feed":
            self.feed = {"exists": True, "created_at": "2026-11-23T00:30:00+00:00"}
            return {"token": "hemlig-token-" + "x" * 32, "path": "/feeds/personal/x.ics"}
        raise AssertionError(f"unexpected call {service}.{method}")

    def made(self, method):
        return [call for call in self.calls if call[1] == method]

    def close(self):
        pass


@pytest.fixture
def services(app):
    fake = FakeServices()
    app.extensions["rpc"] = fake
    return fake


@pytest.fixture
def representative(app):
    engine = app.extensions["samverkan_db"]
    return create_user(engine, "Anna@Example.org", PASSWORD, Role.ORGANISATION, "org-1", name="Anna Exempel")


def csrf_of(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


@pytest.fixture
def web(client, services, representative):
    answer = client.post(
        "/logga-in",
        data={"email": "anna@example.org", "password": PASSWORD, "csrf_token": csrf_of(client, "/logga-in")},
    )
    assert answer.status_code == 303
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


# Who may see the page


def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in_and_back(client, services):
    answer = client.get("/mina-sidor")

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/logga-in?next=/mina-sidor"
    assert services.calls == []


def test_the_menu_links_to_my_pages_only_when_logged_in(client, web):
    assert 'href="/mina-sidor"' in web.get("/logga-in").get_data(as_text=True)
    web.post("/logga-ut", data={"csrf_token": csrf_of(web, "/logga-in")})
    assert 'href="/mina-sidor"' not in web.get("/logga-in").get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/mina-sidor/anmalningar/reg-1/avboka", "/mina-sidor/bevakningar", "/mina-sidor/kalenderlank"]
)
def test_every_form_needs_the_pages_csrf_token(web, services, path):
    answer = web.post(path, data={"address": "anna@example.org", "rhythm": "daily", "language": "sv"})

    assert answer.status_code == 400
    assert not services.made("cancel_registration") + services.made("replace_subscriptions")
    assert not services.made("issue_personal_feed")


# Registrations


def test_the_page_lists_the_organisations_registrations_with_a_cancel_button(web, services):
    answer = web.get("/mina-sidor")
    shown = text_of(answer)

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Stormöte: överenskommelsen i praktiken" in shown
    assert "onsdag 13 januari 2027, 10:00" in shown
    assert "Har en plats" in shown
    assert 'action="/mina-sidor/anmalningar/reg-1/avboka"' in answer.get_data(as_text=True)
    [(_, _, args, _)] = services.made("list_upcoming_registrations")
    assert args == ({"role": "organisation", "organisation_id": "org-1", "name": "Anna Exempel"},)


def test_cancelling_asks_the_events_service_as_the_api_does_and_says_so(web, services):
    answer = web.post("/mina-sidor/anmalningar/reg-1/avboka", data={"csrf_token": csrf_of(web, "/mina-sidor")})

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/mina-sidor?klart=avbokad#anmalningar"
    [(_, _, args, _)] = services.made("cancel_registration")
    assert args == ("reg-1", {"role": "organisation", "organisation_id": "org-1", "name": "Anna Exempel"})
    assert "Anmälan är avbokad." in text_of(web.get(answer.headers["Location"]))


def test_another_organisations_registration_is_not_found(web, services):
    services.refuse["cancel_registration"] = NotFound("There is no registration 'x'.", "REGISTRATION_NOT_FOUND")

    answer = web.post("/mina-sidor/anmalningar/x/avboka", data={"csrf_token": csrf_of(web, "/mina-sidor")})

    assert answer.status_code == 404


def test_a_person_without_an_organisation_sees_no_registrations_and_cannot_cancel(app, client, services):
    create_user(app.extensions["samverkan_db"], "pia@example.org", PASSWORD, Role.PLANNER, name="Pia")
    client.post(
        "/logga-in", data={"email": "pia@example.org", "password": PASSWORD, "csrf_token": csrf_of(client, "/logga-in")}
    )

    shown = text_of(client.get("/mina-sidor"))
    cancel = client.post("/mina-sidor/anmalningar/reg-1/avboka", data={"csrf_token": csrf_of(client, "/mina-sidor")})

    assert "talar inte för någon organisation" in shown
    assert not services.made("list_upcoming_registrations")
    assert cancel.status_code == 404
    assert not services.made("cancel_registration")
    # A planner's subscriptions are the planner's own, filed under the person.
    assert services.made("list_subscriptions")[0][3]["caller"]["token_id"].startswith("user:")


# Subscriptions


def test_the_form_shows_the_forums_and_rhythm_of_the_persons_own_address(web, services):
    page = web.get("/mina-sidor").get_data(as_text=True)

    assert re.search(r'id="forum-ser"[^>]*checked', page)
    assert not re.search(r'id="forum-stormote"[^>]*checked', page)
    assert re.search(r'id="rhythm-weekly"[^>]*checked', page)
    assert 'name="address" value="anna@example.org"' in page
    # Every subscription the organisation owns is listed, the web hook too.
    assert "kansli@example.org" in page
    assert "https://hooks.example.org/samverkan" in page
    assert services.made("list_subscriptions")[0][3]["caller"] == {
        "role": "organisation",
        "organisation_id": "org-1",
        "token_id": f"user:{1}",
    }


def test_saving_replaces_only_the_persons_forum_mail_and_keeps_the_rest(web, services):
    form = {
        "csrf_token": csrf_of(web, "/mina-sidor"),
        "current_address": "anna@example.org",
        "address": "anna@example.org",
        "forum": ["stormote", "ros-gruppen"],
        "rhythm": "daily",
        "language": "en",
    }

    answer = web.post("/mina-sidor/bevakningar", data=form)

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/mina-sidor?klart=sparat#bevakningar"
    [(_, _, args, kwargs)] = services.made("replace_subscriptions")
    assert kwargs["caller"]["organisation_id"] == "org-1"
    items = args[0]["items"]
    # A colleague's address and the web hook go back as they were (the hook without a secret: it keeps its own).
    assert {"forum_slug": "ser", "channel": "email", "address": "kansli@example.org", "language": "sv",
            "rhythm": "immediately"} in items  # fmt: skip
    assert {"level": "consultation", "channel": "webhook", "url": "https://hooks.example.org/samverkan",
            "language": "sv", "rhythm": "immediately"} in items  # fmt: skip
    mine = sorted((item["forum_slug"], item["rhythm"], item["language"]) for item in items
                  if item.get("address") == "anna@example.org")  # fmt: skip
    assert mine == [("ros-gruppen", "daily", "en"), ("stormote", "daily", "en")]  # ser was unticked: gone
    assert len(items) == 4


def test_a_new_address_moves_the_forum_mail_and_the_form_then_edits_it(web, services):
    form = {
        "csrf_token": csrf_of(web, "/mina-sidor"),
        "current_address": "anna@example.org",
        "address": "anna.privat@example.org",
        "forum": ["ser"],
        "rhythm": "weekly",
        "language": "sv",
    }

    web.post("/mina-sidor/bevakningar", data=form)

    items = services.made("replace_subscriptions")[0][2][0]["items"]
    assert "anna@example.org" not in {item.get("address") for item in items}
    assert {"forum_slug": "ser", "channel": "email", "address": "anna.privat@example.org", "language": "sv",
            "rhythm": "weekly"} in items  # fmt: skip
    services.subscriptions = [mail("ser", address="anna.privat@example.org", rhythm="weekly")]
    page = web.get("/mina-sidor").get_data(as_text=True)
    assert 'name="address" value="anna.privat@example.org"' in page
    assert re.search(r'id="forum-ser"[^>]*checked', page)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"address": "inte en adress"}, "address", "Skriv din e-postadress, till exempel namn@example.org."),
        ({"address": ""}, "address", "Skriv din e-postadress, till exempel namn@example.org."),
        ({"rhythm": "varje timme"}, "rhythm", "Välj hur ofta du vill få mejl."),
        ({"language": "fi"}, "language", "Välj svenska eller engelska."),
        ({"forum": ["finns-inte"]}, "forums", "Välj forum i listan."),
    ],
)
def test_wrong_input_is_named_in_a_summary_that_links_to_the_field(web, services, change, field, message):
    form = {
        "csrf_token": csrf_of(web, "/mina-sidor"),
        "current_address": "anna@example.org",
        "address": "anna@example.org",
        "forum": ["ser"],
        "rhythm": "daily",
        "language": "sv",
        **change,
    }

    answer = web.post("/mina-sidor/bevakningar", data=form)
    page = answer.get_data(as_text=True)

    assert answer.status_code == 400
    assert f'<li><a href="#{field}">{message}</a></li>' in page
    assert f'id="{field}-error"' in page
    assert page.count('<li><a href="#') == 1
    assert not services.made("replace_subscriptions")


def test_an_address_someone_else_subscribed_is_told_at_the_field(web, services):
    services.refuse["replace_subscriptions"] = Conflict("Someone else…", "SUBSCRIPTION_EXISTS", {"2": ["Already."]})
    form = {
        "csrf_token": csrf_of(web, "/mina-sidor"),
        "current_address": "anna@example.org",
        "address": "upptagen@example.org",
        "forum": ["ser"],
        "rhythm": "daily",
        "language": "sv",
    }

    answer = web.post("/mina-sidor/bevakningar", data=form)

    assert answer.status_code == 409
    assert '<li><a href="#address">' in answer.get_data(as_text=True)
    assert 'value="upptagen@example.org"' in answer.get_data(as_text=True)


# The personal calendar link


def test_without_a_link_the_page_says_so_and_offers_one(web, services):
    shown = text_of(web.get("/mina-sidor"))

    assert "Du har ingen länk ännu." in shown
    assert "Skapa ny länk" in shown
    [(_, _, args, _)] = services.made("personal_feed_status")
    assert args[0] == {"attendee_email": "anna@example.org"}


def test_a_new_link_is_shown_once_with_the_warning_then_only_that_one_exists(web, services):
    answer = web.post("/mina-sidor/kalenderlank", data={"csrf_token": csrf_of(web, "/mina-sidor")})
    page = answer.get_data(as_text=True)

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    token = "hemlig-token-" + "x" * 32
    assert f'href="webcal://localhost/feeds/personal/{token}.ics"' in page
    assert f"http://localhost/feeds/personal/{token}.ics" in page
    assert "Den gamla länken har slutat fungera" in text_of(answer)
    [(_, _, args, _)] = services.made("issue_personal_feed")
    assert args == ({"attendee_email": "anna@example.org"}, {"role": "organisation", "organisation_id": "org-1",
                                                             "name": "Anna Exempel"})  # fmt: skip

    again = web.get("/mina-sidor")
    assert token not in again.get_data(as_text=True)
    assert "Du har en länk, skapad 23 november 2026, 01:30." in text_of(again)
    assert "slutar den gamla länken att fungera direkt" in text_of(again)


@pytest.mark.parametrize("away", [RpcTimeout("notifier.list_subscriptions"), BrokerUnavailable("no notifier")])
def test_with_the_notifier_away_the_page_says_so_in_its_section_and_the_rest_works(web, services, away):
    services.refuse["list_subscriptions"] = away

    answer = web.get("/mina-sidor")

    assert answer.status_code == 200
    shown = text_of(answer)
    assert "Dina bevakningar och val för e-post går inte att visa just nu." in shown
    assert "Stormöte: överenskommelsen i praktiken" in shown  # the registrations, from the events service
    assert "Du har ingen länk ännu." in shown  # the calendar link, from the events service
    assert "Spara mina val" not in shown  # no form that could only fail
