"""Who is calling: a bearer token with a role, or a person logged in with the same roles.

Only a token's SHA-256 is stored; the token is shown once. People and their sessions live in
:mod:`.people`; :func:`authenticate` turns either into the same :class:`Principal`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import wraps
from typing import Any, Literal, TypeVar

from flask import current_app, g, request
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert, select

from samverkan_common.db import NAMING_CONVENTION, UTCDateTime

from .problems import problem


class Role(StrEnum):
    ORGANISATION = "organisation"
    PLANNER = "planner"
    OPERATOR = "operator"


metadata = MetaData(naming_convention=NAMING_CONVENTION)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    # For an organisation's token: the registry id of the organisation it speaks for.
    Column("organisation_id", String(36), nullable=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)


def digest(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is as safe as a slow one here.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token or a person (``kind``), its id and name, its role, and for an organisation, which one."""

    kind: Literal["token", "user"]
    id: int
    name: str
    role: Role
    organisation_id: str | None = None

    @property
    def token_id(self) -> int | str:
        """What services that keep things per caller (the notifier's subscriptions) know the caller by."""
        return self.id if self.kind == "token" else f"user:{self.id}"

    @property
    def user_id(self) -> int | None:
        """The person's id when a person is logged in, else None."""
        return self.id if self.kind == "user" else None


def create_token(engine: Engine, name: str, role: Role, organisation_id: str | None = None) -> str:
    token = f"svk_{secrets.token_urlsafe(32)}"
    with engine.begin() as connection:
        connection.execute(
            insert(api_tokens).values(
                name=name,
                role=role.value,
                organisation_id=organisation_id,
                token_sha256=digest(token),
                created_at=datetime.now(UTC),
            )
        )
    return token


def principal_of(engine: Engine, token: str) -> Principal | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(api_tokens).where(api_tokens.c.token_sha256 == digest(token), api_tokens.c.revoked_at.is_(None))
        ).first()
    if row is None:
        return None
    return Principal(kind="token", id=row.id, name=row.name, role=Role(row.role), organisation_id=row.organisation_id)


def role_of(engine: Engine, token: str) -> Role | None:
    principal = principal_of(engine, token)
    return principal.role if principal else None


class Unauthenticated(Exception):
    """A token was sent but is unknown or revoked."""


def authenticate() -> Principal | None:
    """The caller of this request: the bearer token's, else the logged-in person's, else None.

    A token that is sent but unknown or revoked raises Unauthenticated (a session is never
    used in its place). A person's session authorises the API too; the CSRF check in
    :mod:`.csrf` makes sure such a write came from one of our own pages.
    """
    if "principal" in g:
        return g.principal  # type: ignore[no-any-return]
    header = request.headers.get("Authorization", "")
    if not header:
        from .sessions import current_person

        g.principal = current_person()
        return g.principal  # type: ignore[no-any-return]
    scheme, _, token = header.partition(" ")
    principal = (
        principal_of(current_app.extensions["samverkan_db"], token.strip())
        if scheme.lower() == "bearer" and token.strip()
        else None
    )
    if principal is None:
        from .ratelimit import note_bad_token

        note_bad_token()
        raise Unauthenticated()
    g.principal = principal
    return principal


def unauthorized() -> Any:
    return problem(
        401,
        "Unauthorized",
        "UNAUTHORIZED",
        "Send a valid token: Authorization: Bearer <token>.",
        headers={"WWW-Authenticate": 'Bearer realm="samverkan"'},
    )


View = TypeVar("View", bound=Callable[..., Any])


def requires(*roles: Role) -> Callable[[View], View]:
    """Refuse the request with 401 without a valid token and 403 with the wrong role.

    The view finds the caller in ``g.principal`` (see :func:`authenticate`).
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                principal = authenticate()
            except Unauthenticated:
                return unauthorized()
            if principal is None:
                return unauthorized()
            if principal.role not in roles:
                return problem(
                    403,
                    "Forbidden",
                    "FORBIDDEN",
                    f"This needs the role {' or '.join(r.value for r in roles)}.",
                )
            return view(*args, **kwargs)

        apidoc = guarded.__dict__.setdefault("_apidoc", {})
        apidoc.setdefault("manual_doc", {}).setdefault("security", [{"bearerAuth": []}])
        # Document the refusals: the shared problem+json responses flask-smorest registers per status.
        responses = apidoc.setdefault("response", {}).setdefault("responses", {})
        responses.setdefault(401, ["UNAUTHORIZED"])
        responses.setdefault(403, ["FORBIDDEN"])
        return guarded  # type: ignore[return-value]

    return decorate
