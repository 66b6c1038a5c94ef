"""Registering from the meeting page and editing an organisation, logged in; the services are faked here."""

from __future__ import annotations

import re
from typing import Any

import pytest

from samverkan_common.errors import Conflict, Forbidden, Invalid
from samverkan_gateway.auth import Role
from samverkan_gateway.people import create_user

PASSWORD = "en lång och hemlig fras för test"
MEETING = {
    "id": "m1",
    "forum_slug": "ser",
    "title": "SER: idéburet offentligt partnerskap",
    "starts_at": "2026-12-15T13:00:00+01:00",
    "ends_at": "2026-12-15T15:00:00+01:00",
    "registration_deadline": "2026-12-08T23:59:00+01:00",
    "level": "partnership",
    "status": "planned",
    "location": "Skövde",
    "capacity": 25,
}
OPEN = {"meeting_id": "m1", "closed": None, "capacity": 25, "confirmed": 22, "places_left": 3, "waitlisted": 0}
FULL = {**OPEN, "confirmed": 25, "places_left": 0, "waitlisted": 4}
ORGANISATION = {
    "id": "org-1",
    "name": "Exempelföreningen för friluftsliv",
    "kind": "ideell_forening",
    "organisation_number": "802500-1234",
    "municipality_code": "1480",
    "description": "",
    "website": "",
    "contact_email": "info@friluft.example.org",
    "other_names": [],
    "areas": ["culture"],
    "tags": [],
    "founded_year": None,
    "status": "active",
    "version": 3,
}


class FakeServices:
    """Answers per RPC method (a value, an exception to raise, or a function of the arguments)."""

    def __init__(self, answers: dict[str, Any]):
        self.answers = answers
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def call(self, service: str, method: str, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((method, args))
        answer = self.answers[method]
        if isinstance(answer, Exception):
            raise answer
        return answer(*args) if callable(answer) else answer

    def made(self, method: str) -> list[tuple[Any, ...]]:
        return [args for name, args in self.calls if name == method]

    def close(self) -> None:
        pass


class StillWatcher:
    """The feed watcher without its broker connection."""

    def start(self) -> None:
        pass

    def changed(self) -> None:
        pass


@pytest.fixture
def services(app):
    app.config["SESSION_COOKIE_SECURE"] = False  # plain http in these tests
    fake = FakeServices(
        {
            "get_meeting": MEETING,
            "registration_places": OPEN,
            "register": lambda meeting_id, payload, actor: {"id": "r1", "meeting_id": meeting_id, **payload},
            "get_registration": {
                "id": "r1",
                "meeting_id": "m1",
                "attendee_name": "Eva Exempel",
                "attendee_email": "eva@example.org",
                "status": "confirmed",
                "waitlist_position": None,
            },
            "list_forums": [{"slug": "ser", "name": "SER"}],
            "get_organisation": ORGANISATION,
            "memberships": [],
            "list_municipalities": [{"code": "1480", "name": "Göteborg"}, {"code": "1496", "name": "Skövde"}],
            "update_organisation": lambda organisation_id, payload, actor: {**ORGANISATION, **payload},
        }
    )
    app.extensions["rpc"] = fake
    app.extensions["samverkan_feed_watcher"] = StillWatcher()
    return fake


@pytest.fixture
def web(app):
    engine = app.extensions["samverkan_db"]
    create_user(engine, "rep@example.org", PASSWORD, Role.ORGANISATION, organisation_id="org-1", name="Rep Ett")
    create_user(engine, "other@example.org", PASSWORD, Role.ORGANISATION, organisation_id="org-2", name="Rep Två")
    create_user(engine, "planner@example.org", PASSWORD, Role.PLANNER, name="Pia Planerare")
    return app.test_client()


def csrf_of(client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, "the page's form carries its CSRF token"
    return found.group(1)


def log_in(client, email: str = "rep@example.org") -> None:
    answer = client.post(
        "/logga-in", data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(client, "/logga-in")}
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)


# Registering from the meeting page


def test_a_visitor_sees_places_left_and_a_link_to_log_in_but_no_form(web, services):
    html = web.get("/moten/m1").get_data(as_text=True)

    assert "3 platser kvar av 25" in html
    assert '<a href="/logga-in?next=/moten/m1">Logga in för att anmäla</a>' in html
    assert 'name="attendee_name"' not in html


def test_in_english_the_page_counts_places_and_chooses_english_messages(web, services):
    log_in(web)

    html = web.get("/moten/m1?lang=en").get_data(as_text=True)

    assert "3 places left of 25" in html
    assert '<option value="en" selected>In English</option>' in html


def test_a_full_meeting_offers_the_waiting_list(web, services):
    services.answers["registration_places"] = FULL
    log_in(web)

    html = web.get("/moten/m1").get_data(as_text=True)

    assert "Alla 25 platser är tagna: den som anmäler sig nu hamnar på väntelistan." in html
    assert "4 personer står på väntelistan." in html
    assert "Anmäl till väntelistan</button>" in html


@pytest.mark.parametrize(
    ("closed", "sentence"),
    [
        ("MEETING_CANCELLED", "Mötet är inställt, så det går inte att anmäla sig."),
        ("REGISTRATION_CLOSED", "Sista dag för anmälan var 8 december 2026, 23:59. Anmälan är stängd."),
    ],
)
def test_after_the_deadline_or_when_cancelled_there_is_no_form_but_a_sentence_why(web, services, closed, sentence):
    services.answers["registration_places"] = {**OPEN, "closed": closed}
    log_in(web)

    html = web.get("/moten/m1").get_data(as_text=True)

    assert sentence in html
    assert 'name="attendee_name"' not in html
    assert "Logga in för att anmäla" not in html


def test_a_representative_registers_a_person_through_the_same_rpc_as_the_api(web, services):
    log_in(web)
    token = csrf_of(web, "/moten/m1")

    answer = web.post(
        "/moten/m1/anmalan",
        data={
            "csrf_token": token,
            "attendee_name": " Eva Exempel ",
            "attendee_email": "eva@example.org",
            "language": "sv",
            "dietary_needs": "Vegetariskt",
            "accessibility_needs": "",
        },
    )

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/moten/m1/anmalan/r1"
    [(meeting_id, payload, actor)] = services.made("register")
    assert meeting_id == "m1"
    assert payload == {
        "attendee_name": "Eva Exempel",
        "attendee_email": "eva@example.org",
        "language": "sv",
        "dietary_needs": "Vegetariskt",
    }
    assert actor == {"role": "organisation", "organisation_id": "org-1", "name": "Rep Ett"}
    confirmed = web.get(answer.headers["Location"]).get_data(as_text=True)
    assert "<h1>Du har en plats</h1>" in confirmed
    assert "Eva Exempel (eva@example.org)" in confirmed


def test_the_answer_page_gives_the_place_on_the_waiting_list(web, services):
    services.answers["get_registration"] = {
        **services.answers["get_registration"],
        "status": "waitlisted",
        "waitlist_position": 2,
    }
    log_in(web)

    html = web.get("/moten/m1/anmalan/r1").get_data(as_text=True)

    assert "<h1>Du står på väntelistan (plats 2)</h1>" in html
    [(registration_id, actor)] = services.made("get_registration")
    assert (registration_id, actor["organisation_id"]) == ("r1", "org-1")


def test_a_registration_of_another_meeting_is_not_shown_under_this_one(web, services):
    services.answers["get_meeting"] = {**MEETING, "id": "m2"}
    log_in(web)

    assert web.get("/moten/m2/anmalan/r1").status_code == 404


def test_a_form_without_name_and_with_a_bad_address_is_summarised_with_links_to_the_fields(web, services):
    log_in(web)

    answer = web.post(
        "/moten/m1/anmalan",
        data={"csrf_token": csrf_of(web, "/moten/m1"), "attendee_name": "", "attendee_email": "eva"},
    )

    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert '<a href="#attendee_name">Skriv namnet på den som ska komma.</a>' in html
    assert '<a href="#attendee_email">Skriv en e-postadress som namn@example.org.</a>' in html
    assert 'value="eva"' in html
    assert 'aria-invalid="true"' in html
    assert not services.made("register")


def test_registration_closed_meanwhile_answers_409_with_the_reason(web, services):
    log_in(web)
    token = csrf_of(web, "/moten/m1")
    services.answers["register"] = Conflict("closed", "REGISTRATION_CLOSED")
    services.answers["registration_places"] = {**OPEN, "closed": "REGISTRATION_CLOSED"}

    answer = web.post(
        "/moten/m1/anmalan", data={"csrf_token": token, "attendee_name": "Eva", "attendee_email": "eva@example.org"}
    )

    assert answer.status_code == 409
    assert "Anmälan är stängd." in answer.get_data(as_text=True)


def test_registering_needs_a_login_and_the_forms_token(web, services):
    anonymous = web.post(
        "/moten/m1/anmalan",
        data={"csrf_token": csrf_of(web, "/logga-in"), "attendee_name": "Eva", "attendee_email": "eva@example.org"},
    )
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == "/logga-in?next=/moten/m1"
    assert web.get("/moten/m1/anmalan/r1").status_code == 302

    log_in(web)
    forged = web.post("/moten/m1/anmalan", data={"attendee_name": "Eva", "attendee_email": "eva@example.org"})
    assert forged.status_code == 400
    assert not services.made("register")


def test_a_refusal_by_the_events_service_is_a_403_page_not_a_trace(web, services):
    services.answers["register"] = Forbidden("no organisation", "NO_ORGANISATION")
    log_in(web)

    answer = web.post(
        "/moten/m1/anmalan",
        data={"csrf_token": csrf_of(web, "/moten/m1"), "attendee_name": "Eva", "attendee_email": "eva@example.org"},
    )

    assert answer.status_code == 403
    assert answer.mimetype == "text/html"
    assert "Du får inte göra det här" in answer.get_data(as_text=True)


# Editing an organisation


def test_the_organisation_page_links_to_the_form_only_for_those_who_may_edit(web, services):
    link = 'href="/organisationer/org-1/redigera"'
    assert link not in web.get("/organisationer/org-1").get_data(as_text=True)
    log_in(web, "other@example.org")
    assert link not in web.get("/organisationer/org-1").get_data(as_text=True)
    log_in(web, "rep@example.org")
    assert link in web.get("/organisationer/org-1").get_data(as_text=True)
    log_in(web, "planner@example.org")
    assert link in web.get("/organisationer/org-1").get_data(as_text=True)


def test_the_form_is_for_the_own_representative_and_planners_others_get_a_403_page(web, services):
    anonymous = web.get("/organisationer/org-1/redigera")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == "/logga-in?next=/organisationer/org-1/redigera"

    log_in(web, "other@example.org")
    refused = web.get("/organisationer/org-1/redigera")
    assert refused.status_code == 403
    assert "Du får inte göra det här" in refused.get_data(as_text=True)

    for email in ("rep@example.org", "planner@example.org"):
        log_in(web, email)
        form = web.get("/organisationer/org-1/redigera")
        html = form.get_data(as_text=True)
        assert form.status_code == 200
        assert "<h1>Redigera organisation</h1>" in html
        assert 'value="Exempelföreningen för friluftsliv"' in html
        assert '<input type="hidden" name="version" value="3">' in html
        assert 'value="culture" checked' in html


def test_a_saved_change_goes_to_the_registry_as_the_api_would_send_it(web, services):
    log_in(web)
    form = {
        "csrf_token": csrf_of(web, "/organisationer/org-1/redigera"),
        "version": "3",
        "name": "Exempelföreningen för friluftsliv i Väst",
        "kind": "ideell_forening",
        "organisation_number": "",
        "municipality_code": "1496",
        "description": "Vi ordnar vandringar.",
        "website": "https://friluft.example.org",
        "contact_email": "",
        "other_names": "Friluft, EFF ,",
        "areas": ["culture", "health_care"],
        "tags": "vandring",
        "founded_year": "1998",
    }

    answer = web.post("/organisationer/org-1/redigera", data=form)

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/organisationer/org-1?sparad=1"
    [(organisation_id, payload, actor)] = services.made("update_organisation")
    assert organisation_id == "org-1"
    assert payload == {
        "version": 3,
        "name": "Exempelföreningen för friluftsliv i Väst",
        "kind": "ideell_forening",
        "organisation_number": None,
        "municipality_code": "1496",
        "description": "Vi ordnar vandringar.",
        "website": "https://friluft.example.org",
        "contact_email": None,
        "other_names": ["Friluft", "EFF"],
        "areas": ["culture", "health_care"],
        "tags": ["vandring"],
        "founded_year": 1998,
    }
    assert actor == {"role": "organisation", "organisation_id": "org-1"}
    assert "Ändringarna är sparade." in web.get(answer.headers["Location"]).get_data(as_text=True)


def test_bad_fields_are_summarised_with_links_and_nothing_is_sent(web, services):
    log_in(web)

    answer = web.post(
        "/organisationer/org-1/redigera",
        data={
            "csrf_token": csrf_of(web, "/organisationer/org-1/redigera"),
            "version": "3",
            "name": "",
            "kind": "ideell_forening",
            "municipality_code": "1480",
            "website": "friluft",
            "founded_year": "nittonhundra",
        },
    )

    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert '<a href="#name">Skriv organisationens namn, högst 200 tecken.</a>' in html
    assert '<a href="#website">Skriv webbplatsens hela adress, som börjar med https://' in html
    assert '<a href="#founded_year">' in html
    assert 'value="nittonhundra"' in html
    assert not services.made("update_organisation")


def test_a_change_made_meanwhile_is_409_with_the_fresh_values_in_the_form(web, services):
    log_in(web)
    token = csrf_of(web, "/organisationer/org-1/redigera")
    services.answers["update_organisation"] = Conflict("stale", "ORGANISATION_VERSION_CONFLICT")
    services.answers["get_organisation"] = {**ORGANISATION, "name": "Friluftsföreningen", "version": 4}

    answer = web.post(
        "/organisationer/org-1/redigera",
        data={"csrf_token": token, "version": "3", "name": "Mitt namn", "kind": "other", "municipality_code": "1480"},
    )

    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Någon annan har ändrat uppgifterna under tiden" in html
    assert 'value="Friluftsföreningen"' in html
    assert '<input type="hidden" name="version" value="4">' in html


def test_saving_without_the_forms_token_is_refused_for_everyone(web, services):
    log_in(web)

    answer = web.post("/organisationer/org-1/redigera", data={"version": "3", "name": "X"})

    assert answer.status_code == 400
    assert not services.made("update_organisation")


@pytest.mark.parametrize(
    ("refusal", "status", "message"),
    [
        (
            Invalid("bad", "ORGANISATION_INVALID", {"organisation_number": ["Luhn"]}),
            400,
            "Skriv organisationsnumret med tio siffror, som 802500-1234, eller lämna fältet tomt.",
        ),
        (Conflict("taken", "ORGANISATION_NUMBER_TAKEN"), 409, "En annan organisation har redan det här numret."),
    ],
)
def test_the_registrys_own_refusal_of_a_number_links_to_that_field(web, services, refusal, status, message):
    log_in(web)
    token = csrf_of(web, "/organisationer/org-1/redigera")
    services.answers["update_organisation"] = refusal

    answer = web.post(
        "/organisationer/org-1/redigera",
        data={
            "csrf_token": token,
            "version": "3",
            "name": "Friluft",
            "kind": "other",
            "municipality_code": "1480",
            "organisation_number": "802500-1235",
        },
    )

    html = answer.get_data(as_text=True)
    assert answer.status_code == status
    assert f'<a href="#organisation_number">{message}</a>' in html
    assert 'value="802500-1235"' in html
