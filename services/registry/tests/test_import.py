"""Importing the register from CSV: encodings, idempotence, every bad row reported, nothing of it kept."""

import base64
import csv
import io
import json
from dataclasses import fields
from datetime import datetime, timedelta

import pytest
from nameko.testing.services import worker_factory

from samverkan_common.errors import Conflict, Forbidden
from samverkan_common.testing import in_memory_uow
from samverkan_registry import sample
from samverkan_registry.adapters import repository
from samverkan_registry.adapters.repository import RegistryUnitOfWork
from samverkan_registry.adapters.tables import organisations
from samverkan_registry.domain.model import Actor, Area, Organisation, OrganisationKind, Role
from samverkan_registry.entrypoints.service import RegistryService
from samverkan_registry.service_layer import imports

OPERATOR = {"role": "operator"}


@pytest.fixture
def service():
    return worker_factory(RegistryService, uow=in_memory_uow(RegistryUnitOfWork))


def import_file(service, content: bytes, parts: int = 1, batch_size: int = 500):
    """Send the file in ``parts`` as the gateway does, then run the job as the worker does."""
    job = service.create_import_job({"filename": "register.csv", "chunks": parts}, OPERATOR)
    size = -(-len(content) // parts)
    for position in range(parts):
        piece = content[position * size : (position + 1) * size]
        job = service.add_import_chunk(job["id"], position, base64.b64encode(piece).decode(), OPERATOR)
    assert job["status"] == "queued"
    service.import_worker.wake.assert_called()
    uow = service.uow
    assert imports.claim_next(uow) == job["id"]
    imports.run(uow, job["id"], batch_size=batch_size)
    return service.get_job(job["id"], OPERATOR)


def outbox_types(uow):
    rows = uow.session.execute(uow.metadata.tables["outbox"].select()).all()
    return [row.type for row in rows]


def announced(uow, part: str = "registered") -> list[dict]:
    """What the import's events say it registered (or updated), organisation by organisation."""
    outbox = uow.metadata.tables["outbox"]
    rows = uow.session.execute(outbox.select().order_by(outbox.c.id)).all()
    return [
        each for row in rows if row.type == imports.IMPORTED_EVENT for each in json.loads(row.envelope)["data"][part]
    ]


def test_excel_file_in_windows_1252_with_semicolons_is_imported(service):
    made, _ = sample.rows(30)

    job = import_file(service, sample.csv_bytes(made, "cp1252", ";"), parts=3, batch_size=7)

    assert (job["status"], job["rows_total"], job["rows_done"], job["created"], job["failed"]) == (
        "finished",
        30,
        30,
        30,
        0,
    )
    found = service.search_organisations({"q": made[0][0].split()[0]})["items"]
    assert made[0][0] in [o["name"] for o in found]  # å, ä, ö read right
    first = service.search_organisations({"q": made[0][1]})["items"][0]
    assert first["kind"] == "ideell_forening"
    # One event per batch (30 rows in batches of 7), naming every organisation the batch registered.
    assert outbox_types(service.uow) == [imports.IMPORTED_EVENT] * 5
    assert sorted(o["name"] for o in announced(service.uow)) == sorted(row[0] for row in made)
    assert {"organisation_id", "organisation_number", "municipality_code", "version"} <= set(announced(service.uow)[0])


def test_utf8_file_with_commas_and_a_byte_order_mark_is_imported(service):
    made, _ = sample.rows(5)

    job = import_file(service, b"\xef\xbb\xbf" + sample.csv_bytes(made, "utf-8", ","))

    assert (job["status"], job["created"]) == ("finished", 5)
    assert service.search_organisations({"q": made[4][0]})["total"] >= 1


def test_importing_the_same_file_again_changes_nothing(service):
    content = sample.csv_bytes(sample.rows(40)[0])
    import_file(service, content)
    events_before = len(outbox_types(service.uow))

    again = import_file(service, content)

    assert (again["created"], again["updated"], again["unchanged"], again["failed"]) == (0, 0, 40, 0)
    assert service.list_organisations()["total"] == 40
    assert len(outbox_types(service.uow)) == events_before


def test_reimport_updates_what_changed_by_organisation_number(service):
    made, _ = sample.rows(3)
    import_file(service, sample.csv_bytes(made))
    made[1][0] = "Nytt namn på föreningen"
    made[1][7] = "Ny beskrivning."

    again = import_file(service, sample.csv_bytes(made))

    assert (again["created"], again["updated"], again["unchanged"]) == (0, 1, 2)
    found = service.search_organisations({"q": made[1][1]})["items"][0]
    assert (found["name"], found["description"], found["version"]) == ("Nytt namn på föreningen", "Ny beskrivning.", 2)
    assert outbox_types(service.uow)[-1] == imports.IMPORTED_EVENT
    [update] = announced(service.uow, "updated")
    assert (update["organisation_id"], update["version"]) == (found["id"], 2)
    assert set(update["changes"]) == {"name", "description"}


def test_rows_without_number_are_recognised_by_name_and_municipality(service):
    content = "namn;kommun\r\nLäsecirkeln i Hjo;Hjo\r\nSyföreningen;1480\r\n".encode("cp1252")

    first = import_file(service, content)
    second = import_file(service, content)

    assert (first["created"], second["created"], second["unchanged"]) == (2, 0, 2)
    assert service.search_organisations({"q": "läsecirkeln"})["items"][0]["municipality_code"] == "1497"


def test_every_bad_row_is_reported_with_its_line_and_field_and_nothing_of_it_is_kept(service):
    made, broken = sample.rows(300, broken=20, seed=7)

    job = import_file(service, sample.csv_bytes(made), batch_size=50)

    assert (job["created"], job["failed"], job["rows_done"]) == (280, 20, 300)
    assert {(e["line"], e["field"]) for e in job["errors"]} == set(broken.items())
    assert job["errors_total"] == 20
    assert service.list_organisations()["total"] == 280
    assert len(announced(service.uow)) == 280
    assert not {o["organisation_number"] for o in announced(service.uow)} & {made[line - 2][1] for line in broken}
    stored = {o.organisation_number for o in service.uow.organisations.page(0, 1_000)}
    assert not stored & {made[line - 2][1] for line in broken}
    assert len(stored) == 280


def test_a_number_twice_in_one_file_is_reported_on_its_second_line(service):
    made, _ = sample.rows(3)
    made.append([*made[0][:1], made[0][1], *made[0][2:]])

    job = import_file(service, sample.csv_bytes(made))

    assert (job["created"], job["failed"]) == (3, 1)
    assert job["errors"] == [
        {"line": 5, "field": "organisation_number", "message": "The same organisation is on line 2."}
    ]


def test_quoted_cells_spanning_lines_keep_the_line_numbers_right(service):
    content = 'namn;kommunkod;beskrivning\r\n"Kören";1480;"Rad ett\r\nrad två"\r\n;1480;\r\n'.encode()

    job = import_file(service, content)

    assert job["errors"] == [{"line": 4, "field": "name", "message": "The name cannot be empty."}]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"kommun;beskrivning\r\nHjo;x\r\n", "No column for name"),
        (b"namn;kommunkod\r\n\x81\x8d\x8f;1480\r\n", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_a_file_that_cannot_be_read_fails_the_job_and_keeps_nothing(service, content, reason):
    job = service.create_import_job({"filename": "x.csv", "chunks": 1}, OPERATOR)
    service.add_import_chunk(job["id"], 0, base64.b64encode(content).decode(), OPERATOR)
    imports.claim_next(service.uow)

    finished = imports.run(service.uow, job["id"])

    assert finished["status"] == "failed"
    assert reason in finished["message"]
    assert service.list_organisations()["total"] == 0


def test_more_than_fifty_thousand_rows_is_refused_whole(service):
    content = b"namn;kommunkod\r\n" + b"F;1480\r\n" * 50_001
    job = service.create_import_job({"filename": "big.csv", "chunks": 1}, OPERATOR)
    service.add_import_chunk(job["id"], 0, base64.b64encode(content).decode(), OPERATOR)
    imports.claim_next(service.uow)

    finished = imports.run(service.uow, job["id"])

    assert finished["status"] == "failed"
    assert "50000" in finished["message"]
    assert service.list_organisations()["total"] == 0


def test_only_operators_import_and_read_jobs(service):
    with pytest.raises(Forbidden):
        service.create_import_job({"filename": "x.csv", "chunks": 1}, {"role": "planner"})
    job = service.create_import_job({"filename": "x.csv", "chunks": 1}, OPERATOR)
    with pytest.raises(Forbidden):
        service.get_job(job["id"], {"role": "planner"})


def test_a_complete_job_takes_no_more_parts(service):
    job = service.create_import_job({"filename": "x.csv", "chunks": 1}, OPERATOR)
    service.add_import_chunk(job["id"], 0, base64.b64encode(b"namn;kommunkod\r\n").decode(), OPERATOR)
    with pytest.raises(Conflict):
        service.add_import_chunk(job["id"], 0, base64.b64encode(b"x").decode(), OPERATOR)


def test_progress_is_reported_after_every_batch(service):
    content = sample.csv_bytes(sample.rows(25)[0])
    uow = service.uow
    job = imports.create_job(uow, Actor(Role.OPERATOR), filename="x.csv", chunks=1, status="running")
    uow.jobs.add_chunk(job["id"], 0, content)
    seen = []

    imports.run(
        uow, job["id"], progress=lambda state: seen.append((state["rows_done"], state["rows_total"])), batch_size=10
    )

    assert seen == [(10, 25), (20, 25), (25, 25)]


def test_export_lists_public_fields_and_neutralises_formulas(service):
    service.register_organisation(
        {"name": '=HYPERLINK("http://evil")', "kind": "natverk", "municipality_code": "1480", "description": "@SUM(A1)"}
    )
    service.register_organisation({"name": "Kören", "kind": "ideell_forening", "municipality_code": "1490"})
    texts, after = [], None
    while True:
        part = service.export_csv(after, 1)
        texts.append(part["csv"])
        after = part["next"]
        if after is None:
            break

    rows = list(csv.DictReader(io.StringIO("".join(texts)), delimiter=";"))

    assert sorted(row["name"] for row in rows) == ['\'=HYPERLINK("http://evil")', "Kören"]
    assert "'@SUM(A1)" in [row["description"] for row in rows]
    assert "contact_persons" not in json.dumps(rows)


class WorkerDied(BaseException):
    """Stands for kill -9: nothing after it runs, not even an except Exception."""


def test_job_whose_worker_died_is_taken_up_later_and_ends_as_if_never_stopped(service):
    made, broken = sample.rows(100, broken=4, seed=11)
    made.append(list(made[0]))  # a duplicate of line 2, after the point where the worker dies
    uow = service.uow
    job = service.create_import_job({"filename": "x.csv", "chunks": 1}, OPERATOR)
    service.add_import_chunk(job["id"], 0, base64.b64encode(sample.csv_bytes(made)).decode(), OPERATOR)
    assert imports.claim_next(uow) == job["id"]

    def die_after_two_batches(state):
        if state["rows_done"] == 40:
            raise WorkerDied

    with pytest.raises(WorkerDied):
        imports.run(uow, job["id"], progress=die_after_two_batches, batch_size=20)
    stopped = service.get_job(job["id"], OPERATOR)
    assert (stopped["status"], stopped["rows_done"]) == ("running", 40)
    assert imports.claim_next(uow) is None  # its heartbeat is fresh: maybe it is only slow

    later = datetime.fromisoformat(stopped["heartbeat_at"]) + imports.STALE_AFTER + timedelta(seconds=1)
    assert imports.claim_next(uow, now=later) == job["id"]
    imports.run(uow, job["id"], batch_size=20)

    done = service.get_job(job["id"], OPERATOR)
    assert (done["status"], done["rows_done"], done["created"], done["failed"]) == ("finished", 101, 96, 5)
    assert {(e["line"], e["field"]) for e in done["errors"]} == {*broken.items(), (102, "organisation_number")}
    assert service.list_organisations()["total"] == 96
    # Each organisation announced once, though the job ran twice over its first batches' lines.
    assert len({o["organisation_id"] for o in announced(uow)}) == len(announced(uow)) == 96


def test_every_field_of_an_organisation_is_stored_in_its_own_column():
    organisation = Organisation(
        name="Kören", kind=OrganisationKind.IDEELL_FORENING, municipality_code="1480", areas=[Area.CULTURE]
    )

    row = repository._row(organisation)

    assert set(row) == set(organisations.c.keys())
    assert set(row) == {f.name for f in fields(Organisation)} - {"areas"} | {"search_text"}
