"""Bearer tokens with roles. Only a token's SHA-256 is stored; the token is shown once."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

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
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)


def digest(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is as safe as a slow one here.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: Engine, name: str, role: Role) -> str:
    token = f"svk_{secrets.token_urlsafe(32)}"
    with engine.begin() as connection:
        connection.execute(
            insert(api_tokens).values(
                name=name, role=role.value, token_sha256=digest(token), created_at=datetime.now(UTC)
            )
        )
    return token


def role_of(engine: Engine, token: str) -> Role | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(api_tokens.c.role).where(
                api_tokens.c.token_sha256 == digest(token), api_tokens.c.revoked_at.is_(None)
            )
        ).first()
    return Role(row.role) if row else None


View = TypeVar("View", bound=Callable[..., Any])


def requires(*roles: Role) -> Callable[[View], View]:
    """Refuse the request with 401 without a valid token and 403 with the wrong role."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            role = (
                role_of(current_app.extensions["samverkan_db"], token.strip())
                if scheme.lower() == "bearer" and token.strip()
                else None
            )
            if role is None:
                return problem(
                    401,
                    "Unauthorized",
                    "UNAUTHORIZED",
                    "Send a valid token: Authorization: Bearer <token>.",
                    headers={"WWW-Authenticate": 'Bearer realm="samverkan"'},
                )
            if role not in roles:
                return problem(
                    403,
                    "Forbidden",
                    "FORBIDDEN",
                    f"This needs the role {' or '.join(r.value for r in roles)}.",
                )
            g.role = role
            return view(*args, **kwargs)

        guarded.__dict__.setdefault("_apidoc", {}).setdefault("manual_doc", {}).setdefault(
            "security", [{"bearerAuth": []}]
        )
        return guarded  # type: ignore[return-value]

    return decorate
