"""Events as the other services publish them (see the contracts in the project's rules)."""

from __future__ import annotations

import uuid
from typing import Any

from samverkan_common.events import envelope


def meeting(type_: str = "meeting_scheduled", meeting_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    data = {
        "meeting_id": meeting_id or str(uuid.uuid4()),
        "forum_id": "f-1",
        "forum_slug": "ros-gruppen",
        "forum_name": "RÖS-gruppen",
        "title": "Vårmöte",
        "description": "Vi planerar året.",
        "starts_at": "2027-03-02T10:00:00+01:00",
        "ends_at": "2027-03-02T12:00:00+01:00",
        "timezone": "Europe/Stockholm",
        "location": "Regionens hus, Göteborg",
        "online_url": "",
        "level": "dialogue",
        "step": "drafting",
        "status": "planned",
        "sequence": 0,
        "changes": [],
        "occurrence_start": None,
    }
    data.update(overrides)
    return dict(envelope(type_, data))


def registration(type_: str = "registration_confirmed", **overrides: Any) -> dict[str, Any]:
    data = {
        "registration_id": str(uuid.uuid4()),
        "meeting_id": str(uuid.uuid4()),
        "forum_slug": "ros-gruppen",
        "title": "Vårmöte",
        "starts_at": "2027-03-02T10:00:00+01:00",
        "ends_at": "2027-03-02T12:00:00+01:00",
        "organisation_id": "org-1",
        "attendee_name": "Anna Exempel",
        "attendee_email": "anna@example.org",
        "language": "sv",
        "status": "confirmed",
        "promoted": False,
    }
    data.update(overrides)
    return dict(envelope(type_, data))


def membership(organisation_id: str, forum_slug: str, active: bool = True, **overrides: Any) -> dict[str, Any]:
    data = {
        "organisation_id": organisation_id,
        "forum_slug": forum_slug,
        "role": "member",
        "starts_on": "2026-01-01",
        "ends_on": None,
        "active": active,
    }
    data.update(overrides)
    return dict(envelope("membership_changed", data))


def plan(invited: list[str]) -> dict[str, Any]:
    return dict(
        envelope(
            "plan_created",
            {
                "plan_id": str(uuid.uuid4()),
                "committee": "BMR",
                "issue": "Regional plan för kollektivtrafiken",
                "level": "consultation",
                "forum_slugs": ["ros-gruppen"],
                "invited_organisation_ids": invited,
            },
        )
    )
