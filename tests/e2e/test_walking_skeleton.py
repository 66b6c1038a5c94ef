"""The whole path over HTTP: gateway -> RPC -> services -> PostgreSQL -> events -> notifier."""

from __future__ import annotations

import uuid

import pytest

from tests.support.http import feed_titles
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


def new_forum(planner):
    slug = f"forum-{uuid.uuid4().hex[:8]}"
    response = planner.post("/api/v1/forums", json={"slug": slug, "name": "Testforum", "owner_committee": "BMR"})
    assert response.status_code == 201, response.text
    return slug


def meeting(slug, title="Dialog om kollektivtrafiken", **overrides):
    return {
        "forum_slug": slug,
        "title": title,
        "starts_at": "2027-04-01T13:00:00",
        "ends_at": "2027-04-01T15:00:00",
        "level": "dialogue",
        "step": "drafting",
        **overrides,
    }


def test_status_lists_all_four_services_up(public):
    assert public.get("/readyz").status_code == 200
    response = public.get("/status")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    services = response.json()["services"]
    assert sorted(services) == ["events", "levels_advisor", "notifier", "registry"]
    assert {report["status"] for report in services.values()} == {"up"}


def test_demo_forum_feed_lists_the_demo_meetings(stack, public):
    stack.cli("demo", "--tokens-file", str(stack.log_dir / "demo-tokens.json"))

    assert feed_titles(public, "ros-gruppen") == [
        "RÖS-gruppen: planering av verksamhetsåret",
        "RÖS-gruppen: uppföljning av handlingsplanen",
    ]


def test_loading_the_demo_twice_adds_nothing(stack, public):
    stack.cli("demo", "--tokens-file", str(stack.log_dir / "demo-tokens.json"))
    before = feed_titles(public, "ros-gruppen")

    output = stack.cli("demo", "--tokens-file", str(stack.log_dir / "demo-tokens.json"))

    assert "0 forums, 0 organisations, 0 meetings, 0 subscriptions" in output
    assert feed_titles(public, "ros-gruppen") == before


def test_scheduled_meeting_appears_in_the_feed_and_yields_notifications(public, planner, organisation, operator):
    slug = new_forum(planner)
    for address in ("anna@example.org", "bo@example.org"):
        assert (
            organisation.post("/api/v1/subscriptions", json={"forum_slug": slug, "address": address}).status_code == 201
        )

    created = planner.post("/api/v1/meetings", json=meeting(slug))

    assert created.status_code == 201, created.text
    assert created.json()["starts_at"] == "2027-04-01T13:00:00+02:00"
    assert feed_titles(public, slug) == ["Dialog om kollektivtrafiken"]
    notified = wait_until(
        lambda: operator.get("/api/v1/notifications", params={"per_page": 100}).json()["items"],
        lambda items: len([n for n in items if n["subject"].endswith("Dialog om kollektivtrafiken")]) >= 2,
    )
    assert sorted(n["address"] for n in notified if n["subject"] == "Nytt möte: Dialog om kollektivtrafiken") == [
        "anna@example.org",
        "bo@example.org",
    ]


def test_registered_organisation_can_be_read_back(public, planner):
    created = planner.post(
        "/api/v1/organisations",
        json={
            "name": "Föreningen Exempel i Alingsås",
            "kind": "ideell_forening",
            "municipality_code": "1489",
        },
    )

    assert created.status_code == 201, created.text
    read = public.get(f"/api/v1/organisations/{created.json()['id']}")
    assert read.json()["name"] == "Föreningen Exempel i Alingsås"


def test_organisations_are_listed_a_page_at_a_time_with_the_total(public, planner):
    for number in range(3):
        planner.post(
            "/api/v1/organisations",
            json={"name": f"Listföreningen {number}", "kind": "natverk", "municipality_code": "1480"},
        )

    first = public.get("/api/v1/organisations", params={"per_page": 2}).json()

    assert len(first["items"]) == 2
    assert first["total"] >= 3


def test_planner_gets_a_recommended_level_with_reasons(public, planner):
    questionnaire = public.get("/api/v1/advisor/questionnaire").json()
    assert {"step", "negotiable", "mandate"} <= {q["id"] for q in questionnaire["questions"]}
    answers = {
        "step": "drafting",
        "decision_open": "yes",
        "negotiable": "nothing",
        "mandate": "some",
        "shared_work": "no",
        "time_to_decision": "over_six_months",
    }

    assessment = planner.post("/api/v1/advisor/assessments", json={"answers": answers})

    assert assessment.status_code == 201, assessment.text
    body = assessment.json()
    assert body["level"] == "information"  # nothing is negotiable: only information is honest
    assert "NOTHING_NEGOTIABLE" in {warning["code"] for warning in body["warnings"]}
    assert public.post("/api/v1/advisor/assessments", json={"answers": answers}).status_code == 401


def test_write_without_token_is_401_and_with_the_wrong_role_403(public, organisation):
    anonymous = public.post("/api/v1/forums", json={"slug": "x-forum", "name": "X", "owner_committee": "BMR"})
    wrong_role = organisation.post("/api/v1/forums", json={"slug": "x-forum", "name": "X", "owner_committee": "BMR"})

    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert wrong_role.status_code == 403
    assert wrong_role.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (lambda slug: meeting(slug, level=3), "level"),
        (lambda slug: meeting(slug, starts_at="next tuesday"), "starts_at"),
        (lambda slug: {**meeting(slug), "colour": "red"}, "colour"),
        (lambda slug: meeting(slug, title="x" * 1_000_000), "title"),
        (lambda slug: meeting(slug, ends_at="2027-04-01T12:00:00"), "ends_at"),
    ],
    ids=["wrong type", "not a time", "unknown field", "1 MB title", "ends before it starts"],
)
def test_bad_input_names_the_field_and_writes_nothing(public, planner, body, field):
    slug = new_forum(planner)

    response = planner.post("/api/v1/meetings", json=body(slug))

    assert 400 <= response.status_code < 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert feed_titles(public, slug) == []


def test_invalid_json_is_a_problem_not_a_crash(planner):
    response = planner.post("/api/v1/meetings", data=b'{"title": ', headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "json" in response.json()["errors"]


def test_unknown_forum_is_404_problem(public):
    response = public.get("/feeds/forums/no-such-forum.ics")

    assert response.status_code == 404
    assert response.json()["code"] == "FORUM_NOT_FOUND"
