"""With the notifier stopped, the rest of the site answers: readiness is the gateway's own, /status says who is away."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.support.http import feed_titles
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def forum(planner):
    """A forum with one meeting, made while every service runs."""
    slug = f"forum-{uuid.uuid4().hex[:8]}"
    made = planner.post("/api/v1/forums", json={"slug": slug, "name": "Testforum", "owner_committee": "BMR"})
    assert made.status_code == 201, made.text
    meeting = {
        "forum_slug": slug,
        "title": "Dialog om kollektivtrafiken",
        "starts_at": "2027-04-01T13:00:00",
        "ends_at": "2027-04-01T15:00:00",
        "level": "dialogue",
        "step": "drafting",
    }
    scheduled = planner.post("/api/v1/meetings", json=meeting)
    assert scheduled.status_code == 201, scheduled.text
    return slug


@pytest.fixture(scope="module")
def notifier_stopped(stack, public, forum):
    stack.kill("notifier")
    wait_until(lambda: public.get("/status").json()["away"], lambda away: away == ["notifier"], timeout=30)


def test_the_gateway_stays_ready_and_status_names_the_notifier_away(public, notifier_stopped):
    assert public.get("/readyz").status_code == 200

    status = public.get("/status")

    assert status.status_code == 200
    body = status.json()
    assert body["status"] == "degraded"
    assert body["away"] == ["notifier"]
    assert body["services"]["notifier"]["status"] == "away"
    assert {body["services"][name]["status"] for name in ("registry", "events", "levels_advisor")} == {"up"}


@pytest.mark.parametrize("path", ["/kalender", "/organisationer", "/e-post", "/"])
def test_public_pages_that_do_not_need_the_notifier_answer(public, notifier_stopped, path):
    response = public.get(path)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")


def test_a_forum_feed_still_lists_its_meetings(public, notifier_stopped, forum):
    titles = wait_until(lambda: feed_titles(public, forum), lambda found: found == ["Dialog om kollektivtrafiken"])

    assert titles == ["Dialog om kollektivtrafiken"]


def test_the_e_mail_sign_up_says_on_its_form_that_it_cannot_be_sent_now(public, notifier_stopped, forum):
    page = public.get("/e-post").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    answer = public.post("/e-post", data={"csrf_token": token, "address": "eva@example.org", "forum": [forum]})

    assert answer.status_code == 503
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "Det går inte att beställa e-post just nu" in answer.text
    assert 'value="eva@example.org"' in answer.text
