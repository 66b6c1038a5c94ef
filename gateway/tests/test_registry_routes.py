"""The registry's HTTP contract checked in the gateway alone: roles and bad input, before any service is called.

The broker is unreachable in these tests, so a request that passes the gateway's checks gets 503;
one refused earlier gets its own status.
"""

import pytest

ORGANISATION = {"name": "Föreningen", "kind": "ideell_forening", "municipality_code": "1480"}
TEN_MB = 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ORGANISATION, "municipality_code": "14800"}, "municipality_code"),
        ({**ORGANISATION, "description": "x" * TEN_MB}, "description"),
        ({**ORGANISATION, "areas": ["sports"]}, "areas"),
        ({**ORGANISATION, "founded_year": "1972"}, "founded_year"),
        ({**ORGANISATION, "tags": ["x"] * 31}, "tags"),
    ],
    ids=["municipality code", "10 MB description", "unknown area", "year as text", "too many tags"],
)
def test_bad_organisation_is_422_naming_the_field(client, token, body, field):
    response = client.post("/api/v1/organisations", json=body, headers=token("planner"))

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_body_beyond_the_profile_limit_is_413_before_it_is_read(client, token):
    response = client.post(
        "/api/v1/organisations",
        data=b"x" * (17 * 1024 * 1024),
        headers={**token("planner"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"


def test_other_routes_keep_the_gateway_wide_body_limit(client, token):
    response = client.post(
        "/api/v1/organisations/abc/contacts",
        data=b"x" * (3 * 1024 * 1024),
        headers={**token("planner"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_update_needs_the_version_it_was_read_at(client, token):
    response = client.patch("/api/v1/organisations/abc", json={"name": "Nytt"}, headers=token("planner"))

    assert response.status_code == 422
    assert "version" in response.get_json()["errors"]


def test_valid_update_passes_the_gateway(client, token):
    # Reaches for the (absent) broker: every check in the gateway passed.
    response = client.patch(
        "/api/v1/organisations/abc", json={"version": 3, "name": "Nytt"}, headers=token("organisation")
    )
    assert response.status_code == 503


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("post", "/api/v1/organisations", "organisation"),
        ("post", "/api/v1/organisations/abc/memberships", "organisation"),
        ("get", "/api/v1/persons/export?email=a@example.org", "planner"),
        ("post", "/api/v1/persons/erase", "planner"),
    ],
)
def test_role_without_the_right_is_403(client, token, method, path, role):
    response = getattr(client, method)(path, json={}, headers=token(role))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/api/v1/organisations/abc"),
        ("get", "/api/v1/organisations/abc/contacts"),
        ("post", "/api/v1/organisations/abc/signatures"),
        ("get", "/api/v1/persons/export?email=a@example.org"),
    ],
)
def test_the_public_gets_401_for_writes_and_persons(client, method, path):
    assert getattr(client, method)(path, json={}).status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("subregion=halland", "subregion"),
        ("area=sports", "area"),
        ("municipality=0180x", "municipality"),
        ("signatory_on=igår", "signatory_on"),
        ("per_page=101", "per_page"),
        ("forum=RÖS gruppen", "forum"),
    ],
)
def test_bad_search_parameter_is_422_naming_it(client, query, field):
    response = client.get(f"/api/v1/organisations?{query}")

    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_person_request_names_whom(client, token):
    response = client.post("/api/v1/persons/erase", json={}, headers=token("operator"))
    assert response.status_code == 422
    assert "email" in response.get_json()["errors"]


def test_only_operators_import_and_follow_jobs(client, token):
    assert client.post("/api/v1/organisations/import", data=b"namn;kommunkod\r\n").status_code == 401
    assert (
        client.post("/api/v1/organisations/import", data=b"namn;kommunkod\r\n", headers=token("planner")).status_code
        == 403
    )
    assert client.get("/api/v1/jobs/abc", headers=token("planner")).status_code == 403
    # An operator's import passes the gateway and reaches for the (absent) broker.
    assert (
        client.post("/api/v1/organisations/import", data=b"namn;kommunkod\r\n", headers=token("operator")).status_code
        == 503
    )
