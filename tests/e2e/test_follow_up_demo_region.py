"""The follow-up report over the demo region's dialogue plans, through the running gateway, against a hand count.

The demo region (what ``make up`` shows) is generated for today, so its plans stand at the same four
stages whenever the test runs: three plans saved with no meeting, three with a meeting in the coming
weeks, three that met and have an outcome whose feedback is due in the coming weeks, and three that met,
recorded the outcome and gave feedback. Only what the plans need is loaded: the forums, the year of
meetings and the organisations the plans invite, so it takes seconds, not the full minute of ``make up``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from samverkan_gateway import demo, demo_data
from samverkan_gateway.rpc import RpcPool

pytestmark = pytest.mark.e2e

TODAY = date.today()


@pytest.fixture(scope="module")
def region(stack):
    data = demo_data.region(TODAY)
    invited = {name for plan in data.plans for name in plan["invite"]}
    pool = RpcPool(stack.vhost.amqp_uri, timeout=30)
    try:
        # The forums of the demo (RÖS-gruppen, the stormöte, SER, the DRN dialogues) and of the region.
        for forum in [*demo.FORUMS, *data.forums]:
            demo._create(pool, "events", "create_forum", forum)
        demo._schedule(pool, data.meetings, data.cancelled)
        ids = demo._import_organisations(
            pool, demo_data.organisations_csv([o for o in data.organisations if o.name in invited])
        )
        demo._make_plans(pool, data.plans, ids, None)
    finally:
        pool.close()
    return data


def reports(public, data) -> list[dict[str, Any]]:
    """The report of every year a demo plan starts in (the plans may begin in last year)."""
    years = sorted({int(plan["plan"]["starts_on"][:4]) for plan in data.plans})
    found = []
    for year in years:
        response = public.get("/api/v1/reports/follow-up", params={"year": year})
        assert response.status_code == 200, response.text
        found.append(response.json())
    return found


def test_demo_plans_are_counted_as_by_hand(public, region):
    found = reports(public, region)
    rows = [row for report in found for row in report["rows"]]

    def total(name: str) -> int:
        return sum(report["dialogues"][name] for report in found)

    assert len(rows) == total("total") == 12
    # Booked: none for the three saved plans, one each for the other nine.
    assert total("meetings_booked") == 9
    # Held: the meetings in the coming weeks are not; the six plans that met held one each.
    assert total("meetings_held") == 6
    # Outcome recorded by six plans; feedback given by the three whose feedback day has passed.
    assert total("outcome_recorded") == 6
    assert total("feedback_given") == 3
    # Eight organisations invited to each plan: four with a seat in its forum and four others.
    assert total("organisations_invited") == 12 * 8
    # No place was taken at a plan's meeting (the demo's registrations are for the forums' own meetings).
    assert total("organisations_took_part") == 0
    by_stage: dict[tuple[int, int, bool, bool], int] = {}
    for row in rows:
        key = (row["meetings_booked"], row["meetings_held"], row["outcome_recorded"], row["feedback_given"])
        by_stage[key] = by_stage.get(key, 0) + 1
    assert by_stage == {
        (0, 0, False, False): 3,  # planned
        (1, 0, False, False): 3,  # meetings booked, still to come
        (1, 1, True, False): 3,  # outcome recorded, feedback still to give
        (1, 1, True, True): 3,  # feedback given
    }


def test_held_counts_only_the_years_meetings_that_have_ended(public, region):
    for report in reports(public, region):
        now = datetime.fromisoformat(report["as_of"])  # the moment the report counted at
        year = str(report["year"])
        of_year = [
            (meeting, index in region.cancelled)
            for index, meeting in enumerate(region.meetings)
            if meeting["starts_at"][:4] == year
        ]
        # Counted here from the generated meetings: over (and not cancelled), still to come, cancelled.
        held = sum(1 for m, off in of_year if not off and datetime.fromisoformat(m["ends_at"]) <= now)
        coming = sum(1 for m, off in of_year if not off and datetime.fromisoformat(m["ends_at"]) > now)
        cancelled = sum(1 for _, off in of_year if off)
        plan_meetings = [m for plan in region.plans for m in plan["meetings"] if m["starts_at"][:4] == year]
        plan_held = sum(1 for m in plan_meetings if datetime.fromisoformat(m["ends_at"]) <= now)
        meetings = report["meetings"]
        assert meetings["total_held"] == held + plan_held, year
        assert meetings["total_coming"] == coming + len(plan_meetings) - plan_held, year
        assert meetings["total_cancelled"] == cancelled, year
        for kind in ("held", "coming", "cancelled"):
            assert sum(meetings[f"{kind}_by_forum"].values()) == meetings[f"total_{kind}"], (year, kind)
