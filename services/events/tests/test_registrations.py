"""Registrations: places while they last, then the waiting list; needs seen by the organiser only."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from samverkan_common.db import make_engine, session_factory
from samverkan_common.errors import Conflict, Forbidden, NotFound
from samverkan_events.adapters.repository import EventsUnitOfWork
from samverkan_events.domain.model import Level
from samverkan_events.service_layer import handlers

from .conftest import outbox

PLANNER = {"role": "planner", "organisation_id": None, "name": "Anna, BMR"}
FRILUFT = {"role": "organisation", "organisation_id": "org-friluft", "name": "Friluft"}
PENSION = {"role": "organisation", "organisation_id": "org-pension", "name": "Pensionärer"}
SOON = datetime.now(UTC) + timedelta(days=30)


def person(n: int, **extra):
    return {"attendee_name": f"Person {n}", "attendee_email": f"person{n}@example.org", **extra}


@pytest.fixture
def meeting(events):
    events.create_forum({"slug": "ser", "name": "SER", "owner_committee": "KUN"})
    return events.schedule_meeting(
        {
            "forum_slug": "ser",
            "title": "SER: workshop",
            "level": "dialogue",
            "starts_at": SOON.isoformat(),
            "ends_at": (SOON + timedelta(hours=2)).isoformat(),
            "capacity": 2,
            "registration_deadline": (SOON - timedelta(days=1)).isoformat(),
        }
    )


def test_places_go_first_come_then_the_waiting_list(events, meeting):
    statuses = [events.register(meeting["id"], person(n), FRILUFT)["status"] for n in range(4)]

    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    types = [e["type"] for e in outbox(events.uow) if e["type"].startswith("registration")]
    assert types == ["registration_confirmed"] * 2 + ["registration_waitlisted"] * 2


def test_cancellation_promotes_the_first_on_the_waiting_list_only(events, meeting):
    first, _, waiting, last = [events.register(meeting["id"], person(n), FRILUFT) for n in range(4)]

    cancelled = events.cancel_registration(first["id"], FRILUFT)

    assert cancelled["promoted_registration_id"] == waiting["id"]
    statuses = {r["id"]: r["status"] for r in events.list_registrations(meeting["id"], PLANNER)}
    assert (statuses[first["id"]], statuses[waiting["id"]], statuses[last["id"]]) == (
        "cancelled",
        "confirmed",
        "waitlisted",
    )
    [promoted] = [e["data"] for e in outbox(events.uow, "registration_confirmed") if e["data"]["promoted"]]
    assert promoted["registration_id"] == waiting["id"]
    assert set(promoted) >= {
        "registration_id", "meeting_id", "forum_slug", "title", "starts_at", "ends_at", "organisation_id",
        "attendee_name", "attendee_email", "language", "status", "promoted",
    }  # fmt: skip
    assert len(outbox(events.uow, "registration_cancelled")) == 1


def test_more_places_promote_the_waiting_list(events, meeting):
    for n in range(4):
        events.register(meeting["id"], person(n), FRILUFT)

    events.update_meeting(meeting["id"], {"version": meeting["version"], "capacity": 3})

    statuses = [r["status"] for r in events.list_registrations(meeting["id"], PLANNER)]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted"]


def test_registration_closes_at_the_deadline(events, meeting):
    after_deadline = SOON - timedelta(hours=12)

    with pytest.raises(Conflict) as closed:
        handlers.register(
            events.uow, meeting["id"], attendee_name="Sen", attendee_email="sen@example.org", now=after_deadline
        )

    assert closed.value.code == "REGISTRATION_CLOSED"


def test_cancelled_meeting_takes_no_registrations(events, meeting):
    events.cancel_meeting(meeting["id"])

    with pytest.raises(Conflict) as closed:
        events.register(meeting["id"], person(1), FRILUFT)

    assert closed.value.code == "MEETING_CANCELLED"


def test_needs_are_seen_by_the_organiser_only(events, meeting):
    events.register(meeting["id"], person(1, accessibility_needs="Rullstol", dietary_needs="Vegansk"), FRILUFT)
    events.register(meeting["id"], person(2), PENSION)

    organiser_view = events.list_registrations(meeting["id"], PLANNER)
    organisation_view = events.list_registrations(meeting["id"], FRILUFT)

    assert organiser_view[0]["accessibility_needs"] == "Rullstol"
    assert organiser_view[0]["dietary_needs"] == "Vegansk"
    assert len(organiser_view) == 2
    [own] = organisation_view
    assert own["attendee_name"] == "Person 1"
    assert "accessibility_needs" not in own
    assert "dietary_needs" not in own


def test_organisation_registers_for_itself_and_cancels_its_own_only(events, meeting):
    with pytest.raises(Forbidden):
        events.register(meeting["id"], person(1, organisation_id="org-pension"), FRILUFT)
    mine = events.register(meeting["id"], person(1), FRILUFT)
    assert mine["organisation_id"] == "org-friluft"

    with pytest.raises(NotFound):
        events.cancel_registration(mine["id"], PENSION)

    on_behalf = events.register(meeting["id"], person(2, organisation_id="org-pension"), PLANNER)
    assert on_behalf["organisation_id"] == "org-pension"


def race(url: str, meeting_id: str, count: int) -> list[str]:
    """``count`` registrations at once, each in its own OS thread, connection and transaction."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("sqlite_race.py")), url, meeting_id, str(count)],
        capture_output=True,
        check=True,
        text=True,
        timeout=120,
    )
    return list(json.loads(done.stdout))


def test_50_concurrent_registrations_for_10_places_on_sqlite_give_10_places_and_40_waiting(tmp_path):
    url = f"sqlite:///{tmp_path}/events.db"
    engine = make_engine(url)
    EventsUnitOfWork.metadata.create_all(engine)
    uow = EventsUnitOfWork(session_factory(engine)())
    handlers.create_forum(uow, slug="ser", name="SER", owner_committee="KUN")
    meeting, _ = handlers.schedule_meeting(
        uow, forum_slug="ser", title="Populärt", starts_at=SOON, ends_at=SOON + timedelta(hours=1),
        level=Level.DIALOGUE, capacity=10,
    )  # fmt: skip

    results = race(url, meeting.id, 50)

    assert (results.count("confirmed"), results.count("waitlisted"), len(results)) == (10, 40, 50), results
    registrations = uow.registrations.of_meeting(meeting.id)
    first = next(r for r in registrations if r.status.value == "confirmed")
    _, promoted = handlers.cancel_registration(uow, first.id)
    statuses = [r.status.value for r in uow.registrations.of_meeting(meeting.id)]
    assert (statuses.count("confirmed"), statuses.count("waitlisted"), statuses.count("cancelled")) == (10, 39, 1)
    assert promoted is not None
    uow.session.close()
    engine.dispose()
