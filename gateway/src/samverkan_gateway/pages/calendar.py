"""Kalender: upcoming meetings by forum, a page per meeting, and how to subscribe."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from samverkan_common.errors import NotFound
from samverkan_common.participation import Level

from ..services import call

blp = Blueprint("pages", __name__, template_folder="../templates")
STOCKHOLM = ZoneInfo("Europe/Stockholm")
HORIZON_DAYS = 180

LEVEL_NAMES = {
    Level.INFORMATION: lambda: _("Information"),
    Level.CONSULTATION: lambda: _("Consultation"),
    Level.DIALOGUE: lambda: _("Dialogue"),
    Level.PARTNERSHIP: lambda: _("Partnership"),
}


def level_name(level: str) -> str:
    return LEVEL_NAMES[Level(level)]() if level in Level.__members__.values() else level


def subscription(path: str) -> dict[str, str]:
    """The two links every calendar page offers: webcal:// for one click, https for pasting."""
    https = request.url_root.rstrip("/") + path
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@blp.app_context_processor
def language_links() -> dict[str, Any]:
    """The language switch keeps the rest of the query (a search, the wizard's answers so far)."""

    def language_link(language: str) -> str:
        return "?" + urlencode({**request.args.to_dict(), "lang": language})

    return {"language_link": language_link}


@blp.get("/")
def home() -> Any:
    return render_template("pages/home.html", all_feed=subscription("/feeds/forums/ros-gruppen.ics"))


@blp.get("/kalender")
def calendar() -> Any:
    forums = {forum["slug"]: forum for forum in call("events", "list_forums")}
    today = date.today()
    chosen_forum = request.args.get("forum", "")
    chosen_level = request.args.get("level", "")
    meetings = call("events", "meetings_between", today.isoformat(), (today + timedelta(days=HORIZON_DAYS)).isoformat())
    by_forum: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for meeting in sorted(meetings, key=lambda m: m["starts_at"]):
        if chosen_forum and meeting["forum_slug"] != chosen_forum:
            continue
        if chosen_level and meeting["level"] != chosen_level:
            continue
        by_forum[meeting["forum_slug"]].append({**meeting, "when": _local(meeting["starts_at"])})
    return render_template(
        "pages/calendar.html",
        forums=forums,
        by_forum=dict(by_forum),
        chosen_forum=chosen_forum,
        chosen_level=chosen_level,
        levels=[(level.value, level_name(level.value)) for level in Level],
        level_name=level_name,
        feeds={slug: subscription(f"/feeds/forums/{slug}.ics") for slug in forums},
    )


@blp.get("/moten/<meeting_id>")
def meeting(meeting_id: str) -> Any:
    try:
        found = call("events", "get_meeting", meeting_id)
    except NotFound:
        abort(404)
    return render_template(
        "pages/meeting.html",
        meeting=found,
        starts=_local(found["starts_at"]),
        ends=_local(found["ends_at"]),
        level_name=level_name,
        feed=subscription(f"/feeds/forums/{found['forum_slug']}.ics"),
    )


def _local(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(STOCKHOLM)
