"""A client that retries a POST with the same Idempotency-Key creates one meeting, through the real gateway."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def forum(planner):
    slug = f"nyckel-{uuid.uuid4().hex[:8]}"
    created = planner.post("/api/v1/forums", json={"slug": slug, "name": "Nyckelforum", "owner_committee": "BMR"})
    assert created.status_code == 201, created.text
    return created.json()


def meetings_in(client, slug: str) -> list[dict]:
    found = client.get("/api/v1/meetings", params={"start": "2027-05-01", "end": "2027-05-31", "forum": slug})
    assert found.status_code == 200, found.text
    return found.json()


def test_the_same_post_twice_with_one_key_creates_one_meeting(planner, public, forum):
    meeting = {
        "forum_slug": forum["slug"],
        "title": "Dialog om idéburet offentligt partnerskap",
        "level": "dialogue",
        "starts_at": "2027-05-11T18:00:00",
        "ends_at": "2027-05-11T20:00:00",
    }
    key = {"Idempotency-Key": str(uuid.uuid4())}

    first = planner.post("/api/v1/meetings", json=meeting, headers=key)
    again = planner.post("/api/v1/meetings", json=meeting, headers=key)

    assert first.status_code == 201, first.text
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert [m["meeting_id"] for m in meetings_in(public, forum["slug"])] == [first.json()["id"]]


def test_the_same_key_with_another_meeting_is_refused_and_creates_nothing(planner, public, forum):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    meeting = {
        "forum_slug": forum["slug"],
        "title": "Samråd om kollektivtrafiken",
        "level": "consultation",
        "starts_at": "2027-05-18T18:00:00",
        "ends_at": "2027-05-18T20:00:00",
    }
    before = len(meetings_in(public, forum["slug"]))

    first = planner.post("/api/v1/meetings", json=meeting, headers=key)
    other = planner.post("/api/v1/meetings", json={**meeting, "title": "Ett annat samråd"}, headers=key)

    assert first.status_code == 201, first.text
    assert other.status_code == 422, other.text
    assert other.headers["Content-Type"] == "application/problem+json"
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(meetings_in(public, forum["slug"])) == before + 1
