"""The advisor's and the follow-up report's HTTP routes: roles, input, CSV, and a service that is away."""

import csv
import io

import pytest

from samverkan_common.errors import Unavailable
from samverkan_gateway.resources.advisor import routes as advisor_routes
from samverkan_gateway.resources.reports import routes as report_routes
from samverkan_gateway.rpc import RemoteFailure

REPORT = {
    "year": 2027,
    "dialogues": {
        "total": 2,
        "by_committee": {"BMR": 1, "KUN": 1},
        "by_level": {"information": 0, "consultation": 1, "dialogue": 1, "partnership": 0},
        "by_step": {
            "agenda_setting": 1,
            "drafting": 0,
            "decision": 1,
            "implementation": 0,
            "monitoring": 0,
            "reformulation": 0,
        },
        "early": 1,
        "early_share": 0.5,
        "chosen_other_than_recommended": 0,
        "outcome_recorded": 1,
        "feedback_given": 1,
        "meetings_booked": 3,
        "meetings_held": 2,
        "organisations_invited": 3,
        "organisations_took_part": 2,
    },
    "rows": [
        {
            "plan_id": "p1",
            "committee": "BMR",
            "committee_name": "Beredningen för mänskliga rättigheter",
            "issue": "=Handlingsplan",
            "level": "dialogue",
            "step": "agenda_setting",
            "starts_on": "2027-01-15",
            "meetings_booked": 2,
            "meetings_held": 2,
            "organisations_invited": 2,
            "organisations_took_part": 2,
            "outcome_recorded": True,
            "feedback_given": True,
        },
        {
            "plan_id": "p2",
            "committee": "KUN",
            "committee_name": "Kulturnämnden",
            "issue": "Kultur för unga",
            "level": "consultation",
            "step": "decision",
            "starts_on": "2027-09-01",
            "meetings_booked": 1,
            "meetings_held": 0,
            "organisations_invited": 1,
            "organisations_took_part": 0,
            "outcome_recorded": False,
            "feedback_given": False,
        },
    ],
    "as_of": "2027-10-01T12:00:00+00:00",
    "meetings": {
        "held_by_forum": {"ros-gruppen": 4},
        "coming_by_forum": {"ros-gruppen": 1},
        "cancelled_by_forum": {},
        "total_held": 4,
        "total_coming": 1,
        "total_cancelled": 0,
    },
    "steering_group": {
        "forum_slug": "ros-gruppen",
        "meetings": 4,
        "coming": 1,
        "expected": {"min": 4, "max": 12},
        "as_agreed": True,
    },
    "assembly": {"forum_slug": "stormote", "spring": 1, "autumn": 0, "met_each_term": False},
    "organisations": {"count": 2, "ids": ["o1", "o2"]},
}


class FakeAdvisor:
    """Stands in for the advisor over RPC: answers per method, and every call made."""

    def __init__(self):
        self.answers = {"follow_up_report": REPORT}
        self.calls = []

    def __call__(self, service, method, *args):
        self.calls.append((service, method, *args))
        answer = self.answers.get(method)
        if isinstance(answer, Exception):
            raise answer
        return answer(*args) if callable(answer) else answer


@pytest.fixture
def advisor(monkeypatch):
    fake = FakeAdvisor()
    monkeypatch.setattr(report_routes, "call", fake)
    monkeypatch.setattr(advisor_routes, "call", fake)
    return fake


def test_report_is_json_by_default(client, advisor):
    response = client.get("/api/v1/reports/follow-up?year=2027")

    assert response.status_code == 200
    assert response.get_json() == REPORT
    assert advisor.calls == [("levels_advisor", "follow_up_report", 2027)]


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/v1/reports/follow-up?year=2027&format=csv", {}),
        ("/api/v1/reports/follow-up?year=2027", {"Accept": "text/csv"}),
    ],
)
def test_report_as_csv_holds_the_same_figures(client, advisor, path, headers):
    response = client.get(path, headers=headers)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="follow-up-2027.csv"' in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == ["year", "section", "key", "value"]
    figures = {(section, key): value for _, section, key, value in table[1:] if key != "id"}
    assert figures[("dialogues", "total")] == "2"
    assert figures[("dialogues_by_committee", "KUN")] == "1"
    assert figures[("dialogues_by_level", "dialogue")] == "1"
    assert figures[("dialogues", "early_share")] == "0.5"
    assert figures[("meetings_held_by_forum", "ros-gruppen")] == "4"
    assert figures[("steering_group", "as_agreed")] == "true"
    assert figures[("assembly", "met_each_term")] == "false"
    assert [value for _, section, key, value in table[1:] if key == "id"] == ["o1", "o2"]
    # Each dialogue's column sums to the total of the same name; yes/no as 1/0; text never a formula.
    for column in ("meetings_held", "organisations_took_part", "outcome_recorded", "feedback_given"):
        cells = [int(value) for _, section, key, value in table[1:] if section == f"dialogue_{column}"]
        assert len(cells) == 2, column
        assert sum(cells) == int(figures[("dialogues", column)]), column
    assert figures[("dialogue_issue", "p1")] == "'=Handlingsplan"
    assert figures[("dialogue_feedback_given", "p2")] == "0"
    assert figures[("meetings_coming_by_forum", "ros-gruppen")] == "1"


@pytest.mark.parametrize("query", ["", "?year=nineteen", "?year=1999", "?year=2027&format=xml"])
def test_report_without_a_sensible_year_or_format_is_refused(client, advisor, query):
    response = client.get(f"/api/v1/reports/follow-up{query}")

    assert response.status_code == 422
    assert advisor.calls == []


def test_events_service_away_is_503_with_a_plain_sentence(client, advisor):
    advisor.answers["follow_up_report"] = Unavailable(
        "The events service is not running.", "DEPENDENCY_UNAVAILABLE", {"service": ["events"]}
    )

    response = client.get("/api/v1/reports/follow-up?year=2027")

    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "DEPENDENCY_UNAVAILABLE"
    assert body["detail"] == "The events service is not running."


def test_other_remote_failure_stays_a_502(client, advisor, token):
    advisor.answers["get_plan"] = RemoteFailure("KeyError", "'x'")

    response = client.get("/api/v1/advisor/plans/p1", headers=token("planner"))

    assert response.status_code == 502
    assert "KeyError" not in response.get_data(as_text=True)


def test_plans_are_for_planners_and_operators(client, advisor, token):
    body = {"assessment_id": "a1", "committee": "BMR", "issue": "Plan"}

    assert client.post("/api/v1/advisor/plans", json=body).status_code == 401
    assert client.post("/api/v1/advisor/plans", json=body, headers=token("organisation")).status_code == 403
    assert client.get("/api/v1/advisor/plans/p1/suggestions", headers=token("organisation")).status_code == 403
    assert advisor.calls == []


def test_plan_is_created_in_the_callers_name(client, advisor, token):
    advisor.answers["create_plan"] = lambda payload: {**payload, "id": "p1"}

    response = client.post(
        "/api/v1/advisor/plans",
        json={"assessment_id": "a1", "committee": "BMR", "issue": "Plan", "starts_on": "2027-02-01"},
        headers=token("planner"),
    )

    assert response.status_code == 201
    [(_, method, payload)] = advisor.calls
    assert method == "create_plan"
    assert payload == {
        "assessment_id": "a1",
        "committee": "BMR",
        "issue": "Plan",
        "starts_on": "2027-02-01",
        "created_by": "test",
        "author_id": payload["author_id"],
    }
    assert payload["author_id"].isdigit()  # the token's id: whose "Mina planer" the plan is on


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"committee": "BMR", "issue": "Plan"}, "assessment_id"),
        ({"assessment_id": "a1", "committee": "BMR", "issue": "Plan", "level": "co_decision"}, "level"),
        ({"assessment_id": "a1", "committee": "BMR", "issue": "Plan", "municipalities": ["14"]}, "municipalities"),
        ({"assessment_id": "a1", "committee": "", "issue": "Plan"}, "committee"),
    ],
)
def test_bad_plan_is_refused_before_any_call(client, advisor, token, body, field):
    response = client.post("/api/v1/advisor/plans", json=body, headers=token("planner"))

    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert advisor.calls == []


def test_outcome_needs_feedback(client, advisor, token):
    response = client.post(
        "/api/v1/advisor/plans/p1/outcome",
        json={"outcome": "Klart", "feedback_on": "2027-06-01"},
        headers=token("planner"),
    )

    assert response.status_code == 422
    assert "feedback" in response.get_json()["errors"]


def test_earlier_questionnaire_version_is_asked_for(client, advisor):
    advisor.answers["get_questionnaire"] = lambda language, version: {"version": version, "language": language}

    response = client.get("/api/v1/advisor/questionnaire?version=1&language=en")

    assert response.status_code == 200
    assert advisor.calls == [("levels_advisor", "get_questionnaire", "en", 1)]


def test_recorded_outcome_is_shown_with_its_dates(client, advisor, token):
    advisor.answers["record_outcome"] = lambda plan_id, payload: {
        "id": plan_id,
        "level": "dialogue",
        "outcome": {**payload, "recorded_at": "2027-06-02T08:00:00+00:00"},
    }

    response = client.post(
        "/api/v1/advisor/plans/p1/outcome",
        json={"outcome": "Klart", "feedback": "Brev till alla", "feedback_on": "2027-06-01"},
        headers=token("planner"),
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["outcome"] == {
        "outcome": "Klart",
        "feedback": "Brev till alla",
        "feedback_on": "2027-06-01",
        "recorded_at": "2027-06-02T08:00:00+00:00",
    }
