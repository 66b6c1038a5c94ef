"""A plan's invitations: send them (a mail with an answer link to each contact address) and list them."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ...auth import Role, requires
from ...services import call
from ..schemas import wire
from .schemas import InvitationSchema, InvitationsInSchema

blp = Blueprint(
    "invitations",
    __name__,
    url_prefix="/api/v1/advisor",
    description="Invitations to a plan's dialogue, and the organisations' answers.",
)

PLANNERS = (Role.PLANNER, Role.OPERATOR)


@blp.route("/plans/<plan_id>/invitations", methods=["GET"])
@requires(*PLANNERS)
@blp.response(200, InvitationSchema(many=True))
def list_invitations(plan_id: str) -> Any:
    """The plan's invitations and their answers, by organisation name"""
    return call("levels_advisor", "plan_invitations", plan_id)


@blp.route("/plans/<plan_id>/invitations", methods=["POST"])
@requires(*PLANNERS)
@blp.arguments(InvitationsInSchema)
@blp.response(201, InvitationSchema(many=True))
def send_invitations(invitees: dict[str, Any], plan_id: str) -> Any:
    """Invite organisations to the plan's dialogue; only those not yet invited get a mail"""
    return call("levels_advisor", "send_plan_invitations", plan_id, wire(InvitationsInSchema(), invitees))
