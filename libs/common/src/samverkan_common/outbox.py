"""The outbox relay: publishes committed events with publisher confirms, safely with N replicas.

**One leader per database, not SKIP LOCKED.** On PostgreSQL each pass runs in one
transaction that first takes ``pg_try_advisory_xact_lock`` on a key naming this outbox;
the replica that gets it publishes, every other replica finds the lock taken and skips
the pass (it tries again on its next wake-up or poll). ``SELECT … FOR UPDATE SKIP
LOCKED`` would let relay B publish row 2 of a meeting while relay A still holds row 1,
so consumers would see the meeting cancelled before it was scheduled; keeping order with
it needs an aggregate key on every row and per-aggregate claiming. One leader keeps
commit order (``id`` order) for every aggregate at once, and one relay publishing with
confirms is far faster than the service writes events. The lock is a transaction lock:
it goes when the pass commits, rolls back or its connection dies, so a replica killed
mid-pass hands over at once and never leaves a stale claim.

On SQLite (the ``make up`` default, one process per service) the passes of one process
are serialised by a lock in the process, and rows are read and marked in short
transactions with publishing between them: an SQLite write transaction held across
broker I/O would make the service's own writers wait on the file lock, which blocks
eventlet's only thread.

**Order and failures.** Rows go out in ``id`` order. A row that fails to publish for a
reason of its own (an envelope that is not JSON, a broker refusal) stops the pass, so
nothing behind it overtakes it, and counts an attempt with its error in ``attempts`` and
``last_error``. After ``max_attempts`` the row is *parked* (``parked_at`` set, logged as
an error, counted in the ``samverkan_outbox_parked`` metric, listed by
:func:`parked_rows`) and the rows after it go out; :func:`requeue_parked` puts it back
once fixed. A broker that cannot be reached is nobody's fault: it counts no attempt and
the pass ends with the error, to be retried.

Rows published and not yet marked when a relay dies are published again by the next
leader: delivery is at-least-once, and every consumer is idempotent (see
:meth:`UnitOfWork.first_delivery`). :meth:`OutboxRelay.prune` deletes sent rows and
remembered event ids older than their retention; parked rows stay until an operator acts.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from amqp.exceptions import ConnectionError as AmqpConnectionError
from amqp.exceptions import RecoverableConnectionError
from kombu import Exchange
from kombu.exceptions import OperationalError as KombuOperationalError
from nameko.amqp.publish import Publisher
from sqlalchemy import Connection, Engine, Table, delete, select, text, update

from .events import exchange_name
from .logs import CONTEXT_KEY

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SENT_RETENTION = timedelta(days=7)
PROCESSED_RETENTION = timedelta(days=30)
PRUNE_CHUNK = 5000
LAST_ERROR_LENGTH = 2000

# The broker away or the connection lost: not the row's fault, so no attempt is counted.
BROKER_AWAY = (OSError, KombuOperationalError, AmqpConnectionError, RecoverableConnectionError)

# SQLite relays of one process take turns (one process per service database on SQLite).
_SQLITE_LOCKS: dict[str, threading.Lock] = {}
_SQLITE_LOCKS_GUARD = threading.Lock()


def _sqlite_lock(engine: Engine, outbox: Table) -> threading.Lock:
    key = f"{engine.url}#{outbox.fullname}"
    with _SQLITE_LOCKS_GUARD:
        return _SQLITE_LOCKS.setdefault(key, threading.Lock())


class OutboxRelay:
    def __init__(
        self,
        engine: Engine,
        outbox: Table,
        amqp_uri: str,
        service_name: str,
        *,
        max_attempts: int = MAX_ATTEMPTS,
        processed_events: Table | None = None,
        sent_retention: timedelta = SENT_RETENTION,
        processed_retention: timedelta = PROCESSED_RETENTION,
    ):
        self.engine = engine
        self.outbox = outbox
        self.processed_events = processed_events
        self.service_name = service_name
        self.max_attempts = max(1, max_attempts)
        self.sent_retention = sent_retention
        self.processed_retention = processed_retention
        self.exchange = Exchange(exchange_name(service_name), type="topic", durable=True)
        # nameko's Publisher: persistent messages and publisher confirms by default.
        self.publisher = Publisher(amqp_uri, exchange=self.exchange, declare=[self.exchange])
        # Two SQL backends, two ways of taking turns (see the module docstring).
        self._lock_key = f"samverkan-outbox:{outbox.fullname}"

    def relay_batch(self, limit: int = 200) -> int:
        """Publish up to ``limit`` unsent events in commit order; return how many were sent.

        Returns 0 when another replica leads this pass. Raises when the broker or the
        database cannot be reached, after marking what was sent.
        """
        if self.engine.dialect.name == "postgresql":
            return self._relay_as_leader(limit)
        lock = _sqlite_lock(self.engine, self.outbox)
        with lock:
            return self._relay_in_turn(limit)

    def _pending(self, connection: Connection, limit: int) -> list[Any]:
        o = self.outbox.c
        return list(
            connection.execute(
                select(o.id, o.event_id, o.type, o.envelope, o.attempts)
                .where(o.published_at.is_(None), o.parked_at.is_(None))
                .order_by(o.id)
                .limit(limit)
            ).all()
        )

    def _relay_as_leader(self, limit: int) -> int:
        away: BaseException | None = None
        with self.engine.begin() as connection:
            leader = connection.execute(
                text("SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || :key))"), {"key": self._lock_key}
            ).scalar()
            if not leader:
                return 0
            sent, away = self._publish_rows(connection, self._pending(connection, limit))
            self._mark_sent(connection, sent)
        if away is not None:
            raise away
        return len(sent)

    def _relay_in_turn(self, limit: int) -> int:
        with self.engine.connect() as connection:
            rows = self._pending(connection, limit)
            connection.rollback()  # end the read before publishing: SQLite readers must not linger
        if not rows:
            return 0
        sent: list[int] = []
        away: BaseException | None = None
        try:
            with self.engine.begin() as connection:
                sent, away = self._publish_rows(connection, rows)
        finally:
            if sent:
                with self.engine.begin() as connection:
                    self._mark_sent(connection, sent)
        if away is not None:
            raise away
        return len(sent)

    def _publish_rows(self, connection: Connection, rows: list[Any]) -> tuple[list[int], BaseException | None]:
        """Publish ``rows`` in order; stop at the first row that fails and is not parked."""
        sent: list[int] = []
        failures: list[tuple[Any, BaseException]] = []
        away: BaseException | None = None
        for row in rows:
            try:
                self._publish(row)
            except BROKER_AWAY as error:
                away = error
                break
            except Exception as error:  # noqa: BLE001 - any other failure is this row's own
                failures.append((row, error))
                if row.attempts + 1 < self.max_attempts:
                    break  # keep order: nothing overtakes a row that may still go out
                continue  # parked below: the rows after it go out now
            sent.append(row.id)
        for failed, reason in failures:
            self._record_failure(connection, failed, reason)
        return sent, away

    def _publish(self, row: Any) -> None:
        event = json.loads(row.envelope)
        # nameko reads ``nameko.*`` headers as the consumer's context data (the request id).
        context = {f"nameko.{CONTEXT_KEY}": event[CONTEXT_KEY]} if event.get(CONTEXT_KEY) else {}
        self.publisher.publish(event, routing_key=row.type, headers=context)

    def _record_failure(self, connection: Connection, row: Any, error: BaseException) -> None:
        attempts = row.attempts + 1
        message = f"{type(error).__name__}: {error}"[:LAST_ERROR_LENGTH]
        parked = attempts >= self.max_attempts
        connection.execute(
            update(self.outbox)
            .where(self.outbox.c.id == row.id)
            .values(attempts=attempts, last_error=message, parked_at=datetime.now(UTC) if parked else None)
        )
        if parked:
            log.error(
                "outbox event %s (%s) parked after %d attempts: %s",
                row.event_id,
                row.type,
                attempts,
                message,
                extra={"event_id": row.event_id, "event_type": row.type, "service": self.service_name},
            )
        else:
            log.warning(
                "outbox event %s (%s) failed to publish (attempt %d): %s", row.event_id, row.type, attempts, message
            )

    def _mark_sent(self, connection: Connection, sent: list[int]) -> None:
        if sent:
            connection.execute(
                update(self.outbox).where(self.outbox.c.id.in_(sent)).values(published_at=datetime.now(UTC))
            )

    def prune(self, now: datetime | None = None) -> tuple[int, int]:
        """Delete sent rows and remembered event ids older than their retention; return both counts."""
        now = now or datetime.now(UTC)
        o = self.outbox.c
        sent = _delete_in_chunks(
            self.engine, self.outbox, o.id, o.published_at.is_not(None) & (o.published_at < now - self.sent_retention)
        )
        processed = 0
        if self.processed_events is not None:
            p = self.processed_events.c
            processed = _delete_in_chunks(
                self.engine, self.processed_events, p.event_id, p.processed_at < now - self.processed_retention
            )
        if sent or processed:
            log.info("pruned %d sent outbox rows and %d processed event ids", sent, processed)
        return sent, processed


def _delete_in_chunks(engine: Engine, table: Table, key: Any, condition: Any) -> int:
    """Delete in short transactions, so writers (and SQLite's one writer) are never held up long."""
    total = 0
    while True:
        with engine.begin() as connection:
            chunk = select(key).where(condition).limit(PRUNE_CHUNK).scalar_subquery()
            deleted = connection.execute(delete(table).where(key.in_(chunk))).rowcount
        total += deleted
        if deleted < PRUNE_CHUNK:
            return total


def parked_rows(engine: Engine, outbox: Table, limit: int = 100) -> list[dict[str, Any]]:
    """Parked events, oldest first, for operators: id, event id, type, attempts, last error, when."""
    o = outbox.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(o.id, o.event_id, o.type, o.attempts, o.last_error, o.parked_at, o.created_at)
            .where(o.parked_at.is_not(None))
            .order_by(o.id)
            .limit(limit)
        ).all()
    return [dict(row._mapping) for row in rows]


def requeue_parked(engine: Engine, outbox: Table, event_id: str) -> bool:
    """Put a parked event back in line (after fixing its cause); False if no such parked event."""
    with engine.begin() as connection:
        result = connection.execute(
            update(outbox)
            .where(outbox.c.event_id == event_id, outbox.c.parked_at.is_not(None))
            .values(parked_at=None, attempts=0, last_error=None)
        )
    return bool(result.rowcount)


def main(argv: list[str] | None = None) -> int:
    """``python -m samverkan_common.outbox --url URL parked|requeue EVENT_ID``: operators' view of parked rows."""
    import argparse

    from .db import make_engine, service_metadata

    parser = argparse.ArgumentParser(prog="python -m samverkan_common.outbox", description=main.__doc__)
    parser.add_argument("--url", required=True, help="the service's DATABASE_URL")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("parked", help="list parked events as JSON lines, oldest first")
    listing.add_argument("--limit", type=int, default=100)
    again = commands.add_parser("requeue", help="put a parked event back in line once its cause is fixed")
    again.add_argument("event_id")
    arguments = parser.parse_args(argv)
    engine = make_engine(arguments.url)
    outbox = service_metadata().tables["outbox"]
    try:
        if arguments.command == "parked":
            for row in parked_rows(engine, outbox, arguments.limit):
                print(json.dumps(row, default=str, ensure_ascii=False))
            return 0
        if requeue_parked(engine, outbox, arguments.event_id):
            print(f"requeued {arguments.event_id}")
            return 0
        print(f"no parked event {arguments.event_id}")
        return 1
    finally:
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
