"""The demo region that ``make up`` loads: the same rows from the same seed, and rows that look like the region."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime

import pytest

from samverkan_events.entrypoints.schemas import ScheduleMeetingSchema
from samverkan_gateway import demo, demo_data
from samverkan_registry.domain import csv_import
from samverkan_registry.domain.model import Organisation, organisation_number_problem
from samverkan_registry.domain.municipalities import MUNICIPALITIES

TODAY = date(2027, 3, 10)


@pytest.fixture(scope="module")
def region() -> demo_data.Region:
    return demo_data.region(TODAY)


def test_the_same_seed_and_day_give_the_same_rows(region):
    again = demo_data.region(TODAY)

    assert again == region
    assert demo_data.organisations_csv(again.organisations) == demo_data.organisations_csv(region.organisations)


def test_another_seed_gives_other_organisations(region):
    other = demo_data.region(TODAY, seed=demo_data.SEED + 1)

    assert [o.name for o in other.organisations[100:120]] != [o.name for o in region.organisations[100:120]]


def test_the_places_are_the_registrys_49_municipalities():
    ours = [(place.code, place.name, place.sub_region) for place in demo_data.PLACES]
    registry = [(m.code, m.name, m.sub_region.value) for m in MUNICIPALITIES]

    assert ours == registry
    assert len(ours) == 49


def test_over_five_thousand_organisations_in_every_municipality_each_name_once(region):
    per_municipality = Counter(o.municipality_code for o in region.organisations)

    assert len(region.organisations) >= 5_000
    assert set(per_municipality) == {m.code for m in MUNICIPALITIES}
    assert min(per_municipality.values()) >= 15
    # More where more people live: Göteborg has the most, Dals-Ed among the fewest.
    assert per_municipality.most_common(1)[0][0] == "1480"
    assert per_municipality["1438"] < per_municipality["1490"]
    assert len({o.name for o in region.organisations}) == len(region.organisations)
    kinds = Counter(o.kind for o in region.organisations)
    assert set(kinds) == {"ideell_forening", "stiftelse", "trossamfund", "natverk", "other"}
    assert kinds["ideell_forening"] > len(region.organisations) / 2


def _words(name: str) -> str:
    """The name's words between spaces, so a place is found only as a whole word ("Ed", not "Föreningen")."""
    return " " + re.sub(r"[^\w-]+", " ", name) + " "


def test_each_name_names_a_place_of_its_own_municipality_and_none_of_another(region):
    places_of = {
        place.code: {form for name in (place.name, *place.towns) for form in (name, demo_data.genitive(name))}
        for place in demo_data.PLACES
    }
    for o in region.organisations:
        words = _words(o.name)
        named = {code for code, places in places_of.items() for place in places if f" {place} " in words}
        if o.regional:
            assert named <= {o.municipality_code}, o
        else:
            assert named == {o.municipality_code}, o


def test_organisation_numbers_are_valid_unique_and_start_with_8_for_associations_and_foundations(region):
    numbers = [o.organisation_number for o in region.organisations if o.organisation_number]

    assert len(numbers) > 4_000
    assert len(set(numbers)) == len(numbers)
    for o in region.organisations:
        if o.organisation_number:
            assert organisation_number_problem(o.organisation_number) is None, o
            assert re.fullmatch(r"\d{6}-\d{4}", o.organisation_number)
            assert o.organisation_number[0] == ("7" if o.kind == "other" else "8"), o


def test_every_row_of_the_register_file_passes_the_registrys_own_rules(region):
    columns, rows = csv_import.read(csv_import.decode(demo_data.organisations_csv(region.organisations)))

    assert {"name", "organisation_number", "municipality_code", "kind", "areas", "contact_email"} <= set(columns)
    assert len(rows) == len(region.organisations)
    for row, expected in zip(rows, region.organisations, strict=True):
        organisation = Organisation(**csv_import.fields_of(row))
        assert (organisation.name, organisation.municipality_code) == (expected.name, expected.municipality_code)
        assert organisation.kind.value == expected.kind


def test_addresses_are_example_org(region):
    for o in region.organisations:
        assert not o.contact_email or o.contact_email.endswith(".example.org")
        assert not o.website or re.fullmatch(r"https://[a-z0-9]+\.example\.org", o.website)
    assert all(person.email.endswith(".example.org") for person in region.contacts)
    assert len(region.contacts) >= 100


def test_a_few_hundred_signatories_and_ros_gruppens_five_seats_held_by_signatories(region):
    signatories = {s.organisation for s in region.signatures if s.withdrawn_on is None}
    ros = [m for m in region.memberships if m.forum_slug == "ros-gruppen"]

    assert 200 <= len(region.signatures) <= 500
    assert all(demo_data.AGREEMENT_SIGNED <= s.signed_on < TODAY for s in region.signatures)
    assert len(ros) == 5
    assert {m.organisation for m in ros} <= signatories
    assert [m.role for m in ros].count("vice_chair") == 1
    seated = {m.forum_slug for m in region.memberships}
    assert {"ser", "pensionarsradet", "samrad-funktionsratt", "drn-skaraborg", "brukarrad-psykiatri"} <= seated


def test_every_forum_of_the_real_structure_meets_in_the_year(region):
    slugs = [forum["slug"] for forum in demo.FORUMS + demo_data.REGION_FORUMS]
    in_year = [m for m in region.meetings if m["starts_at"].startswith(str(TODAY.year))]
    per_forum = Counter(m["forum_slug"] for m in in_year)

    assert len(slugs) == len(set(slugs)) == 19
    assert set(per_forum) == set(slugs)
    assert len([s for s in slugs if s.startswith("samrad-")]) == 5
    assert 4 <= per_forum["ros-gruppen"] <= 12
    stormoten = sorted(int(m["starts_at"][5:7]) for m in in_year if m["forum_slug"] == "stormote")
    assert len(stormoten) == 2
    assert stormoten[0] <= 6 < 8 <= stormoten[1]  # once each term


def test_meetings_lie_before_and_after_today_and_pass_the_events_services_schema(region):
    schema = ScheduleMeetingSchema()
    starts = [datetime.fromisoformat(m["starts_at"]).date() for m in region.meetings]

    assert sum(day < TODAY for day in starts) >= 20
    assert sum(day > TODAY for day in starts) >= 20
    assert max(starts) - min(starts) >= (date(2028, 1, 1) - date(2027, 1, 1))
    for meeting in region.meetings:
        loaded = schema.load(meeting)
        assert loaded["ends_at"] > loaded["starts_at"]
        if loaded.get("registration_deadline"):
            assert loaded["registration_deadline"] < loaded["starts_at"]
    assert any(m.get("location") and m.get("capacity") for m in region.meetings)


def test_a_few_meetings_are_cancelled_none_that_anyone_registered_for(region):
    registered = {registration.meeting for registration in region.registrations}

    assert 1 <= len(region.cancelled) <= len(region.meetings) // 10
    assert not registered & set(region.cancelled)


def test_registrations_only_for_coming_meetings_that_still_take_them(region):
    assert region.registrations
    for registration in region.registrations:
        meeting = region.meetings[registration.meeting]
        assert datetime.fromisoformat(meeting["registration_deadline"]).date() > TODAY
        assert registration.attendee_email.endswith(".example.org")


def test_a_dozen_plans_three_at_each_stage(region):
    names = {o.name for o in region.organisations}
    stages = Counter(plan["stage"] for plan in region.plans)

    assert stages == dict.fromkeys(demo_data.STAGES, 3)
    for plan in region.plans:
        assert set(plan["invite"]) <= names
        assert len(plan["invite"]) == len(set(plan["invite"]))
        assert set(plan["principles_checked"]) <= set(demo_data.PRINCIPLES)
        met = [datetime.fromisoformat(m["starts_at"]).date() for m in plan["meetings"]]
        if plan["stage"] == "planned":
            assert met == []
            assert plan["outcome"] is None
        elif plan["stage"] == "meetings_booked":
            assert met
            assert min(met) > TODAY
            assert plan["outcome"] is None
        else:
            assert met
            assert max(met) < TODAY
            feedback_on = date.fromisoformat(plan["outcome"]["feedback_on"])
            assert (feedback_on > TODAY) == (plan["stage"] == "outcome_recorded")
