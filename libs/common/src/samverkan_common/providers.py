"""nameko dependency providers: a unit of work per worker, and the outbox relay."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from eventlet.event import Event
from nameko.extensions import DependencyProvider
from sqlalchemy import Engine

from . import metrics
from .db import UnitOfWork, make_engine, session_factory
from .outbox import OutboxRelay

log = logging.getLogger(__name__)

RELAY_POLL_SECONDS = 2.0
RELAY_RETRY_SECONDS = 1.0
PRUNE_EVERY_SECONDS = 3600.0


class UnitOfWorkProvider(DependencyProvider):
    """Builds the engine and the relay once; hands each worker a fresh unit of work.

    Config keys: ``DATABASE_URL`` (required), ``AMQP_URI`` (nameko's own) and
    ``OUTBOX`` (``MAX_ATTEMPTS`` before a row is parked, ``SENT_RETENTION_DAYS``,
    ``PROCESSED_RETENTION_DAYS``). After a commit that emitted events the relay is
    woken at once; it also polls, so events left by a crash are published when the
    service returns, and it prunes old rows once an hour.
    """

    def __init__(self, uow_class: type[UnitOfWork]):
        self.uow_class = uow_class
        self.engine: Engine | None = None
        self.relay: OutboxRelay | None = None
        self._wake = Event()
        self._running = False

    def setup(self) -> None:
        config = self.container.config
        if config["DATABASE_URL"].startswith("postgresql"):
            # psycopg2 waits on its socket in C and would block every green thread; this makes it yield.
            from psycogreen.eventlet import patch_psycopg

            patch_psycopg()
        self.engine = make_engine(config["DATABASE_URL"])
        self.sessions = session_factory(self.engine)
        outbox = config.get("OUTBOX") or {}
        self.relay = OutboxRelay(
            self.engine,
            self.uow_class.metadata.tables["outbox"],
            config["AMQP_URI"],
            self.container.service_name,
            max_attempts=int(outbox.get("MAX_ATTEMPTS", 5)),
            processed_events=self.uow_class.metadata.tables["processed_events"],
            sent_retention=timedelta(days=float(outbox.get("SENT_RETENTION_DAYS", 7))),
            processed_retention=timedelta(days=float(outbox.get("PROCESSED_RETENTION_DAYS", 30))),
        )
        metrics.watch_outbox(self.container.service_name, self.engine, self.uow_class.metadata.tables["outbox"])

    def start(self) -> None:
        self._running = True
        self.container.spawn_managed_thread(self._relay_forever)

    def stop(self) -> None:
        self._running = False
        metrics.unwatch_outbox(self.container.service_name)
        self.wake()

    def kill(self) -> None:
        self._running = False
        metrics.unwatch_outbox(self.container.service_name)

    def wake(self) -> None:
        if not self._wake.ready():
            self._wake.send(True)

    def get_dependency(self, worker_ctx: Any) -> UnitOfWork:
        return self.uow_class(self.sessions(), on_commit=self.wake)

    def worker_teardown(self, worker_ctx: Any) -> None:
        uow = worker_ctx.service.__dict__.get(self.attr_name)
        if uow is not None:
            uow.session.close()

    def _relay_forever(self) -> None:
        assert self.relay is not None
        next_prune = time.monotonic()
        while self._running:
            try:
                while self.relay.relay_batch():
                    pass
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
                    self.relay.prune()
                timeout = RELAY_POLL_SECONDS
            except Exception:  # noqa: BLE001 - broker or database away: retry, never die
                log.warning("outbox relay failed; retrying", exc_info=True)
                timeout = RELAY_RETRY_SECONDS
            if not self._wake.ready():
                self._wake.wait(timeout)
            self._wake = Event()
        try:
            self.relay.relay_batch()
        except Exception:  # noqa: BLE001
            log.warning("outbox relay could not flush on stop", exc_info=True)
