"""CSV import at full size, on SQLite and on PostgreSQL: 43,000 organisations, twice; and 100 broken rows."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from samverkan_registry import sample
from samverkan_registry.adapters.tables import organisations
from samverkan_registry.domain.model import Actor, OrganisationKind, Role
from samverkan_registry.domain.search import SearchQuery
from samverkan_registry.service_layer import handlers, imports
from tests.integration import test_registry_database as same_databases

# The same two databases (SQLite and PostgreSQL, built by the migrations) as the other registry tests.
database_url = same_databases.database_url
new_uow = same_databases.new_uow
uow = same_databases.uow

pytestmark = pytest.mark.integration

OPERATOR = Actor(Role.OPERATOR)


def run_import(uow, content: bytes) -> dict:
    job = imports.create_job(uow, OPERATOR, filename="register.csv", chunks=1, status="running")
    uow.jobs.add_chunk(job["id"], 0, content)
    uow.commit()
    imports.run(uow, job["id"])
    return imports.get_job(uow, OPERATOR, job["id"])


def outbox_count(uow) -> int:
    return uow.session.execute(select(func.count()).select_from(uow.metadata.tables["outbox"])).scalar_one()


def announced(uow) -> list[dict]:
    """The organisations the import's events say it registered, one entry each."""
    outbox = uow.metadata.tables["outbox"]
    rows = uow.session.execute(select(outbox.c.envelope).where(outbox.c.type == imports.IMPORTED_EVENT)).all()
    return [each for row in rows for each in json.loads(row.envelope)["data"]["registered"]]


def test_43000_organisations_import_and_reimport_with_the_same_counts(uow, request, capsys):
    content = sample.csv_bytes(sample.rows(43_000)[0])

    started = time.monotonic()
    first = run_import(uow, content)
    first_seconds = time.monotonic() - started
    started = time.monotonic()
    second = run_import(uow, content)
    second_seconds = time.monotonic() - started

    assert (first["status"], first["rows_done"], first["created"], first["failed"]) == ("finished", 43_000, 43_000, 0)
    assert (second["created"], second["updated"], second["unchanged"], second["failed"]) == (0, 0, 43_000, 0)
    assert uow.session.execute(select(func.count()).select_from(organisations)).scalar_one() == 43_000
    # One organisations_imported event per batch of 500, naming each organisation once; none for the re-import.
    assert outbox_count(uow) == 43_000 / imports.BATCH_SIZE
    assert len({o["organisation_id"] for o in announced(uow)}) == 43_000
    found = handlers.search_organisations(uow, SearchQuery(q="kärra musik", per_page=5))
    assert found.total > 0
    assert all("Kärra" in o.name for o in found.items)
    with capsys.disabled():
        seconds = f"import {first_seconds:.1f} s, re-import {second_seconds:.1f} s"
        print(f"\n[{request.node.callspec.id}] 43,000 rows: {seconds}")


def test_file_with_100_broken_rows_imports_the_good_ones_and_lists_exactly_the_100(uow):
    made, broken = sample.rows(5_000, broken=100, seed=3)

    job = run_import(uow, sample.csv_bytes(made))

    assert (job["created"], job["failed"], job["errors_total"]) == (4_900, 100, 100)
    assert {(e["line"], e["field"]) for e in job["errors"]} == set(broken.items())
    assert uow.session.execute(select(func.count()).select_from(organisations)).scalar_one() == 4_900
    assert len(announced(uow)) == 4_900


def test_a_number_taken_meanwhile_fails_that_row_only(uow, monkeypatch):
    made, _ = sample.rows(10)
    handlers.register_organisation(
        uow,
        name="Först på plats",
        kind=OrganisationKind.NATVERK,
        municipality_code="1480",
        organisation_number=made[4][1],
    )
    # As if another writer registered it between the importer's look-up and its insert.
    monkeypatch.setattr(type(uow.organisations), "by_numbers", lambda self, numbers: {})

    job = run_import(uow, sample.csv_bytes(made))

    assert (job["created"], job["failed"]) == (9, 1)
    assert len(announced(uow)) == 9
    assert job["errors"][0]["line"] == 6
    assert job["errors"][0]["field"] == "organisation_number"


def test_cli_imports_with_a_progress_bar_and_a_report(database_url, tmp_path: Path):
    made, broken = sample.rows(2_000, broken=3, seed=5)
    file = tmp_path / "register.csv"
    file.write_bytes(sample.csv_bytes(made))
    command = [str(Path(sys.executable).parent / "samverkan-registry"), "import", str(file)]

    done = subprocess.run(
        [*command, "--database-url", database_url], capture_output=True, text=True, timeout=120, check=False
    )

    assert done.returncode == 0, done.stderr
    assert "finished: 2000 of 2000 rows; 1997 created, 0 updated, 0 unchanged, 3 failed" in done.stdout
    assert "Importing register.csv" in done.stdout
    for line, field in broken.items():
        assert f"line {line}: {field}: " in done.stderr
