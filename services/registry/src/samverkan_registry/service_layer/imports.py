"""Importing the register from a CSV file, as a job that reports its progress and every bad row.

The file arrives in chunks (an RPC message should stay small), is stored with
the job, and is processed by the service's import worker (or by the CLI) a
batch of rows per transaction. Each row is written inside its own savepoint:
a row that fails leaves nothing behind, and the rows around it are kept.
Rows are matched on organisation number, so importing a file again updates
what changed and duplicates nothing; a row without a number is matched on
its name and municipality among organisations that have none.

Each batch announces what it registered and updated in one
``organisations_imported`` event (committed with the batch), not one event per
organisation: an import of the whole register would otherwise put tens of
thousands of messages on the broker, and relaying them took a third of the
registry's time (profiled). Each entry carries what ``organisation_registered``
and ``organisation_updated`` carry for a single organisation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from samverkan_common.errors import Conflict, Invalid, NotFound

from ..domain import csv_import
from ..domain.model import (
    Actor,
    Organisation,
    OrganisationKind,
    normalise_organisation_number,
    organisation_number_problem,
    require_operator,
)

BATCH_SIZE = 500
IMPORTED_EVENT = "organisations_imported"
# A running job whose worker has written nothing for this long is taken up by another worker.
STALE_AFTER = timedelta(minutes=2)
MAX_CHUNKS = 200
ERRORS_SHOWN = 1_000


class JobStore(Protocol):
    def add(self, job: dict[str, Any]) -> None: ...
    def get(self, job_id: str) -> dict[str, Any] | None: ...
    def set(self, job_id: str, **values: Any) -> None: ...
    def add_chunk(self, job_id: str, position: int, content: bytes) -> None: ...
    def chunk_count(self, job_id: str) -> int: ...
    def content(self, job_id: str) -> bytes: ...
    def drop_content(self, job_id: str) -> None: ...
    def claim(self, stale_before: Any, **values: Any) -> str | None: ...
    def add_errors(self, job_id: str, errors: list[tuple[int, str, str]]) -> None: ...
    def errors(self, job_id: str, limit: int) -> tuple[list[dict[str, Any]], int]: ...


class ImportUow(Protocol):
    @property
    def jobs(self) -> JobStore: ...
    @property
    def organisations(self) -> Any: ...
    def savepoint(self) -> AbstractContextManager[None]: ...
    def emit(self, type_: str, data: dict[str, Any], version: int = 1) -> object: ...
    def emit_many(self, type_: str, many: list[dict[str, Any]], version: int = 1) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


Progress = Callable[[dict[str, Any]], None]


def _now() -> datetime:
    return datetime.now(UTC)


def create_job(
    uow: ImportUow, actor: Actor, *, filename: str, chunks: int, status: str = "receiving"
) -> dict[str, Any]:
    """A new import job waiting for its ``chunks`` parts of the file."""
    require_operator(actor)
    if not 1 <= chunks <= MAX_CHUNKS:
        raise Invalid("Too many parts.", "IMPORT_FILE_INVALID", {"chunks": [f"From 1 to {MAX_CHUNKS}."]})
    job = {
        "id": str(uuid.uuid4()),
        "kind": "organisations_csv",
        "status": status,
        "filename": filename[:255],
        "chunks_expected": chunks,
        "rows_total": None,
        "rows_done": 0,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
        "message": "",
        "created_at": _now(),
        "started_at": _now() if status == "running" else None,
        "finished_at": None,
    }
    uow.jobs.add(job)
    uow.commit()
    return job


def add_chunk(uow: ImportUow, actor: Actor, job_id: str, position: int, content: bytes) -> dict[str, Any]:
    """Store one part of the file; with the last part the job is queued for the worker."""
    require_operator(actor)
    job = _job(uow, job_id)
    if job["status"] != "receiving":
        raise Conflict("The job has all of its file already.", "IMPORT_NOT_RECEIVING")
    if not 0 <= position < job["chunks_expected"]:
        raise Invalid(
            "No such part.", "IMPORT_FILE_INVALID", {"position": [f"From 0 to {job['chunks_expected'] - 1}."]}
        )
    uow.jobs.add_chunk(job_id, position, content)
    if uow.jobs.chunk_count(job_id) == job["chunks_expected"]:
        uow.jobs.set(job_id, status="queued")
    uow.commit()
    return _job(uow, job_id)


def get_job(uow: ImportUow, actor: Actor, job_id: str) -> dict[str, Any]:
    """The job's state, counts, and the problems found so far (the first thousand, with their total)."""
    require_operator(actor)
    job = _job(uow, job_id)
    job["errors"], job["errors_total"] = uow.jobs.errors(job_id, ERRORS_SHOWN)
    return job


def claim_next(uow: ImportUow, now: datetime | None = None) -> str | None:
    """The id of a queued job, or of one whose worker stopped, now running for this worker; None if none waits."""
    now = now or _now()
    job_id = uow.jobs.claim(now - STALE_AFTER, heartbeat_at=now)
    if job_id is not None:
        job = _job(uow, job_id)
        if job["started_at"] is None:
            uow.jobs.set(job_id, started_at=now)
    uow.commit()
    return job_id


def run(
    uow: ImportUow,
    job_id: str,
    *,
    progress: Progress | None = None,
    pause: Callable[[], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> dict[str, Any]:
    """Import the job's file, committing a batch at a time; returns the finished job."""
    try:
        columns, rows = csv_import.read(csv_import.decode(uow.jobs.content(job_id)))
    except Invalid as problem:
        reasons = "; ".join(str(m) for m in problem.errors.get("file", []))
        uow.jobs.set(job_id, status="failed", message=f"{problem.detail} {reasons}".strip(), finished_at=_now())
        uow.jobs.drop_content(job_id)
        uow.commit()
        return _job(uow, job_id)
    uow.jobs.set(job_id, rows_total=len(rows), heartbeat_at=_now())
    uow.commit()
    job = _job(uow, job_id)
    importer = _Importer(uow, job_id, {name: job[name] for name in ("created", "updated", "unchanged", "failed")})
    # A job taken up after its worker stopped goes on after the last batch that was committed.
    importer.skip(rows[: job["rows_done"]])
    try:
        for start in range(job["rows_done"], len(rows), batch_size):
            importer.batch(rows[start : start + batch_size])
            uow.jobs.set(
                job_id,
                rows_done=start + len(rows[start : start + batch_size]),
                heartbeat_at=_now(),
                **importer.counts,
            )
            uow.jobs.add_errors(job_id, importer.take_errors())
            uow.commit()
            if progress:
                progress(_job(uow, job_id))
            if pause:
                pause()  # let the service answer other calls between batches
    except Exception as error:
        uow.rollback()
        uow.jobs.set(job_id, status="failed", message=f"Stopped by an unexpected error: {type(error).__name__}")
        uow.commit()
        raise
    uow.jobs.set(job_id, status="finished", finished_at=_now())
    uow.jobs.drop_content(job_id)
    uow.commit()
    return _job(uow, job_id)


class _Importer:
    """The state of one import across its batches: counts, problems, and what the file held before."""

    def __init__(self, uow: ImportUow, job_id: str, counts: dict[str, int]):
        self.uow = uow
        self.job_id = job_id
        self.counts = dict(counts)
        self._errors: list[tuple[int, str, str]] = []
        self._lines_of_number: dict[str, int] = {}
        self._lines_of_name: dict[tuple[str, str], int] = {}
        self._registered: list[dict[str, Any]] = []
        self._updated: list[dict[str, Any]] = []

    def take_errors(self) -> list[tuple[int, str, str]]:
        taken, self._errors = self._errors, []
        return taken

    def skip(self, rows: list[csv_import.Row]) -> None:
        """Remember which organisations ``rows`` held (imported before), so a later duplicate is still caught."""
        for row in rows:
            try:
                values = csv_import.fields_of(row)
                number = values.get("organisation_number")
                if number:
                    self._lines_of_number.setdefault(normalise_organisation_number(number), row.line)
                elif values["name"]:
                    self._lines_of_name.setdefault((values["name"], values["municipality_code"]), row.line)
            except Invalid:
                continue

    def batch(self, rows: list[csv_import.Row]) -> None:
        parsed = [(row, values) for row in rows if (values := self._checked(row)) is not None]
        numbers = [v["organisation_number"] for _, v in parsed if v.get("organisation_number")]
        unnumbered = [
            (v.get("name", ""), v.get("municipality_code", "")) for _, v in parsed if not v.get("organisation_number")
        ]
        by_number = self.uow.organisations.by_numbers(numbers)
        by_name = self.uow.organisations.without_number_named(unnumbered)
        new: list[tuple[csv_import.Row, Organisation]] = []
        for row, values in parsed:
            number = values.get("organisation_number")
            current = (
                by_number.get(number) if number else by_name.get((values.get("name"), values.get("municipality_code")))
            )
            try:
                if current is None:
                    new.append((row, Organisation(**{"kind": OrganisationKind.OTHER, **values})))
                    continue
                with self.uow.savepoint():
                    self._update(current, values)
            except (Invalid, Conflict) as problem:
                self._fail(row.line, problem)
        self._create(new)
        self._announce()

    def _announce(self) -> None:
        """One event for the batch's registered and updated organisations, in the batch's transaction."""
        if self._registered or self._updated:
            self.uow.emit(
                IMPORTED_EVENT, {"job_id": self.job_id, "registered": self._registered, "updated": self._updated}
            )
        self._registered, self._updated = [], []

    def _create(self, new: list[tuple[csv_import.Row, Organisation]]) -> None:
        """Insert the batch's new organisations together; should the database refuse one, one at a time."""
        if not new:
            return
        try:
            with self.uow.savepoint():
                self.uow.organisations.add_many([organisation for _, organisation in new])
            self._registered += [organisation.event_data() for _, organisation in new]
            self.counts["created"] += len(new)
            return
        except Conflict:
            pass  # someone registered one of these numbers meanwhile: find which, row by row
        for row, organisation in new:
            try:
                with self.uow.savepoint():
                    self.uow.organisations.add(organisation)
                self._registered.append(organisation.event_data())
                self.counts["created"] += 1
            except (Invalid, Conflict) as problem:
                self._fail(row.line, problem)

    def _checked(self, row: csv_import.Row) -> dict[str, Any] | None:
        """The row's fields if its shape is right and it is the first row for its organisation."""
        try:
            values = csv_import.fields_of(row)
        except Invalid as problem:
            self._fail(row.line, problem)
            return None
        number = values.get("organisation_number")
        if number:
            problem_text = organisation_number_problem(number)
            if problem_text:
                self._fail(
                    row.line,
                    Invalid(problem_text, "ORGANISATION_NUMBER_INVALID", {"organisation_number": [problem_text]}),
                )
                return None
            number = values["organisation_number"] = normalise_organisation_number(number)
            first = self._lines_of_number.setdefault(number, row.line)
        elif values["name"]:
            first = self._lines_of_name.setdefault((values["name"], values["municipality_code"]), row.line)
        else:
            first = row.line  # no name: the organisation's own rules will say so
        if first != row.line:
            field = "organisation_number" if number else "name"
            self._fail(
                row.line,
                Invalid(
                    "Twice in the file.", "IMPORT_DUPLICATE", {field: [f"The same organisation is on line {first}."]}
                ),
            )
            return None
        return values

    def _update(self, current: Organisation, values: dict[str, Any]) -> None:
        updated, changed = current.changed_by(values)
        if not changed:
            self.counts["unchanged"] += 1
            return
        self.uow.organisations.update(updated, expected_version=current.version)
        self._updated.append({**updated.event_data(), "changes": changed})
        self.counts["updated"] += 1

    def _fail(self, line: int, problem: Invalid | Conflict) -> None:
        self.counts["failed"] += 1
        by_field = problem.errors or {"row": [problem.detail]}
        for field, messages in by_field.items():
            text = "; ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
            self._errors.append((line, field, text))


def _job(uow: ImportUow, job_id: str) -> dict[str, Any]:
    job = uow.jobs.get(job_id)
    if job is None:
        raise NotFound(f"There is no job {job_id!r}.", "JOB_NOT_FOUND")
    return job


def csv_lines(organisations: list[Organisation], with_heading: bool) -> Iterator[list[str]]:
    """The public fields of ``organisations`` as CSV rows, every text cell safe to open in a spreadsheet."""
    if with_heading:
        yield list(EXPORT_COLUMNS)
    for o in organisations:
        row = [
            o.id,
            o.name,
            o.organisation_number or "",
            o.kind.value,
            o.municipality_code,
            "|".join(o.other_names),
            "|".join(area.value for area in o.areas),
            "|".join(o.tags),
            str(o.founded_year or ""),
            o.status.value,
            o.website,
            o.contact_email,
            o.description,
        ]
        yield [csv_import.neutralised(cell) for cell in row]


EXPORT_COLUMNS = (
    "id",
    "name",
    "organisation_number",
    "kind",
    "municipality_code",
    "other_names",
    "areas",
    "tags",
    "founded_year",
    "status",
    "website",
    "contact_email",
    "description",
)
