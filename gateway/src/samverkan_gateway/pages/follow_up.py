"""Uppföljning: the yearly follow-up report as tables, with the same figures as CSV for a spreadsheet.

Each dialogue is a row that opens its plan; every total on the page is the report's own sum of
what it totals, so a column and the figure under it cannot disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import format_datetime
from flask_babel import gettext as _

from samverkan_common.participation import Level

from ..services import call
from .calendar import level_name
from .planning import step_names

blp = Blueprint("follow_up_pages", __name__, template_folder="../templates")
FIRST_YEAR, LAST_YEAR = 2000, 2100


@blp.get("/uppfoljning")
def follow_up() -> Any:
    raw = request.args.get("year", "").strip()
    year = date.today().year
    errors: dict[str, str] = {}
    if raw:
        if raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR:
            year = int(raw)
        else:
            errors["year"] = _(
                "Write a year between %(first)d and %(last)d, for example 2026.", first=FIRST_YEAR, last=LAST_YEAR
            )
    report = None if errors else call("levels_advisor", "follow_up_report", year)
    forums = {forum["slug"]: forum["name"] for forum in call("events", "list_forums")} if report else {}
    charts = _charts(report, forums) if report else {}
    return render_template(
        "pages/follow_up.html",
        year=raw if errors else year,
        report=report,
        errors=errors,
        forums=forums,
        level_name=level_name,
        step_names=step_names(),
        charts=charts,
        forum_slugs=forum_slugs(report, forums) if report else [],
        as_of=format_datetime(datetime.fromisoformat(report["as_of"]), "d MMMM y, HH:mm") if report else "",
        csv_url=f"/api/v1/reports/follow-up?year={year}&format=csv",
    ), (400 if errors else 200)


def forum_slugs(report: dict[str, Any], forums: dict[str, str]) -> list[str]:
    """The forums that had a meeting in the year, held, to come or cancelled, by name."""
    meetings = report["meetings"]
    slugs = set(meetings["held_by_forum"]) | set(meetings["coming_by_forum"]) | set(meetings["cancelled_by_forum"])
    return sorted(slugs, key=lambda slug: str(forums.get(slug, slug)).casefold())


def bars(counts: list[tuple[str, int]], most: int | None = None) -> list[dict[str, Any]]:
    """Bars of a chart: each label with its number and its length in percent of the longest."""
    longest = most if most is not None else max((value for _label, value in counts), default=0)
    return [
        {"label": label, "value": value, "width": round(100 * value / longest, 1) if longest else 0}
        for label, value in counts
    ]


def _charts(report: dict[str, Any], forums: dict[str, str]) -> dict[str, Any]:
    """The report's figures as bars: levels and steps in their own order (none left out), forums by name."""
    dialogues = report["dialogues"]
    by_level = [(level_name(level.value), dialogues["by_level"].get(level.value, 0)) for level in Level]
    steps = step_names()
    by_step = [(name, dialogues["by_step"].get(step, 0)) for step, name in steps.items()]
    meetings = report["meetings"]
    held, coming, cancelled = meetings["held_by_forum"], meetings["coming_by_forum"], meetings["cancelled_by_forum"]
    most = max([*held.values(), *coming.values(), *cancelled.values(), 0])
    by_forum = [
        {
            "forum": forums.get(slug, slug),
            "held": bars([(_("Meetings held"), held.get(slug, 0))], most)[0],
            "coming": bars([(_("Meetings still to come"), coming.get(slug, 0))], most)[0],
            "cancelled": bars([(_("Meetings cancelled"), cancelled.get(slug, 0))], most)[0],
        }
        for slug in forum_slugs(report, forums)
    ]
    total, early = dialogues["total"], dialogues["early"]
    return {
        "by_level": bars(by_level),
        "by_step": bars(by_step),
        "by_forum": by_forum,
        "early": {"early": early, "total": total, "width": round(100 * early / total, 1) if total else 0},
    }
