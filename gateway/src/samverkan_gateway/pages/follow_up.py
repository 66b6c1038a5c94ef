"""Uppföljning: the yearly follow-up report as tables, with the same figures as CSV for a spreadsheet."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

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
    return render_template(
        "pages/follow_up.html",
        year=raw if errors else year,
        report=report,
        errors=errors,
        forums=forums,
        level_name=level_name,
        step_names=step_names(),
        csv_url=f"/api/v1/reports/follow-up?year={year}&format=csv",
    ), (400 if errors else 200)
