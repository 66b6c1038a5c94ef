"""The meeting bounds of :mod:`samverkan_common.meeting_times` as marshmallow fields and validators.

The gateway's HTTP schemas and the events service's wire schemas both take meetings; both
use these, so a bound is checked (and worded) the same in each, and shows in the OpenAPI
document through the descriptions below.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import ValidationError, fields

from . import meeting_times as times

STOCKHOLM_ZONE = ZoneInfo(times.STOCKHOLM)

LOCAL_TIME = (
    "ISO 8601; without an offset it is Stockholm time. A time the clocks skip (02:00–03:00 on the last "
    "Sunday of March) is refused; a time they repeat (02:00–03:00 on the last Sunday of October) is taken "
    "as the first, in summer time, and the answer's `notices` say so."
)
STARTS_AT = f"{LOCAL_TIME} Between 2000-01-01 and ten years from today."
ENDS_AT = f"{LOCAL_TIME} After the start, at most {times.MAX_LENGTH_TEXT} later."
DEADLINE = f"{LOCAL_TIME} Before the start; between 2000-01-01 and ten years from today."
RRULE = (
    "RFC 5545 recurrence rule: FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, with COUNT or UNTIL (UTC, ending Z); "
    f"at most {times.MAX_OCCURRENCES} occurrences, the last within ten years of the first."
)
SINGLE_LINE = "One line: no line breaks."
NOTICES = (
    "Things worth knowing about an accepted meeting's times, e.g. a start at 02:30 on the night the clocks "
    "go back (which 02:30 it is). `code` is stable (AMBIGUOUS_LOCAL_TIME, OCCURRENCE_AT_SKIPPED_TIME, "
    "OCCURRENCE_AT_REPEATED_TIME), `message` is English, `field` names the field."
)
QUERY_DAY = (
    f"YYYY-MM-DD, from {times.QUERY_FIRST_DAY.isoformat()} to {times.QUERY_LAST_DAY.isoformat()}; "
    f"end on or after start, at most {times.MAX_QUERY_YEARS} years later."
)
# A pattern, so the rule shows in the OpenAPI document as well as being checked (by ``single_line``).
# Written with escapes that Python's re and ECMA-262 (JSON Schema's patterns) read alike.
NO_LINE_BREAKS = r"^[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*$"
ONE_LINE = {"pattern": NO_LINE_BREAKS, "description": SINGLE_LINE}


class LocalDateTime(fields.AwareDateTime):
    """A time; without an offset it is wall-clock time in ``zone``, and must exist there.

    marshmallow's AwareDateTime attaches the zone to a naive time as it stands, so 02:30 on the
    night the clocks go forward would quietly become 03:30. The naive time is checked first.
    """

    def __init__(self, zone: tzinfo = STOCKHOLM_ZONE, **kwargs: Any) -> None:
        super().__init__(default_timezone=zone, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        parsed: datetime = fields.DateTime._deserialize(self, value, attr, data, **kwargs)
        if parsed.tzinfo is not None and parsed.utcoffset() is not None:
            return parsed
        zone = self.default_timezone or STOCKHOLM_ZONE
        missing = times.missing_local_time(parsed, zone)
        if missing:
            raise ValidationError(missing)
        return parsed.replace(tzinfo=zone, fold=0)


def _raising(check: Callable[[Any], list[str]]) -> Callable[[Any], None]:
    def validator(value: Any) -> None:
        if value is None:
            return
        problems = check(value)
        if problems:
            raise ValidationError(problems)

    validator.__name__ = check.__name__
    return validator


# Field validators: each bound a value has by itself (``now`` read at each call).
meeting_start = _raising(times.start_problems)
meeting_end = _raising(times.ends_problems)
registration_deadline = _raising(times.deadline_problems)
occurrence_time = _raising(times.occurrence_problems)
single_line = _raising(times.single_line_problems)
recurrence_rule = _raising(lambda rule: times.rrule_problems(times.normalise_rrule(rule)))


def meeting_problems(data: dict[str, Any]) -> times.Problems:
    """The bounds between a meeting's fields, for those present (a change may send only some)."""
    problems: times.Problems = {}
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at is not None and ends_at is not None:
        ended = times.end_problems(starts_at, ends_at)
        if ended:
            problems["ends_at"] = ended
    deadline = data.get("registration_deadline")
    if starts_at is not None and deadline is not None:
        late = times.deadline_order_problems(deadline, starts_at)
        if late:
            problems["registration_deadline"] = late
    if starts_at is not None and data.get("rrule"):
        local_start = starts_at.astimezone(STOCKHOLM_ZONE)
        ruled = times.rrule_problems(times.normalise_rrule(data["rrule"]), local_start)
        if ruled:
            problems["rrule"] = ruled
    return problems


def check_meeting(data: dict[str, Any]) -> None:
    """For a schema's ``@validates_schema``: raise the bounds between a meeting's fields."""
    problems = meeting_problems(data)
    if problems:
        raise ValidationError(problems)  # type: ignore[arg-type]


def check_query(data: dict[str, Any]) -> None:
    """For a schema's ``@validates_schema``: the two days of a query for meetings."""
    if data.get("start") is None or data.get("end") is None:
        return
    problems = times.query_problems(data["start"], data["end"])
    if problems:
        raise ValidationError(problems)  # type: ignore[arg-type]
