"""Idempotency-Key on the API's POSTs: a retry gets the first answer, and the service is asked once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from samverkan_common.errors import Conflict
from samverkan_gateway import idempotency
from samverkan_gateway.cli import main
from samverkan_gateway.resources.events.feedcache import FeedWatcher
from samverkan_gateway.rpc import RpcTimeout

MEETING = {
    "forum_slug": "ser",
    "title": "Sociala ekonomins råd",
    "level": "consultation",
    "starts_at": "2027-05-04T18:00:00",
    "ends_at": "2027-05-04T20:00:00",
}
KEY = {"Idempotency-Key": "3f0c2a4e-9d1b-4c55-8a77-0d5e1b2c3d4e"}


class FakeEvents:
    """Stands in for the events service: each scheduled meeting gets a new id; ``fail`` answers next."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.fail: list[Exception] = []
        self.during_call = None

    def call(self, service, method, *args, **kwargs):
        self.calls.append((service, method, *args))
        if self.during_call is not None:
            self.during_call()
        if self.fail:
            raise self.fail.pop(0)
        return {"id": f"m-{len(self.calls)}", **args[-1], "notices": []}


class Quiet(FeedWatcher):
    def start(self):
        pass


class Clock:
    def __init__(self):
        self.now = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)

    def __call__(self):
        return self.now


@pytest.fixture
def events(app):
    fake = FakeEvents()
    app.extensions["rpc"] = fake
    app.extensions["samverkan_feed_watcher"] = Quiet("amqp://unused")
    return fake


@pytest.fixture
def clock(app):
    moved = Clock()
    app.extensions["samverkan_idempotency"].clock = moved
    return moved


@pytest.fixture
def planner(token):
    return token("planner")


def schedule(client, headers, **changes):
    return client.post("/api/v1/meetings", json={**MEETING, **changes}, headers=headers)


def test_the_same_key_and_request_gets_the_first_answer_and_the_service_is_asked_once(client, events, planner, clock):
    first = schedule(client, {**planner, **KEY})
    again = schedule(client, {**planner, **KEY})

    assert first.status_code == again.status_code == 201, first.get_data(as_text=True)
    assert again.get_json() == first.get_json()
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(events.calls) == 1


def test_json_sent_with_its_keys_in_another_order_is_the_same_request(client, events, planner, clock):
    headers = {**planner, **KEY, "Content-Type": "application/json"}
    first = client.post("/api/v1/meetings", data=json.dumps(MEETING), headers=headers)
    again = client.post("/api/v1/meetings", data=json.dumps(dict(reversed(MEETING.items())), indent=2), headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(events.calls) == 1


def test_without_a_key_every_post_reaches_the_service(client, events, planner, clock):
    schedule(client, planner)
    schedule(client, planner)

    assert len(events.calls) == 2


def test_the_same_key_with_another_body_is_a_422_naming_the_header(client, events, planner, clock):
    schedule(client, {**planner, **KEY})
    other = schedule(client, {**planner, **KEY}, title="Ett annat möte")

    assert other.status_code == 422
    assert other.headers["Content-Type"] == "application/problem+json"
    assert other.get_json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert "Idempotency-Key" in other.get_json()["errors"]
    assert len(events.calls) == 1


def test_the_same_key_on_another_path_is_a_422(client, events, planner, clock):
    schedule(client, {**planner, **KEY})
    other = client.post(
        "/api/v1/forums", json={"slug": "ser", "name": "SER", "owner_committee": "KUN"}, headers={**planner, **KEY}
    )

    assert other.status_code == 422
    assert other.get_json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(events.calls) == 1


@pytest.mark.parametrize(
    "key",
    ["", "x" * 256, "nyckel\x7f", "nyckel\x01"],
    ids=["empty", "256 characters", "DEL", "control character"],
)
def test_a_key_that_is_not_1_to_255_printable_ascii_characters_is_a_400_naming_the_header(
    client, events, planner, clock, key
):
    refused = schedule(client, {**planner, "Idempotency-Key": key})

    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.get_json()["code"] == "IDEMPOTENCY_KEY_INVALID"
    assert list(refused.get_json()["errors"]) == ["Idempotency-Key"]
    assert events.calls == []


def test_a_non_ascii_key_is_a_400(client, events, planner, clock):
    refused = client.post(
        "/api/v1/meetings", json=MEETING, headers={**planner, "Idempotency-Key": "nyckel-å".encode().decode("latin-1")}
    )

    assert refused.status_code == 400
    assert refused.get_json()["code"] == "IDEMPOTENCY_KEY_INVALID"


def test_a_key_of_255_characters_and_a_quoted_key_are_taken(client, events, planner, clock):
    longest = schedule(client, {**planner, "Idempotency-Key": "k" * 255})
    quoted = schedule(client, {**planner, "Idempotency-Key": '"k-1"'}, title="Två")
    bare = schedule(client, {**planner, "Idempotency-Key": "k-1"}, title="Två")

    assert (longest.status_code, quoted.status_code, bare.status_code) == (201, 201, 201)
    assert bare.headers["Idempotent-Replayed"] == "true"  # "k-1" quoted as the draft writes it is the same key
    assert len(events.calls) == 2


def test_a_5xx_is_not_kept_so_a_retry_with_the_key_runs_again(client, events, planner, clock):
    events.fail.append(RpcTimeout("events.schedule_meeting did not answer"))
    timed_out = schedule(client, {**planner, **KEY})
    retried = schedule(client, {**planner, **KEY})

    assert timed_out.status_code == 504
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
    assert len(events.calls) == 2


def test_a_4xx_is_kept_and_given_again(client, events, planner, clock):
    events.fail.append(Conflict("FORUM_CLOSED", "The forum is closed."))
    refused = schedule(client, {**planner, **KEY})
    again = schedule(client, {**planner, **KEY})

    assert refused.status_code == again.status_code == 409
    assert again.get_json() == refused.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(events.calls) == 1


def test_a_key_is_the_callers_own(client, events, token, clock):
    anna, bo = token("planner"), token("planner")
    annas = schedule(client, {**anna, **KEY})
    bos = schedule(client, {**bo, **KEY})

    assert (annas.status_code, bos.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in bos.headers
    assert annas.get_json()["id"] != bos.get_json()["id"]
    assert len(events.calls) == 2


def test_a_key_is_forgotten_after_24_hours(client, events, planner, clock):
    schedule(client, {**planner, **KEY})
    clock.now += timedelta(hours=23, minutes=59)
    within = schedule(client, {**planner, **KEY})
    clock.now += timedelta(minutes=2)
    after = schedule(client, {**planner, **KEY})

    assert within.headers["Idempotent-Replayed"] == "true"
    assert after.status_code == 201
    assert "Idempotent-Replayed" not in after.headers
    assert len(events.calls) == 2


def test_a_request_still_running_with_the_key_is_a_409(client, events, planner, clock):
    answers = []
    events.during_call = lambda: answers.append(schedule(client, {**planner, **KEY})) if not answers else None
    first = schedule(client, {**planner, **KEY})

    [meanwhile] = answers
    assert first.status_code == 201
    assert meanwhile.status_code == 409
    assert meanwhile.get_json()["code"] == "IDEMPOTENCY_KEY_IN_USE"
    assert len(events.calls) == 1


def test_a_key_left_running_by_a_process_that_died_is_taken_over_after_the_lock(app):
    engine = app.extensions["samverkan_db"]
    start = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
    first = idempotency.claim(engine, "k" * 64, "p" * 64, start)

    soon = idempotency.claim(engine, "k" * 64, "p" * 64, start + timedelta(seconds=idempotency.LOCK_SECONDS - 1))
    later = idempotency.claim(engine, "k" * 64, "p" * 64, start + timedelta(seconds=idempotency.LOCK_SECONDS))

    assert (first.kind, soon.kind, later.kind) == ("claimed", "in_use", "claimed")
    assert later.row_id == first.row_id


def test_pages_are_not_affected(client, events, clock):
    # A page's form has its CSRF token and redirects after POST; the header changes nothing there.
    answer = client.post("/logga-in", data={"email": "a@example.org", "password": "x"}, headers=KEY)

    assert answer.status_code == 400  # the CSRF check, as without the header
    with app_engine(client).connect() as connection:
        assert connection.execute(idempotency.idempotency_keys.select()).all() == []


def app_engine(client):
    return client.application.extensions["samverkan_db"]


def test_the_prune_command_deletes_keys_older_than_24_hours(app, client, events, planner, monkeypatch):
    engine = app.extensions["samverkan_db"]
    now = datetime.now(UTC)
    idempotency.claim(engine, "a" * 64, "p" * 64, now - timedelta(hours=25))
    idempotency.claim(engine, "b" * 64, "p" * 64, now - timedelta(hours=1))
    monkeypatch.setenv("GATEWAY_DATABASE_URL", app.config["GATEWAY_DATABASE_URL"])
    monkeypatch.setenv("AMQP_URI", app.config["AMQP_URI"])
    runner = CliRunner()

    assert "1 idempotency keys are older" in runner.invoke(main, ["idempotency", "prune", "--dry-run"]).output
    assert "Deleted 1 idempotency keys" in runner.invoke(main, ["idempotency", "prune"]).output
    with engine.connect() as connection:
        assert [row.key_sha256 for row in connection.execute(idempotency.idempotency_keys.select())] == ["b" * 64]


def test_every_post_of_the_api_documents_the_header(app):
    spec = app.extensions["samverkan_api"].spec.to_dict()
    posts = {path: ops["post"] for path, ops in spec["paths"].items() if path.startswith("/api/v1/") and "post" in ops}

    assert posts
    for path, operation in posts.items():
        assert {"$ref": "#/components/parameters/IdempotencyKey"} in operation["parameters"], path
        assert {"400", "409", "422"} <= {str(status) for status in operation["responses"]}, path
    assert spec["components"]["parameters"]["IdempotencyKey"]["in"] == "header"
    assert spec["components"]["parameters"]["IdempotencyKey"]["name"] == "Idempotency-Key"
