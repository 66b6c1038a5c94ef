"""Forums, meetings, registrations and the iCalendar feeds."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from flask import Response, current_app, g, request, url_for
from flask_smorest import Blueprint

from ...auth import Principal, Role, requires
from ...services import call
from ..schemas import wire
from .feedcache import CachedFeed, FeedBytes, FeedWatcher
from .schemas import (
    BetweenQuerySchema,
    ForumInSchema,
    ForumSchema,
    MeetingCancelSchema,
    MeetingChangeSchema,
    MeetingInSchema,
    MeetingSchema,
    OccurrenceChangeSchema,
    OccurrenceSchema,
    PersonalFeedInSchema,
    PersonalFeedSchema,
    RegistrationInSchema,
    RegistrationSchema,
    RevokedSchema,
    ScheduleWarningQuerySchema,
    ScheduleWarningSchema,
)

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="Forums, their meetings and registrations.")
feeds = Blueprint("feeds", __name__, url_prefix="/feeds", description="iCalendar feeds for calendar apps.")

ORGANISERS = (Role.PLANNER, Role.OPERATOR)
ANYONE_SIGNED_IN = (Role.ORGANISATION, Role.PLANNER, Role.OPERATOR)


def actor() -> dict[str, Any]:
    principal: Principal = g.principal
    return {"role": principal.role.value, "organisation_id": principal.organisation_id, "name": principal.name}


def feed_links(endpoint: str, **values: Any) -> dict[str, str]:
    url = url_for(endpoint, _external=True, **values)
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


def with_feed(forum: dict[str, Any]) -> dict[str, Any]:
    return {**forum, "feed": feed_links("feeds.forum_feed", slug=forum["slug"])}


# Forums


@blp.route("/forums", methods=["POST"])
@requires(*ORGANISERS)
@blp.arguments(ForumInSchema)
@blp.response(201, ForumSchema)
def create_forum(forum: dict[str, Any]) -> Any:
    """Create a dialogue forum"""
    return changed(with_feed(call("events", "create_forum", wire(ForumInSchema(), forum))))


@blp.route("/forums", methods=["GET"])
@blp.response(200, ForumSchema(many=True))
def list_forums() -> Any:
    """All forums, by name"""
    return [with_feed(forum) for forum in call("events", "list_forums")]


@blp.route("/forums/warnings", methods=["GET"])
@blp.arguments(ScheduleWarningQuerySchema, location="query")
@blp.response(200, ScheduleWarningSchema(many=True))
def schedule_warnings(query: dict[str, Any]) -> Any:
    """Forums whose meetings that year break their schedule rule (RÖS-gruppen 4–12 a year, stormöte each term)"""
    return call("events", "schedule_warnings", query["year"], query.get("forum_slug"))


@blp.route("/forums/<slug>", methods=["GET"])
@blp.response(200, ForumSchema)
def get_forum(slug: str) -> Any:
    """One forum, with the links to subscribe to its calendar"""
    return with_feed(call("events", "get_forum", slug))


# Meetings


@blp.route("/meetings", methods=["POST"])
@requires(*ORGANISERS)
@blp.arguments(MeetingInSchema)
@blp.response(201, MeetingSchema)
def schedule_meeting(meeting: dict[str, Any]) -> Any:
    """Schedule a meeting in a forum (once, or recurring with an RRULE)"""
    return changed(call("events", "schedule_meeting", wire(MeetingInSchema(), meeting)))


@blp.route("/meetings", methods=["GET"])
@blp.arguments(BetweenQuerySchema, location="query")
@blp.response(200, OccurrenceSchema(many=True))
def meetings_between(query: dict[str, Any]) -> Any:
    """Every meeting occurrence from start to end (both days included), cancelled ones too"""
    where = {
        "forum_slugs": query.get("forum", []),
        "level": query.get("level"),
        "municipality_code": query.get("municipality", ""),
        "mode": query.get("mode"),
    }
    return call("events", "meetings_between", query["start"].isoformat(), query["end"].isoformat(), where)


@blp.route("/meetings/<meeting_id>", methods=["GET"])
@blp.response(200, MeetingSchema)
def get_meeting(meeting_id: str) -> Any:
    """One meeting"""
    return call("events", "get_meeting", meeting_id)


@blp.route("/meetings/<meeting_id>", methods=["PATCH"])
@requires(*ORGANISERS)
@blp.arguments(MeetingChangeSchema)
@blp.response(200, MeetingSchema)
def update_meeting(changes: dict[str, Any], meeting_id: str) -> Any:
    """Change a meeting; send the version you read (409 if someone changed it meanwhile)"""
    return changed(call("events", "update_meeting", meeting_id, wire(MeetingChangeSchema(), changes)))


@blp.route("/meetings/<meeting_id>/cancel", methods=["POST"])
@requires(*ORGANISERS)
@blp.arguments(MeetingCancelSchema)
@blp.response(200, MeetingSchema)
def cancel_meeting(command: dict[str, Any], meeting_id: str) -> Any:
    """Cancel a meeting: it stays in every feed as cancelled for 30 days"""
    return changed(call("events", "cancel_meeting", meeting_id, wire(MeetingCancelSchema(), command)))


@blp.route("/meetings/<meeting_id>/occurrences", methods=["POST"])
@requires(*ORGANISERS)
@blp.arguments(OccurrenceChangeSchema)
@blp.response(200, MeetingSchema)
def change_occurrence(change: dict[str, Any], meeting_id: str) -> Any:
    """Move or cancel one occurrence of a recurring meeting"""
    return changed(call("events", "change_occurrence", meeting_id, wire(OccurrenceChangeSchema(), change)))


# Registrations


@blp.route("/meetings/<meeting_id>/registrations", methods=["POST"])
@requires(*ANYONE_SIGNED_IN)
@blp.arguments(RegistrationInSchema)
@blp.response(201, RegistrationSchema)
def register(registration: dict[str, Any], meeting_id: str) -> Any:
    """Register a person: a place while places last, else the waiting list"""
    return changed(call("events", "register", meeting_id, wire(RegistrationInSchema(), registration), actor()))


@blp.route("/meetings/<meeting_id>/registrations", methods=["GET"])
@requires(*ANYONE_SIGNED_IN)
@blp.response(200, RegistrationSchema(many=True))
def list_registrations(meeting_id: str) -> Any:
    """Registrations: the organiser sees all with their needs; an organisation its own"""
    return call("events", "list_registrations", meeting_id, actor())


@blp.route("/registrations/<registration_id>", methods=["DELETE"])
@requires(*ANYONE_SIGNED_IN)
@blp.response(200, RegistrationSchema)
def cancel_registration(registration_id: str) -> Any:
    """Cancel a registration; the first on the waiting list gets the place"""
    return changed(call("events", "cancel_registration", registration_id, actor()))


@blp.route("/personal-feeds", methods=["POST"])
@requires(*ANYONE_SIGNED_IN)
@blp.arguments(PersonalFeedInSchema)
@blp.response(201, PersonalFeedSchema)
def issue_personal_feed(command: dict[str, Any]) -> Any:
    """A new secret calendar link to one person's meetings (the previous link stops working)"""
    issued = changed(call("events", "issue_personal_feed", wire(PersonalFeedInSchema(), command), actor()))
    return {"token": issued["token"], **feed_links("feeds.personal_feed", token=issued["token"])}


@blp.route("/personal-feeds/revoke", methods=["POST"])
@requires(*ANYONE_SIGNED_IN)
@blp.arguments(PersonalFeedInSchema)
@blp.response(200, RevokedSchema)
def revoke_personal_feeds(command: dict[str, Any]) -> Any:
    """Stop a person's secret calendar link from working"""
    return changed(call("events", "revoke_personal_feeds", wire(PersonalFeedInSchema(), command), actor()))


# Feeds


def feed_bytes() -> FeedBytes:
    cache: FeedBytes = current_app.extensions.setdefault("samverkan_feed_bytes", FeedBytes())
    return cache


def feed_watcher() -> FeedWatcher:
    watcher: FeedWatcher = current_app.extensions.setdefault(
        "samverkan_feed_watcher", FeedWatcher(current_app.config["AMQP_URI"])
    )
    watcher.start()
    return watcher


def changed(result: Any) -> Any:
    """After a write through this gateway: its own feed copies are no longer trusted."""
    feed_watcher().changed()
    return result


def serve_feed(kind: str, key: str, filename: str, private: bool = False) -> Any:
    """The feed with ETag and Last-Modified; 304 when the client's copy is current, never a rebuild for it."""
    cache_key = f"{kind}:{key}"
    watcher = feed_watcher()
    cached = feed_bytes().get(cache_key)
    max_age = float(current_app.config.get("FEED_CACHE_TRUST_SECONDS", 60))
    # A personal link is checked with the service every time: a replaced or revoked one must stop at once.
    if cached is None or private or not watcher.trusts(cached, max_age):
        cached = refresh(kind, key, cached, watcher.generation)
    if cached.body or not request.if_none_match:
        response = Response(cached.body, mimetype="text/calendar")
    else:  # the client holds the current feed and this gateway does not: nothing to send
        response = Response(status=304)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # Revalidate on every poll (a 304 is cheap), so a change shows up on the next one.
    response.headers["Cache-Control"] = "private, no-cache" if private else "public, no-cache"
    if private:
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Referrer-Policy"] = "no-referrer"
    response.set_etag(cached.etag.strip('"'))
    response.last_modified = cached.last_modified
    return response.make_conditional(request)


def refresh(kind: str, key: str, cached: CachedFeed | None, generation: int) -> CachedFeed:
    """Ask the service for the feed's validators, and for its body only if neither we nor the client hold it."""
    known = [f'"{tag}"' for tag in request.if_none_match.as_set()]
    if cached is not None:
        known.append(cached.etag)
    since = request.if_modified_since
    answer = call(
        "events", "feed", kind, key, known, since.isoformat() if since and not request.if_none_match else None
    )
    etag, last_modified = answer["etag"], datetime.fromisoformat(answer["last_modified"])
    if answer["body"] is not None:
        body = answer["body"].encode("utf-8")
    elif cached is not None and cached.etag == etag:
        body = cached.body
    else:
        body = b""  # the client's copy is current; an empty body is never stored
    fresh = CachedFeed(etag, last_modified, body, generation, time.monotonic())
    if body:
        feed_bytes().put(f"{kind}:{key}", fresh)
    return fresh


FEED_DOC = {"content_type": "text/calendar", "description": "An iCalendar (RFC 5545) document."}


@feeds.route("/all.ics", methods=["GET"])
@feeds.response(200, **FEED_DOC)
def all_feed() -> Any:
    """Every public meeting, to subscribe to from any calendar app"""
    return serve_feed("all", "", "samverkan.ics")


@feeds.route("/forums/<slug>.ics", methods=["GET"])
@feeds.response(200, **FEED_DOC)
def forum_feed(slug: str) -> Any:
    """A forum's meetings, to subscribe to from any calendar app"""
    return serve_feed("forum", slug, f"{slug}.ics")


@feeds.route("/organisations/<organisation_id>.ics", methods=["GET"])
@feeds.response(200, **FEED_DOC)
def organisation_feed(organisation_id: str) -> Any:
    """Meetings of the forums an organisation sits in"""
    return serve_feed("organisation", organisation_id, "organisation.ics")


@feeds.route("/personal/<token>.ics", methods=["GET"])
@feeds.response(200, **FEED_DOC)
def personal_feed(token: str) -> Any:
    """One person's meetings, behind a secret link (revocable)"""
    return serve_feed("personal", token, "mina-moten.ics", private=True)
