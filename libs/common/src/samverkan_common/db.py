"""Engines, the messaging tables every service database holds, and the unit of work.

Each service owns one database. Besides its own tables it holds two that
make messaging reliable: ``outbox`` (events committed in the same transaction
as the state change that caused them) and ``processed_events`` (event ids a
consumer has already acted on, so a redelivery has no second effect).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from .events import Envelope, envelope
from .logs import current_request_id

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, so naive values coming back are UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def service_metadata() -> MetaData:
    """A MetaData holding the messaging tables; a service adds its own tables to it."""
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    Table(
        "outbox",
        metadata,
        # BigInteger on PostgreSQL, but SQLite only autoincrements INTEGER keys.
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("type", String(100), nullable=False),
        Column("envelope", Text, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("published_at", UTCDateTime, nullable=True, index=True),
        # A row that keeps failing to publish is parked after some attempts (see samverkan_common.outbox).
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text, nullable=True),
        Column("parked_at", UTCDateTime, nullable=True),
    )
    Table(
        "processed_events",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("type", String(100), nullable=False),
        Column("processed_at", UTCDateTime, nullable=False, index=True),
    )
    return metadata


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings each backend needs under concurrent workers."""
    # A database error's text names the values of its statement (e-mail addresses, names, token
    # hashes), and nameko and the gateway log that text: keep the statement, not its values.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets readers run beside the single writer; foreign keys are off by default.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        # Python's sqlite3 begins a transaction just before the first write, so reads before it
        # see the newest data and a unique-key race ends in a Conflict, not a stale snapshot.
        # (A SAVEPOINT before any write would begin its own transaction: see the registry's
        # savepoint helper for the one place that needs one.)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class UnitOfWork:
    """One business transaction: the session, and the events it will publish.

    A service subclasses it to add its repositories. Events recorded with
    :meth:`emit` go into the outbox inside the same transaction, so they are
    published if and only if the change is committed.
    """

    metadata: MetaData  # the service's metadata, made with service_metadata()

    def __init__(self, session: Session, on_commit: Callable[[], None] | None = None):
        self.session = session
        self._on_commit = on_commit
        self.emitted: list[Envelope] = []

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.rollback()

    def emit(self, type_: str, data: dict[str, Any], version: int = 1) -> Envelope:
        """Record a domain event to be published once this transaction commits."""
        [event_envelope] = self.emit_many(type_, [data], version)
        return event_envelope

    def emit_many(self, type_: str, many: list[dict[str, Any]], version: int = 1) -> list[Envelope]:
        """:meth:`emit` for many events of one type, in one statement (an import emits thousands)."""
        envelopes = [envelope(type_, data, version) for data in many]
        request_id = current_request_id()
        if request_id:
            # An added envelope field: the relay sends it on as nameko context, so logs can follow it.
            for each in envelopes:
                each["request_id"] = request_id
        if envelopes:
            now = utcnow()
            self.session.execute(
                insert(self._table("outbox")),
                [
                    {"event_id": e["event_id"], "type": type_, "envelope": json.dumps(e), "created_at": now}
                    for e in envelopes
                ],
            )
            self.emitted.extend(envelopes)
        return envelopes

    def first_delivery(self, incoming: dict[str, Any]) -> bool:
        """Remember ``incoming``'s event id in this transaction; False if already seen."""
        table = self._table("processed_events")
        event_id = str(incoming["event_id"])
        seen = self.session.execute(select(table.c.event_id).where(table.c.event_id == event_id)).first()
        if seen:
            return False
        self.session.execute(
            insert(table).values(event_id=event_id, type=str(incoming.get("type", "")), processed_at=utcnow())
        )
        return True

    def commit(self) -> None:
        try:
            self.session.commit()
        except IntegrityError:
            self.session.rollback()
            raise
        if self.emitted and self._on_commit:
            self._on_commit()
        self.emitted = []

    def rollback(self) -> None:
        self.session.rollback()
        self.emitted = []

    def database_reachable(self) -> bool:
        try:
            self.session.execute(select(1))
            self.session.rollback()
            return True
        except Exception:  # noqa: BLE001 - health reports any failure as unreachable
            self.session.rollback()
            return False

    def _table(self, name: str) -> Table:
        return self.metadata.tables[name]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
