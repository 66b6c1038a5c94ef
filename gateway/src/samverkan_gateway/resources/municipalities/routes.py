"""Västra Götaland's 49 municipalities: reference data from the registry."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ...services import call
from ..organisations.schemas import MunicipalitySchema

blp = Blueprint(
    "municipalities",
    __name__,
    url_prefix="/api/v1/municipalities",
    description="The municipalities of Västra Götaland, with SCB code and sub-region.",
)


@blp.route("", methods=["GET"])
@blp.response(200, MunicipalitySchema(many=True))
def list_municipalities() -> Any:
    """Every municipality, by name"""
    return call("registry", "list_municipalities")
