"""``GET /api/v1/audit``: who changed what, and when (see ``samverkan_gateway.audit``)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from ... import audit
from ...auth import Role, requires
from .schemas import AuditEntryPageSchema, AuditQuerySchema

blp = Blueprint(
    "audit",
    __name__,
    url_prefix="/api/v1/audit",
    description="The audit trail: every write, its actor, route and ids, never personal data. Operators only.",
)


@blp.route("", methods=["GET"])
@requires(Role.OPERATOR)
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEntryPageSchema)
def audit_trail(query: dict[str, Any]) -> Any:
    """The audit trail of writes, newest first: who (token, user or public), what route and ids, when"""
    page, per_page = query.pop("page"), query.pop("per_page")
    wanted = audit.Query(since=query.pop("from_", None), until=query.pop("to", None), **query)
    return audit.search(current_app.extensions["samverkan_db"], wanted, page, per_page)
