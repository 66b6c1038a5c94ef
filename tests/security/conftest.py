"""A world for security tests: two organisations, a forum, a meeting, a registration and a plan, all real."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.http import Client

ANSWERS = {
    "step": "agenda_setting",
    "decision_open": "yes",
    "negotiable": "whether",
    "mandate": "shared_responsibility",
    "contested": "high",
    "shared_work": "yes",
    "time_to_decision": "over_six_months",
    "meeting_resources": "yes",
    "compensation": "yes",
    "facilitation": "yes",
    "legal_duty": "no",
}


@dataclass
class World:
    clients: dict[str, Client]
    org_a: str
    org_b: str
    forum: str
    meeting: str
    registration: str
    assessment: str
    plan: str
    membership: str


def created(response) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture(scope="module")
def world(stack) -> World:  # type: ignore[no-untyped-def]
    def token(role: str, organisation_id: str | None = None) -> str:
        extra = ["--organisation-id", organisation_id] if organisation_id else []
        return stack.cli("tokens", "create", "--role", role, "--name", f"security {role}", *extra).strip()

    planner = Client(stack.url, token("planner"))
    org_a, org_b = (
        created(
            planner.post(
                "/api/v1/organisations",
                json={
                    "name": f"Förening {name} {uuid.uuid4().hex[:6]}",
                    "kind": "ideell_forening",
                    "municipality_code": "1480",
                },
            )
        )["id"]
        for name in ("A", "B")
    )
    slug = f"sakerhet-{uuid.uuid4().hex[:8]}"
    created(planner.post("/api/v1/forums", json={"slug": slug, "name": "Säkerhetsforum", "owner_committee": "BMR"}))
    soon = datetime.now(UTC) + timedelta(days=30)
    meeting = created(
        planner.post(
            "/api/v1/meetings",
            json={
                "forum_slug": slug,
                "title": "Dialog om säkerhet",
                "starts_at": soon.isoformat(),
                "ends_at": (soon + timedelta(hours=2)).isoformat(),
                "level": "dialogue",
                "capacity": 20,
            },
        )
    )["id"]
    clients = {
        "public": Client(stack.url, None),
        "org_a": Client(stack.url, token("organisation", org_a)),
        "org_b": Client(stack.url, token("organisation", org_b)),
        "planner": planner,
        "operator": Client(stack.url, token("operator")),
    }
    registration = created(
        clients["org_a"].post(
            f"/api/v1/meetings/{meeting}/registrations",
            json={"attendee_name": "Anna Andersson", "attendee_email": "anna@example.org"},
        )
    )["id"]
    assessment = created(planner.post("/api/v1/advisor/assessments", json={"answers": ANSWERS}))["id"]
    plan = created(
        planner.post(
            "/api/v1/advisor/plans",
            json={"assessment_id": assessment, "committee": "KUN", "issue": "Säkerhet", "starts_on": "2028-02-01"},
        )
    )["id"]
    membership = created(
        planner.post(f"/api/v1/organisations/{org_a}/memberships", json={"forum_slug": slug, "starts_on": "2024-01-01"})
    )["id"]
    return World(clients, org_a, org_b, slug, meeting, registration, assessment, plan, membership)
