"""The registry's database work, the same tests on SQLite (the local default) and PostgreSQL (production).

Both databases are built by the migrations, as deployed ones are, so the full-text index under test
is the one the migrations create.
"""

from __future__ import annotations

from datetime import date

import pytest

from samverkan_common.db import make_engine, session_factory
from samverkan_common.errors import Conflict
from samverkan_common.migrations import upgrade
from samverkan_registry.adapters.repository import RegistryUnitOfWork
from samverkan_registry.domain.model import Actor, Area, ForumRole, OrganisationKind, Role
from samverkan_registry.domain.search import SearchQuery
from samverkan_registry.service_layer import handlers
from tests.support.stack import Databases

pytestmark = pytest.mark.integration

PLANNER = Actor(Role.PLANNER)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'registry.db'}"
        upgrade("samverkan_registry", url)
        yield url
        return
    made = Databases({"registry": "samverkan_registry"})
    yield made.urls["registry"]
    made.drop()


@pytest.fixture
def new_uow(database_url):
    """Units of work on one database, each with its own session (as two workers would have)."""
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    made = []

    def make():
        made.append(RegistryUnitOfWork(sessions()))
        return made[-1]

    yield make
    for uow in made:
        uow.session.close()
    engine.dispose()


@pytest.fixture
def uow(new_uow):
    return new_uow()


def register(uow, name, municipality_code="1480", kind=OrganisationKind.IDEELL_FORENING, **fields):
    return handlers.register_organisation(uow, name=name, kind=kind, municipality_code=municipality_code, **fields)


def names(uow, **query):
    return [o.name for o in handlers.search_organisations(uow, SearchQuery(**query)).items]


# --- full-text search ------------------------------------------------------------------------


@pytest.fixture
def register_of_five(uow):
    register(uow, "Göteborgs Idrottsförening", description="Fotboll och friidrott för unga.")
    register(uow, "Åmåls Hembygdsförening", municipality_code="1492", areas=[Area.CULTURE])
    register(uow, "Amalias vänner", municipality_code="1490", description="Stöd till anhöriga.")
    register(
        uow,
        "Kulturföreningen Tornet",
        municipality_code="1496",
        description="Konst och musik i Göteborg och Skövde.",
        tags=["körsång"],
        areas=[Area.CULTURE, Area.REGIONAL_DEVELOPMENT],
    )
    register(
        uow,
        "Stiftelsen Vägen",
        municipality_code="1488",
        kind=OrganisationKind.STIFTELSE,
        other_names=["Vägenstiftelsen"],
        areas=[Area.PUBLIC_TRANSPORT],
    )
    return uow


@pytest.mark.parametrize("query", ["göteborg", "Göteborg", "GÖTEBORG", "göte"])
def test_search_ignores_case_and_matches_prefixes(register_of_five, query):
    found = names(register_of_five, q=query)
    assert found[0] == "Göteborgs Idrottsförening"
    assert set(found) == {"Göteborgs Idrottsförening", "Kulturföreningen Tornet"}


def test_a_and_å_are_different_letters(register_of_five):
    assert names(register_of_five, q="åmål") == ["Åmåls Hembygdsförening"]
    assert names(register_of_five, q="amal") == ["Amalias vänner"]


def test_name_match_ranks_above_a_match_in_the_description(register_of_five):
    register(register_of_five, "Skövde konstförening")

    found = names(register_of_five, q="skövde")

    assert found[0] == "Skövde konstförening"
    assert set(found) == {"Skövde konstförening", "Kulturföreningen Tornet"}


def test_every_word_must_match(register_of_five):
    assert names(register_of_five, q="konst göteborg") == ["Kulturföreningen Tornet"]
    assert names(register_of_five, q="konst fotboll") == []


def test_other_names_tags_and_municipality_names_are_found(register_of_five):
    assert names(register_of_five, q="vägenstift") == ["Stiftelsen Vägen"]
    assert names(register_of_five, q="körsång") == ["Kulturföreningen Tornet"]
    assert names(register_of_five, q="trollhättan") == ["Stiftelsen Vägen"]


def test_punctuation_in_a_search_is_no_syntax_error(register_of_five):
    assert names(register_of_five, q='"göteborgs" OR (idrott*') == []
    assert names(register_of_five, q="göteborgs: idrott&*") == ["Göteborgs Idrottsförening"]
    assert len(names(register_of_five, q='"*&|!')) == 5
    assert names(register_of_five, q="göteborgs_idrott") == ["Göteborgs Idrottsförening"]


def test_filters_narrow_by_municipality_subregion_kind_and_area(register_of_five):
    uow = register_of_five
    assert names(uow, municipality="1492") == ["Åmåls Hembygdsförening"]
    assert names(uow, subregion="skaraborg") == ["Kulturföreningen Tornet"]
    assert names(uow, subregion="fyrbodal") == ["Stiftelsen Vägen", "Åmåls Hembygdsförening"]
    assert names(uow, kind=OrganisationKind.STIFTELSE) == ["Stiftelsen Vägen"]
    assert names(uow, area=Area.CULTURE) == ["Kulturföreningen Tornet", "Åmåls Hembygdsförening"]
    assert names(uow, q="hembygd", area=Area.CULTURE, subregion="fyrbodal") == ["Åmåls Hembygdsförening"]


def test_search_is_paged_with_the_total(uow):
    for number in range(7):
        register(uow, f"Sångföreningen {number}")
    register(uow, "Något annat")

    first = handlers.search_organisations(uow, SearchQuery(q="sång", page=1, per_page=3))
    last = handlers.search_organisations(uow, SearchQuery(q="sång", page=3, per_page=3))

    assert (first.total, len(first.items), last.total, len(last.items)) == (7, 3, 7, 1)
    assert {o.id for o in first.items}.isdisjoint({o.id for o in last.items})


def test_renamed_organisation_is_found_by_its_new_name_only(uow):
    organisation = register(uow, "Gamla namnet")

    handlers.update_organisation(uow, PLANNER, organisation.id, 1, {"name": "Helt nytt"})

    assert names(uow, q="gamla") == []
    assert names(uow, q="helt") == ["Helt nytt"]


def test_signatories_on_a_day_and_forum_members_are_filters(uow):
    early = register(uow, "Tidig undertecknare")
    late = register(uow, "Sen undertecknare")
    never = register(uow, "Aldrig undertecknat")
    handlers.sign(uow, PLANNER, early.id, date(2014, 6, 1))
    handlers.withdraw(uow, PLANNER, early.id, date(2020, 1, 1))
    handlers.sign(uow, PLANNER, late.id, date(2019, 1, 1))
    handlers.add_membership(
        uow, PLANNER, late.id, forum_slug="ros-gruppen", role=ForumRole.MEMBER, starts_on=date(2024, 1, 1)
    )
    handlers.add_membership(
        uow,
        PLANNER,
        never.id,
        forum_slug="ros-gruppen",
        role=ForumRole.MEMBER,
        starts_on=date(2020, 1, 1),
        ends_on=date(2021, 12, 31),
    )

    assert names(uow, signatory_on=date(2015, 1, 1), signatory=True) == ["Tidig undertecknare"]
    assert names(uow, signatory_on=date(2019, 6, 1)) == ["Sen undertecknare", "Tidig undertecknare"]
    assert names(uow, signatory_on=date(2020, 1, 1)) == ["Sen undertecknare"]  # withdrawn that day
    assert names(uow, signatory=True) == ["Sen undertecknare"]
    assert names(uow, signatory=False) == ["Aldrig undertecknat", "Tidig undertecknare"]
    assert names(uow, forum="ros-gruppen") == ["Sen undertecknare"]  # the other seat has ended


# --- optimistic concurrency -------------------------------------------------------------------


def test_two_updates_from_the_same_version_one_wins_one_conflicts(new_uow):
    first, second = new_uow(), new_uow()
    organisation = register(first, "Föreningen Delad")
    # Both read version 1 ...
    mine = first.organisations.get(organisation.id)
    theirs = second.organisations.get(organisation.id)
    second.session.rollback()
    # ... the first saves ...
    handlers.update_organisation(first, PLANNER, mine.id, mine.version, {"description": "Först"})
    # ... and the second, built on the same version, is refused by the database's own check.
    updated, _ = theirs.changed_by({"description": "Sist"})
    with pytest.raises(Conflict) as stale:
        second.organisations.update(updated, expected_version=theirs.version)
    second.rollback()

    assert stale.value.code == "ORGANISATION_VERSION_CONFLICT"
    stored = new_uow().organisations.get(organisation.id)
    assert (stored.description, stored.version) == ("Först", 2)


def test_same_organisation_number_registered_twice_at_once_is_one_organisation(new_uow):
    first, second = new_uow(), new_uow()
    assert second.organisations.by_organisation_number("802002-4280") is None

    register(first, "Först", organisation_number="802002-4280")
    with pytest.raises(Conflict):
        register(second, "Sist", organisation_number="802002-4280")
    second.rollback()

    assert names(new_uow(), q="802002-4280") == ["Först"]
    assert names(new_uow(), q="8020024280") == ["Först"]
