"""The migrations build the same database the tables describe, seeded with the domain's municipalities."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select

from samverkan_common.migrations import upgrade
from samverkan_registry.adapters.tables import metadata, municipalities, municipality_rows


def test_migrated_database_matches_the_tables_and_holds_every_municipality(tmp_path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    upgrade("samverkan_registry", url)

    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        seeded = [dict(row._mapping) for row in connection.execute(select(municipalities))]
    engine.dispose()

    assert differences == []
    assert sorted(seeded, key=lambda row: row["code"]) == municipality_rows()
