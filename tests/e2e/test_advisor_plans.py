"""The levels advisor end to end: HTTP to the gateway, every service its own process."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from samverkan_gateway import demo
from samverkan_gateway.rpc import RpcPool

pytestmark = pytest.mark.e2e

ANSWERS = {
    "step": "agenda_setting",
    "decision_open": "yes",
    "negotiable": "whether",
    "mandate": "shared_responsibility",
    "contested": "high",
    "shared_work": "yes",
    "time_to_decision": "over_six_months",
    "meeting_resources": "yes",
    "compensation": "yes",
    "facilitation": "yes",
    "legal_duty": "no",
}


@pytest.fixture(scope="module")
def demo_year(stack):
    """The demo data as if loaded on 1 March last year: its meetings (15 March to 21 June) are all over,
    so its year can be counted by hand whenever the test runs."""
    year = date.today().year - 1
    pool = RpcPool(stack.vhost.amqp_uri, timeout=10)
    created, _ = demo.load(pool, today=date(year, 3, 1))
    pool.close()
    assert created["plans"] == 3
    return year


def test_follow_up_of_a_year_of_demo_data_matches_the_hand_count(public, demo_year):
    response = public.get("/api/v1/reports/follow-up", params={"year": demo_year})

    assert response.status_code == 200, response.text
    report = response.json()
    # demo.plans: BMR drafting (dialogue), KUN implementation (partnership), RS decision
    # (consultation recommended, dialogue chosen with a reason).
    assert report["dialogues"] == {
        "total": 3,
        "by_committee": {"BMR": 1, "KUN": 1, "RS": 1},
        "by_level": {"information": 0, "consultation": 0, "dialogue": 2, "partnership": 1},
        "by_step": {
            "agenda_setting": 0,
            "drafting": 1,
            "decision": 1,
            "implementation": 1,
            "monitoring": 0,
            "reformulation": 0,
        },
        "early": 1,
        "early_share": 0.333,
        "chosen_other_than_recommended": 1,
        "outcome_recorded": 0,
        "feedback_given": 0,
        "meetings_booked": 0,
        "meetings_held": 0,
        # Two to BMR's plan, one each to KUN's and RS's (the pensioners twice: once per plan).
        "organisations_invited": 4,
        "organisations_took_part": 0,
    }
    # demo.meetings from 15 March: RÖS-gruppen twice, the stormöte once in spring, SER once, and
    # DRN Skaraborg every other week, eight times (15 March to 21 June, all in the year).
    assert report["meetings"]["held_by_forum"] == {"drn-skaraborg": 8, "ros-gruppen": 2, "ser": 1, "stormote": 1}
    assert report["meetings"]["total_held"] == 12
    assert report["steering_group"]["meetings"] == 2
    assert report["steering_group"]["as_agreed"] is False
    assert (report["assembly"]["spring"], report["assembly"]["autumn"]) == (1, 0)
    assert report["assembly"]["met_each_term"] is False
    # Invited: the youth network and the pensioners (BMR), the foundation (KUN), the pensioners again (RS).
    assert report["organisations"]["count"] == 3


def test_follow_up_as_csv_holds_the_same_figures(public, demo_year):
    response = public.get("/api/v1/reports/follow-up", params={"year": demo_year}, headers={"Accept": "text/csv"})

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    figures = {(section, key): value for _, section, key, value in rows[1:] if key != "id"}
    assert figures[("dialogues", "total")] == "3"
    assert figures[("dialogues_by_level", "dialogue")] == "2"
    assert figures[("meetings_held_by_forum", "ros-gruppen")] == "2"
    assert figures[("organisations", "count")] == "3"


def test_planner_goes_from_answers_to_plan_to_meeting_to_outcome(public, planner, demo_year):
    year = date.today().year + 1  # next year: its meeting is still to come whenever the test runs
    assessment = planner.post("/api/v1/advisor/assessments", json={"answers": ANSWERS})
    assert assessment.status_code == 201, assessment.text
    assert assessment.json()["level"] == "partnership"
    assert assessment.json()["questionnaire_version"] == 3

    plan = planner.post(
        "/api/v1/advisor/plans",
        json={
            "assessment_id": assessment.json()["id"],
            "committee": "KUN",
            "issue": "Kultur för unga på landsbygden",
            "starts_on": f"{year}-02-01",
            "areas": ["culture"],
        },
    )
    assert plan.status_code == 201, plan.text
    plan_id = plan.json()["id"]

    suggested = planner.get(f"/api/v1/advisor/plans/{plan_id}/suggestions").json()
    assert suggested["unavailable"] == []
    assert "ser" in [forum["slug"] for forum in suggested["forums"]]
    invitees = [org["id"] for org in suggested["organisations"]]

    changed = planner.session.patch(
        f"{planner.base}/api/v1/advisor/plans/{plan_id}",
        json={"invited_organisation_ids": invitees, "forum_slugs": ["ser"]},
        timeout=30,
    )
    assert changed.status_code == 200, changed.text

    meeting = planner.post(
        f"/api/v1/advisor/plans/{plan_id}/meetings",
        json={
            "title": "Kultur för unga: första mötet",
            "starts_at": f"{year}-02-10T13:00",
            "ends_at": f"{year}-02-10T15:00",
        },
    )
    assert meeting.status_code == 201, meeting.text
    shown = public.get(f"/api/v1/meetings/{meeting.json()['id']}").json()
    assert (shown["forum_slug"], shown["level"], shown["step"]) == ("ser", "partnership", "agenda_setting")

    outcome = planner.post(
        f"/api/v1/advisor/plans/{plan_id}/outcome",
        json={
            "outcome": "En gemensam arbetsgrupp bildades.",
            "feedback": "Minnesanteckningar till alla.",
            "feedback_on": f"{year}-03-01",
        },
    )
    assert outcome.status_code == 201, outcome.text
    final = planner.get(f"/api/v1/advisor/plans/{plan_id}").json()
    assert final["meeting_ids"] == [meeting.json()["id"]]
    assert final["outcome"]["feedback"] == "Minnesanteckningar till alla."

    report = public.get("/api/v1/reports/follow-up", params={"year": year}).json()
    assert report["dialogues"]["total"] == 1
    # The meeting is still to come: booked, not held; the feedback is due after today.
    assert report["meetings"]["held_by_forum"] == {}
    assert report["meetings"]["coming_by_forum"] == {"ser": 1}
    [row] = report["rows"]
    assert (row["plan_id"], row["meetings_booked"], row["meetings_held"]) == (plan_id, 1, 0)
    assert (row["outcome_recorded"], row["feedback_given"]) == (True, False)
    assert report["dialogues"]["outcome_recorded"] == 1
    assert report["dialogues"]["feedback_given"] == 0


def test_plan_with_another_level_and_no_reason_is_refused(planner):
    assessment = planner.post("/api/v1/advisor/assessments", json={"answers": ANSWERS}).json()

    refused = planner.post(
        "/api/v1/advisor/plans",
        json={"assessment_id": assessment["id"], "committee": "KUN", "issue": "X", "level": "information"},
    )

    assert refused.status_code == 422
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert "level_reason" in refused.json()["errors"]


def test_questionnaire_version_1_is_still_served(public):
    old = public.get("/api/v1/advisor/questionnaire", params={"version": 1})

    assert old.status_code == 200
    assert old.json()["version"] == 1
    assert public.get("/api/v1/advisor/questionnaire").json()["version"] == 3
