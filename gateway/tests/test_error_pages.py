"""Every error in the one table: a page in the person's language for a browser, problem+json for the API.

Driven from ``problems.ERROR_STATUS`` itself: each row's error is raised on a page path and on an
API path, so a new row is tested without a new test.
"""

from __future__ import annotations

import html
import re
import sys
from typing import Any

import pytest
from flask_babel import force_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug import exceptions as http

from samverkan_common.errors import SamverkanError
from samverkan_gateway import ratelimit
from samverkan_gateway.auth import Role
from samverkan_gateway.people import create_user
from samverkan_gateway.problems import ERROR_STATUS, PROBLEM_JSON, ErrorRendering, rendering_of
from samverkan_gateway.rpc import RemoteFailure

ROWS = list(ERROR_STATUS.items())
SECRET_DETAIL = "internal detail for developers only"
PASSWORD = "en lång och hemlig fras för test"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def sample(cls: type[Exception]) -> Exception:
    """An error that the table answers with ``cls``'s row."""
    if cls is Exception:
        return RuntimeError(SECRET_DETAIL)  # not in the table: the catch-all row
    if cls is http.HTTPException:
        return http.ImATeapot()  # an HTTP error without a row of its own
    if issubclass(cls, SamverkanError):
        return cls(SECRET_DETAIL)
    if cls is OperationalError:
        return OperationalError("SELECT 1", {}, Exception(SECRET_DETAIL))
    if cls is RemoteFailure:
        return RemoteFailure("KeyError", SECRET_DETAIL)
    if issubclass(cls, http.HTTPException):
        return cls(SECRET_DETAIL)
    return cls(SECRET_DETAIL)


def status_of(row: ErrorRendering, error: Exception) -> int:
    return row.status or int(getattr(error, "code", 500))


@pytest.fixture
def web(app):
    """The app with two routes that raise row ``number``'s error: one page, one API."""

    def fail(number: int) -> Any:
        raise sample(ROWS[number][0])

    app.add_url_rule("/provfel/<int:number>", "test_page_error", fail)
    app.add_url_rule("/api/v1/provfel/<int:number>", "test_api_error", fail)
    return app.test_client()


def translated(app, text: Any, language: str) -> str:
    with app.test_request_context(), force_locale(language):
        return str(text)


def main_text(response) -> str:
    """The page's visible words, entities decoded, whitespace folded."""
    body = response.get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.parametrize("number", range(len(ROWS)), ids=[cls.__name__ for cls, _ in ROWS])
def test_a_browser_gets_the_error_as_a_page_in_swedish_with_the_menu_and_what_to_do(app, web, number):
    cls, row = ROWS[number]
    error = sample(cls)

    response = web.get(f"/provfel/{number}", headers=BROWSER)

    body = response.get_data(as_text=True)
    shown = main_text(response)
    assert response.status_code == status_of(row, error)
    assert response.mimetype == "text/html"
    assert '<html lang="sv">' in body
    assert '<nav aria-label="Huvudmeny">' in body
    assert 'href="/kalender"' in body
    for text in (row.page.title, row.page.happened, row.page.next_step):
        swedish = translated(app, text, "sv")
        assert swedish != translated(app, text, "en"), f"no Swedish for {text!r}"
        assert swedish in shown
    assert f"<h1>{html.escape(translated(app, row.page.title, 'sv'))}</h1>" in body
    assert f"Felkod: {status_of(row, error)}" in shown
    assert SECRET_DETAIL not in body
    assert "Traceback" not in body
    assert response.headers["Cache-Control"] == "no-store"
    if row.retry_after:
        assert response.headers["Retry-After"] == str(row.retry_after)


@pytest.mark.parametrize("number", range(len(ROWS)), ids=[cls.__name__ for cls, _ in ROWS])
def test_after_switching_language_the_error_page_is_in_english(app, web, number):
    cls, row = ROWS[number]
    web.get("/?lang=en")  # the language switch, remembered in a cookie

    response = web.get(f"/provfel/{number}", headers=BROWSER)

    shown = main_text(response)
    assert response.status_code == status_of(row, sample(cls))
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert '<nav aria-label="Main menu">' in response.get_data(as_text=True)
    for text in (row.page.title, row.page.happened, row.page.next_step):
        assert translated(app, text, "en") in shown
    assert f"Error code: {status_of(row, sample(cls))}" in shown


@pytest.mark.parametrize("number", range(len(ROWS)), ids=[cls.__name__ for cls, _ in ROWS])
def test_the_api_gets_the_same_error_as_problem_json_with_its_code(web, number):
    cls, row = ROWS[number]
    error = sample(cls)

    # Even a browser's Accept header: the path decides.
    response = web.get(f"/api/v1/provfel/{number}", headers=BROWSER)

    body = response.get_json()
    assert response.status_code == status_of(row, error)
    assert response.mimetype == PROBLEM_JSON
    assert body["status"] == status_of(row, error)
    assert body["code"] == (error.code if isinstance(error, SamverkanError) else row.code)
    assert body["type"].endswith(body["code"].lower().replace("_", "-"))
    assert body["title"]
    if not isinstance(error, SamverkanError | http.HTTPException):
        assert SECRET_DETAIL not in response.get_data(as_text=True)  # the cause stays in our log
    if row.retry_after:
        assert response.headers["Retry-After"] == str(row.retry_after)


@pytest.mark.parametrize("number", range(len(ROWS)), ids=[cls.__name__ for cls, _ in ROWS])
def test_a_program_asking_for_json_on_a_page_path_gets_problem_json(web, number):
    cls, row = ROWS[number]

    response = web.get(f"/provfel/{number}", headers={"Accept": "application/json"})

    assert response.mimetype == PROBLEM_JSON
    assert response.status_code == status_of(row, sample(cls))


def test_every_class_in_the_table_exists_where_it_is_raised():
    for error_class in ERROR_STATUS:
        module = sys.modules[error_class.__module__]
        assert getattr(module, error_class.__name__) is error_class


def test_csrf_and_rate_limits_are_rows_of_the_table():
    assert rendering_of(CSRFError()).code == "CSRF_FAILED"
    assert rendering_of(CSRFError()).status == 400
    assert rendering_of(ratelimit.RateLimited(30)).status == 429


def test_the_table_covers_the_statuses_a_person_can_meet():
    statuses = {row.status for row in ERROR_STATUS.values()}
    assert {400, 403, 404, 405, 409, 410, 413, 422, 429, 500, 502, 503, 504} <= statuses


# Real errors, not raised by a test route


def test_a_service_away_is_a_page_saying_try_again_shortly_with_retry_after(web):
    response = web.get("/kalender")  # nothing listens where the broker should be

    shown = main_text(response)
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert "Tjänsten är inte tillgänglig just nu. Försök igen om en liten stund." in shown
    assert response.headers["Retry-After"] == "5"


def test_an_unknown_address_is_a_page_with_ways_on_but_problem_json_under_the_api(web):
    page = web.get("/finns-inte")
    api = web.get("/api/v1/finns-inte")

    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert "Sidan finns inte" in main_text(page)
    assert 'href="/organisationer"' in page.get_data(as_text=True)
    assert api.status_code == 404
    assert api.get_json()["code"] == "NOT_FOUND"


def test_a_method_not_allowed_names_the_methods_that_are(web):
    response = web.delete("/api/v1/openapi.json")

    assert response.status_code == 405
    assert response.get_json()["code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in response.headers["Allow"]


def test_a_representative_editing_another_organisation_gets_the_403_page(app, web):
    create_user(app.extensions["samverkan_db"], "rep@example.org", PASSWORD, Role.ORGANISATION, organisation_id="o1")
    login = web.get("/logga-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token
    logged_in = web.post("/logga-in", data={"email": "rep@example.org", "password": PASSWORD, "csrf_token": token[1]})
    assert logged_in.status_code == 303

    response = web.get("/organisationer/o2/redigera")

    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "Du får inte göra det här" in main_text(response)
    assert "Inloggad som" in main_text(response)  # the menu still knows the person


def test_a_rate_limit_on_a_page_says_how_many_minutes_to_wait(app, web):
    app.add_url_rule("/provfel/vila", "test_rest", lambda: (_ for _ in ()).throw(ratelimit.RateLimited(150)))

    response = web.get("/provfel/vila")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "150"
    assert "För många försök" in main_text(response)
    assert "Vänta 3 minuter och försök igen." in main_text(response)


def test_the_error_page_is_shown_even_when_the_person_cannot_be_looked_up(app, web):
    from samverkan_common.db import make_engine

    create_user(app.extensions["samverkan_db"], "rep@example.org", PASSWORD, Role.ORGANISATION, organisation_id="o1")
    login = web.get("/logga-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token
    web.post("/logga-in", data={"email": "rep@example.org", "password": PASSWORD, "csrf_token": token[1]})
    app.extensions["samverkan_db"] = make_engine("sqlite:////nonexistent/folder/gateway.db")

    response = web.get("/finns-inte")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Sidan finns inte" in main_text(response)
