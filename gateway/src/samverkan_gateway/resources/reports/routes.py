"""The yearly follow-up: the report to BMR in one call, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint

from ...services import call
from .schemas import FollowUpQuerySchema, FollowUpSchema

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/reports",
    description="The yearly follow-up of the dialogue with civil society.",
)

CSV = "text/csv"


def wants_csv(query: dict[str, Any]) -> bool:
    if query.get("format"):
        return bool(query["format"] == "csv")
    best = request.accept_mimetypes.best_match(["application/json", CSV], default="application/json")
    return best == CSV


# A cell starting with one of these is a formula to a spreadsheet (CSV injection): committee names are free text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """The cell as a spreadsheet shows it as text, never runs it."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


# The dialogues' totals (each the sum of its column of rows) and the rows' columns, in the CSV's order.
DIALOGUE_TOTALS = (
    "meetings_booked",
    "meetings_held",
    "organisations_invited",
    "organisations_took_part",
    "outcome_recorded",
    "feedback_given",
)
DIALOGUE_COLUMNS = ("committee", "issue", "level", "step", "starts_on", *DIALOGUE_TOTALS)


def _cell(value: Any) -> Any:
    """A yes/no as 1/0, so the column sums to its total; text as text a spreadsheet will not run."""
    if isinstance(value, bool):
        return int(value)
    return spreadsheet_text(value) if isinstance(value, str) else value


def rows(report: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """The report as (section, key, value) rows: one figure per row, easy to sort and sum."""
    dialogues, meetings = report["dialogues"], report["meetings"]
    found: list[tuple[str, str, Any]] = [("dialogues", "total", dialogues["total"])]
    for section in ("by_committee", "by_level", "by_step"):
        found += [(f"dialogues_{section}", key, value) for key, value in dialogues[section].items()]
    for key in ("early", "early_share", "chosen_other_than_recommended", *DIALOGUE_TOTALS):
        found.append(("dialogues", key, "" if dialogues[key] is None else dialogues[key]))
    # Each dialogue: one section per column, keyed by the plan, so a column sums to its total above.
    for column in DIALOGUE_COLUMNS:
        found += [(f"dialogue_{column}", row["plan_id"], _cell(row[column])) for row in report["rows"]]
    for kind in ("held", "coming", "cancelled"):
        found += [(f"meetings_{kind}_by_forum", slug, count) for slug, count in meetings[f"{kind}_by_forum"].items()]
    found += [("meetings", f"total_{kind}", meetings[f"total_{kind}"]) for kind in ("held", "coming", "cancelled")]
    steering, assembly = report["steering_group"], report["assembly"]
    found += [
        ("steering_group", "meetings", steering["meetings"]),
        ("steering_group", "coming", steering["coming"]),
        ("steering_group", "as_agreed", str(steering["as_agreed"]).lower()),
        ("assembly", "spring", assembly["spring"]),
        ("assembly", "autumn", assembly["autumn"]),
        ("assembly", "met_each_term", str(assembly["met_each_term"]).lower()),
        ("organisations", "count", report["organisations"]["count"]),
    ]
    found += [("organisations", "id", organisation_id) for organisation_id in report["organisations"]["ids"]]
    return found


@blp.route("/follow-up", methods=["GET"])
@blp.arguments(FollowUpQuerySchema, location="query")
@blp.response(200, FollowUpSchema)
# The same figures as CSV, for format=csv or Accept: text/csv.
@blp.alt_response(200, content_type=CSV, success=True, schema={"type": "string"})
def follow_up(query: dict[str, Any]) -> Any:
    """The follow-up report for a year: dialogues by committee, level and step, how early, meetings per forum"""
    report = call("levels_advisor", "follow_up_report", query["year"])
    if not wants_csv(query):
        return report
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("year", "section", "key", "value"))
    for section, key, value in rows(report):
        writer.writerow((report["year"], section, spreadsheet_text(str(key)), value))
    return Response(
        out.getvalue(),
        mimetype=CSV,
        headers={"Content-Disposition": f'attachment; filename="follow-up-{report["year"]}.csv"'},
    )
