"""The notifier's own clock and its outgoing worker, as nameko dependency providers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from eventlet.event import Event
from nameko.extensions import DependencyProvider

from samverkan_common.db import make_engine, session_factory

from ..adapters.courier import SmtpAndWebhookCourier, SmtpSettings
from ..adapters.repository import NotifierUnitOfWork
from ..domain.model import RetryPolicy
from ..service_layer import delivery, handlers, people

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def confirm_window(config: dict[str, Any]) -> timedelta:
    """How long a person has to confirm a subscription (``SUBSCRIPTIONS.CONFIRM_DAYS``, 7 by default)."""
    return timedelta(days=float((config.get("SUBSCRIPTIONS") or {}).get("CONFIRM_DAYS") or 7))


class Clock(DependencyProvider):
    """Hands workers the time; tests swap it to cross midnight without waiting for it."""

    def __init__(self) -> None:
        self.now: Callable[[], datetime] = utc_now

    def get_dependency(self, worker_ctx: Any) -> Callable[[], datetime]:
        return lambda: self.now()


class Dispatcher(DependencyProvider):
    """The outgoing worker: one green thread that bundles digests, sends what is due, and sends reminders.

    It wakes when an event handler has recorded new notifications, and otherwise
    polls every ``DELIVERY.INTERVAL_SECONDS`` for retries that have come due.
    Several notifier processes may run: each claims its messages under a lease
    (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL), so none is sent twice by two of them.

    Config (``config.yaml``): ``SMTP`` (HOST, PORT, STARTTLS, USERNAME, PASSWORD,
    FROM), ``PUBLIC_URL`` (for unsubscribe links) and ``DELIVERY`` (INTERVAL_SECONDS,
    BATCH, CONCURRENCY, RETRY_BASE_SECONDS, RETRY_MAX_DELAY_SECONDS,
    RETRY_WINDOW_HOURS, REMINDER_DAYS, DEADLINE_REMINDER_HOURS, REMINDER_INTERVAL_SECONDS, ENABLED).
    """

    def __init__(self) -> None:
        self._wake = Event()
        self._running = False
        self.now: Callable[[], datetime] = utc_now

    def setup(self) -> None:
        config = self.container.config
        settings = config.get("DELIVERY") or {}
        self.enabled = str(settings.get("ENABLED", True)).lower() not in ("false", "0", "no", "off")
        self.interval = float(settings.get("INTERVAL_SECONDS") or 1.0)
        self.batch = int(settings.get("BATCH") or 200)
        self.policy = RetryPolicy(
            base=timedelta(seconds=float(settings.get("RETRY_BASE_SECONDS") or 30)),
            max_delay=timedelta(seconds=float(settings.get("RETRY_MAX_DELAY_SECONDS") or 3600)),
            window=timedelta(hours=float(settings.get("RETRY_WINDOW_HOURS") or 24)),
        )
        self.reminder_before = timedelta(days=float(settings.get("REMINDER_DAYS") or 2))
        self.deadline_before = timedelta(hours=float(settings.get("DEADLINE_REMINDER_HOURS") or 24))
        # Reminders are looked for once a minute, not every round: a minute early or late does not matter.
        self.reminder_every = timedelta(seconds=float(settings.get("REMINDER_INTERVAL_SECONDS") or 60))
        self._reminders_due = datetime.min.replace(tzinfo=UTC)
        self.confirm_window = confirm_window(config)
        self.courier = SmtpAndWebhookCourier(
            SmtpSettings.from_config(config.get("SMTP") or {}),
            str(config.get("PUBLIC_URL") or "http://127.0.0.1:8000"),
            concurrency=int(settings.get("CONCURRENCY") or 4),
            clock=lambda: self.now(),
        )
        if config["DATABASE_URL"].startswith("postgresql"):
            from psycogreen.eventlet import patch_psycopg

            patch_psycopg()
        self.engine = make_engine(config["DATABASE_URL"])
        self.sessions = session_factory(self.engine)

    def start(self) -> None:
        if self.enabled:
            self._running = True
            self.container.spawn_managed_thread(self._run)

    def stop(self) -> None:
        self._running = False
        self.wake()

    def kill(self) -> None:
        self._running = False

    def wake(self) -> None:
        if not self._wake.ready():
            self._wake.send(True)

    def get_dependency(self, worker_ctx: Any) -> Dispatcher:
        return self

    def run_once(self) -> int:
        """One round: bundle digests, send reminders, purge, send what is due. Returns messages attempted."""
        uow = NotifierUnitOfWork(self.sessions())
        try:
            handlers.bundle_digests(uow, self.now())
            if self.now() >= self._reminders_due:
                handlers.send_reminders(uow, self.now(), self.reminder_before, self.deadline_before)
                # The same timer forgets people's subscriptions that were not confirmed in time.
                people.purge_unconfirmed(uow, self.now(), keep_orphans=self.confirm_window)
                self._reminders_due = self.now() + self.reminder_every
            attempted = 0
            while True:
                sent = delivery.deliver_due(uow, self.courier, self.policy, self.now, self.batch)
                attempted += sent
                if sent < self.batch or not self._running:
                    return attempted
        finally:
            uow.session.close()

    def _run(self) -> None:
        while self._running:
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - database or network away: try again next round, never die
                log.warning("delivery round failed; retrying", exc_info=True)
            if not self._wake.ready():
                self._wake.wait(self.interval)
            self._wake = Event()
