"""``samverkan-registry``: operator commands of the registry, run where its database is reachable."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from samverkan_common.db import make_engine, session_factory

from .adapters.repository import RegistryUnitOfWork
from .domain.model import Actor, Role
from .service_layer import imports

DEFAULT_DATABASE_URL = "sqlite:///var/registry.db"


@click.group()
def main() -> None:
    """Operate the organisation registry."""


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--database-url",
    default=lambda: os.environ.get("REGISTRY_DATABASE_URL", DEFAULT_DATABASE_URL),
    show_default="$REGISTRY_DATABASE_URL or " + DEFAULT_DATABASE_URL,
    help="The registry's database.",
)
@click.option("--errors/--no-errors", default=True, help="List every bad row at the end.")
def import_file(file: Path, database_url: str, errors: bool) -> None:
    """Import organisations from a CSV FILE (UTF-8 or Windows-1252, ; or ,), showing progress.

    The same job as POST /api/v1/organisations/import: rows are matched on organisation
    number, so a second run updates and never duplicates; every bad row is reported with
    its line, and nothing of a bad row is stored. The running service publishes the
    events the import records.
    """
    engine = make_engine(database_url)
    uow = RegistryUnitOfWork(session_factory(engine)())
    try:
        job = imports.create_job(uow, Actor(Role.OPERATOR), filename=file.name, chunks=1, status="running")
        uow.jobs.add_chunk(job["id"], 0, file.read_bytes())
        uow.commit()
        with click.progressbar(length=1, label=f"Importing {file.name}", show_pos=True, file=None) as bar:
            done = 0

            def progress(state: dict[str, Any]) -> None:
                nonlocal done
                bar.length = state["rows_total"] or 1
                bar.update(state["rows_done"] - done)
                done = state["rows_done"]

            finished = imports.run(uow, job["id"], progress=progress)
        report = imports.get_job(uow, Actor(Role.OPERATOR), job["id"])
    finally:
        uow.session.close()
        engine.dispose()
    click.echo(
        f"{finished['status']}: {finished['rows_done']} of {finished['rows_total'] or 0} rows; "
        f"{finished['created']} created, {finished['updated']} updated, "
        f"{finished['unchanged']} unchanged, {finished['failed']} failed (job {finished['id']})"
    )
    if finished["message"]:
        click.echo(finished["message"], err=True)
    if errors:
        for problem in report["errors"]:
            click.echo(f"line {problem['line']}: {problem['field']}: {problem['message']}", err=True)
        if report["errors_total"] > len(report["errors"]):
            click.echo(f"... and {report['errors_total'] - len(report['errors'])} more", err=True)
    if finished["status"] != "finished":
        raise SystemExit(1)
