"""Kalender: upcoming meetings by forum, a page per meeting, and how to subscribe."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validates
from sqlalchemy import select

from samverkan_common.errors import Conflict
from samverkan_common.participation import Level

from ..auth import Principal, Unauthenticated, authenticate
from ..people import users
from ..resources.events.routes import actor, changed
from ..resources.events.schemas import RegistrationInSchema
from ..resources.schemas import wire
from ..services import call

blp = Blueprint("pages", __name__, template_folder="../templates")
STOCKHOLM = ZoneInfo("Europe/Stockholm")
HORIZON_DAYS = 180

# The calendar's address speaks Swedish: /kalender?vy=manad&manad=2026-12&niva=dialog&kommun=1496&motesform=digitalt
VIEWS = ("lista", "manad", "vecka")
FILTER_PARAMS = ("forum", "niva", "kommun", "motesform")
CALENDAR_PARAMS = ("vy", "manad", "vecka", *FILTER_PARAMS)
LEVEL_PARAMS = {
    "information": Level.INFORMATION,
    "samrad": Level.CONSULTATION,
    "dialog": Level.DIALOGUE,
    "partnerskap": Level.PARTNERSHIP,
}
MODE_PARAMS = {"pa-plats": "in_person", "digitalt": "online"}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def mode_names() -> dict[str, str]:
    return {"pa-plats": _("In person"), "digitalt": _("Online")}


@dataclass(frozen=True)
class CalendarView:
    """What the calendar shows: upcoming meetings (lista), one month (manad) or one ISO week (vecka)."""

    kind: str
    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def month(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def week(self) -> str:
        year, number, _day = self.first.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def week_number(self) -> int:
        return self.first.isocalendar()[1]

    @property
    def query(self) -> dict[str, str]:
        """The view's own part of the calendar's address, without the filters."""
        if self.kind == "manad":
            return {"vy": "manad", "manad": self.month}
        if self.kind == "vecka":
            return {"vy": "vecka", "vecka": self.week}
        return {}

    def neighbour(self, step: int) -> dict[str, str]:
        """The query of the previous (-1) or next (+1) month or week."""
        if self.kind == "manad":
            index = self.first.year * 12 + self.first.month - 1 + step
            return {"vy": "manad", "manad": f"{index // 12}-{index % 12 + 1:02d}"}
        return {"vy": "vecka", "vecka": CalendarView.of_week(self.first + timedelta(weeks=step)).week}

    @staticmethod
    def of_month(day: date) -> CalendarView:
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return CalendarView("manad", day.replace(day=1), following - timedelta(days=1))

    @staticmethod
    def of_week(day: date) -> CalendarView:
        monday = day - timedelta(days=day.weekday())
        return CalendarView("vecka", monday, monday + timedelta(days=6))

    @staticmethod
    def upcoming(today: date) -> CalendarView:
        return CalendarView("lista", today, today + timedelta(days=HORIZON_DAYS))


class CalendarQuerySchema(Schema):
    """The calendar's query: the view and the filters, each checked against the choices the page offers."""

    class Meta:
        unknown = EXCLUDE  # lang and anything else a link carries

    vy = fields.String(load_default="")
    manad = fields.String(load_default="")
    vecka = fields.String(load_default="")
    forum = fields.String(load_default="")
    niva = fields.String(load_default="")
    kommun = fields.String(load_default="")
    motesform = fields.String(load_default="")

    def __init__(self, forum_slugs: set[str], municipality_codes: set[str], today: date | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.forum_slugs = forum_slugs
        self.municipality_codes = municipality_codes
        self.today = today or datetime.now(STOCKHOLM).date()

    @validates("vy")
    def _view(self, value: str, **kwargs: Any) -> None:
        if value and value not in VIEWS:
            raise ValidationError(_("Choose one of the views: upcoming, month or week."))

    @validates("manad")
    def _month(self, value: str, **kwargs: Any) -> None:
        found = MONTH.match(value)
        if value and not (found and FIRST_YEAR <= int(found[1]) <= LAST_YEAR and 1 <= int(found[2]) <= 12):
            raise ValidationError(_("Write a month as year and month, for example 2026-12."))

    @validates("vecka")
    def _week(self, value: str, **kwargs: Any) -> None:
        if value and _week_start(value) is None:
            raise ValidationError(_("Write a week as year and week number, for example 2026-W49."))

    @validates("forum")
    def _forum(self, value: str, **kwargs: Any) -> None:
        if value and value not in self.forum_slugs:
            raise ValidationError(_("Choose a forum from the list."))

    @validates("niva")
    def _level(self, value: str, **kwargs: Any) -> None:
        if value and value not in LEVEL_PARAMS:
            raise ValidationError(_("Choose a level of participation from the list."))

    @validates("kommun")
    def _municipality(self, value: str, **kwargs: Any) -> None:
        if value and value not in self.municipality_codes:
            raise ValidationError(_("Choose a municipality from the list."))

    @validates("motesform")
    def _mode(self, value: str, **kwargs: Any) -> None:
        if value and value not in MODE_PARAMS:
            raise ValidationError(_("Choose in person or online from the list."))

    @post_load
    def _chosen(self, data: dict[str, str], **kwargs: Any) -> dict[str, Any]:
        """The view to show, and the filter as the events service takes it."""
        kind = data["vy"] or ("vecka" if data["vecka"] else "manad" if data["manad"] else "lista")
        if kind == "manad":
            month = MONTH.match(data["manad"])
            view = CalendarView.of_month(date(int(month[1]), int(month[2]), 1) if month else self.today)
        elif kind == "vecka":
            view = CalendarView.of_week(_week_start(data["vecka"]) or self.today)
        else:
            view = CalendarView.upcoming(self.today)
        level = LEVEL_PARAMS.get(data["niva"])
        where = {
            "forum_slugs": [data["forum"]] if data["forum"] else [],
            "level": level.value if level else None,
            "municipality_code": data["kommun"],
            "mode": MODE_PARAMS.get(data["motesform"]),
        }
        return {"view": view, "where": where}


def _calendar_url(query: dict[str, str]) -> str:
    return url_for("pages.calendar", **query)  # type: ignore[arg-type]  # the view takes only string parameters


def _week_start(value: str) -> date | None:
    """The Monday of an ISO week written 2026-W49, or None when there is no such week."""
    found = WEEK.match(value)
    if not found or not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
        return None
    try:
        return date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        return None


LEVEL_NAMES = {
    Level.INFORMATION: lambda: _("Information"),
    Level.CONSULTATION: lambda: _("Consultation"),
    Level.DIALOGUE: lambda: _("Dialogue"),
    Level.PARTNERSHIP: lambda: _("Partnership"),
}


def level_name(level: str) -> str:
    return LEVEL_NAMES[Level(level)]() if level in Level.__members__.values() else level


GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/r"
GOOGLE_ADD = "https://calendar.google.com/calendar/render"


def subscription(path: str) -> dict[str, str]:
    """The links every calendar page offers: webcal:// for one click, https for pasting, and Google's.

    Google Calendar does not open webcal:// links itself, but its ``cid`` takes a feed's webcal://
    address (it fetches it over https), url-encoded: the form that opens its "add calendar" prompt.
    """
    https = request.url_root.rstrip("/") + path
    webcal = "webcal://" + https.split("://", 1)[1]
    return {"https": https, "webcal": webcal, "google": f"{GOOGLE_SUBSCRIBE}?cid={quote(webcal, safe='')}"}


def _google_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_event(meeting: dict[str, Any], page_url: str) -> str:
    """Google Calendar's "add event" form filled in with the meeting (times in UTC, shown in Stockholm time)."""
    details = "\n\n".join(part for part in (meeting.get("description", "").strip(), page_url) if part)
    query = {
        "action": "TEMPLATE",
        "text": meeting["title"],
        "dates": f"{_google_time(_local(meeting['starts_at']))}/{_google_time(_local(meeting['ends_at']))}",
        "details": details,
        "location": meeting.get("location") or meeting.get("online_url") or "",
        "ctz": meeting.get("timezone") or "Europe/Stockholm",
    }
    if meeting.get("rrule"):
        query["recur"] = "RRULE:" + meeting["rrule"]
    return f"{GOOGLE_ADD}?{urlencode(query, quote_via=quote)}"


def ics_filename(title: str) -> str:
    """An ASCII file name from the meeting's title: "SER: idéburet partnerskap" -> ser-ideburet-partnerskap.ics."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].rstrip("-")
    return f"{slug or 'mote'}.ics"


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
    """Upcoming meetings by forum, a month or a week, narrowed by forum, level, municipality and how to take part."""
    forums = {forum["slug"]: forum for forum in call("events", "list_forums")}
    municipalities = {m["code"]: m["name"] for m in call("registry", "list_municipalities")}
    raw = {name: request.args.get(name, "").strip() for name in CALENDAR_PARAMS}
    errors: dict[str, str] = {}
    try:
        chosen = CalendarQuerySchema(set(forums), set(municipalities)).load(raw)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {}
        errors = {field: str(problems[0]) for field, problems in messages.items()}
        chosen = CalendarQuerySchema(set(forums), set(municipalities)).load(
            {name: value for name, value in raw.items() if name not in errors}
        )
    view: CalendarView = chosen["view"]
    meetings: list[dict[str, Any]] = []
    if not errors:
        found = call("events", "meetings_between", view.first.isoformat(), view.last.isoformat(), chosen["where"])
        meetings = [{**m, "when": _local(m["starts_at"])} for m in sorted(found, key=lambda m: m["starts_at"])]
    by_day: dict[date, list[dict[str, Any]]] = {day: [] for day in view.days} if view.kind == "vecka" else {}
    for meeting in meetings:
        by_day.setdefault(meeting["when"].date(), []).append(meeting)
    kept = {name: value for name, value in raw.items() if value and name in FILTER_PARAMS and name not in errors}
    narrowed = any(name in kept for name in ("niva", "kommun", "motesform"))
    forum_slug = kept.get("forum")
    return render_template(
        "pages/calendar.html",
        forums=forums,
        municipalities=municipalities,
        view=view,
        raw=raw,
        errors=errors,
        kept=kept,
        narrowed=narrowed,
        count=len(meetings),
        by_day=by_day,
        today=datetime.now(STOCKHOLM).date(),
        previous_url=_calendar_url({**view.neighbour(-1), **kept}) if view.kind != "lista" else None,
        next_url=_calendar_url({**view.neighbour(1), **kept}) if view.kind != "lista" else None,
        clear_url=_calendar_url(view.query),
        forum_options=[(slug, forum["name"]) for slug, forum in forums.items()],
        municipality_options=list(municipalities.items()),
        levels=[(param, level_name(level.value)) for param, level in LEVEL_PARAMS.items()],
        modes=mode_names(),
        level_name=level_name,
        feed=subscription(f"/feeds/forums/{forum_slug}.ics" if forum_slug else "/feeds/all.ics"),
        feed_forum=forums[forum_slug]["name"] if forum_slug else None,
    ), (400 if errors else 200)


@blp.get("/moten/<meeting_id>")
def meeting(meeting_id: str) -> Any:
    """The meeting, its places left or waiting list, and a registration form for a logged-in person."""
    return _meeting_page(meeting_id, {}, {})


# Registering from the meeting page: the same schema and RPC as POST /api/v1/meetings/{id}/registrations.
REGISTRATION_FIELDS = ("attendee_name", "attendee_email", "language", "accessibility_needs", "dietary_needs")


def registration_messages() -> dict[str, str]:
    return {
        "attendee_name": _("Enter the name of the person who will come."),
        "attendee_email": _("Enter an e-mail address in the form name@example.org."),
        "language": _("Choose the language of the messages."),
        "accessibility_needs": _("Write at most 2000 characters about accessibility."),
        "dietary_needs": _("Write at most 2000 characters about food."),
    }


def closed_reason(code: str | None, meeting: dict[str, Any], now: datetime | None = None) -> str | None:
    """Why no one can register, in plain words; None while registration is open.

    The events service says REGISTRATION_CLOSED both after the deadline and once a meeting has
    begun; the page tells the two apart, since "the deadline passed" and "it has ended" ask different things.
    """
    now = now or datetime.now(UTC)
    reason: str | None = None
    if code == "MEETING_CANCELLED":
        reason = _("The meeting is cancelled, so you cannot register for it.")
    elif code == "NO_REGISTRATION":
        reason = _("This meeting takes no registrations.")
    elif code == "REGISTRATION_CLOSED":
        deadline = _local(meeting["registration_deadline"]) if meeting.get("registration_deadline") else None
        if now >= _local(meeting["ends_at"]):
            reason = _("The meeting has ended, so you can no longer register.")
        elif now >= _local(meeting["starts_at"]):
            reason = _("The meeting has started, so you can no longer register.")
        elif deadline is not None:  # closed before the meeting began: its deadline has passed
            when = format_datetime(deadline, "d MMMM y, HH:mm")
            reason = _("Registration closed on %(deadline)s.", deadline=when)
        else:
            reason = _("Registration has closed.")
    return reason


def _person() -> Principal | None:
    try:
        return authenticate()
    except Unauthenticated:
        return None


def _email_of(person: Principal) -> str | None:
    """A logged-in person's e-mail address (a token has none), to fill in their registration."""
    if person.user_id is None:
        return None
    with current_app.extensions["samverkan_db"].connect() as connection:
        email = connection.execute(select(users.c.email).where(users.c.id == person.user_id)).scalar_one_or_none()
    return str(email) if email else None


def _prefilled(person: Principal | None) -> dict[str, str]:
    """The form as it first shows: the person's own name and address, which they change to register someone else."""
    form = {"language": "en" if str(get_locale()) == "en" else "sv"}
    email = _email_of(person) if person is not None else None
    if person is not None and email:
        form["attendee_email"] = email
        if person.name and "@" not in person.name:  # a user made without a name is named by their address
            form["attendee_name"] = person.name
    return form


def _meeting_page(meeting_id: str, form: dict[str, str], errors: dict[str, str], status: int = 200) -> Any:
    found = call("events", "get_meeting", meeting_id)
    places = call("events", "registration_places", meeting_id)
    forums = call("events", "list_forums")
    slug = found["forum_slug"]
    forum = next((f for f in forums if f["slug"] == slug), {"slug": slug, "name": slug})
    person = _person()
    page_url = url_for("pages.meeting", meeting_id=found["id"], _external=True)
    return render_template(
        "pages/meeting.html",
        meeting=found,
        forum=forum,
        places=places,
        closed=closed_reason(places["closed"], found),
        person=person,
        prefilled=not form and person is not None,
        form=form or _prefilled(person),
        errors=errors,
        starts=_local(found["starts_at"]),
        ends=_local(found["ends_at"]),
        deadline=_local(found["registration_deadline"]) if found.get("registration_deadline") else None,
        level_name=level_name,
        feed=subscription(f"/feeds/forums/{found['forum_slug']}.ics"),
        ics_url=url_for("pages.meeting_ics", meeting_id=found["id"]),
        google_url=google_event(found, page_url),
    ), status


@blp.get("/moten/<meeting_id>.ics")
def meeting_ics(meeting_id: str) -> Any:
    """The meeting alone as an iCalendar file (METHOD:PUBLISH), to add to any calendar app once."""
    body = call("events", "meeting_ics", meeting_id)
    found = call("events", "get_meeting", meeting_id)
    response = Response(body.encode("utf-8"), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{ics_filename(found["title"])}"'
    response.headers["Cache-Control"] = "public, no-cache"  # a changed meeting shows on the next download
    return response


@blp.post("/moten/<meeting_id>/anmalan")
def register(meeting_id: str) -> Any:
    """Register a person for the meeting; the answer page tells whether they got a place or wait."""
    if _person() is None:
        return redirect(url_for("login_pages.login_form", next=url_for("pages.meeting", meeting_id=meeting_id)))
    form = {name: request.form.get(name, "").strip() for name in REGISTRATION_FIELDS}
    schema = RegistrationInSchema()
    try:
        registration = schema.load({name: value for name, value in form.items() if value})
    except ValidationError as error:
        messages = registration_messages()
        return _meeting_page(meeting_id, form, {k: messages[k] for k in messages if k in error.messages_dict}, 400)
    try:
        made = changed(call("events", "register", meeting_id, wire(schema, registration), actor()))
    except Conflict:
        return _meeting_page(meeting_id, form, {}, 409)  # closed meanwhile: the page says why
    return redirect(url_for("pages.registered", meeting_id=meeting_id, registration_id=made["id"]), code=303)


@blp.get("/moten/<meeting_id>/anmalan/<registration_id>")
def registered(meeting_id: str, registration_id: str) -> Any:
    """The answer to a registration: a place, or which place on the waiting list."""
    if _person() is None:
        return redirect(url_for("login_pages.login_form", next=request.path))
    registration = call("events", "get_registration", registration_id, actor())
    found = call("events", "get_meeting", meeting_id)
    places = call("events", "registration_places", meeting_id)
    if registration["meeting_id"] != found["id"]:
        abort(404)
    return render_template(
        "pages/meeting_registered.html",
        meeting=found,
        registration=registration,
        places=places,
        starts=_local(found["starts_at"]),
        ics_url=url_for("pages.meeting_ics", meeting_id=found["id"]),
        google_url=google_event(found, url_for("pages.meeting", meeting_id=found["id"], _external=True)),
    )


def _local(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(STOCKHOLM)
