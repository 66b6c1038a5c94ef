"""The committees' HTTP routes: anyone reads the list, only operators add, rename and retire; the caller's plans."""

import pytest

from samverkan_common.errors import Conflict
from samverkan_gateway.resources.advisor import routes as advisor_routes

BMR = {
    "id": "bmr",
    "short_name": "BMR",
    "name": "Beredningen för mänskliga rättigheter",
    "retired": False,
    "retired_at": None,
    "created_at": "2026-12-03T16:00:00+00:00",
    "updated_at": "2026-12-03T16:00:00+00:00",
}


class FakeAdvisor:
    def __init__(self):
        self.calls = []
        self.answers = {
            "list_committees": [BMR],
            "add_committee": lambda payload: {**BMR, **payload},
            "change_committee": lambda committee_id, changes: {**BMR, "id": committee_id, **changes},
            "list_plans": [],
        }

    def __call__(self, service, method, *args):
        self.calls.append((service, method, *args))
        answer = self.answers[method]
        if isinstance(answer, Exception):
            raise answer
        return answer(*args) if callable(answer) else answer


@pytest.fixture
def advisor(monkeypatch):
    fake = FakeAdvisor()
    monkeypatch.setattr(advisor_routes, "call", fake)
    return fake


def test_anyone_reads_the_committees_and_may_ask_for_retired_ones(client, advisor):
    listed = client.get("/api/v1/advisor/committees")
    with_retired = client.get("/api/v1/advisor/committees?include_retired=true")

    assert listed.status_code == 200
    assert listed.get_json() == [BMR]
    assert with_retired.status_code == 200
    assert advisor.calls == [
        ("levels_advisor", "list_committees", False),
        ("levels_advisor", "list_committees", True),
    ]


@pytest.mark.parametrize("role", ["planner", "organisation"])
def test_only_operators_add_or_change_committees(client, advisor, token, role):
    body = {"id": "pn", "short_name": "PN", "name": "Patientnämnden"}

    assert client.post("/api/v1/advisor/committees", json=body).status_code == 401
    assert client.post("/api/v1/advisor/committees", json=body, headers=token(role)).status_code == 403
    assert (
        client.patch("/api/v1/advisor/committees/bmr", json={"retired": True}, headers=token(role)).status_code == 403
    )
    assert advisor.calls == []


def test_an_operator_adds_renames_and_retires_a_committee(client, advisor, token):
    added = client.post(
        "/api/v1/advisor/committees",
        json={"id": "pn", "short_name": "PN", "name": "Patientnämnden"},
        headers=token("operator"),
    )
    renamed = client.patch(
        "/api/v1/advisor/committees/pn", json={"name": "Patientnämnden i VG"}, headers=token("operator")
    )
    retired = client.patch("/api/v1/advisor/committees/pn", json={"retired": True}, headers=token("operator"))

    assert (added.status_code, renamed.status_code, retired.status_code) == (201, 200, 200)
    assert advisor.calls == [
        ("levels_advisor", "add_committee", {"id": "pn", "short_name": "PN", "name": "Patientnämnden"}),
        ("levels_advisor", "change_committee", "pn", {"name": "Patientnämnden i VG"}),
        ("levels_advisor", "change_committee", "pn", {"retired": True}),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"id": "Stora Nämnden", "short_name": "SN", "name": "Stora nämnden"},
        {"id": "pn", "short_name": "", "name": "Patientnämnden"},
        {"id": "pn", "short_name": "PN"},
    ],
)
def test_a_bad_committee_is_refused_before_any_call(client, advisor, token, body):
    response = client.post("/api/v1/advisor/committees", json=body, headers=token("operator"))

    assert response.status_code == 422
    assert advisor.calls == []


def test_a_name_another_committee_has_is_a_conflict(client, advisor, token):
    advisor.answers["add_committee"] = Conflict("taken", "COMMITTEE_NAME_TAKEN")

    response = client.post(
        "/api/v1/advisor/committees", json={"id": "x", "short_name": "BMR", "name": "X"}, headers=token("operator")
    )

    assert response.status_code == 409
    assert response.get_json()["code"] == "COMMITTEE_NAME_TAKEN"


def test_a_planner_lists_the_plans_they_made(client, advisor, token):
    response = client.get("/api/v1/advisor/plans", headers=token("planner"))

    assert response.status_code == 200
    [(_, method, where)] = advisor.calls
    assert method == "list_plans"
    assert where["author_id"].isdigit()
    assert client.get("/api/v1/advisor/plans", headers=token("organisation")).status_code == 403
