"""Forums, meetings and the iCalendar feeds."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint

from ...auth import Role, requires
from ...services import call
from ..schemas import wire
from .schemas import ForumInSchema, ForumSchema, MeetingInSchema, MeetingSchema

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="Forums and their meetings.")
feeds = Blueprint("feeds", __name__, url_prefix="/feeds", description="iCalendar feeds for calendar apps.")


@blp.route("/forums", methods=["POST"])
@requires(Role.PLANNER, Role.OPERATOR)
@blp.arguments(ForumInSchema)
@blp.response(201, ForumSchema)
def create_forum(forum: dict[str, Any]) -> Any:
    """Create a dialogue forum"""
    return call("events", "create_forum", wire(ForumInSchema(), forum))


@blp.route("/forums/<slug>", methods=["GET"])
@blp.response(200, ForumSchema)
def get_forum(slug: str) -> Any:
    """One forum"""
    return call("events", "get_forum", slug)


@blp.route("/meetings", methods=["POST"])
@requires(Role.PLANNER, Role.OPERATOR)
@blp.arguments(MeetingInSchema)
@blp.response(201, MeetingSchema)
def schedule_meeting(meeting: dict[str, Any]) -> Any:
    """Schedule a meeting in a forum"""
    return call("events", "schedule_meeting", wire(MeetingInSchema(), meeting))


@blp.route("/meetings/<meeting_id>", methods=["GET"])
@blp.response(200, MeetingSchema)
def get_meeting(meeting_id: str) -> Any:
    """One meeting"""
    return call("events", "get_meeting", meeting_id)


@feeds.route("/forums/<slug>.ics", methods=["GET"])
@feeds.response(200, content_type="text/calendar", description="An iCalendar (RFC 5545) document.")
def forum_feed(slug: str) -> Any:
    """A forum's meetings, to subscribe to from any calendar app"""
    body = call("events", "forum_feed", slug)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{slug}.ics"'
    response.headers["Cache-Control"] = "public, max-age=300"
    response.add_etag()
    return response.make_conditional(request)
