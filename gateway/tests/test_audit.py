"""The audit trail at the gateway: what a write leaves behind, and what it never does.

The broker is unreachable here; where a write must succeed, a fake RPC pool answers as the
service would (the trail is the gateway's own, so the fake stands in only for the services).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from prometheus_client import REGISTRY
from sqlalchemy import select, text

from samverkan_common.errors import NotFound
from samverkan_gateway import audit
from samverkan_gateway.auth import Principal, Role, create_token, principal_of
from samverkan_gateway.cli import main

ORGANISATION = {"name": "Föreningen Exempel", "kind": "ideell_forening", "municipality_code": "1480"}


class ServicesAnswer:
    """The services, answering each method with a fixed value (or raising it)."""

    def __init__(self, **answers):
        self.answers = answers
        self.calls = []

    def call(self, service, method, *args, **kwargs):
        self.calls.append(method)
        answer = self.answers[method]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self):
        pass


@pytest.fixture
def caller(app):
    """A token of a role (for an organisation, of one), as headers, and the actor id it is recorded under."""

    def make(role: str, organisation_id: str | None = None) -> tuple[dict[str, str], str]:
        engine = app.extensions["samverkan_db"]
        token = create_token(engine, "Anna Andersson, BMR", Role(role), organisation_id)
        return {"Authorization": f"Bearer {token}"}, str(principal_of(engine, token).id)

    return make


def trail(app):
    engine = app.extensions["samverkan_db"]
    return audit.search(engine, audit.Query(), 1, 100)["items"]


def raw_rows(app) -> str:
    """Every column of every audit row, as text, to search for what must not be there."""
    with app.extensions["samverkan_db"].connect() as connection:
        rows = [*connection.execute(select(audit.audit_entries)), *connection.execute(select(audit.audit_resources))]
    return json.dumps([list(row) for row in rows], default=str, ensure_ascii=False)


def test_a_created_organisation_is_recorded_with_its_actor_route_field_names_and_new_id(app, client, caller):
    app.extensions["rpc"] = ServicesAnswer(register_organisation={**ORGANISATION, "id": "org-1"})
    headers, token_id = caller("planner")

    response = client.post(
        "/api/v1/organisations", json={**ORGANISATION, "contact_email": "anna@example.org"}, headers=headers
    )

    assert response.status_code == 201
    [entry] = trail(app)
    assert entry["actor"] == {"kind": "token", "id": token_id, "role": "planner", "organisation_id": None}
    assert (entry["method"], entry["route"], entry["status"]) == ("POST", "/api/v1/organisations", 201)
    assert entry["created_id"] == "org-1"
    assert entry["field_names"] == ["contact_email", "kind", "municipality_code", "name"]
    assert entry["request_id"] == response.headers["X-Request-Id"]
    assert entry["occurred_at"].tzinfo is not None


def test_the_trail_holds_no_value_sent_and_no_token_name(app, client, caller):
    app.extensions["rpc"] = ServicesAnswer(register_organisation={**ORGANISATION, "id": "org-1"})
    headers, _ = caller("planner")

    client.post("/api/v1/organisations", json={**ORGANISATION, "contact_email": "anna@example.org"}, headers=headers)

    stored = raw_rows(app)
    for value in ("anna@example.org", "Föreningen Exempel", "Anna Andersson", "ideell_forening", "1480"):
        assert value not in stored


def test_an_update_names_the_resource_of_its_url_and_an_organisation_token_its_organisation(app, client, caller):
    app.extensions["rpc"] = ServicesAnswer(update_organisation={**ORGANISATION, "id": "org-7", "version": 2})
    headers, token_id = caller("organisation", "org-7")

    response = client.patch("/api/v1/organisations/org-7", json={"name": "Nytt namn", "version": 1}, headers=headers)

    assert response.status_code == 200
    [entry] = trail(app)
    assert entry["actor"] == {"kind": "token", "id": token_id, "role": "organisation", "organisation_id": "org-7"}
    assert entry["route"] == "/api/v1/organisations/<organisation_id>"
    assert entry["resource_ids"] == {"organisation_id": "org-7"}
    assert entry["created_id"] is None
    assert entry["field_names"] == ["name", "version"]


def test_a_write_denied_by_role_is_recorded_with_403_and_no_service_is_called(app, client, caller):
    app.extensions["rpc"] = fake = ServicesAnswer()
    headers, token_id = caller("organisation", "org-7")

    response = client.post("/api/v1/forums", json={"name": "Samråd", "anna@example.org": 1}, headers=headers)

    assert response.status_code == 403
    assert fake.calls == []
    [entry] = trail(app)
    assert (entry["actor"]["id"], entry["route"], entry["status"]) == (token_id, "/api/v1/forums", 403)
    # A name the route's schema does not declare could be anything, an address too: not kept.
    assert entry["field_names"] == ["name"]


def test_a_refusal_by_the_service_is_recorded(app, client, caller):
    app.extensions["rpc"] = ServicesAnswer(requeue_notification=NotFound("NOTIFICATION_NOT_FOUND", "no such"))
    headers, _ = caller("operator")

    assert client.post("/api/v1/notifications/n-1/requeue", headers=headers).status_code == 404

    [entry] = trail(app)
    assert (entry["status"], entry["resource_ids"]) == (404, {"notification_id": "n-1"})


def test_a_write_whose_outcome_is_unknown_is_recorded(app, client, caller):
    # The broker is unreachable: 503. The attempt is in the trail, as a timeout's would be.
    headers, _ = caller("operator")

    assert client.post("/api/v1/notifications/n-1/requeue", headers=headers).status_code == 503

    assert [entry["status"] for entry in trail(app)] == [503]


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, ORGANISATION, 401),
        ({"Authorization": "Bearer svk_not-a-token"}, ORGANISATION, 401),
        (None, {**ORGANISATION, "municipality_code": "x"}, 422),
    ],
    ids=["no token", "unknown token", "invalid body"],
)
def test_bad_credentials_and_input_refused_at_the_door_are_not_recorded(app, client, caller, headers, body, status):
    app.extensions["rpc"] = ServicesAnswer()
    sent = caller("planner")[0] if headers is None else headers

    assert client.post("/api/v1/organisations", json=body, headers=sent).status_code == status

    assert trail(app) == []


def test_reads_are_not_recorded(app, client, caller):
    app.extensions["rpc"] = ServicesAnswer(get_organisation={**ORGANISATION, "id": "org-1"})

    client.get("/api/v1/organisations/org-1", headers=caller("planner")[0])

    assert trail(app) == []


def test_a_public_write_is_recorded_as_public_without_its_secret_link(app, client):
    app.extensions["rpc"] = ServicesAnswer(unsubscribe=NotFound("SUBSCRIPTION_NOT_FOUND", "no such"))
    secret = "Zq9-secret-unsubscribe-token-0123456789"

    assert client.post(f"/unsubscribe/{secret}").status_code == 404

    [entry] = trail(app)
    assert entry["actor"] == {"kind": "public", "id": None, "role": None, "organisation_id": None}
    assert entry["route"] == "/unsubscribe/<token>"
    assert entry["resource_ids"] == {}
    assert secret not in raw_rows(app)


def test_an_id_that_is_no_id_is_not_kept(app, client, caller):
    app.extensions["rpc"] = ServicesAnswer(update_organisation=NotFound("ORGANISATION_NOT_FOUND", "no such"))

    client.patch(
        "/api/v1/organisations/anna@example.org", json={"name": "x", "version": 1}, headers=caller("planner")[0]
    )

    [entry] = trail(app)
    assert entry["resource_ids"] == {"organisation_id": "?"}
    assert "anna@example.org" not in raw_rows(app)


def test_a_person_logged_in_is_recorded_as_a_user_and_a_token_as_a_token():
    person = Principal(kind="user", id=42, name="Anna Andersson", role=Role.PLANNER)
    token = Principal(kind="token", id=7, name="Anna Andersson", role=Role.ORGANISATION, organisation_id="org-7")

    assert audit.actor_of(person) == audit.Actor("user", "42", "planner", None)
    assert audit.actor_of(token) == audit.Actor("token", "7", "organisation", "org-7")
    assert audit.actor_of(None) == audit.PUBLIC


@pytest.mark.parametrize(
    ("method", "status", "recorded"),
    [
        ("POST", 201, True),
        ("DELETE", 204, True),
        ("POST", 303, True),
        ("PATCH", 403, True),
        ("PATCH", 409, True),
        ("POST", 504, True),
        ("POST", 401, False),
        ("POST", 422, False),
        ("PUT", 413, False),
        ("GET", 200, False),
    ],
)
def test_which_answers_are_recorded(method, status, recorded):
    assert audit.should_record(method, status, matched=True) is recorded


def test_a_path_no_route_knows_is_not_recorded():
    assert audit.should_record("POST", 404, matched=False) is False


def test_when_the_trail_cannot_be_written_the_write_keeps_its_answer_and_the_entry_goes_to_the_log(
    app, client, caller, caplog
):
    app.extensions["rpc"] = ServicesAnswer(register_organisation={**ORGANISATION, "id": "org-1"})
    headers, token_id = caller("planner")
    with app.extensions["samverkan_db"].begin() as connection:
        connection.execute(text("DROP TABLE audit_resources"))
        connection.execute(text("DROP TABLE audit_entries"))
    failed_before = REGISTRY.get_sample_value("samverkan_gateway_audit_entries_total", {"outcome": "failed"}) or 0

    with caplog.at_level(logging.ERROR, logger="samverkan_gateway.audit"):
        response = client.post("/api/v1/organisations", json=ORGANISATION, headers=headers)

    assert response.status_code == 201
    assert (
        REGISTRY.get_sample_value("samverkan_gateway_audit_entries_total", {"outcome": "failed"}) == failed_before + 1
    )
    [record] = [r for r in caplog.records if r.name == "samverkan_gateway.audit"]
    assert record.levelno == logging.ERROR
    assert record.audit_entry["actor"]["id"] == token_id
    assert record.audit_entry["created_id"] == "org-1"
    assert record.audit_entry["route"] == "/api/v1/organisations"


def test_only_operators_read_the_trail(client, caller):
    assert client.get("/api/v1/audit").status_code == 401
    for role in ("organisation", "planner"):
        assert client.get("/api/v1/audit", headers=caller(role)[0]).status_code == 403
    assert client.get("/api/v1/audit", headers=caller("operator")[0]).status_code == 200


def _entry(at: datetime, actor_id: str, route: str, ids: dict[str, str], created: str | None = None) -> audit.Entry:
    return audit.Entry(
        occurred_at=at,
        actor=audit.Actor("token", actor_id, "planner", None),
        method="POST",
        route=route,
        status=201,
        resource_ids=ids,
        created_id=created,
        fields=["name"],
    )


@pytest.fixture
def stored(app):
    engine = app.extensions["samverkan_db"]
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for day in range(5):
        audit.store(engine, _entry(start + timedelta(days=day), "1", "/api/v1/meetings", {}, f"m-{day}"))
    audit.store(
        engine,
        _entry(start + timedelta(days=2, hours=1), "2", "/api/v1/meetings/<meeting_id>/cancel", {"meeting_id": "m-1"}),
    )
    return start


def test_the_trail_is_filtered_by_actor_route_resource_and_time(client, caller, stored):
    operator = caller("operator")[0]

    def ask(**query):
        response = client.get("/api/v1/audit", query_string=query, headers=operator)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    assert ask(actor_id="2")["total"] == 1
    assert ask(route="/api/v1/meetings")["total"] == 5
    # The meeting m-1: its creation (created id) and its cancellation (id in the URL).
    assert [e["route"] for e in ask(resource_id="m-1")["items"]] == [
        "/api/v1/meetings/<meeting_id>/cancel",
        "/api/v1/meetings",
    ]
    window = ask(**{"from": "2026-03-02T09:00:00Z", "to": "2026-03-04T09:00:00+00:00"})
    assert [e["created_id"] for e in window["items"]] == [None, "m-2", "m-1"]
    assert window["items"][0]["occurred_at"] == "2026-03-03T10:00:00+00:00"


def test_the_trail_is_paged_newest_first(client, caller, stored):
    page = client.get("/api/v1/audit?per_page=2&page=2", headers=caller("operator")[0]).get_json()

    assert (page["page"], page["per_page"], page["total"]) == (2, 2, 6)
    # m-4, m-3 | the cancel of m-1 (an hour after m-2), m-2 | m-1, m-0
    assert [e["created_id"] for e in page["items"]] == [None, "m-2"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
        ({"from": "0001-01-01T00:00:00+01:00"}, "from"),  # before year 1 in UTC: no database holds it
        ({"actor_kind": "robot"}, "actor_kind"),
        ({"per_page": 0}, "per_page"),
    ],
)
def test_a_bad_query_is_422_naming_the_field(client, caller, query, field):
    response = client.get("/api/v1/audit", query_string=query, headers=caller("operator")[0])

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_prune_deletes_what_is_older_than_the_retention_and_keeps_the_rest(app, stored):
    engine = app.extensions["samverkan_db"]
    now = stored + timedelta(days=3, hours=12)  # entries of days 0, 1 and 2 (and 2's cancel) are older than 1 day

    assert audit.count_older_than(engine, 1, now) == 4
    assert audit.prune(engine, 1, now) == 4

    left = audit.search(engine, audit.Query(), 1, 100)
    assert [e["created_id"] for e in left["items"]] == ["m-4", "m-3"]
    with engine.connect() as connection:
        assert connection.execute(select(audit.audit_resources)).all() == []
    assert audit.prune(engine, 0, now) == 0


def test_the_prune_command_uses_the_configured_retention(app, stored, monkeypatch):
    monkeypatch.setenv("GATEWAY_DATABASE_URL", app.config["GATEWAY_DATABASE_URL"])
    monkeypatch.setenv("AMQP_URI", app.config["AMQP_URI"])
    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "36500")
    runner = CliRunner()

    assert "Deleted 0 audit entries older than 36500 days" in runner.invoke(main, ["audit", "prune"]).output
    dry = runner.invoke(main, ["audit", "prune", "--keep-days", "1", "--dry-run"])
    assert "6 audit entries are older than 1 days" in dry.output
    assert "Deleted 6 audit entries" in runner.invoke(main, ["audit", "prune", "--keep-days", "1"]).output
    assert audit.search(app.extensions["samverkan_db"], audit.Query(), 1, 10)["total"] == 0


def test_a_token_sent_to_a_public_write_names_the_actor(app, client, caller):
    app.extensions["rpc"] = ServicesAnswer(unsubscribe=NotFound("SUBSCRIPTION_NOT_FOUND", "no such"))
    headers, token_id = caller("planner")

    client.post("/unsubscribe/Zq9-secret-unsubscribe-token-0123456789", headers=headers)

    assert [entry["actor"]["id"] for entry in trail(app)] == [token_id]


def test_what_a_redirect_created_is_the_id_its_location_names():
    routes = {"/planera/forslag/a-1": {"assessment_id": "a-1"}, "/unsubscribe/secret": {"token": "secret"}}

    assert audit.created_id(303, None, "/planera/forslag/a-1?lang=en", routes.get) == "a-1"
    assert audit.created_id(303, None, "http://127.0.0.1/unsubscribe/secret", routes.get) is None
    assert audit.created_id(201, {"id": 17}, None) == "17"
    assert audit.created_id(200, {"id": "m-1"}, None) is None  # the id of what was changed, not created
