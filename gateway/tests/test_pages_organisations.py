"""The organisation directory and page, rendered with the registry and events answers given."""

from __future__ import annotations

from typing import Any

import pytest

from samverkan_common.errors import NotFound
from samverkan_gateway.pages import organisations

ORG = {
    "id": "o1",
    "name": "Exempelföreningen",
    "kind": "ideell_forening",
    "municipality_code": "1480",
    "organisation_number": "802500-1234",
    "description": "",
    "website": "",
    "contact_email": "",
    "other_names": [],
    "areas": ["culture"],
    "tags": [],
    "founded_year": None,
    "status": "active",
}


@pytest.fixture
def calls(monkeypatch):
    made: list[tuple[str, str, tuple[Any, ...]]] = []

    def fake(service: str, method: str, *args: Any) -> Any:
        made.append((service, method, args))
        if method == "list_municipalities":
            return [{"code": "1480", "name": "Göteborg", "sub_region": "goteborgsregionen"}]
        if method == "search_organisations":
            return {"items": [ORG], "page": args[0]["page"], "per_page": 20, "total": 45}
        if method == "get_organisation":
            if args[0] != "o1":
                raise NotFound("no", "ORGANISATION_NOT_FOUND")
            return ORG
        if method == "memberships":
            return [
                {"forum_slug": "ser", "role": "chair", "starts_on": "2025-01-01", "ends_on": None},
                {"forum_slug": "ros-gruppen", "role": "member", "starts_on": "2020-01-01", "ends_on": "2021-01-01"},
            ]
        if method == "list_forums":
            return [{"slug": "ser", "name": "Sociala ekonomins råd (SER)"}]
        if method == "meetings_between":
            # The events service narrows to the forums asked for; this fake does the same.
            return [m for m in MEETINGS if m["forum_slug"] in args[2]["forum_slugs"]]
        raise AssertionError(method)

    monkeypatch.setattr(organisations, "call", fake)
    return made


MEETINGS = [
    {
        "meeting_id": "m1",
        "forum_slug": "ser",
        "title": "SER-möte",
        "starts_at": "2030-03-01T13:00:00+01:00",
        "level": "dialogue",
        "status": "scheduled",
    },
    {
        "meeting_id": "m2",
        "forum_slug": "other",
        "title": "Annat möte",
        "starts_at": "2030-03-02T13:00:00+01:00",
        "level": "dialogue",
        "status": "scheduled",
    },
]


def test_directory_passes_the_filters_to_the_registry_and_pages_with_the_total(client, calls):
    page = client.get("/organisationer?q=ex&municipality=1480&kind=ideell_forening&page=2").get_data(as_text=True)

    search = next(args[0] for _s, method, args in calls if method == "search_organisations")
    assert search == {
        "q": "ex",
        "municipality": "1480",
        "subregion": "",
        "kind": "ideell_forening",
        "area": "",
        "page": 2,
        "per_page": 20,
    }
    assert "45 organisationer hittades" in page
    assert "Sida 2 av 3" in page
    assert "page=3" in page
    assert "page=1" in page
    assert "Exempelföreningen" in page
    assert "Kultur" in page


def test_a_filter_outside_the_list_gets_an_error_summary_linking_to_the_field(client, calls):
    response = client.get("/organisationer?kind=bank")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#kind"' in page
    assert 'aria-invalid="true"' in page
    assert not any(method == "search_organisations" for _s, method, _a in calls)


def test_organisation_page_shows_its_current_forums_and_their_upcoming_meetings(client, calls):
    page = client.get("/organisationer/o1").get_data(as_text=True)

    assert "Sociala ekonomins råd (SER) – Ordförande" in page
    assert "ros-gruppen" not in page
    assert "SER-möte" in page
    assert "Annat möte" not in page
    asked = next(args for _s, method, args in calls if method == "meetings_between")
    assert asked[2] == {"forum_slugs": ["ser"]}
    assert "webcal://localhost/feeds/organisations/o1.ics" in page


def test_unknown_organisation_is_not_found(client, calls):
    assert client.get("/organisationer/nope").status_code == 404


def test_results_alone_are_served_for_search_as_you_type_with_the_same_query(client, calls):
    response = client.get("/organisationer/traffar?q=ex&kind=ideell_forening")

    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in fragment
    assert '<h2 id="results-title">45 organisationer hittades</h2>' in fragment
    search = next(args[0] for _s, method, args in calls if method == "search_organisations")
    assert (search["q"], search["kind"]) == ("ex", "ideell_forening")


def test_results_alone_explain_a_bad_filter_with_a_link_to_its_field(client, calls):
    response = client.get("/organisationer/traffar?area=banking")

    assert response.status_code == 400
    assert 'href="#area"' in response.get_data(as_text=True)


def test_directory_page_loads_the_search_script_from_static_files_only(client, calls):
    page = client.get("/organisationer").get_data(as_text=True)

    assert '<script src="/static/organisation-search.js" defer></script>' in page
    assert 'data-live-search="/organisationer/traffar"' in page
    assert "<script>" not in page
