"""People who log in: users with an argon2id password hash, and server-side sessions.

A user has the same role (and, for an organisation's representative, the same organisation)
as an API token, so a logged-in person is the same kind of :class:`~.auth.Principal` and every
``requires(...)`` check holds for both. A session is a row here; the browser holds only a random
id (in Flask's signed session cookie) whose SHA-256 is stored, so logging out, or an operator
deleting the row, ends the session at once, whatever the cookie says.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Column, Engine, ForeignKey, Integer, String, Table, insert, select, update

from samverkan_common.db import UTCDateTime

from .auth import Principal, Role, digest, metadata

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    # Stored as typed but compared in lower case: see normalise_email.
    Column("email", String(254), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("organisation_id", String(36), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled_at", UTCDateTime, nullable=True),
)

user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
)

# argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): argon2-cffi's own default
# takes 64 MiB per hash, and eight gateway threads hashing at once would then need half a gigabyte.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MAX_PASSWORD_LENGTH = 1024
MIN_PASSWORD_LENGTH = 12
# A last-seen time is written at most this often, not on every request.
TOUCH_EVERY = timedelta(seconds=60)

_dummy_hash: str | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _dummy() -> str:
    global _dummy_hash  # noqa: PLW0603 - made once per process, on first use
    if _dummy_hash is None:
        _dummy_hash = HASHER.hash(secrets.token_urlsafe(32))
    return _dummy_hash


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    role: Role
    organisation_id: str | None


class WeakPassword(ValueError):
    """The password is too short or too long."""


def create_user(
    engine: Engine,
    email: str,
    password: str,
    role: Role,
    organisation_id: str | None = None,
    name: str | None = None,
) -> int:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"A password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.")
    if role is Role.ORGANISATION and not organisation_id:
        raise ValueError("An organisation's representative needs --organisation-id.")
    with engine.begin() as connection:
        created = connection.execute(
            insert(users).values(
                email=normalise_email(email),
                name=name or normalise_email(email),
                password_hash=hash_password(password),
                role=role.value,
                organisation_id=organisation_id,
                created_at=datetime.now(UTC),
            )
        )
    return int(created.inserted_primary_key[0])  # type: ignore[index]


def set_password(engine: Engine, email: str, password: str) -> bool:
    with engine.begin() as connection:
        changed = connection.execute(
            update(users).where(users.c.email == normalise_email(email)).values(password_hash=hash_password(password))
        )
    return changed.rowcount == 1


def find_user(engine: Engine, email: str) -> User | None:
    with engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.email == normalise_email(email))).first()
    if row is None:
        return None
    return User(row.id, row.email, row.name, Role(row.role), row.organisation_id)


def check_password(engine: Engine, email: str, password: str) -> User | None:
    """The user these credentials belong to, or None, in the same time whether or not the e-mail is known.

    An unknown or disabled account verifies a dummy hash, so the answer's timing tells nothing.
    """
    with engine.connect() as connection:
        row = connection.execute(
            select(users).where(users.c.email == normalise_email(email), users.c.disabled_at.is_(None))
        ).first()
    if row is None:
        password_matches(_dummy(), password)
        return None
    if not password_matches(row.password_hash, password):
        return None
    if HASHER.check_needs_rehash(row.password_hash):
        with engine.begin() as connection:
            connection.execute(update(users).where(users.c.id == row.id).values(password_hash=hash_password(password)))
    return User(row.id, row.email, row.name, Role(row.role), row.organisation_id)


@dataclass(frozen=True)
class Lifetimes:
    """How long a session lives: since the last request (idle) and since login (absolute)."""

    idle: timedelta
    absolute: timedelta


def start_session(engine: Engine, user_id: int) -> str:
    """A new session for the user; the secret returned goes into the cookie and is stored only hashed."""
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(user_sessions).values(token_sha256=digest(secret), user_id=user_id, created_at=now, last_seen_at=now)
        )
    return secret


def end_session(engine: Engine, secret: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(user_sessions)
            .where(user_sessions.c.token_sha256 == digest(secret), user_sessions.c.ended_at.is_(None))
            .values(ended_at=datetime.now(UTC))
        )


def session_principal(
    engine: Engine, secret: str, lifetimes: Lifetimes, now: datetime | None = None
) -> Principal | None:
    """The person whose session this is, or None when it ended, expired, or its user was disabled."""
    now = now or datetime.now(UTC)
    with engine.connect() as connection:
        row = connection.execute(
            select(
                user_sessions.c.id.label("session_id"),
                user_sessions.c.created_at,
                user_sessions.c.last_seen_at,
                users.c.id,
                users.c.name,
                users.c.role,
                users.c.organisation_id,
            )
            .join(users, users.c.id == user_sessions.c.user_id)
            .where(
                user_sessions.c.token_sha256 == digest(secret),
                user_sessions.c.ended_at.is_(None),
                users.c.disabled_at.is_(None),
            )
        ).first()
    if row is None:
        return None
    if now - row.created_at >= lifetimes.absolute or now - row.last_seen_at >= lifetimes.idle:
        with engine.begin() as connection:
            connection.execute(update(user_sessions).where(user_sessions.c.id == row.session_id).values(ended_at=now))
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        with engine.begin() as connection:
            connection.execute(
                update(user_sessions).where(user_sessions.c.id == row.session_id).values(last_seen_at=now)
            )
    return Principal(kind="user", id=row.id, name=row.name, role=Role(row.role), organisation_id=row.organisation_id)
