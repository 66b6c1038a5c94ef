"""People log in to the pages: argon2id hashes, sessions that end, CSRF on every form, and rate limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from samverkan_common.errors import NotFound
from samverkan_gateway import people, ratelimit
from samverkan_gateway.auth import Role
from samverkan_gateway.people import HASHER, Lifetimes, create_user, session_principal, start_session
from samverkan_gateway.resources.notifications import routes as notification_routes

PASSWORD = "rätt häst batteri häftklammer"


@pytest.fixture
def engine(app):
    return app.extensions["samverkan_db"]


@pytest.fixture
def planner_user(engine):
    return create_user(engine, "Plan.Erare@Example.org", PASSWORD, Role.PLANNER, name="Pia Planerare")


def csrf_token(client: FlaskClient, path: str = "/logga-in") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def log_in(client: FlaskClient, email: str = "plan.erare@example.org", password: str = PASSWORD, **extra: str):
    return client.post(
        "/logga-in", data={"email": email, "password": password, "csrf_token": csrf_token(client), **extra}
    )


def session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("samverkan_session")
    return cookie.value if cookie else None


def without_csrf_token(page: str) -> str:
    """The page without its CSRF token, which is signed with the time it was made."""
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', page)


# Hashing


def test_passwords_are_kept_as_argon2id_hashes_that_only_the_right_password_matches(engine, planner_user):
    stored = engine.connect().execute(people.users.select()).first()

    assert stored.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored.password_hash
    assert people.password_matches(stored.password_hash, PASSWORD)
    assert not people.password_matches(stored.password_hash, PASSWORD + " ")
    assert not people.password_matches("not a hash", PASSWORD)


def test_a_hash_made_with_older_settings_is_replaced_at_the_next_login(engine, planner_user):
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with engine.begin() as connection:
        connection.execute(people.users.update().values(password_hash=old))

    assert people.check_password(engine, "plan.erare@example.org", PASSWORD) is not None
    renewed = engine.connect().execute(people.users.select()).first().password_hash
    assert renewed != old
    assert not HASHER.check_needs_rehash(renewed)


def test_unknown_email_costs_one_hash_verification_like_a_wrong_password(engine, planner_user, monkeypatch):
    verified: list[str] = []
    real = people.password_matches
    monkeypatch.setattr(
        people, "password_matches", lambda stored, given: verified.append(stored) or real(stored, given)
    )

    assert people.check_password(engine, "nobody@example.org", PASSWORD) is None
    assert people.check_password(engine, "plan.erare@example.org", "wrong password!") is None

    assert len(verified) == 2
    assert all(stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$") for stored in verified)


def test_a_password_shorter_than_twelve_characters_is_refused(engine):
    with pytest.raises(people.WeakPassword):
        create_user(engine, "kort@example.org", "kort", Role.OPERATOR)


def test_an_organisations_representative_needs_the_organisation(engine):
    with pytest.raises(ValueError, match="organisation"):
        create_user(engine, "rep@example.org", PASSWORD, Role.ORGANISATION)


# Sessions


LIFETIMES = Lifetimes(idle=timedelta(minutes=30), absolute=timedelta(hours=8))


def test_a_session_ends_after_the_idle_time_without_requests(engine, planner_user):
    secret = start_session(engine, planner_user)
    now = datetime.now(UTC)

    assert session_principal(engine, secret, LIFETIMES, now + timedelta(minutes=29)) is not None
    assert session_principal(engine, secret, LIFETIMES, now + timedelta(minutes=29 + 30)) is None
    # Once ended it stays ended, even at a time it would have been valid.
    assert session_principal(engine, secret, LIFETIMES, now) is None


def test_a_session_in_use_still_ends_at_the_absolute_time(engine, planner_user):
    secret = start_session(engine, planner_user)
    start = datetime.now(UTC)
    for minutes in range(20, 8 * 60, 20):  # a request every 20 minutes keeps it from idling
        assert session_principal(engine, secret, LIFETIMES, start + timedelta(minutes=minutes)) is not None

    assert session_principal(engine, secret, LIFETIMES, start + timedelta(hours=8)) is None


def test_a_logged_in_person_is_the_same_kind_of_principal_as_a_token(engine, planner_user):
    principal = session_principal(engine, start_session(engine, planner_user), LIFETIMES)

    assert principal is not None
    assert (principal.kind, principal.id, principal.role, principal.name) == (
        "user",
        planner_user,
        Role.PLANNER,
        "Pia Planerare",
    )
    assert principal.user_id == planner_user


def test_login_sets_a_new_secure_httponly_lax_cookie_and_the_header_names_the_person(client, planner_user):
    client.environ_base["wsgi.url_scheme"] = "https"
    csrf_token(client)
    before = session_cookie(client)

    response = log_in(client, email=" PLAN.ERARE@example.org ")

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("samverkan_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie
    assert session_cookie(client) != before
    home = client.get("/")
    assert "Inloggad som Pia Planerare" in home.get_data(as_text=True)
    assert home.headers["Cache-Control"] == "private, no-store"


@pytest.fixture
def http_app(app):
    # Plain http in these tests, as a local run: the cookie must travel without https.
    app.config["SESSION_COOKIE_SECURE"] = False
    return app


@pytest.fixture
def web(http_app):
    return http_app.test_client()


def test_login_goes_back_to_the_page_asked_for_but_never_to_another_site(web, planner_user):
    assert log_in(web, next="/organisationer?q=x").headers["Location"] == "/organisationer?q=x"
    assert log_in(web, next="//evil.example.org/").headers["Location"] == "/"
    assert log_in(web, next="https://evil.example.org/").headers["Location"] == "/"


def test_logging_in_again_gives_a_new_session_and_ends_none_other(web, engine, planner_user):
    log_in(web)
    first = session_cookie(web)
    log_in(web)

    assert session_cookie(web) != first
    rows = engine.connect().execute(people.user_sessions.select()).all()
    # The earlier session of this browser was ended when the new one began.
    assert [row.ended_at is None for row in rows] == [False, True]


def test_logout_ends_the_session_on_the_server_so_the_old_cookie_is_worth_nothing(web, planner_user):
    log_in(web)
    stolen = session_cookie(web)
    token = csrf_token(web, "/")

    response = web.post("/logga-ut", data={"csrf_token": token})

    assert response.status_code == 303
    assert "Logga ut" not in web.get("/").get_data(as_text=True)
    web.set_cookie("samverkan_session", stolen)
    page = web.get("/").get_data(as_text=True)
    assert "Inloggad som" not in page
    assert "Logga in" in page


def test_wrong_password_and_unknown_email_get_the_same_page(web, planner_user):
    wrong = log_in(web, password="fel lösenord igen")
    unknown = log_in(web, email="ingen@example.org", password="fel lösenord igen")

    assert wrong.status_code == unknown.status_code == 400
    text = wrong.get_data(as_text=True)
    assert "E-postadressen eller lösenordet är fel." in text
    assert without_csrf_token(text).replace("plan.erare@example.org", "X") == without_csrf_token(
        unknown.get_data(as_text=True)
    ).replace("ingen@example.org", "X")


def test_a_blank_form_is_summarised_with_links_to_both_fields(web):
    response = web.post("/logga-in", data={"email": "", "password": "", "csrf_token": csrf_token(web)})

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="#email">' in page
    assert '<a href="#password">' in page
    assert 'aria-describedby="email-error"' in page


# CSRF


def test_a_form_without_its_csrf_token_is_refused_with_a_page_in_swedish(web, planner_user):
    response = web.post("/logga-in", data={"email": "plan.erare@example.org", "password": PASSWORD})

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Formuläret kunde inte skickas" in page
    assert "Traceback" not in page
    assert "Inloggad som" not in web.get("/").get_data(as_text=True)


def test_a_forged_logout_does_not_end_the_session(web, planner_user):
    log_in(web)

    assert web.post("/logga-ut", data={"csrf_token": "forged"}).status_code == 400
    assert "Inloggad som Pia Planerare" in web.get("/").get_data(as_text=True)


def test_the_api_through_a_cookie_needs_the_csrf_header_but_a_bearer_token_does_not(web, planner_user, token):
    log_in(web)
    header = csrf_token(web, "/")

    refused = web.post("/api/v1/forums", data="[]", content_type="application/json")
    allowed = web.post("/api/v1/forums", data="[]", content_type="application/json", headers={"X-CSRFToken": header})
    bearer = web.post("/api/v1/forums", data="[]", content_type="application/json", headers=token("planner"))

    assert refused.status_code == 400
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["code"] == "CSRF_FAILED"
    # Past the CSRF check and the planner's role check: only the body is wrong.
    assert allowed.status_code == 422
    assert bearer.status_code == 422


def test_a_logged_in_person_meets_the_same_role_checks_as_a_token(web, engine):
    create_user(engine, "rep@example.org", PASSWORD, Role.ORGANISATION, organisation_id="org-1")
    log_in(web, email="rep@example.org")

    response = web.post(
        "/api/v1/forums", data="[]", content_type="application/json", headers={"X-CSRFToken": csrf_token(web, "/")}
    )

    assert response.status_code == 403


def test_the_one_click_unsubscribe_needs_no_csrf_token(web, monkeypatch):
    monkeypatch.setattr(
        notification_routes, "call", lambda *args: {"address": "a@example.org", "language": "sv", "active": False}
    )

    assert web.post("/unsubscribe/some-secret").status_code == 200


# Rate limits


def test_the_sixth_failed_login_to_an_account_within_a_minute_is_refused_with_retry_after(web, planner_user):
    for _ in range(5):
        assert log_in(web, password="fel lösenord igen").status_code == 400

    limited = log_in(web)  # even the right password: the account is resting

    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "För många försök" in limited.get_data(as_text=True)
    assert limited.mimetype == "text/html"


def test_failed_logins_from_one_address_are_limited_across_accounts(web, app):
    app.config["RATE_LIMIT_LOGIN_ADDRESS"] = "3/minute"
    for number in range(3):
        assert log_in(web, email=f"person{number}@example.org").status_code == 400

    assert log_in(web, email="person9@example.org").status_code == 429
    # Another address is not affected.
    other = web.post(
        "/logga-in",
        data={"email": "person9@example.org", "password": "x", "csrf_token": csrf_token(web)},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert other.status_code == 400


def test_behind_the_ingress_the_forwarded_address_is_the_one_counted(web, app):
    app.config.update(RATE_LIMIT_LOGIN_ADDRESS="1/minute", TRUSTED_PROXY_HOPS=1)

    def attempt(forwarded: str) -> int:
        return web.post(
            "/logga-in",
            data={"email": "a@example.org", "password": "x", "csrf_token": csrf_token(web)},
            headers={"X-Forwarded-For": forwarded},
        ).status_code

    assert attempt("198.51.100.1, 203.0.113.5") == 400
    assert attempt("198.51.100.2, 203.0.113.5") == 429  # a spoofed first hop changes nothing
    assert attempt("198.51.100.1, 203.0.113.6") == 400


def test_guessing_secret_links_is_limited_with_problem_json_or_a_page(web, app, monkeypatch):
    app.config["RATE_LIMIT_SECRET_LINKS"] = "3/minute"

    def nothing(*args):
        raise NotFound("no such link", "SUBSCRIPTION_NOT_FOUND")

    monkeypatch.setattr(notification_routes, "call", nothing)
    for number in range(3):
        assert web.get(f"/unsubscribe/guess{number}").status_code == 404

    page = web.get("/unsubscribe/guess4")
    feed = web.get("/feeds/personal/guess5.ics")

    assert page.status_code == 429
    assert page.mimetype == "text/html"
    assert int(page.headers["Retry-After"]) >= 1
    assert feed.status_code == 429
    assert feed.mimetype == "application/problem+json"
    assert feed.get_json()["code"] == "TOO_MANY_REQUESTS"
    assert int(feed.headers["Retry-After"]) >= 1


def test_unknown_bearer_tokens_from_one_address_turn_from_401_to_429(web, app):
    app.config["RATE_LIMIT_BAD_TOKENS"] = "2/minute"
    bad = {"Authorization": "Bearer svk_" + "A" * 43}

    statuses = [web.post("/api/v1/forums", json={}, headers=bad).status_code for _ in range(3)]

    assert statuses == [401, 429, 429]


def test_new_personal_feed_links_are_limited_per_caller(web, app, token, monkeypatch):
    from samverkan_gateway.resources.events import routes as event_routes

    app.config["RATE_LIMIT_FEED_LINKS"] = "2/minute"
    monkeypatch.setattr(event_routes, "call", lambda *args: {"token": "t" * 43})
    monkeypatch.setattr(event_routes, "feed_watcher", lambda: type("W", (), {"changed": lambda self: None})())
    planner, other = token("planner"), token("planner")
    body = {"attendee_email": "anna@example.org"}

    statuses = [web.post("/api/v1/personal-feeds", json=body, headers=planner).status_code for _ in range(3)]

    assert statuses == [201, 201, 429]
    assert web.post("/api/v1/personal-feeds", json=body, headers=other).status_code == 201


def test_limits_are_read_as_count_per_period():
    assert ratelimit.Limit.parse("5/minute") == ratelimit.Limit(5, 60)
    assert ratelimit.Limit.parse("20 / 10 minutes") == ratelimit.Limit(20, 600)
    assert ratelimit.Limit.parse("100/hour") == ratelimit.Limit(100, 3600)
    with pytest.raises(ValueError, match="rate limit"):
        ratelimit.Limit.parse("five a minute")


def test_a_window_lets_the_limit_through_and_tells_how_long_to_wait_after(engine):
    limit = ratelimit.Limit(2, 60)
    start = 1_800_000_000.0 - 1_800_000_000 % 60
    for _ in range(2):
        assert ratelimit.retry_after(engine, "b", "k", limit, start + 10) is None
        ratelimit.hit(engine, "b", "k", limit, start + 10)

    assert ratelimit.retry_after(engine, "b", "k", limit, start + 10) == 50
    assert ratelimit.retry_after(engine, "b", "other", limit, start + 10) is None
    assert ratelimit.retry_after(engine, "b", "k", limit, start + 60) is None


# Save the suggestion as a plan


@pytest.fixture
def advisor(monkeypatch):
    from samverkan_gateway.pages import plans

    made: list[tuple[str, tuple]] = []

    def fake(service: str, method: str, *args):
        made.append((method, args))
        if method == "get_assessment":
            if args[0] != "a1":
                raise NotFound("no", "ASSESSMENT_NOT_FOUND")
            return {"id": "a1"}
        if method == "create_plan":
            return {"id": "p1", **args[0]}
        if method == "list_committees":
            return [{"id": "bmr", "short_name": "BMR", "name": "Beredningen för mänskliga rättigheter"}]
        raise AssertionError(method)

    monkeypatch.setattr(plans, "call", fake)
    return made


def test_a_logged_in_planner_saves_the_suggestion_as_a_plan_in_their_name(web, planner_user, advisor):
    log_in(web)
    token = csrf_token(web, "/planera/forslag/a1/spara")

    response = web.post(
        "/planera/forslag/a1/spara", data={"committee": " bmr ", "issue": "Handlingsplan", "csrf_token": token}
    )

    # The plan's own page says it is saved (tests/test_pages_plans.py).
    assert response.status_code == 303
    assert response.headers["Location"] == "/planer/p1?sparad=1"
    [payload] = [args[0] for method, args in advisor if method == "create_plan"]
    assert payload == {
        "committee": "bmr",
        "issue": "Handlingsplan",
        "assessment_id": "a1",
        "created_by": "Pia Planerare",
        "author_id": payload["author_id"],
    }
    assert payload["author_id"].startswith("user:")


def test_saving_a_plan_without_an_issue_links_to_the_field(web, planner_user, advisor):
    log_in(web)
    token = csrf_token(web, "/planera/forslag/a1/spara")

    response = web.post("/planera/forslag/a1/spara", data={"committee": "bmr", "issue": "", "csrf_token": token})

    assert response.status_code == 400
    assert '<a href="#issue">Skriv vilken fråga dialogen handlar om.</a>' in response.get_data(as_text=True)
    assert not any(method == "create_plan" for method, _ in advisor)


def test_saving_a_plan_needs_a_planner_logged_in_and_the_forms_token(web, engine, planner_user, advisor):
    anonymous = web.get("/planera/forslag/a1/spara")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/logga-in?next=")

    log_in(web)
    forged = web.post("/planera/forslag/a1/spara", data={"committee": "BMR", "issue": "X"})
    assert forged.status_code == 400
    assert not any(method == "create_plan" for method, _ in advisor)

    create_user(engine, "rep@example.org", PASSWORD, Role.ORGANISATION, organisation_id="org-1")
    log_in(web, email="rep@example.org")
    assert web.get("/planera/forslag/a1/spara").status_code == 403


# The key that signs the cookie


def test_without_secret_key_every_worker_shares_one_key_file_made_private(tmp_path):
    from samverkan_gateway import create_app

    settings = {"GATEWAY_DATABASE_URL": "sqlite://", "SECRET_KEY": "", "SECRET_KEY_FILE": str(tmp_path / "k" / "key")}
    first, second = create_app(settings), create_app(settings)

    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 48
    assert (tmp_path / "k" / "key").stat().st_mode & 0o777 == 0o600


def test_without_secret_key_and_nowhere_to_keep_one_the_gateway_does_not_start():
    from samverkan_gateway import create_app

    settings = {"GATEWAY_DATABASE_URL": "sqlite://", "SECRET_KEY": "", "SECRET_KEY_FILE": "/proc/samverkan/key"}

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(settings)


def test_the_openapi_document_names_the_429_where_a_limit_can_answer(app):
    paths = app.extensions["samverkan_api"].spec.to_dict()["paths"]

    assert paths["/feeds/personal/{token}.ics"]["get"]["responses"]["429"] == {
        "$ref": "#/components/responses/TOO_MANY_REQUESTS"
    }
    assert "text/html" in paths["/unsubscribe/{token}"]["post"]["responses"]["429"]["content"]
    assert "429" in paths["/api/v1/forums"]["post"]["responses"]
    assert "429" not in paths["/api/v1/forums"]["get"]["responses"]
