"""The audit trail over HTTP: every write leaves who, what and when; erasing a person leaves it, without them."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from samverkan_gateway.auth import principal_of
from tests.security.conftest import ANSWERS
from tests.support.http import Client

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def gateway_db(stack):
    engine = create_engine(stack.databases.urls["gateway"])
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def token_id(gateway_db):
    """The id the trail records a token's writes under (its row in api_tokens)."""

    def of(client: Client) -> str:
        token = client.session.headers["Authorization"].removeprefix("Bearer ")
        return str(principal_of(gateway_db, token).id)

    return of


@pytest.fixture(scope="module")
def representative(stack, planner):
    """An organisation of its own, and a token that speaks for it."""
    organisation = created(
        planner.post(
            "/api/v1/organisations",
            json={
                "name": f"Granskad förening {uuid.uuid4().hex[:6]}",
                "kind": "ideell_forening",
                "municipality_code": "1480",
            },
        )
    )
    token = stack.cli(
        "tokens", "create", "--role", "organisation", "--name", "e2e audit rep", "--organisation-id", organisation["id"]
    ).strip()
    return organisation, Client(stack.url, token)


def created(response) -> dict:
    assert response.status_code == 201, response.text
    return dict(response.json())


def trail(operator: Client, **query) -> list[dict]:
    response = operator.get("/api/v1/audit", params={"per_page": 100, **query})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def only(entries: list[dict], route: str) -> dict:
    [entry] = [entry for entry in entries if entry["route"] == route]
    return entry


def test_create_and_update_are_recorded_with_their_actor_route_and_ids(operator, planner, representative, token_id):
    organisation, client = representative
    changed = client.session.patch(
        client.base + f"/api/v1/organisations/{organisation['id']}",
        json={"description": "Vi sjunger.", "version": organisation["version"]},
        timeout=30,
    )
    assert changed.status_code == 200, changed.text

    entries = trail(operator, resource_id=organisation["id"])

    creation = only(entries, "/api/v1/organisations")
    assert creation["actor"] == {"kind": "token", "id": token_id(planner), "role": "planner", "organisation_id": None}
    assert (creation["method"], creation["status"], creation["created_id"]) == ("POST", 201, organisation["id"])
    assert creation["fields"] == ["kind", "municipality_code", "name"]
    update = only(entries, "/api/v1/organisations/<organisation_id>")
    # An organisation's token carries the organisation it speaks for.
    assert update["actor"] == {
        "kind": "token",
        "id": token_id(client),
        "role": "organisation",
        "organisation_id": organisation["id"],
    }
    assert (update["method"], update["status"]) == ("PATCH", 200)
    assert update["resource_ids"] == {"organisation_id": organisation["id"]}
    assert update["fields"] == ["description", "version"]
    assert update["request_id"] == changed.headers["X-Request-Id"]
    assert trail(operator, actor_id=token_id(client), route="/api/v1/organisations/<organisation_id>") == [update]


def test_a_delete_is_recorded_and_the_attendee_is_not(operator, planner, representative, gateway_db):
    _, client = representative
    slug = f"granskning-{uuid.uuid4().hex[:8]}"
    created(planner.post("/api/v1/forums", json={"slug": slug, "name": "Granskningsforum", "owner_committee": "BMR"}))
    soon = datetime.now(UTC) + timedelta(days=30)
    meeting = created(
        planner.post(
            "/api/v1/meetings",
            json={
                "forum_slug": slug,
                "title": "Dialog om granskning",
                "starts_at": soon.isoformat(),
                "ends_at": (soon + timedelta(hours=2)).isoformat(),
                "level": "dialogue",
                "capacity": 20,
            },
        )
    )
    attendee = f"Deltagare {uuid.uuid4().hex[:8]}"
    email = f"deltagare.{uuid.uuid4().hex[:8]}@example.org"
    registration = created(
        client.post(
            f"/api/v1/meetings/{meeting['id']}/registrations", json={"attendee_name": attendee, "attendee_email": email}
        )
    )

    cancelled = client.session.delete(client.base + f"/api/v1/registrations/{registration['id']}", timeout=30)

    assert cancelled.status_code < 300, cancelled.text
    [entry] = trail(operator, route="/api/v1/registrations/<registration_id>", resource_id=registration["id"])
    assert (entry["method"], entry["status"]) == ("DELETE", cancelled.status_code)
    assert entry["actor"]["role"] == "organisation"
    registered = only(trail(operator, resource_id=registration["id"]), "/api/v1/meetings/<meeting_id>/registrations")
    assert registered["resource_ids"] == {"meeting_id": meeting["id"]}
    assert registered["fields"] == ["attendee_email", "attendee_name"]
    assert_nowhere_in_the_trail(gateway_db, attendee, email)


def test_a_denied_write_is_recorded_with_403(operator, representative, token_id):
    organisation, client = representative

    denied = client.post("/api/v1/forums", json={"slug": "ej-tillatet", "name": "Ej tillåtet"})

    assert denied.status_code == 403
    entries = trail(operator, actor_id=token_id(client), status=403)
    assert [(e["method"], e["route"], e["actor"]["organisation_id"]) for e in entries] == [
        ("POST", "/api/v1/forums", organisation["id"])
    ]
    assert entries[0]["fields"] == ["name", "slug"]


def test_erasing_a_person_leaves_the_entries_about_them_without_their_personal_data(
    operator, representative, token_id, gateway_db
):
    organisation, client = representative
    name = f"Kim Granskad {uuid.uuid4().hex[:8]}"
    email = f"kim.{uuid.uuid4().hex[:8]}@example.org"
    person = created(
        client.post(
            f"/api/v1/organisations/{organisation['id']}/contacts",
            json={"name": name, "email": email, "phone": "031-123 45 67", "legal_basis": "legitimate_interest"},
        )
    )

    erased = operator.post("/api/v1/persons/erase", json={"email": email})

    assert erased.json() == {"erased": 1}
    [added] = trail(operator, resource_id=person["id"])
    assert added["route"] == "/api/v1/organisations/<organisation_id>/contacts"
    assert added["actor"]["organisation_id"] == organisation["id"]
    assert added["fields"] == ["email", "legal_basis", "name", "phone"]
    erasure = only(trail(operator, route="/api/v1/persons/erase", actor_id=token_id(operator)), "/api/v1/persons/erase")
    assert (erasure["status"], erasure["fields"], erasure["actor"]["role"]) == (200, ["email"], "operator")
    assert_nowhere_in_the_trail(gateway_db, name, email, "031-123 45 67")


def test_a_public_form_is_recorded_as_public_with_what_it_created(public, operator):
    visitor = Client(public.base, None)
    answers = {f"a_{question}": value for question, value in ANSWERS.items()}
    summary = visitor.get("/planera/sammanfattning", params=answers)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', summary.text)
    assert csrf, summary.text

    response = visitor.post("/planera/forslag", data={**answers, "csrf_token": csrf[1]}, allow_redirects=False)

    assert response.status_code == 303, response.text
    assessment_id = urlsplit(response.headers["Location"]).path.rsplit("/", 1)[1]
    [entry] = trail(operator, resource_id=assessment_id)
    assert entry["actor"] == {"kind": "public", "id": None, "role": None, "organisation_id": None}
    assert (entry["route"], entry["status"]) == ("/planera/forslag", 303)


def test_only_an_operator_reads_the_trail(public, planner, representative):
    _, client = representative

    assert public.get("/api/v1/audit").status_code == 401
    assert client.get("/api/v1/audit").status_code == 403
    assert planner.get("/api/v1/audit").status_code == 403


def assert_nowhere_in_the_trail(engine, *values: str) -> None:
    """Read every audit row straight from PostgreSQL, each whole row as text, and look for the values."""
    with engine.connect() as connection:
        rows = [
            *connection.execute(text("SELECT entry::text FROM audit_entries AS entry")).scalars(),
            *connection.execute(text("SELECT resource::text FROM audit_resources AS resource")).scalars(),
        ]
    assert rows
    everything = "\n".join(rows).lower()
    for value in values:
        assert value.lower() not in everything
