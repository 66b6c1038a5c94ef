"""The audit trail: who changed what, and when, for every write the gateway answers.

The gateway is the one door for writes (API tokens, people's sessions, the pages' forms), so it
records each state-changing request (POST, PUT, PATCH, DELETE) once its response is known:

- the time (UTC), the actor (kind ``token`` | ``user`` | ``public``, its id, role and
  organisation), the method, the route's rule (``/api/v1/organisations/<organisation_id>``),
  the ids in the URL, the id of what was created, the *names* of the fields sent, the status and
  the request id (which finds the same request in every component's logs).
- Never a value from the body, never a token's name (a name can be a person's): the trail holds no
  personal data, so erasing a person (GDPR art. 17) leaves it intact and still true. An id that
  does not look like an id (``anna@example.org`` typed into a URL) is not kept either.

Which answers are recorded: every accepted write (2xx, 3xx); refusals a rule or the state made
(403 denied, 404 nothing there, 409 conflict); and failures (5xx), because after an RPC timeout
the service may still have made the change. Not recorded: 401 (no identity to record, and a
scanner's noise; the access log and metrics count them), and input refused at the door before
any rule looked at it (400, 413, 422).

The entry is written in the same request, after the view. If that write fails, the change has
already happened in a service, so turning the answer into a 500 would make the client repeat a
write that succeeded, and still leave no entry. The gateway answers as the service did and logs
the whole entry at ERROR on ``samverkan_gateway.audit`` (it holds no personal data, so the log
may carry it) and counts it in ``samverkan_gateway_audit_entries_total{outcome="failed"}``: alert
on that series, and recover entries from the log lines.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from prometheus_client import Counter
from sqlalchemy import (
    JSON,
    Column,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
)
from werkzeug.exceptions import HTTPException

from samverkan_common.db import UTCDateTime

from .auth import Principal, Unauthenticated, authenticate, metadata, principal_of

log = logging.getLogger(__name__)

AUDIT_ENTRIES = Counter(
    "samverkan_gateway_audit_entries_total",
    "Audit entries by outcome: stored, or failed (the entry is then only in the log).",
    ["outcome"],
)

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RECORDED_REFUSALS = frozenset({403, 404, 409})

# Path parameters that are secrets (an unsubscribe or personal calendar link): never recorded.
SECRET_ARGS = frozenset({"token"})
# What an id, a slug or a field name looks like here; anything else (an address, a sentence) is not kept.
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$")
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
NOT_AN_ID = "?"
MAX_FIELDS = 50
BODY_LOCATIONS = ("json", "form", "files", "json_or_form")

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("occurred_at", UTCDateTime, nullable=False, index=True),
    Column("actor_kind", String(10), nullable=False),
    # A token's id (api_tokens.id) or a person's user id; none for the public.
    Column("actor_id", String(64), nullable=True),
    Column("actor_role", String(20), nullable=True),
    Column("actor_organisation_id", String(36), nullable=True),
    Column("method", String(10), nullable=False),
    Column("route", String(200), nullable=False, index=True),
    Column("created_id", String(80), nullable=True, index=True),
    # The names of the fields sent, never their values.
    Column("fields", JSON, nullable=False),
    Column("status", Integer, nullable=False),
    Column("request_id", String(64), nullable=True),
    Index("ix_audit_entries_actor", "actor_kind", "actor_id"),
)

# The ids a request names in its URL (and its query's *_id parameters), one row each, to filter on.
audit_resources = Table(
    "audit_resources",
    metadata,
    Column("entry_id", Integer, ForeignKey("audit_entries.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", String(80), nullable=False, index=True),
)


@dataclass(frozen=True)
class Actor:
    """Who made a request: ``token`` (an API token's id), ``user`` (a person's user id) or ``public``."""

    kind: str
    id: str | None = None
    role: str | None = None
    organisation_id: str | None = None


PUBLIC = Actor("public")


def actor_of(principal: Principal | None) -> Actor:
    """The actor a principal stands for: an API token, or a person logged in, by id."""
    if principal is None:
        return PUBLIC
    return Actor(principal.kind, str(principal.id), principal.role.value, principal.organisation_id)


@dataclass(frozen=True)
class Entry:
    """One audit entry, as stored."""

    occurred_at: datetime
    actor: Actor
    method: str
    route: str
    status: int
    resource_ids: dict[str, str] = field(default_factory=dict)
    created_id: str | None = None
    fields: list[str] = field(default_factory=list)
    request_id: str | None = None

    def as_log(self) -> dict[str, Any]:
        """The entry as a JSON-safe dict (for the log line that stands in when storing fails)."""
        return {**asdict(self), "occurred_at": self.occurred_at.isoformat()}


def should_record(method: str, status: int, matched: bool) -> bool:
    """Whether a request is audited (see the module's docstring for why these)."""
    if method not in WRITES or not matched:
        return False
    return status < 400 or status in RECORDED_REFUSALS or status >= 500


def id_or_mark(value: Any) -> str:
    """An id as it is kept: itself when it looks like an id, else only a mark that one was given."""
    text = str(value)
    return text if ID.match(text) else NOT_AN_ID


def field_names(body: Any, declared: set[str] | None) -> list[str]:
    """The names of the top-level fields sent: those the route's schema declares, or name-like ones."""
    if not isinstance(body, Mapping):
        return []
    names = {str(name) for name in body}
    kept = names & declared if declared is not None else {name for name in names if FIELD_NAME.match(name)}
    return sorted(kept)[:MAX_FIELDS]


def resource_ids(view_args: Mapping[str, Any], query: Mapping[str, Any], query_names: set[str]) -> dict[str, str]:
    """The ids a request names: its path parameters (not secret ones) and its declared ``*_id`` query parameters."""
    ids = {name: id_or_mark(value) for name, value in view_args.items() if name not in SECRET_ARGS}
    for name in sorted(query_names):
        if name.endswith("_id") and name not in ids and query.get(name):
            ids[name] = id_or_mark(query[name])
    return ids


def created_id(
    status: int, body: Any, location: str | None, route_of: Callable[[str], Mapping[str, Any] | None] | None = None
) -> str | None:
    """The id of what the write created: the ``id`` of a 201/202 body, or the last id in its ``Location``."""
    if status in (201, 202) and isinstance(body, Mapping) and isinstance(body.get("id"), str | int):
        return id_or_mark(body["id"])
    if status in (201, 202, 303) and location and route_of is not None:
        args = route_of(urlsplit(location).path)
        values = [value for name, value in (args or {}).items() if name not in SECRET_ARGS]
        if values:
            return id_or_mark(values[-1])
    return None


# --- recording in the request -------------------------------------------------------------------


def _declared(kind: str) -> set[str] | None:
    """Field names of the current route's schemas for a body (``kind`` body) or the query (``query``)."""
    view = current_app.view_functions.get(request.endpoint or "")
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    names: set[str] | None = None
    wanted = ("query",) if kind == "query" else BODY_LOCATIONS
    for parameter in parameters:
        if parameter.get("in") not in wanted:
            continue
        schema = parameter["schema"]
        schema = schema() if isinstance(schema, type) else schema
        names = (names or set()) | {f.data_key or name for name, f in schema.fields.items()}
    return names


def _body() -> Any:
    """The request's fields as sent, when the body is one the gateway reads (never for a refused size)."""
    try:
        if request.is_json:
            return request.get_json(silent=True)
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return {**request.form, **request.files}
    except HTTPException:  # too large, or unreadable: the names are then unknown
        return None
    return None


def _route_of(path: str) -> dict[str, Any] | None:
    try:
        _, args = current_app.url_map.bind("").match(path, method="GET")
    except HTTPException:
        return None
    return dict(args)


def _actor() -> Actor:
    """The caller: the principal the route authenticated, else whoever the request's credentials name."""
    if "principal" in g:
        return actor_of(g.principal)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme:
        # A write the route let anyone make (a public form): look the token up, without counting a
        # bad one against the address as authenticate() would (that is the route's business).
        found = (
            principal_of(current_app.extensions["samverkan_db"], token.strip())
            if scheme.lower() == "bearer" and token.strip()
            else None
        )
        return actor_of(found)
    try:
        return actor_of(authenticate())  # a person's session, if any
    except Unauthenticated:
        return PUBLIC


def entry_for(response: Response) -> Entry:
    """The audit entry of the current request, answered with ``response``."""
    body = response.get_json(silent=True) if response.is_json and not response.is_streamed else None
    return Entry(
        occurred_at=datetime.now(UTC),
        actor=_actor(),
        method=request.method,
        route=request.url_rule.rule if request.url_rule is not None else "",
        status=response.status_code,
        resource_ids=resource_ids(request.view_args or {}, request.args, _declared("query") or set()),
        created_id=created_id(response.status_code, body, response.headers.get("Location"), _route_of),
        fields=field_names(_body(), _declared("body")),
        request_id=g.get("request_id"),
    )


def store(engine: Engine, entry: Entry) -> None:
    with engine.begin() as connection:
        entry_id = connection.execute(
            insert(audit_entries)
            .values(
                occurred_at=entry.occurred_at,
                actor_kind=entry.actor.kind,
                actor_id=entry.actor.id,
                actor_role=entry.actor.role,
                actor_organisation_id=entry.actor.organisation_id,
                method=entry.method,
                route=entry.route[:200],
                created_id=entry.created_id,
                fields=entry.fields,
                status=entry.status,
                request_id=entry.request_id,
            )
            .returning(audit_entries.c.id)
        ).scalar_one()
        if entry.resource_ids:
            connection.execute(
                insert(audit_resources),
                [
                    {"entry_id": entry_id, "name": name[:64], "value": value}
                    for name, value in entry.resource_ids.items()
                ],
            )


def _record(response: Response) -> Response:
    if not should_record(request.method, response.status_code, request.url_rule is not None):
        return response
    entry: Entry | None = None
    try:
        entry = entry_for(response)
        store(current_app.extensions["samverkan_db"], entry)
    except Exception:
        # The write was answered already (see the module's docstring): keep the answer, shout.
        AUDIT_ENTRIES.labels("failed").inc()
        log.exception(
            "audit entry not stored",
            extra={"audit_entry": entry.as_log() if entry else {"method": request.method, "route": request.path}},
        )
        return response
    AUDIT_ENTRIES.labels("stored").inc()
    return response


def init_app(app: Flask) -> None:
    app.after_request(_record)


# --- reading and pruning ----------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """What an operator asks of the trail; every filter is optional."""

    actor_kind: str | None = None
    actor_id: str | None = None
    organisation_id: str | None = None
    route: str | None = None
    method: str | None = None
    resource_id: str | None = None
    status: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def _conditions(query: Query) -> list[Any]:
    entries = audit_entries.c
    conditions: list[Any] = []
    for column, value in (
        (entries.actor_kind, query.actor_kind),
        (entries.actor_id, query.actor_id),
        (entries.actor_organisation_id, query.organisation_id),
        (entries.route, query.route),
        (entries.method, query.method),
        (entries.status, query.status),
    ):
        if value is not None:
            conditions.append(column == value)
    if query.resource_id is not None:
        named = exists().where(
            and_(audit_resources.c.entry_id == entries.id, audit_resources.c.value == query.resource_id)
        )
        conditions.append(or_(entries.created_id == query.resource_id, named))
    if query.since is not None:
        conditions.append(entries.occurred_at >= query.since)
    if query.until is not None:
        conditions.append(entries.occurred_at < query.until)
    return conditions


def search(engine: Engine, query: Query, page: int, per_page: int) -> dict[str, Any]:
    """A page of entries, newest first, with the total that match."""
    conditions = _conditions(query)
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(audit_entries).where(*conditions)).scalar_one()
        rows = connection.execute(
            select(audit_entries)
            .where(*conditions)
            .order_by(audit_entries.c.occurred_at.desc(), audit_entries.c.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        named: dict[int, dict[str, str]] = {}
        if rows:
            for resource in connection.execute(
                select(audit_resources).where(audit_resources.c.entry_id.in_([row.id for row in rows]))
            ):
                named.setdefault(resource.entry_id, {})[resource.name] = resource.value
    return {
        "items": [_as_item(row, named.get(row.id, {})) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
    }


def _as_item(row: Any, resources: dict[str, str]) -> dict[str, Any]:
    return {
        "id": row.id,
        "occurred_at": row.occurred_at,
        "actor": {
            "kind": row.actor_kind,
            "id": row.actor_id,
            "role": row.actor_role,
            "organisation_id": row.actor_organisation_id,
        },
        "method": row.method,
        "route": row.route,
        "resource_ids": resources,
        "created_id": row.created_id,
        "field_names": list(row.fields or []),
        "status": row.status,
        "request_id": row.request_id,
    }


def prune(engine: Engine, keep_days: int, now: datetime | None = None) -> int:
    """Delete the entries older than ``keep_days`` days; how many went. ``keep_days`` 0 keeps everything."""
    if keep_days <= 0:
        return 0
    cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    old = select(audit_entries.c.id).where(audit_entries.c.occurred_at < cutoff)
    with engine.begin() as connection:
        # Children first: SQLite enforces the cascade only with its foreign-key pragma on.
        connection.execute(delete(audit_resources).where(audit_resources.c.entry_id.in_(old)))
        return int(connection.execute(delete(audit_entries).where(audit_entries.c.occurred_at < cutoff)).rowcount)


def count_older_than(engine: Engine, keep_days: int, now: datetime | None = None) -> int:
    """How many entries :func:`prune` would delete."""
    if keep_days <= 0:
        return 0
    cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(audit_entries).where(audit_entries.c.occurred_at < cutoff)
            ).scalar_one()
        )
