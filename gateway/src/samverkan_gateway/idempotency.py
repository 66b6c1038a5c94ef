"""``Idempotency-Key`` on the API's POSTs: a client that retries after a 504 does not create the same thing twice.

After Stripe and the IETF draft (draft-ietf-httpapi-idempotency-key-header). The header is
optional; when a POST under ``/api/v1/`` sends it:

- the key is 1–255 printable ASCII characters (a quoted structured-field string is taken too),
  else 400 ``IDEMPOTENCY_KEY_INVALID`` naming the header;
- it is the caller's own: a token's or a person's id, or the client's address for a POST anyone
  may make (stored as a SHA-256 of caller and key: the table holds no one's address);
- the same key with the same request (method, path with query, body) within
  ``TTL`` (24 hours) gets the first answer again (status, body, ``Location`` and the like) without
  the service being called, marked ``Idempotent-Replayed: true``;
- the same key with another request is 422 ``IDEMPOTENCY_KEY_REUSED``;
- the same key while its first request is still running is 409 ``IDEMPOTENCY_KEY_IN_USE``.

A row inserted before the view runs (a unique key) claims the key, so this holds across gunicorn
threads, workers and pods. Answers 2xx–4xx are kept; 5xx are not (the client should retry, and
after a 504 the service may or may not have done it: a retry with the key then meets the first
request's outcome only if it was stored), nor 401 and 429 (they say "come back with a token /
later", not what the request did). A row still running after ``LOCK_SECONDS`` was left by a
process that died and may be taken over. Rows older than ``TTL`` are ignored and deleted:
now and then by a request, and by ``samverkan-gateway idempotency prune``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apispec import BasePlugin
from flask import Flask, Response, current_app, g, request
from sqlalchemy import JSON, Column, Engine, Integer, LargeBinary, String, Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from samverkan_common.db import UTCDateTime

from .auth import authenticate, digest, metadata, principal_of
from .problems import problem
from .ratelimit import client_address

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
PREFIX = "/api/v1/"
METHODS = frozenset({"POST"})
MAX_LENGTH = 255
TTL = timedelta(hours=24)
# A request still marked running after this long was left by a process that died: a retry may take it over.
LOCK_SECONDS = 300
# Answers that say "come back later / with a token" rather than what the request did.
NOT_KEPT = frozenset({401, 408, 429})
# The headers of an answer that belong to it (the rest, such as security headers, are added again).
KEPT_HEADERS = ("Content-Type", "Location", "Content-Location", "ETag", "Last-Modified", "Link")

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    # SHA-256 of the caller and the key.
    Column("key_sha256", String(64), nullable=False, unique=True),
    # SHA-256 of the method, the path with its query and the body.
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("locked_at", UTCDateTime, nullable=False),
    # None while the first request runs.
    Column("status", Integer, nullable=True),
    Column("headers", JSON, nullable=True),
    Column("body", LargeBinary, nullable=True),
)


def parse_key(raw: str) -> str | None:
    """The key sent, or None when it is not 1–255 printable ASCII characters.

    The draft writes the key as a structured-field string (``"abc"``); Stripe's clients send it bare.
    """
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if not 1 <= len(value) <= MAX_LENGTH or not all(" " <= char <= "~" for char in value):
        return None
    return value


def fingerprint(method: str, full_path: str, content_type: str, body: bytes) -> str:
    """What makes two requests the same request."""
    hasher = hashlib.sha256()
    for part in (method.encode(), full_path.encode(), content_type.encode()):
        hasher.update(part + b"\0")
    hasher.update(body)
    return hasher.hexdigest()


@dataclass(frozen=True)
class Stored:
    """A first answer, to give again."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Outcome:
    """What a claim found: ``claimed`` (run the request, row ``row_id``), ``replay``, ``reused`` or ``in_use``."""

    kind: str
    row_id: int | None = None
    stored: Stored | None = None


def _insert(engine: Engine) -> Any:
    return (postgresql if engine.dialect.name == "postgresql" else sqlite).insert(idempotency_keys)


def claim(engine: Engine, key_sha256: str, print_: str, now: datetime, lock_seconds: int = LOCK_SECONDS) -> Outcome:
    """Claim ``key_sha256`` for a request, or say what an earlier request with it left."""
    table = idempotency_keys.c
    for _ in range(3):
        with engine.begin() as connection:
            row_id = connection.execute(
                _insert(engine)
                .values(key_sha256=key_sha256, fingerprint=print_, created_at=now, locked_at=now)
                .on_conflict_do_nothing(index_elements=["key_sha256"])
                .returning(table.id)
            ).scalar()
            if row_id is not None:
                return Outcome("claimed", row_id)
            row = connection.execute(select(idempotency_keys).where(table.key_sha256 == key_sha256)).first()
            if row is None:
                continue  # deleted in between: claim again
            if row.created_at <= now - TTL:
                # Expired: forget it and claim again (whoever deletes it first wins the next insert).
                connection.execute(delete(idempotency_keys).where(table.id == row.id))
                continue
            if row.fingerprint != print_:
                return Outcome("reused")
            if row.status is not None:
                return Outcome("replay", stored=Stored(row.status, dict(row.headers or {}), bytes(row.body or b"")))
            if row.locked_at <= now - timedelta(seconds=lock_seconds):
                taken = connection.execute(
                    update(idempotency_keys)
                    .where(table.id == row.id, table.status.is_(None), table.locked_at == row.locked_at)
                    .values(locked_at=now)
                ).rowcount
                if taken:
                    return Outcome("claimed", row.id)
            return Outcome("in_use")
    return Outcome("in_use")


def finish(engine: Engine, row_id: int, status: int, headers: dict[str, str], body: bytes) -> None:
    """Keep the first answer of a claimed key."""
    with engine.begin() as connection:
        connection.execute(
            update(idempotency_keys)
            .where(idempotency_keys.c.id == row_id)
            .values(status=status, headers=headers, body=body)
        )


def release(engine: Engine, row_id: int) -> None:
    """Forget a claim whose answer is not kept: the next request with the key runs again."""
    with engine.begin() as connection:
        connection.execute(delete(idempotency_keys).where(idempotency_keys.c.id == row_id))


def prune(engine: Engine, now: datetime | None = None) -> int:
    """Delete keys older than ``TTL``; how many went."""
    cutoff = (now or datetime.now(UTC)) - TTL
    with engine.begin() as connection:
        return int(connection.execute(delete(idempotency_keys).where(idempotency_keys.c.created_at <= cutoff)).rowcount)


def count_older_than_ttl(engine: Engine, now: datetime | None = None) -> int:
    cutoff = (now or datetime.now(UTC)) - TTL
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(idempotency_keys).where(idempotency_keys.c.created_at <= cutoff)
            ).scalar_one()
        )


# --- in the request -----------------------------------------------------------------------------


@dataclass
class Settings:
    """The clock (tests move it) and how long a running request holds its key."""

    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    lock_seconds: int = LOCK_SECONDS


def _settings() -> Settings:
    settings: Settings = current_app.extensions["samverkan_idempotency"]
    return settings


def _engine() -> Engine:
    engine: Engine = current_app.extensions["samverkan_db"]
    return engine


def _caller() -> str:
    """Whose key it is: the token's or person's id, else the client's address."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme:
        # Looked up without counting a bad token: the route refuses it (and counts it) as it would anyway.
        principal = principal_of(_engine(), token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if principal is not None:
            g.principal = principal
    else:
        principal = authenticate()  # a person's session, or None
    if principal is None:
        return f"address:{client_address()}"
    return f"{principal.kind}:{principal.id}"


def _body_print() -> str:
    """The request's fingerprint. Form bodies by their fields and files (a multipart boundary changes per send)."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "body_limit", None)
    if limit is not None:
        request.max_content_length = limit  # the route reads more than the default: let us read it too
    content_type = request.mimetype
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        parts = [f"{name}={value}" for name, value in sorted(request.form.items(multi=True))]
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            content = upload.stream.read()
            upload.stream.seek(0)
            parts.append(f"{name}:{upload.filename}:{upload.mimetype}:{hashlib.sha256(content).hexdigest()}")
        body = "\n".join(parts).encode()
    else:
        body = request.get_data(cache=True)  # the view reads the same cached bytes
        if request.is_json:
            # Not JSON after all: the bytes as sent, and the route says what is wrong.
            with contextlib.suppress(ValueError, RecursionError):
                body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    return fingerprint(request.method, request.full_path.rstrip("?"), content_type, body)


def _invalid(detail: str) -> Response:
    return problem(400, "Bad Request", "IDEMPOTENCY_KEY_INVALID", detail, {HEADER: [detail]})


def _begin() -> Response | None:
    if request.method not in METHODS or not request.path.startswith(PREFIX) or request.url_rule is None:
        return None
    sent = request.headers.getlist(HEADER)
    if not sent:
        return None
    if len(sent) > 1:
        return _invalid(f"Send one {HEADER} header.")
    key = parse_key(sent[0])
    if key is None:
        return _invalid(f"{HEADER} must be 1 to {MAX_LENGTH} printable ASCII characters.")
    settings = _settings()
    now = settings.clock()
    outcome = claim(_engine(), digest(f"{_caller()}\0{key}"), _body_print(), now, settings.lock_seconds)
    if outcome.kind == "claimed":
        g.idempotency_row = outcome.row_id
        if secrets.randbelow(100) == 0:
            prune(_engine(), now)  # now and then, so a gateway without the CronJob stays small
        return None
    if outcome.kind == "replay" and outcome.stored is not None:
        replay = Response(outcome.stored.body, status=outcome.stored.status)
        for name, value in outcome.stored.headers.items():
            replay.headers[name] = value
        replay.headers[REPLAYED] = "true"
        return replay
    if outcome.kind == "reused":
        return problem(
            422,
            "Idempotency key reused",
            "IDEMPOTENCY_KEY_REUSED",
            f"This {HEADER} was sent with another request in the last 24 hours; use a new key for a new request.",
            {HEADER: ["Used before with another method, path or body."]},
        )
    return problem(
        409,
        "Idempotency key in use",
        "IDEMPOTENCY_KEY_IN_USE",
        f"A request with this {HEADER} is still running; try again when it has answered.",
        headers={"Retry-After": "1"},
    )


def _finish(response: Response) -> Response:
    row_id = g.pop("idempotency_row", None)
    if row_id is None:
        return response
    try:
        if 200 <= response.status_code < 500 and response.status_code not in NOT_KEPT and not response.is_streamed:
            headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
            finish(_engine(), row_id, response.status_code, headers, response.get_data())
        else:
            release(_engine(), row_id)
    except Exception:
        # The answer is the service's; a key left running is taken over after LOCK_SECONDS.
        log.exception("idempotency key not recorded")
    return response


def _abandon(_error: BaseException | None) -> None:
    """A request that ended without an answer through ``_finish``: its key may be used again."""
    row_id = g.pop("idempotency_row", None)
    if row_id is not None:
        try:
            release(_engine(), row_id)
        except Exception:
            log.exception("idempotency key not released")


def init_app(app: Flask) -> None:
    """Register last: a request another check refuses never claims a key."""
    app.extensions.setdefault("samverkan_idempotency", Settings())
    app.before_request(_begin)
    app.after_request(_finish)  # after_request runs last-registered first: it sees the view's own answer
    app.teardown_request(_abandon)


# --- the OpenAPI document ------------------------------------------------------------------------

PARAMETER = {
    "description": (
        "Optional. A key of your own (a UUID is a good one) that makes a retry safe: the same key with the "
        "same request within 24 hours gets the first answer again (marked Idempotent-Replayed: true) "
        "without doing it twice; with another request it is a 422 (IDEMPOTENCY_KEY_REUSED), and while "
        "the first is still running a 409 (IDEMPOTENCY_KEY_IN_USE). Errors 5xx are not kept: retry them "
        "with the same key."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH, "pattern": "^[ -~]+$"},
    "required": False,
}
REPLAYED_HEADER = {
    "description": "true when this is the answer kept for an earlier request with the same Idempotency-Key.",
    "schema": {"type": "string", "enum": ["true"]},
}


class IdempotencyKeyHeader(BasePlugin):
    """Document the ``Idempotency-Key`` header, and its errors, on every POST of the API."""

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any) -> None:
        if not (path or "").startswith(PREFIX):
            return
        for method, operation in (operations or {}).items():
            if method.upper() not in METHODS:
                continue
            operation.setdefault("parameters", []).append("IdempotencyKey")
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if str(status).startswith("2") and isinstance(response, dict):
                    response.setdefault("headers", {})[REPLAYED] = "IdempotentReplayed"
            responses.setdefault(400, "BAD_REQUEST")
            responses.setdefault(409, "CONFLICT")
            responses.setdefault(422, "UNPROCESSABLE_ENTITY")


def document(api: Any) -> None:
    """Register the header's components and the plugin; before the blueprints, whose POSTs it documents."""
    api.spec.components.parameter("IdempotencyKey", "header", {"name": HEADER, **PARAMETER})
    api.spec.components.header("IdempotentReplayed", REPLAYED_HEADER)
    api.spec.plugins.append(IdempotencyKeyHeader())
