"""The organisation registry."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ...auth import Role, requires
from ...services import call
from ..schemas import PageQuerySchema, wire
from .schemas import OrganisationInSchema, OrganisationPageSchema, OrganisationSchema

blp = Blueprint(
    "organisations",
    __name__,
    url_prefix="/api/v1/organisations",
    description="Civil-society organisations in Västra Götaland.",
)


@blp.route("", methods=["POST"])
@requires(Role.PLANNER, Role.OPERATOR)
@blp.arguments(OrganisationInSchema)
@blp.response(201, OrganisationSchema)
def register_organisation(organisation: dict[str, Any]) -> Any:
    """Register an organisation"""
    return call("registry", "register_organisation", wire(OrganisationInSchema(), organisation))


@blp.route("", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, OrganisationPageSchema)
def list_organisations(query: dict[str, Any]) -> Any:
    """Organisations, a page at a time, by name"""
    return call("registry", "list_organisations", page=query["page"], per_page=query["per_page"])


@blp.route("/<organisation_id>", methods=["GET"])
@blp.response(200, OrganisationSchema)
def get_organisation(organisation_id: str) -> Any:
    """One organisation"""
    return call("registry", "get_organisation", organisation_id)
