"""Hand-written hostile input against the running system: each is refused cleanly or stored as plain text."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from icalendar import Calendar

from tests.security.conftest import World

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"


def is_problem(response, status: int) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == status and response.headers["Content-Type"] == PROBLEM


def test_a_body_over_the_gateway_cap_is_refused_with_413_before_it_is_read(world: World) -> None:
    planner = world.clients["planner"]
    body = json.dumps({"slug": "stor", "name": "x" * (3 * 1024 * 1024), "owner_committee": "BMR"})

    # On a connection of its own: the server does not read the refused body, so it closes the connection.
    response = requests.post(
        planner.base + "/api/v1/forums",
        data=body,
        headers={**planner.session.headers, "Content-Type": "application/json"},
        timeout=30,
    )

    assert is_problem(response, 413), response.text[:300]
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_is_refused_with_400_not_a_crash(world: World, depth: int) -> None:
    planner = world.clients["planner"]
    body = "[" * depth + "]" * depth

    response = planner.post("/api/v1/forums", data=body, headers={"Content-Type": "application/json"})

    assert is_problem(response, 400), response.text[:300]
    assert "nested" in response.json()["detail"]


def test_invalid_utf8_is_refused_with_400(world: World) -> None:
    planner = world.clients["planner"]

    response = planner.post(
        "/api/v1/forums", data=b'{"slug": "x\xff\xfe", "name": "a"}', headers={"Content-Type": "application/json"}
    )

    assert is_problem(response, 400), response.text[:300]


@pytest.mark.parametrize("where", ["body", "query", "path"])
def test_nul_characters_are_refused_with_422_not_passed_to_the_database(world: World, where: str) -> None:
    planner = world.clients["planner"]
    if where == "body":
        response = planner.post("/api/v1/forums", json={"slug": "nul-i-namn", "name": "a\x00b", "owner_committee": "B"})
    elif where == "query":
        response = planner.get("/api/v1/organisations", params={"q": "a\x00b"})
    else:
        response = planner.get("/api/v1/forums/a%00b")

    assert is_problem(response, 422), response.text[:300]


def test_a_title_cannot_inject_ical_properties_or_events_into_the_feed(world: World) -> None:
    planner, public = world.clients["planner"], world.clients["public"]
    slug = f"ical-{uuid.uuid4().hex[:8]}"
    assert (
        planner.post("/api/v1/forums", json={"slug": slug, "name": "iCal", "owner_committee": "BMR"}).status_code == 201
    )
    title = "Möte\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Falskt möte\r\nURL:https://evil.example"
    soon = datetime.now(UTC) + timedelta(days=40)
    created = planner.post(
        "/api/v1/meetings",
        json={
            "forum_slug": slug,
            "title": title,
            "description": "rad 1\nATTACH:https://evil.example/x.exe",
            "location": "Göteborg;X-INJECT=1",
            "starts_at": soon.isoformat(),
            "ends_at": (soon + timedelta(hours=1)).isoformat(),
            "level": "information",
        },
    )

    if created.status_code == 422:  # refusing line breaks in a title is as good as escaping them
        return
    assert created.status_code == 201, created.text
    feed = public.get(f"/feeds/forums/{slug}.ics")
    [event] = Calendar.from_ical(feed.content).walk("VEVENT")
    # The feed's own URL (the meeting's page) is there; nothing the title tried to add is.
    assert "evil.example" not in str(event.get("URL", ""))
    assert "ATTACH" not in event
    assert b"\r\nURL:https://evil" not in feed.content
    assert b"\r\nATTACH:" not in feed.content
    assert b"\r\nX-INJECT" not in feed.content
    assert "Falskt möte" in str(event["SUMMARY"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/forums/..%2F..%2Fetc%2Fpasswd",
        "/api/v1/forums/../../etc/passwd",
        "/feeds/forums/..%2F..%2Fetc%2Fpasswd.ics",
        "/feeds/forums/%2e%2e%2fall.ics",
        "/static/..%2F..%2Fconfig.yaml",
        "/static/../config.yaml",
        "/moten/..%2F..%2Fetc%2Fpasswd",
    ],
)
def test_path_traversal_in_a_slug_finds_nothing(world: World, path: str) -> None:
    response = world.clients["public"].get(path, allow_redirects=False)

    assert response.status_code in (404, 422), (response.status_code, response.text[:200])
    assert "AMQP_URI" not in response.text
    assert "root:" not in response.text


def test_a_slug_with_dots_and_slashes_cannot_be_created(world: World) -> None:
    response = world.clients["planner"].post(
        "/api/v1/forums", json={"slug": "../../etc", "name": "Traversal", "owner_committee": "BMR"}
    )

    assert is_problem(response, 422)
    assert "slug" in response.json()["errors"]


@pytest.mark.parametrize(
    "q", ["'; drop table organisations; --", "%' OR '1'='1", '" OR 1=1 --', "\\'; SELECT pg_sleep(5); --"]
)
def test_sql_metacharacters_in_search_are_only_text(world: World, q: str) -> None:
    public = world.clients["public"]

    found = public.get("/api/v1/organisations", params={"q": q})
    still_there = public.get(f"/api/v1/organisations/{world.org_a}")

    assert found.status_code == 200, found.text
    assert found.json()["items"] == []
    assert still_there.status_code == 200


def test_a_formula_in_an_organisation_name_is_neutralised_in_the_csv_export(world: World) -> None:
    planner, public = world.clients["planner"], world.clients["public"]
    name = f"=cmd|' /C calc'!A0 {uuid.uuid4().hex[:6]}"
    created = planner.post(
        "/api/v1/organisations", json={"name": name, "kind": "ideell_forening", "municipality_code": "1480"}
    )
    assert created.status_code == 201, created.text

    export = public.get("/api/v1/organisations/export.csv")
    cells = [cell for row in csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";") for cell in row]

    assert "'" + name in cells
    assert name not in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@"))]


def test_a_formula_in_a_committee_name_is_neutralised_in_the_follow_up_csv(world: World) -> None:
    planner, public = world.clients["planner"], world.clients["public"]
    committee = '=HYPERLINK("https://evil.example","Klicka")'
    # Committees are reference data: an operator names one so, and a plan belongs to it.
    added = world.clients["operator"].post(
        "/api/v1/advisor/committees", json={"id": "formler", "short_name": committee, "name": "Formelnämnden"}
    )
    assert added.status_code == 201, added.text
    plan = planner.post(
        "/api/v1/advisor/plans",
        json={"assessment_id": world.assessment, "committee": committee, "issue": "Formler", "starts_on": "2029-03-01"},
    )
    assert plan.status_code == 201, plan.text

    report = public.get("/api/v1/reports/follow-up", params={"year": 2029, "format": "csv"})
    rows = list(csv.reader(io.StringIO(report.text)))

    assert ["2029", "dialogues_by_committee", "'" + committee, "1"] in rows
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "@"))]
