"""The migrations build the same database the tables describe, seeded with the domain's municipalities."""

from datetime import date

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text

from samverkan_common.db import session_factory
from samverkan_common.migrations import alembic_config, upgrade
from samverkan_common.testing import in_memory_uow
from samverkan_registry.adapters.repository import RegistryUnitOfWork
from samverkan_registry.adapters.tables import metadata, municipalities, municipality_rows
from samverkan_registry.domain.search import SearchQuery

# Made by raw DDL for SQLite's full-text search (see adapters/search.py), so not in the metadata.
SEARCH_TABLES = {"organisation_search", "organisation_search_keys"}


def _is_search_table(difference):
    kind, *rest = difference
    return kind == "remove_table" and (rest[0].name in SEARCH_TABLES or rest[0].name.startswith("organisation_search_"))


def test_migrated_database_matches_the_tables_and_holds_every_municipality(tmp_path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    upgrade("samverkan_registry", url)

    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        seeded = [dict(row._mapping) for row in connection.execute(select(municipalities))]
    engine.dispose()

    assert [d for d in differences if not _is_search_table(d)] == []
    assert sorted(seeded, key=lambda row: row["code"]) == municipality_rows()


def test_organisation_registered_before_search_existed_is_found_after_the_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    config = alembic_config("samverkan_registry", url)
    command.upgrade(config, "0001")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, name, kind, organisation_number, municipality_code, description,"
                " website, contact_email, status, version, created_at, updated_at) VALUES ('o-1', 'Gamla föreningen',"
                " 'ideell_forening', NULL, '1490', 'Körsång i Borås', '', '', 'active', 1, '2026-01-01', '2026-01-01')"
            )
        )

    upgrade("samverkan_registry", url)

    uow = RegistryUnitOfWork(session_factory(engine)())
    found, total = uow.organisations.search(SearchQuery(q="körs borås"), today=date.today())
    assert [o.name for o in found] == ["Gamla föreningen"]
    assert total == 1
    assert found[0].other_names == []
    uow.session.close()
    engine.dispose()


def test_full_text_index_is_created_with_the_tables_for_tests():
    uow = in_memory_uow(RegistryUnitOfWork)
    names = {row[0] for row in uow.session.execute(text("SELECT name FROM sqlite_master"))}
    assert {"organisation_search", "organisation_search_keys", "organisations_search_insert"} <= names
