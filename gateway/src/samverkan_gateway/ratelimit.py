"""Rate limits on logging in and on the routes that take a secret: counters in the gateway database.

Why the database and not a limiter in memory: the gateway runs several gunicorn workers per pod
and several pods (an HPA, see deploy/k8s), so counters in memory would each allow the full
limit; a Redis only for this would be one more thing to run. The gateway already has
PostgreSQL, and the counted requests (a login, a secret link) already cost a database read or an
RPC, so one upsert more is small. Windows are fixed (``count`` per ``seconds``), so at a window's
edge twice the limit can pass; for stopping guessing that is enough.

Only what could be guessing is counted: failed logins (per account and per client address),
requests for secret links (personal feeds, unsubscribe, confirming e-mail) that found nothing,
and unknown bearer tokens (per address). Creating a secret feed link is counted per caller. A
caller over a limit gets 429 with Retry-After, from the one error table (:mod:`.problems`):
problem+json on the API and the feeds, a page in the visitor's language on the pages.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from apispec import BasePlugin
from flask import Flask, Response, current_app, g, request
from sqlalchemy import Column, Engine, Integer, PrimaryKeyConstraint, String, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.exceptions import TooManyRequests

from .auth import digest, metadata

rate_limit_counters = Table(
    "rate_limit_counters",
    metadata,
    Column("bucket", String(40), nullable=False),
    # SHA-256 of what is counted (an address, an e-mail address): the table holds no one's address.
    Column("key_sha256", String(64), nullable=False),
    Column("window_start", Integer, nullable=False),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("bucket", "key_sha256", "window_start"),
)

_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(?:(\d+)\s*)?(second|minute|hour)s?\s*$")
_SECONDS = {"second": 1, "minute": 60, "hour": 3600}
# Endpoints behind a secret in the URL: a miss may be someone guessing.
SECRET_LINK_ENDPOINTS = {
    "feeds.personal_feed",
    "unsubscribe.unsubscribe_page",
    "unsubscribe.unsubscribe",
    "confirm.confirm_page",
    "confirm.confirm",
    "plan_invitation_pages.invitation",
    "plan_invitation_pages.answer",
}
# Endpoints that make the notifier send a confirmation mail to any address: each accepted request
# counts, so nobody uses us to flood a stranger's inbox or to fill the database.
SIGN_UP_ENDPOINTS = {"notifications.subscribe_person", "email_pages.ask"}


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        """``"5/minute"``, ``"20 / 10 minutes"``, ``"100/hour"``."""
        found = _LIMIT.match(str(text))
        if not found:
            raise ValueError(f"not a rate limit: {text!r} (write e.g. 5/minute)")
        return cls(int(found.group(1)), int(found.group(2) or 1) * _SECONDS[found.group(3)])


class RateLimited(TooManyRequests):
    """Over a limit: try again after ``retry_after`` seconds (the error table's 429 row answers it)."""

    retry_after: int

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after=retry_after)


def _insert(engine: Engine) -> Any:
    return (postgresql if engine.dialect.name == "postgresql" else sqlite).insert(rate_limit_counters)


def hit(engine: Engine, bucket: str, key: str, limit: Limit, now: float | None = None) -> None:
    """Count one more in the current window."""
    now = time.time() if now is None else now
    start = int(now) - int(now) % limit.seconds
    statement = _insert(engine).values(bucket=bucket, key_sha256=digest(key), window_start=start, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=["bucket", "key_sha256", "window_start"],
        set_={"count": rate_limit_counters.c.count + 1},
    )
    with engine.begin() as connection:
        connection.execute(statement)
        # Now and then, forget windows that ended long ago.
        if secrets.randbelow(100) == 0:
            connection.execute(delete(rate_limit_counters).where(rate_limit_counters.c.window_start < now - 86400))


def retry_after(engine: Engine, bucket: str, key: str, limit: Limit, now: float | None = None) -> int | None:
    """Seconds until another is allowed, or None when the limit is not reached."""
    now = time.time() if now is None else now
    start = int(now) - int(now) % limit.seconds
    with engine.connect() as connection:
        count = connection.execute(
            select(rate_limit_counters.c.count).where(
                rate_limit_counters.c.bucket == bucket,
                rate_limit_counters.c.key_sha256 == digest(key),
                rate_limit_counters.c.window_start == start,
            )
        ).scalar()
    if count is None or count < limit.count:
        return None
    return max(1, int(start + limit.seconds - now + 0.999))


def limit(name: str) -> Limit:
    return Limit.parse(current_app.config[name])


def engine() -> Engine:
    db: Engine = current_app.extensions["samverkan_db"]
    return db


def client_address() -> str:
    """The client's address: behind TRUSTED_PROXY_HOPS proxies, the one the nearest trusted proxy saw."""
    hops = int(current_app.config.get("TRUSTED_PROXY_HOPS") or 0)
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.remote_addr or "unknown"


def check(bucket: str, key: str, config_name: str) -> None:
    """Raise RateLimited when ``key`` has reached its limit in ``bucket``."""
    wait = retry_after(engine(), bucket, key, limit(config_name))
    if wait is not None:
        raise RateLimited(wait)


def count(bucket: str, key: str, config_name: str) -> None:
    hit(engine(), bucket, key, limit(config_name))


def note_bad_token() -> None:
    """A bearer token that matched nothing: counted per address; over the limit the answer is 429, not 401."""
    address = client_address()
    count("bad-token", address, "RATE_LIMIT_BAD_TOKENS")
    check("bad-token", address, "RATE_LIMIT_BAD_TOKENS")


def _before() -> None:
    if request.endpoint in SECRET_LINK_ENDPOINTS:
        check("secret-link", client_address(), "RATE_LIMIT_SECRET_LINKS")
    elif request.endpoint == "events.issue_personal_feed":
        from .auth import Unauthenticated, authenticate

        try:
            principal = authenticate()
        except Unauthenticated:
            return  # the route answers 401
        if principal is not None:
            key = f"{principal.kind}:{principal.id}"
            check("feed-link", key, "RATE_LIMIT_FEED_LINKS")
            g.count_feed_link = key
    elif request.endpoint in SIGN_UP_ENDPOINTS and request.method == "POST":
        check("sign-up", client_address(), "RATE_LIMIT_SIGN_UPS")
        g.count_sign_up = client_address()


def _after(response: Response) -> Response:
    if request.endpoint in SECRET_LINK_ENDPOINTS and response.status_code == 404:
        count("secret-link", client_address(), "RATE_LIMIT_SECRET_LINKS")
    elif "count_feed_link" in g and response.status_code < 400:
        count("feed-link", g.count_feed_link, "RATE_LIMIT_FEED_LINKS")
    elif "count_sign_up" in g and response.status_code < 400:
        count("sign-up", g.count_sign_up, "RATE_LIMIT_SIGN_UPS")
    return response


def init_app(app: Flask) -> None:
    for name in (
        "RATE_LIMIT_LOGIN_ACCOUNT",
        "RATE_LIMIT_LOGIN_ADDRESS",
        "RATE_LIMIT_SECRET_LINKS",
        "RATE_LIMIT_FEED_LINKS",
        "RATE_LIMIT_BAD_TOKENS",
        "RATE_LIMIT_SIGN_UPS",
    ):
        Limit.parse(app.config[name])  # a typo in the settings stops the start, not the first login
    app.before_request(_before)
    app.after_request(_after)


class RateLimitResponses(BasePlugin):
    """Document the 429 where a limit can answer: secret links, new feed links, and every route behind a token."""

    HTML_PATHS = ("/unsubscribe/{token}", "/bekrafta/{token}")
    RETRY_AFTER = {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any) -> None:
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            if path in self.HTML_PATHS:
                responses.setdefault(
                    429,
                    {
                        "description": "Too many links that found nothing from this address: how long to wait.",
                        "headers": {"Retry-After": self.RETRY_AFTER},
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    },
                )
            elif path in ("/feeds/personal/{token}.ics", "/api/v1/subscriptions/people") or operation.get("security"):
                responses.setdefault(429, "TOO_MANY_REQUESTS")
