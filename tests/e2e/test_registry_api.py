"""The organisation register over HTTP: profiles, search, concurrency, roles, persons, import and export."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from samverkan_registry import sample
from tests.support.http import Client
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e


def patch(client, path, body):
    return client.session.patch(client.base + path, json=body, timeout=30)


def register(planner, name, **fields):
    response = planner.post(
        "/api/v1/organisations",
        json={"name": name, "kind": "ideell_forening", "municipality_code": "1480", **fields},
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def representative(stack):
    """An organisation of its own and a token that speaks for it."""

    def make(planner):
        organisation = register(planner, f"Egen förening {uuid.uuid4().hex[:6]}")
        token = stack.cli(
            "tokens", "create", "--role", "organisation", "--name", "e2e rep", "--organisation-id", organisation["id"]
        ).strip()
        return organisation, Client(stack.url, token)

    return make


def test_municipalities_are_the_49_of_vastra_gotaland(public):
    listed = public.get("/api/v1/municipalities").json()

    assert len(listed) == 49
    assert {"code": "1492", "name": "Åmål", "sub_region": "fyrbodal"} in listed


def test_search_finds_swedish_words_by_prefix_ranked_and_paged(public, planner):
    word = f"Blåklint{uuid.uuid4().hex[:4]}"
    register(planner, f"{word}s Hembygdsförening", municipality_code="1492", areas=["culture"], tags=["körsång"])
    register(planner, "Annan förening", description=f"Samarbetar med {word.lower()}s hembygdsförening.")

    found = public.get("/api/v1/organisations", params={"q": word.lower()[:-2].upper()}).json()
    narrowed = public.get(
        "/api/v1/organisations", params={"q": word, "subregion": "fyrbodal", "area": "culture", "per_page": 1}
    ).json()

    assert [o["name"] for o in found["items"]] == [f"{word}s Hembygdsförening", "Annan förening"]
    assert found["total"] == 2
    assert (narrowed["total"], narrowed["items"][0]["tags"]) == (1, ["körsång"])


def test_two_updates_from_the_same_version_one_wins_and_one_gets_409(public, planner):
    organisation = register(planner, "Föreningen Samtidig")

    first = patch(planner, f"/api/v1/organisations/{organisation['id']}", {"version": 1, "description": "Först"})
    second = patch(planner, f"/api/v1/organisations/{organisation['id']}", {"version": 1, "description": "Sist"})

    assert first.status_code == 200, first.text
    assert second.status_code == 409
    assert second.headers["Content-Type"] == "application/problem+json"
    assert second.json()["code"] == "ORGANISATION_VERSION_CONFLICT"
    assert public.get(f"/api/v1/organisations/{organisation['id']}").json()["description"] == "Först"


def test_organisation_token_edits_its_own_organisation_only(planner, representative):
    own, client = representative(planner)
    other = register(planner, "Någon annans förening")

    assert patch(client, f"/api/v1/organisations/{own['id']}", {"version": 1, "founded_year": 1990}).status_code == 200
    refused = patch(client, f"/api/v1/organisations/{other['id']}", {"version": 1, "founded_year": 1990})

    assert refused.status_code == 403
    assert refused.json()["code"] == "NOT_YOUR_ORGANISATION"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"organisation_number": "802002-4281"}, "organisation_number"),
        ({"municipality_code": "9999"}, "municipality_code"),
        ({"description": "x" * (10 * 1024 * 1024)}, "description"),
    ],
    ids=["bad check digit", "unknown municipality", "10 MB description"],
)
def test_bad_organisation_gets_422_problem_naming_the_field(planner, change, field):
    response = planner.post(
        "/api/v1/organisations", json={"name": "Fel", "kind": "other", "municipality_code": "1480", **change}
    )

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]


def test_signatories_on_a_day_and_forum_members_are_searchable(public, planner):
    organisation = register(planner, f"Undertecknarna {uuid.uuid4().hex[:6]}")
    base = f"/api/v1/organisations/{organisation['id']}"
    assert planner.post(f"{base}/signatures", json={"signed_on": "2016-05-01"}).status_code == 201
    assert planner.post(f"{base}/signatures/withdraw", json={"withdrawn_on": "2018-05-01"}).status_code == 200
    seat = planner.post(
        f"{base}/memberships", json={"forum_slug": "ser-e2e", "role": "chair", "starts_on": "2024-01-01"}
    )
    assert seat.status_code == 201, seat.text

    def found(**params):
        return [
            o["id"] for o in public.get("/api/v1/organisations", params={"per_page": 100, **params}).json()["items"]
        ]

    assert organisation["id"] in found(signatory_on="2017-01-01")
    assert organisation["id"] not in found(signatory_on="2019-01-01")
    assert found(forum="ser-e2e") == [organisation["id"]]
    assert public.get(f"{base}/memberships").json()[0]["role"] == "chair"


def test_erased_person_is_gone_everywhere_and_the_organisation_stays(public, planner, operator, representative):
    own, client = representative(planner)
    contacts = f"/api/v1/organisations/{own['id']}/contacts"
    email = f"kim.{uuid.uuid4().hex[:6]}@example.org"
    person = {"name": "Kim Kontakt", "email": email, "legal_basis": "consent", "consent_given_on": "2026-02-01"}
    assert client.post(contacts, json=person).status_code == 201
    assert public.get(contacts).status_code == 401
    assert [p["email"] for p in client.get(contacts).json()] == [email]
    exported = operator.get("/api/v1/persons/export", params={"email": email}).json()
    assert exported["records"][0]["organisation"]["id"] == own["id"]

    erased = operator.post("/api/v1/persons/erase", json={"email": email})

    assert erased.json() == {"erased": 1}
    assert client.get(contacts).json() == []
    assert planner.get(contacts).json() == []
    assert operator.get("/api/v1/persons/export", params={"email": email}).status_code == 404
    assert public.get("/api/v1/organisations", params={"q": "kontakt"}).json()["total"] == 0
    assert "Kim" not in public.get("/api/v1/organisations/export.csv").text
    assert public.get(f"/api/v1/organisations/{own['id']}").json()["name"] == own["name"]


def wait_for_job(operator, job_id):
    return wait_until(
        lambda: operator.get(f"/api/v1/jobs/{job_id}").json(),
        lambda job: job["status"] in ("finished", "failed"),
        timeout=120,
    )


def test_csv_import_runs_as_a_job_reports_bad_rows_and_is_idempotent(public, operator, planner):
    made, broken = sample.rows(1_200, broken=30, seed=42)
    content = sample.csv_bytes(made)  # Windows-1252 with semicolons, as Swedish Excel saves

    started = operator.post("/api/v1/organisations/import", data=content, headers={"Content-Type": "text/csv"})
    assert started.status_code == 202, started.text
    assert started.headers["Location"] == f"/api/v1/jobs/{started.json()['id']}"
    assert planner.post("/api/v1/organisations/import", data=b"namn;kommunkod\r\n").status_code == 403
    job = wait_for_job(operator, started.json()["id"])

    assert (job["status"], job["rows_total"], job["rows_done"], job["created"], job["failed"]) == (
        "finished",
        1_200,
        1_200,
        1_170,
        30,
    )
    assert {(e["line"], e["field"]) for e in job["errors"]} == set(broken.items())

    again = operator.post("/api/v1/organisations/import", files={"file": ("register.csv", content, "text/csv")})
    repeated = wait_for_job(operator, again.json()["id"])
    assert (repeated["created"], repeated["updated"], repeated["unchanged"], repeated["failed"]) == (0, 0, 1_170, 30)

    good = next(row for line, row in enumerate(made, start=2) if line not in broken)
    for written in (good[1], good[1].replace("-", "")):
        assert public.get("/api/v1/organisations", params={"q": written}).json()["items"][0]["name"] == good[0]


def test_export_streams_public_fields_with_formulas_neutralised(public, planner):
    register(planner, "=1+1 Formelföreningen", description="@farligt")

    response = public.get("/api/v1/organisations/export.csv")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == public.get("/api/v1/organisations").json()["total"]
    mine = next(row for row in rows if row["name"].endswith("Formelföreningen"))
    assert (mine["name"], mine["description"]) == ("'=1+1 Formelföreningen", "'@farligt")
