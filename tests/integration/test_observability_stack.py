"""Every process of the real stack logs JSON lines, and one HTTP request can be followed through all of them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e

SOON = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)


def json_lines(stack, component):
    """The JSON log lines a component wrote (gunicorn's own start-up lines are plain text)."""
    lines = (stack.log_dir / f"{component}.log").read_text(encoding="utf-8", errors="replace").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def about(stack, component, request_id):
    return [line for line in json_lines(stack, component) if line.get("request_id") == request_id]


def test_one_request_id_is_found_in_the_gateway_events_and_notifier_logs(stack, planner):
    slug = f"forum-{uuid.uuid4().hex[:8]}"
    assert planner.post("/api/v1/forums", json={"slug": slug, "name": "Spårforum", "owner_committee": "BMR"}).ok
    request_id = f"trace-{uuid.uuid4().hex}"

    created = planner.post(
        "/api/v1/meetings",
        headers={"X-Request-Id": request_id},
        json={
            "forum_slug": slug,
            "title": "Dialog om spårbarhet",
            "starts_at": SOON.isoformat(),
            "ends_at": (SOON + timedelta(hours=2)).isoformat(),
            "level": "dialogue",
        },
    )

    assert created.status_code == 201, created.text
    assert created.headers["X-Request-Id"] == request_id
    notifier = wait_until(lambda: about(stack, "notifier", request_id), bool)
    assert {line["method"] for line in notifier} >= {"on_meeting_scheduled"}
    assert {line["service"] for line in notifier} == {"notifier"}
    events = about(stack, "events", request_id)
    assert {line["method"] for line in events} >= {"schedule_meeting"}
    gateway = wait_until(lambda: about(stack, "gateway", request_id), bool)
    assert [(line["route"], line["status"]) for line in gateway] == [("/api/v1/meetings", 201)]


def test_no_log_line_of_any_component_holds_a_bearer_token(stack, planner, tokens):
    planner.get("/api/v1/subscriptions")

    for component in ("gateway", "registry", "events", "levels_advisor", "notifier"):
        text = (stack.log_dir / f"{component}.log").read_text(encoding="utf-8", errors="replace")
        for token in tokens.values():
            assert token not in text
