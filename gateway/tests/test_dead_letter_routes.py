"""The dead-letter routes at the gateway, with the queue faked: who may, what they answer, errors."""

from __future__ import annotations

import pytest

from samverkan_common.deadletters import DeadLetter
from samverkan_common.errors import Conflict, NotFound


def letter(number: int, service: str = "notifier", event_type: str = "meeting_scheduled") -> DeadLetter:
    return DeadLetter(
        id=f"d-{number}",
        service=service,
        handler=f"on_{event_type}",
        source_service="events",
        event_type=event_type,
        event_id=f"e-{number}",
        queue=f"evt-events-{event_type}--{service}.on_{event_type}",
        attempts=5,
        error_type="AttributeError",
        error="'str' object has no attribute 'get'",
        dead_lettered_at="2026-11-22T23:00:00+00:00",
        replays=0,
    )


class FakeQueue:
    def __init__(self, letters):
        self.letters = letters
        self.calls = []

    def list(self):
        self.calls.append(("list",))
        return list(self.letters), len(self.letters) + 7

    def _take(self, dead_letter_id):
        for found in self.letters:
            if found.id == dead_letter_id:
                self.letters.remove(found)
                return found
        raise NotFound(f"No dead letter {dead_letter_id}.", "DEAD_LETTER_NOT_FOUND")

    def replay(self, dead_letter_id):
        self.calls.append(("replay", dead_letter_id))
        if dead_letter_id == "gone":
            raise Conflict("The queue of handler x.y no longer exists.", "DEAD_LETTER_QUEUE_GONE")
        return self._take(dead_letter_id)

    def discard(self, dead_letter_id):
        self.calls.append(("discard", dead_letter_id))
        return self._take(dead_letter_id)


@pytest.fixture
def queue(app):
    fake = FakeQueue([letter(1), letter(2, "events", "membership_changed"), letter(3)])
    app.extensions["dead_letters"] = fake
    return fake


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("organisation", 403), ("planner", 403)])
def test_only_operators_see_or_touch_dead_letters(client, token, queue, role, status):
    headers = token(role) if role else {}
    for method, path in [("GET", ""), ("POST", "/d-1/replay"), ("DELETE", "/d-1")]:
        response = client.open(f"/api/v1/dead-letters{path}", method=method, headers=headers)
        assert response.status_code == status
        assert response.mimetype == "application/problem+json"
    assert queue.calls == []


def test_operators_list_dead_letters_filtered_and_paged(client, token, queue):
    body = client.get(
        "/api/v1/dead-letters",
        query_string={"service": "notifier", "per_page": 1, "page": 2},
        headers=token("operator"),
    ).get_json()

    assert body["total"] == 2
    assert body["queued"] == 10
    assert body["read"] == 3
    assert [item["id"] for item in body["items"]] == ["d-3"]
    assert body["items"][0]["error_type"] == "AttributeError"
    assert body["items"][0]["attempts"] == 5


def test_a_bad_filter_is_refused_naming_the_field(client, token, queue):
    response = client.get("/api/v1/dead-letters", query_string={"per_page": 1000}, headers=token("operator"))
    assert response.status_code == 422
    assert "per_page" in response.get_json()["errors"]


def test_replay_and_discard_take_the_dead_letter_out_of_the_list(client, token, queue):
    replayed = client.post("/api/v1/dead-letters/d-1/replay", headers=token("operator"))
    assert replayed.status_code == 200
    assert replayed.get_json()["event_id"] == "e-1"
    assert client.delete("/api/v1/dead-letters/d-2", headers=token("operator")).status_code == 204

    left = client.get("/api/v1/dead-letters", headers=token("operator")).get_json()
    assert [item["id"] for item in left["items"]] == ["d-3"]


def test_unknown_dead_letter_is_404_and_a_vanished_queue_409_as_problems(client, token, queue):
    missing = client.post("/api/v1/dead-letters/nope/replay", headers=token("operator"))
    assert (missing.status_code, missing.get_json()["code"]) == (404, "DEAD_LETTER_NOT_FOUND")
    gone = client.post("/api/v1/dead-letters/gone/replay", headers=token("operator"))
    assert (gone.status_code, gone.get_json()["code"]) == (409, "DEAD_LETTER_QUEUE_GONE")
    assert gone.mimetype == "application/problem+json"


def test_the_broker_away_is_503_not_a_crash(client, token):
    # The app's own queue, aimed at a port where nothing listens (see conftest).
    response = client.get("/api/v1/dead-letters", headers=token("operator"))
    assert response.status_code == 503
    assert response.get_json()["code"] == "BROKER_UNAVAILABLE"
    assert response.headers["Retry-After"] == "5"
