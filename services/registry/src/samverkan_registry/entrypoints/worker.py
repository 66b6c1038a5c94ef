"""The import worker: a background green thread in the registry service that runs queued import jobs."""

from __future__ import annotations

import logging
from typing import Any

import eventlet
from eventlet.event import Event
from nameko.extensions import DependencyProvider

from samverkan_common.db import make_engine, session_factory

from ..adapters.repository import RegistryUnitOfWork
from ..service_layer import imports

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0


class ImportWorker(DependencyProvider):
    """Runs one queued import at a time, a batch per transaction, yielding between batches.

    A job is claimed with a conditional UPDATE, so several service instances on one
    database never run the same job. The RPC that completes a job's file wakes the
    worker at once; it also polls, so a job queued while it was busy is not forgotten.
    """

    def __init__(self) -> None:
        self._wake = Event()
        self._running = False

    def setup(self) -> None:
        url = self.container.config["DATABASE_URL"]
        if url.startswith("postgresql"):
            from psycogreen.eventlet import patch_psycopg

            patch_psycopg()
        self.engine = make_engine(url)
        self.sessions = session_factory(self.engine)

    def start(self) -> None:
        self._running = True
        self.container.spawn_managed_thread(self._work_forever)

    def stop(self) -> None:
        self._running = False
        self.wake()

    def kill(self) -> None:
        self._running = False

    def get_dependency(self, worker_ctx: Any) -> ImportWorker:
        return self

    def wake(self) -> None:
        if not self._wake.ready():
            self._wake.send(True)

    def run_one(self) -> bool:
        """Run the next queued job to its end; False when none was waiting."""
        uow = RegistryUnitOfWork(self.sessions())
        try:
            job_id = imports.claim_next(uow)
            if job_id is None:
                return False
            finished = imports.run(uow, job_id, pause=lambda: eventlet.sleep(0))
            log.info("import %s %s: %s rows", job_id, finished["status"], finished["rows_done"])
            return True
        finally:
            uow.session.close()

    def _work_forever(self) -> None:
        while self._running:
            try:
                while self._running and self.run_one():
                    pass
            except Exception:  # noqa: BLE001 - the job is marked failed; the worker lives on
                log.exception("import job failed")
            if not self._wake.ready():
                self._wake.wait(POLL_SECONDS)
            self._wake = Event()
