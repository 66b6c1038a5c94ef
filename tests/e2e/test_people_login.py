"""People log in over the real system: a session on PostgreSQL that logging out ends, CSRF, rate limits."""

from __future__ import annotations

import re
import subprocess

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.support import secrets_seen
from tests.support.stack import BIN, ROOT

pytestmark = pytest.mark.e2e

PASSWORD = "ett långt lösenord för planeraren"


def create_person(stack, email: str, role: str, password: str = PASSWORD, *extra: str) -> subprocess.CompletedProcess:
    """``samverkan-gateway users create``, the password on standard input as an operator would pipe it."""
    secrets_seen.from_cli(["users", "create", "--email", email, *extra], "", password)  # never to be logged
    return subprocess.run(
        [str(BIN / "samverkan-gateway"), "users", "create", "--email", email, "--role", role, *extra],
        input=password + "\n",
        env=stack.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def people(stack):
    made = {
        "planner": create_person(stack, "pia@vgr.example.org", "planner", PASSWORD, "--name", "Pia Planerare"),
        "limited": create_person(stack, "begransad@vgr.example.org", "operator"),
        "expiring": create_person(stack, "gammal@vgr.example.org", "planner"),
    }
    assert all(result.returncode == 0 for result in made.values()), [r.stderr for r in made.values()]
    return made


@pytest.fixture
def gateway_db(stack):
    engine = create_engine(stack.databases.urls["gateway"])
    yield engine
    engine.dispose()


def without_csrf_token(page: str) -> str:
    """The page without its CSRF token, which is signed with the time it was made."""
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', page)


class Browser:
    """A browser without JavaScript: it keeps cookies and sends the forms' hidden CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        secrets_seen.watch_session(self.session)  # its passwords and session cookies are looked for in the logs

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=30, allow_redirects=False)

    def csrf_token(self, path: str = "/logga-in") -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).text)
        assert found, path
        return found.group(1)

    def post_form(self, path: str, data: dict[str, str], token_from: str = "/logga-in") -> requests.Response:
        return self.session.post(
            self.base + path,
            data={**data, "csrf_token": self.csrf_token(token_from)},
            timeout=30,
            allow_redirects=False,
        )

    def log_in(self, email: str, password: str = PASSWORD) -> requests.Response:
        return self.post_form("/logga-in", {"email": email, "password": password})


def test_the_password_comes_from_standard_input_and_a_short_one_is_refused(stack, people):
    refused = create_person(stack, "kort@vgr.example.org", "planner", "kort")

    assert refused.returncode != 0
    assert "12" in refused.stderr
    assert "Created user" in people["planner"].stdout
    assert PASSWORD not in people["planner"].stdout


def test_a_logged_in_planner_sees_their_name_and_uses_the_api_with_the_pages_token(stack, people):
    browser = Browser(stack.url)

    login = browser.log_in("Pia@VGR.example.org")

    assert login.status_code == 303
    page = browser.get("/kalender")
    assert "Inloggad som Pia Planerare" in page.text
    assert "Logga ut" in page.text
    # The session is the planner's principal on the API as well: subscriptions are per caller.
    headers = {"X-CSRFToken": browser.csrf_token("/")}
    created = browser.session.post(
        stack.url + "/api/v1/subscriptions",
        json={"forum_slug": "ros-gruppen", "address": "pia@vgr.example.org"},
        headers=headers,
        timeout=30,
    )
    assert created.status_code in (201, 404), created.text  # 404: no such forum in this fresh system
    listed = browser.get("/api/v1/subscriptions")
    assert listed.status_code == 200
    without_token = browser.session.post(
        stack.url + "/api/v1/subscriptions", json={"forum_slug": "x", "address": "a@example.org"}, timeout=30
    )
    assert without_token.status_code == 400
    assert without_token.json()["code"] == "CSRF_FAILED"


def open_sessions(gateway_db, email: str) -> int:
    with gateway_db.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM user_sessions s JOIN users u ON u.id = s.user_id "
                    "WHERE u.email = :email AND s.ended_at IS NULL"
                ),
                {"email": email},
            ).scalar()
        )


def test_logout_ends_the_session_on_the_server(stack, people, gateway_db):
    before = open_sessions(gateway_db, "pia@vgr.example.org")
    browser = Browser(stack.url)
    browser.log_in("pia@vgr.example.org")
    kept = browser.session.cookies.get("samverkan_session")
    assert open_sessions(gateway_db, "pia@vgr.example.org") == before + 1

    logout = browser.post_form("/logga-ut", {}, token_from="/")

    assert logout.status_code == 303
    assert open_sessions(gateway_db, "pia@vgr.example.org") == before
    replay = requests.Session()
    replay.cookies.set("samverkan_session", kept)
    page = replay.get(stack.url + "/kalender", timeout=30)
    assert "Inloggad som" not in page.text
    assert "Logga in" in page.text
    assert replay.get(stack.url + "/api/v1/subscriptions", timeout=30).status_code == 401


@pytest.mark.parametrize(
    ("column", "age"),
    [("last_seen_at", "31 minutes"), ("created_at", "8 hours")],
    ids=["idle", "absolute"],
)
def test_an_expired_session_is_refused(stack, people, gateway_db, column, age):
    browser = Browser(stack.url)
    browser.log_in("gammal@vgr.example.org")
    assert browser.get("/api/v1/subscriptions").status_code == 200

    with gateway_db.begin() as connection:
        connection.execute(text(f"UPDATE user_sessions SET {column} = {column} - interval '{age}'"))

    assert browser.get("/api/v1/subscriptions").status_code == 401
    assert "Inloggad som" not in browser.get("/kalender").text


def test_wrong_password_and_unknown_email_get_the_same_answer(stack, people):
    browser = Browser(stack.url)

    wrong = browser.log_in("pia@vgr.example.org", "inte rätt lösenord")
    unknown = browser.log_in("ingen@vgr.example.org", "inte rätt lösenord")

    assert wrong.status_code == unknown.status_code == 400
    assert "E-postadressen eller lösenordet är fel." in wrong.text
    assert without_csrf_token(wrong.text).replace("pia@vgr.example.org", "X") == without_csrf_token(
        unknown.text
    ).replace("ingen@vgr.example.org", "X")


def test_the_sixth_failed_login_within_a_minute_is_limited(stack, people):
    browser = Browser(stack.url)
    statuses = [browser.log_in("begransad@vgr.example.org", f"fel {n}").status_code for n in range(5)]

    sixth = browser.log_in("begransad@vgr.example.org")

    assert statuses == [400] * 5
    assert sixth.status_code == 429
    assert 1 <= int(sixth.headers["Retry-After"]) <= 60
    assert "För många försök" in sixth.text


def test_a_form_posted_without_its_token_gets_a_plain_swedish_page(stack):
    response = requests.post(stack.url + "/planera/forslag", data={"a_step": "drafting"}, timeout=30)

    assert response.status_code == 400
    assert "Formuläret kunde inte skickas" in response.text
    assert "Traceback" not in response.text


def test_guessing_personal_feed_links_is_limited_with_retry_after(stack):
    statuses = [requests.get(f"{stack.url}/feeds/personal/gissning{n}.ics", timeout=30).status_code for n in range(31)]

    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
    last = requests.get(f"{stack.url}/feeds/personal/gissning.ics", timeout=30)
    assert last.headers["Content-Type"] == "application/problem+json"
    assert int(last.headers["Retry-After"]) >= 1
