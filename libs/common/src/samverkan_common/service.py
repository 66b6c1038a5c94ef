"""What every nameko service shares at its entrypoints."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from marshmallow import Schema, ValidationError
from nameko.rpc import rpc as nameko_rpc
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from .db import UnitOfWork
from .errors import Conflict, Forbidden, Invalid, NotFound, Unavailable

EXPECTED_ERRORS = (NotFound, Conflict, Invalid, Forbidden, Unavailable)


def rpc(method: Any) -> Any:
    """nameko's ``@rpc``, plus two rules every service keeps.

    Our shared errors are answers to the caller, not crashes to log; and a
    database that cannot be reached is :class:`Unavailable` (the gateway says
    503, try again), not an unexpected failure.
    """

    @functools.wraps(method)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except (OperationalError, InterfaceError, DisconnectionError) as error:
            raise Unavailable("The service's database cannot be reached.", "DATABASE_UNAVAILABLE") from error

    # nameko checks each call against the signature; keep the method's own.
    guarded.__signature__ = inspect.signature(method)  # type: ignore[attr-defined]
    return nameko_rpc(expected_exceptions=EXPECTED_ERRORS)(guarded)


def health_report(service_name: str, distribution: str, uow: UnitOfWork) -> dict[str, Any]:
    """The answer of every service's ``health`` RPC."""
    try:
        service_version = version(distribution)
    except PackageNotFoundError:
        service_version = "unknown"
    return {
        "name": service_name,
        "version": service_version,
        "database_reachable": uow.database_reachable(),
    }


def load(schema: Schema, payload: Mapping[str, Any] | None) -> Any:
    """Validate an RPC payload; bad input becomes :class:`Invalid` naming each field."""
    try:
        return schema.load(payload or {})
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        raise Invalid("The input is not valid.", "INVALID_INPUT", messages) from None
