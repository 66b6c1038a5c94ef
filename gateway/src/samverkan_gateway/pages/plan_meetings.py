"""From a dialogue plan: book a meeting (Boka möte); record the outcome and give feedback (Resultat och återkoppling).

- Boka möte: the levels advisor's ``schedule_plan_meeting`` RPC, as ``POST /api/v1/advisor/plans/{id}/meetings``
  makes it. The meeting goes through the events service, so it is in the calendar and the feeds at once, and the
  plan lists it. The form checks the meeting bounds of :mod:`samverkan_common.meeting_times` first, so each
  problem is said in the person's language beside its field; what the events service still refuses is said per
  field too, never in its English.
- Resultat och återkoppling: the advisor's ``record_outcome`` with the organisations' proposals (taken up or not,
  and why) and ``send_feedback``: the advisor announces ``plan_feedback_given`` and the notifier mails the feedback
  to every organisation that was invited or took part.

Only those who may see the plan may (planners, operators, the plan's author); see :mod:`.plans`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from samverkan_common import meeting_times as times
from samverkan_common.errors import Conflict, Invalid
from samverkan_common.participation import DecisionStep, Level

from ..services import call
from .calendar import level_name
from .planning import step_names
from .plans import _language, _reader

blp = Blueprint("plan_meeting_pages", __name__, template_folder="../templates")
STOCKHOLM = ZoneInfo(times.STOCKHOLM)
MEETING_FIELDS = (
    "forum_slug",
    "title",
    "day",
    "starts",
    "ends",
    "location",
    "online_url",
    "capacity",
    "deadline_day",
    "deadline_time",
    "level",
    "step",
    "description",
)
# The rows for proposals the form shows beyond those filled in; "Fler rader" adds this many more.
SPARE_PROPOSALS = 2
MAX_PROPOSALS = 100


@blp.app_template_filter("local_moment")
def local_moment(value: str | None) -> datetime | None:
    """An ISO time from a service, as Stockholm wall-clock time (for ``datetimeformat``)."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(STOCKHOLM)


def _spoken(day: date) -> str:
    return format_date(day, "d MMMM y", locale=_language())


# Boka möte


def _forums(plan: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The forums that fit the plan (its own, then those of its committee), and the others, by name."""
    forums = sorted(call("events", "list_forums"), key=lambda forum: str(forum["name"]).casefold())
    owners = {str(plan.get("committee") or "").casefold(), str(plan.get("committee_name") or "").casefold()} - {""}
    fitting = [
        forum
        for forum in forums
        if forum["slug"] in plan["forum_slugs"] or str(forum.get("owner_committee") or "").casefold() in owners
    ]
    fitting.sort(key=lambda forum: (forum["slug"] not in plan["forum_slugs"], str(forum["name"]).casefold()))
    chosen = {forum["slug"] for forum in fitting}
    return fitting, [forum for forum in forums if forum["slug"] not in chosen]


def _meeting_form(plan: dict[str, Any]) -> dict[str, str]:
    return {
        "forum_slug": plan["forum_slugs"][0] if plan["forum_slugs"] else "",
        "title": plan["issue"],
        "day": "",
        "starts": "",
        "ends": "",
        "location": "",
        "online_url": "",
        "capacity": "",
        "deadline_day": "",
        "deadline_time": "",
        "level": plan["level"],
        "step": plan["step"],
        "description": "",
    }


def _meeting_page(plan: dict[str, Any], form: dict[str, str], errors: dict[str, str], status: int = 200) -> Any:
    fitting, others = _forums(plan)
    return current_app.make_response(
        (
            render_template(
                "pages/plan_meeting_new.html",
                plan=plan,
                form=form,
                errors=errors,
                fitting=fitting,
                others=others,
                levels=[(level.value, level_name(level.value)) for level in Level],
                steps=list(step_names().items()),
                latest_day=times.latest_start_day(datetime.now(UTC)).isoformat(),
            ),
            status,
        )
    )


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _clock(value: str) -> time | None:
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(second=0, microsecond=0, tzinfo=None)


def _local(day: date, clock: time, field: str, errors: dict[str, str]) -> datetime | None:
    """The wall-clock time in Stockholm; the hour the clocks skip in March is said to be missing."""
    naive = datetime.combine(day, clock)
    if times.missing_local_time(naive, STOCKHOLM):
        later = (naive + timedelta(hours=1)).strftime("%H:%M")
        errors[field] = _(
            "%(time)s on %(day)s does not exist: the clocks go forward one hour that night. "
            "Choose another time, for example %(later)s.",
            time=naive.strftime("%H:%M"),
            day=_spoken(day),
            later=later,
        )
        return None
    return naive.replace(tzinfo=STOCKHOLM, fold=0)


def check_meeting(form: dict[str, str], forum_slugs: set[str], now: datetime) -> tuple[dict[str, Any], dict[str, str]]:
    """The meeting the form asks for, or why not, per field, in the person's language."""
    errors: dict[str, str] = {}
    if form["forum_slug"] not in forum_slugs:
        errors["forum_slug"] = _("Choose the forum the meeting belongs to.")
    if not form["title"]:
        errors["title"] = _("Enter a title for the meeting.")
    elif len(form["title"]) > 200:
        errors["title"] = _("The title can be at most %(count)d characters.", count=200)
    elif times.single_line_problems(form["title"]):
        errors["title"] = _("Write the title on one line.")
    day = _day(form["day"])
    last = times.latest_start_day(now)
    if not form["day"]:
        errors["day"] = _("Enter the day of the meeting.")
    elif day is None:
        errors["day"] = _("Write the day as year-month-day, like 2027-03-15.")
    elif not times.EARLIEST_DAY <= day <= last:
        errors["day"] = _(
            "A meeting can be booked from %(first)s up to ten years ahead (%(last)s).",
            first=_spoken(times.EARLIEST_DAY),
            last=_spoken(last),
        )
    starts, ends = _clock(form["starts"]), _clock(form["ends"])
    if not form["starts"]:
        errors["starts"] = _("Enter the time the meeting starts.")
    elif starts is None:
        errors["starts"] = _("Write the time as hours and minutes, like 13:00.")
    if not form["ends"]:
        errors["ends"] = _("Enter the time the meeting ends.")
    elif ends is None:
        errors["ends"] = _("Write the time as hours and minutes, like 15:00.")
    starts_at = ends_at = None
    if day is not None and "day" not in errors:
        if starts is not None:
            starts_at = _local(day, starts, "starts", errors)
        if ends is not None:
            ends_at = _local(day, ends, "ends", errors)
    if starts_at and ends_at and times.end_problems(starts_at, ends_at):
        errors["ends"] = _("The meeting must end after it starts.")
    if len(form["location"]) > 300:
        errors["location"] = _("The place can be at most %(count)d characters.", count=300)
    elif times.single_line_problems(form["location"]):
        errors["location"] = _("Write the place on one line.")
    if form["online_url"]:
        link = urlparse(form["online_url"])
        if link.scheme not in ("http", "https") or not link.netloc or len(form["online_url"]) > 500:
            errors["online_url"] = _("Write the whole link, starting with https://.")
    if not form["location"] and not form["online_url"]:
        errors["location"] = _("Enter where the meeting is, or a link to the meeting online.")
    capacity: int | None = None
    if form["capacity"]:
        capacity = int(form["capacity"]) if form["capacity"].isdigit() else None
        if capacity is None or not 1 <= capacity <= 100_000:
            errors["capacity"] = _("Enter the number of places as a whole number from 1 to 100000, or leave it empty.")
    deadline = _deadline(form, starts_at, now, errors)
    if form["level"] not in {level.value for level in Level}:
        errors["level"] = _("Choose a level.")
    if form["step"] not in {step.value for step in DecisionStep}:
        errors["step"] = _("Choose a step of the decision process.")
    if len(form["description"]) > 5000:
        errors["description"] = _("The description can be at most %(count)d characters.", count=5000)
    if errors or starts_at is None or ends_at is None:
        return {}, errors
    meeting: dict[str, Any] = {
        "forum_slug": form["forum_slug"],
        "title": form["title"],
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "level": form["level"],
        "step": form["step"],
    }
    # Only what was written: the events service reads an empty link as a link that is not valid.
    meeting.update({name: form[name] for name in ("location", "online_url", "description") if form[name]})
    if capacity is not None:
        meeting["capacity"] = capacity
    if deadline is not None:
        meeting["registration_deadline"] = deadline.isoformat()
    return meeting, errors


def _deadline(
    form: dict[str, str], starts_at: datetime | None, now: datetime, errors: dict[str, str]
) -> datetime | None:
    if not form["deadline_day"] and not form["deadline_time"]:
        return None
    day = _day(form["deadline_day"])
    if day is None:
        errors["deadline_day"] = _("Write the last day to register as year-month-day, like 2027-03-01.")
        return None
    clock = _clock(form["deadline_time"]) if form["deadline_time"] else time(23, 59)
    if clock is None:
        errors["deadline_time"] = _("Write the time as hours and minutes, like 12:00.")
        return None
    last = times.latest_start_day(now)
    if not times.EARLIEST_DAY <= day <= last:
        errors["deadline_day"] = _(
            "Registration can close from %(first)s up to ten years ahead (%(last)s).",
            first=_spoken(times.EARLIEST_DAY),
            last=_spoken(last),
        )
        return None
    deadline = _local(day, clock, "deadline_time", errors)
    if deadline is not None and starts_at is not None and times.deadline_order_problems(deadline, starts_at):
        errors["deadline_day"] = _("Registration must close before the meeting starts.")
        return None
    return deadline


def _refused_fields(refused: Invalid) -> dict[str, str]:
    """What the events service still refused, per field of the form, in the person's language."""
    fields = {
        "forum_slug": ("forum_slug", _("Choose the forum the meeting belongs to.")),
        "title": ("title", _("Check the title.")),
        "starts_at": ("starts", _("Check the day and the time the meeting starts.")),
        "ends_at": ("ends", _("Check the time the meeting ends.")),
        "location": ("location", _("Check the place.")),
        "online_url": ("online_url", _("Write the whole link, starting with https://.")),
        "capacity": (
            "capacity",
            _("Enter the number of places as a whole number from 1 to 100000, or leave it empty."),
        ),
        "registration_deadline": ("deadline_day", _("Check the last day to register.")),
        "level": ("level", _("Choose a level.")),
        "step": ("step", _("Choose a step of the decision process.")),
        "description": ("description", _("Check the description.")),
    }
    errors = dict(fields[name] for name in refused.errors if name in fields)
    return errors or {"title": _("The meeting could not be booked. Check the details and try again.")}


@blp.get("/planer/<plan_id>/moten/nytt")
def meeting_form(plan_id: str) -> Any:
    person, plan = _reader(plan_id)
    if person is None:
        return plan
    form = _meeting_form(plan)
    if not form["forum_slug"]:
        fitting, _others = _forums(plan)
        form["forum_slug"] = fitting[0]["slug"] if fitting else ""  # the committee's own forum, if it has one
    return _meeting_page(plan, form, {})


@blp.post("/planer/<plan_id>/moten/nytt")
def book_meeting(plan_id: str) -> Any:
    person, plan = _reader(plan_id)
    if person is None:
        return plan
    form = {key: request.form.get(key, "").strip() for key in MEETING_FIELDS}
    fitting, others = _forums(plan)
    meeting, errors = check_meeting(form, {forum["slug"] for forum in fitting + others}, datetime.now(UTC))
    if errors:
        return _meeting_page(plan, form, errors, 400)
    try:
        call("levels_advisor", "schedule_plan_meeting", plan_id, meeting)
    except Invalid as refused:
        return _meeting_page(plan, form, _refused_fields(refused), 400)
    return redirect(url_for("plan_pages.plan_page", plan_id=plan_id, sparat="mote", _anchor="moten"), code=303)


# Resultat och återkoppling


def _proposal_rows(form: Any, count: int) -> list[dict[str, str]]:
    rows = []
    for index in range(min(count, MAX_PROPOSALS)):
        rows.append(
            {
                "text": form.get(f"proposal-{index}-text", "").strip(),
                "taken_up": form.get(f"proposal-{index}-taken_up", ""),
                "reason": form.get(f"proposal-{index}-reason", "").strip(),
            }
        )
    return rows


def check_outcome(form: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The proposals the form lists (empty rows left out), or why not, per field."""
    errors: dict[str, str] = {}
    if not form["outcome"]:
        errors["outcome"] = _("Write what came of the dialogue.")
    elif len(form["outcome"]) > 10000:
        errors["outcome"] = _("The text can be at most %(count)d characters.", count=10000)
    proposals = []
    for index, row in enumerate(form["proposals"]):
        if not row["text"] and not row["reason"] and not row["taken_up"]:
            continue
        if not row["text"]:
            errors[f"proposal-{index}-text"] = _("Write what the proposal was.")
        elif len(row["text"]) > 2000:
            errors[f"proposal-{index}-text"] = _("The text can be at most %(count)d characters.", count=2000)
        if row["taken_up"] not in ("yes", "no"):
            errors[f"proposal-{index}-taken_up"] = _("Choose whether the proposal was taken up.")
        elif row["taken_up"] == "no" and not row["reason"]:
            errors[f"proposal-{index}-reason"] = _("Write why the proposal was not taken up.")
        if len(row["reason"]) > 2000:
            errors[f"proposal-{index}-reason"] = _("The text can be at most %(count)d characters.", count=2000)
        proposals.append({"text": row["text"], "taken_up": row["taken_up"] == "yes", "reason": row["reason"]})
    if not form["feedback"]:
        errors["feedback"] = _("Write the feedback to the organisations.")
    elif len(form["feedback"]) > 10000:
        errors["feedback"] = _("The text can be at most %(count)d characters.", count=10000)
    return proposals, errors


def _outcome_page(plan: dict[str, Any], form: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    return current_app.make_response(
        (
            render_template(
                "pages/plan_outcome.html",
                plan=plan,
                form=form,
                errors=errors,
                invited=len(plan["invited_organisation_ids"]),
            ),
            status,
        )
    )


def _recorded(plan_id: str) -> Any:
    return redirect(url_for("plan_pages.plan_page", plan_id=plan_id, _anchor="resultat"), code=303)


@blp.get("/planer/<plan_id>/resultat")
def outcome_form(plan_id: str) -> Any:
    person, plan = _reader(plan_id)
    if person is None:
        return plan
    if plan.get("outcome"):
        return _recorded(plan_id)
    form = {"outcome": "", "feedback": "", "proposals": _proposal_rows({}, 1 + SPARE_PROPOSALS)}
    return _outcome_page(plan, form, {})


@blp.post("/planer/<plan_id>/resultat")
def record_outcome(plan_id: str) -> Any:
    person, plan = _reader(plan_id)
    if person is None:
        return plan
    if plan.get("outcome"):
        return _recorded(plan_id)
    rows = request.form.get("rows", "")
    count = int(rows) if rows.isdigit() else 1 + SPARE_PROPOSALS
    form: dict[str, Any] = {
        "outcome": request.form.get("outcome", "").strip(),
        "feedback": request.form.get("feedback", "").strip(),
        "proposals": _proposal_rows(request.form, count),
    }
    if request.form.get("action") == "more":
        form["proposals"] += _proposal_rows({}, SPARE_PROPOSALS)
        return _outcome_page(plan, form, {})
    proposals, errors = check_outcome(form)
    if errors:
        return _outcome_page(plan, form, errors, 400)
    try:
        call(
            "levels_advisor",
            "record_outcome",
            plan_id,
            {
                "outcome": form["outcome"],
                "feedback": form["feedback"],
                "feedback_on": date.today().isoformat(),
                "proposals": proposals,
                "send_feedback": True,
            },
        )
    except Conflict:
        return _recorded(plan_id)  # recorded meanwhile, by another tab or person: the plan page shows it
    return redirect(url_for("plan_pages.plan_page", plan_id=plan_id, sparat="resultat", _anchor="resultat"), code=303)
