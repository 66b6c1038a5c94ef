"""A person erased in the registry: their registrations stay counted but anonymous, their secret links stop."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import String, Text, select

from samverkan_common.errors import NotFound
from samverkan_common.events import envelope

from .conftest import outbox

PLANNER = {"role": "planner", "organisation_id": None, "name": "Anna, BMR"}
FRILUFT = {"role": "organisation", "organisation_id": "org-friluft", "name": "Friluft"}
SOON = datetime.now(UTC) + timedelta(days=30)
EVA = {
    "attendee_name": "Eva Exempelsson",
    "attendee_email": "Eva.Exempelsson@example.org",
    "accessibility_needs": "hörslinga",
    "dietary_needs": "glutenfritt",
}


def erased(address: str) -> dict:
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()
    return dict(envelope("person_erased", {"erasure_id": "e-1", "email_sha256": digest, "erased_at": SOON.isoformat()}))


def everything_stored(uow) -> str:
    """Every text value in every table of the events database, the outbox included."""
    values = []
    for table in uow.metadata.sorted_tables:
        columns = [c for c in table.c if isinstance(c.type, String | Text)]
        if columns:
            values += [str(v) for row in uow.session.execute(select(*columns)) for v in row if v]
    uow.session.rollback()
    return " ".join(values).lower()


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
            "capacity": 1,
        }
    )


def test_erased_person_is_anonymous_in_the_registrations_and_the_meeting_keeps_its_count(events, meeting):
    eva = events.register(meeting["id"], EVA, FRILUFT)
    bo = events.register(meeting["id"], {"attendee_name": "Bo Berg", "attendee_email": "bo@example.org"}, FRILUFT)
    token = events.issue_personal_feed({"attendee_email": EVA["attendee_email"]}, FRILUFT)["token"]
    assert "exempelsson" in everything_stored(events.uow)  # the check below can see her
    before = events.list_registrations(meeting["id"], PLANNER)

    events.on_person_erased(erased("  EVA.exempelsson@EXAMPLE.org"))

    stored = everything_stored(events.uow)
    for trace in ("exempelsson", "hörslinga", "glutenfritt"):
        assert trace not in stored
    after = events.list_registrations(meeting["id"], PLANNER)
    assert [(r["id"], r["status"], r["organisation_id"]) for r in after] == [
        (r["id"], r["status"], r["organisation_id"]) for r in before
    ]
    assert [r["attendee_name"] for r in after] == ["", "Bo Berg"]
    assert (after[0]["id"], after[1]["status"]) == (eva["id"], "waitlisted")
    with pytest.raises(NotFound):
        events.feed("personal", token)
    # Bo's events are as they were; Eva's say nothing of her, so nobody mails an erased address.
    data = [e["data"] for e in outbox(events.uow) if e["type"].startswith("registration")]
    assert [(d["attendee_name"], d["attendee_email"]) for d in data] == [("", ""), ("Bo Berg", bo["attendee_email"])]


def test_a_redelivered_erasure_and_an_unknown_address_change_nothing(events, meeting):
    event = erased(EVA["attendee_email"])
    assert events.on_person_erased(event) is None
    events.register(meeting["id"], EVA, FRILUFT)  # she comes back after the erasure

    events.on_person_erased(event)  # the same erasure, delivered again
    events.on_person_erased(erased("nobody@example.org"))

    assert [r["attendee_name"] for r in events.list_registrations(meeting["id"], PLANNER)] == ["Eva Exempelsson"]
