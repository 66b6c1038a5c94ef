"""The few error classes that cross RPC, each with a stable ``code``.

nameko serialises an exception as its type, import path and ``args``; these
classes keep ``args`` JSON-safe as ``(detail, code, errors)`` so the gateway can
rebuild the problem document without importing any service.
"""

from __future__ import annotations

from typing import Any


class SamverkanError(Exception):
    """Base of errors that a caller is meant to see."""

    default_code = "ERROR"

    def __init__(
        self,
        detail: str,
        code: str | None = None,
        errors: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail, code or self.default_code, errors or {})

    @property
    def detail(self) -> str:
        return str(self.args[0])

    @property
    def code(self) -> str:
        return str(self.args[1])

    @property
    def errors(self) -> dict[str, Any]:
        return dict(self.args[2])


class NotFound(SamverkanError):
    default_code = "NOT_FOUND"


class Conflict(SamverkanError):
    default_code = "CONFLICT"


class Invalid(SamverkanError):
    """Input broke a rule; ``errors`` maps each field to its messages."""

    default_code = "INVALID"


class Forbidden(SamverkanError):
    default_code = "FORBIDDEN"


class Unavailable(SamverkanError):
    """Something the service needs (its database) is away for now; trying again later may work."""

    default_code = "UNAVAILABLE"


REMOTE_ERRORS: dict[str, type[SamverkanError]] = {
    cls.__name__: cls for cls in (NotFound, Conflict, Invalid, Forbidden, Unavailable)
}
