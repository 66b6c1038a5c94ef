"""Registrations under real concurrency: the events service on real RabbitMQ and real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook

from samverkan_events.entrypoints.service import EventsService

pytestmark = pytest.mark.integration

SOON = datetime.now(UTC) + timedelta(days=30)
ORGANISATION = {"role": "organisation", "organisation_id": "org-1", "name": "Föreningen"}


def test_50_concurrent_registrations_for_10_places_give_10_places_40_waiting_and_one_promotion(start, rabbit_config):
    events = start(EventsService, "events")
    with entrypoint_hook(events, "create_forum") as create_forum:
        create_forum({"slug": "ser", "name": "SER", "owner_committee": "KUN"})
    with entrypoint_hook(events, "schedule_meeting") as schedule_meeting:
        meeting = schedule_meeting(
            {
                "forum_slug": "ser",
                "title": "Populär workshop",
                "level": "dialogue",
                "starts_at": SOON.isoformat(),
                "ends_at": (SOON + timedelta(hours=2)).isoformat(),
                "capacity": 10,
            }
        )

    with ClusterRpcProxy(rabbit_config) as cluster:
        # All 50 requests are on the broker before the first answer is read; the service runs 10 at a time.
        pending = [
            cluster.events.register.call_async(
                meeting["id"], {"attendee_name": f"Person {n}", "attendee_email": f"p{n}@example.org"}, ORGANISATION
            )
            for n in range(50)
        ]
        statuses = [reply.result()["status"] for reply in pending]
        assert (statuses.count("confirmed"), statuses.count("waitlisted")) == (10, 40)

        planner = {"role": "planner", "organisation_id": None, "name": "Planerare"}
        registrations = cluster.events.list_registrations(meeting["id"], planner)
        first_waiting = next(r for r in registrations if r["status"] == "waitlisted")
        confirmed = next(r for r in registrations if r["status"] == "confirmed")
        cancelled = cluster.events.cancel_registration(confirmed["id"], ORGANISATION)

        assert cancelled["promoted_registration_id"] == first_waiting["id"]
        after = [r["status"] for r in cluster.events.list_registrations(meeting["id"], planner)]
        assert (after.count("confirmed"), after.count("waitlisted"), after.count("cancelled")) == (10, 39, 1)
