"""When a meeting may be: the bounds every writer of meetings checks, written once.

The events domain, the events service's wire schemas and the gateway's schemas all call
these functions, so a planner meets the same rule, worded the same way, wherever the
request is checked first. Plain Python (and dateutil for recurrence rules): each check
takes values and answers with messages, a list per field, empty when the value is fine.

Every check reads the local wall-clock values it is given before converting anything, so a
date near year 1 or 9999 is refused with a sentence instead of overflowing somewhere later.
"""

from __future__ import annotations

from calendar import isleap
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

STOCKHOLM = "Europe/Stockholm"

# A meeting starts on or after this day ...
EARLIEST_DAY = date(2000, 1, 1)
# ... and at most this many years from today.
HORIZON_YEARS = 10
MAX_LENGTH = timedelta(days=3)
MAX_LENGTH_TEXT = "three days"

# A recurring meeting: one of these frequencies, an end, and no more than this.
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
MAX_OCCURRENCES = 500
# What RFC 5545 (3.3.10) lets a rule say; dateutil also reads extensions (BYEASTER) no calendar app knows.
RRULE_PARTS = frozenset(
    {"FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY"}
    | {"BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST"}
)
MAX_SERIES_YEARS = 10
MAX_SERIES_TEXT = "ten years"

# A query for meetings between two days: both days in these years, at most this far apart. The calendar
# page shows the years 2000 to 2100, and its last week (2100-W52) ends in 2101.
QUERY_FIRST_DAY = date(2000, 1, 1)
QUERY_LAST_DAY = date(2101, 12, 31)
MAX_QUERY_YEARS = 25

# Fields calendar apps show on one line (SUMMARY, LOCATION, ORGANIZER's name, the feed's name).
SINGLE_LINE_FIELDS = ("title", "location", "organiser")
# What str.splitlines() breaks on: every one of them starts a new line somewhere.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Notices: a meeting was accepted, and something about its time deserves a word.
AMBIGUOUS_TIME = "AMBIGUOUS_LOCAL_TIME"
OCCURRENCE_SKIPPED_TIME = "OCCURRENCE_AT_SKIPPED_TIME"
OCCURRENCE_REPEATED_TIME = "OCCURRENCE_AT_REPEATED_TIME"

Problems = dict[str, list[str]]


def spoken_day(day: date) -> str:
    """28 March 2027."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def years_later(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def latest_start_day(now: datetime) -> date:
    """The last day a meeting may start: ten years from today."""
    return years_later(now.date(), HORIZON_YEARS)


def _today(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _window_problems(moment: datetime, last: date, subject: str, horizon: str = "ten years from today") -> list[str]:
    # The wall-clock day as written: comparing it converts nothing, so year 1 or 9999 cannot overflow.
    if not EARLIEST_DAY <= moment.date() <= last:
        return [
            f"{subject} between {spoken_day(EARLIEST_DAY)} and {horizon} ({spoken_day(last)}); "
            f"{moment.date().isoformat()} is outside that."
        ]
    return []


def start_problems(starts_at: datetime, now: datetime | None = None) -> list[str]:
    """A meeting starts between 2000-01-01 and ten years from today (its own wall-clock day counts)."""
    return _window_problems(starts_at, latest_start_day(_today(now)), "A meeting starts")


def ends_problems(ends_at: datetime, now: datetime | None = None) -> list[str]:
    """The end by itself: in the same years (how long the meeting lasts is :func:`end_problems`)."""
    return _window_problems(ends_at, latest_start_day(_today(now)) + MAX_LENGTH, "A meeting ends")


def deadline_problems(deadline: datetime, now: datetime | None = None) -> list[str]:
    """Registration closes within the same years a meeting may start in."""
    return _window_problems(deadline, latest_start_day(_today(now)), "Registration closes")


def occurrence_problems(moment: datetime, now: datetime | None = None) -> list[str]:
    """One occurrence of a series: a series starts within ten years and lasts at most ten more."""
    last = years_later(latest_start_day(_today(now)), MAX_SERIES_YEARS) + MAX_LENGTH
    return _window_problems(moment, last, "An occurrence of a series is", "twenty years from today")


def end_problems(starts_at: datetime, ends_at: datetime) -> list[str]:
    """A meeting ends after it starts, at most three days later (both times aware and in bounds)."""
    if ends_at <= starts_at:
        return ["The meeting must end after it starts."]
    if ends_at - starts_at > MAX_LENGTH:
        return [f"A meeting can last at most {MAX_LENGTH_TEXT}."]
    return []


def deadline_order_problems(deadline: datetime, starts_at: datetime) -> list[str]:
    if deadline > starts_at:
        return ["Registration must close before the meeting starts."]
    return []


def single_line_problems(value: str) -> list[str]:
    if any(char in LINE_BREAKS for char in value):
        return ["Write it on one line: line breaks are not allowed here."]
    return []


def missing_local_time(naive: datetime, zone: tzinfo) -> str | None:
    """Why a wall-clock time does not exist in ``zone`` (the hour the clocks skip), or None.

    Checked on the naive time a person typed, before it is made aware: attaching the zone
    would silently move 02:30 to 03:30.
    """
    if naive.tzinfo is not None:
        naive = naive.replace(tzinfo=None)
    if not EARLIEST_DAY.year <= naive.year <= QUERY_LAST_DAY.year:
        return None  # out of bounds anyway; the bounds say why
    before = naive.replace(tzinfo=zone, fold=0)
    if before.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive:
        return None
    after = naive.replace(tzinfo=zone, fold=1)
    # The change lies between the two readings of the skipped time: find it exactly.
    low, high = sorted((after.astimezone(UTC), before.astimezone(UTC)))
    while high - low > timedelta(microseconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
            low = middle
        else:
            high = middle
    first_after = high.astimezone(zone)
    gap_start = low.astimezone(zone).replace(tzinfo=None) + timedelta(microseconds=1)
    return (
        f"{_clock(naive)} on {spoken_day(naive.date())} does not exist in {zone}: the clocks go forward "
        f"from {_clock(gap_start)} to {_clock(first_after)} that night. Choose another time, "
        f"for example {_clock(first_after)}."
    )


def ambiguous_notice(moment: datetime, zone: ZoneInfo) -> str | None:
    """A sentence when ``moment``'s wall-clock time happens twice in ``zone`` (the hour the clocks go back)."""
    try:
        local = moment.astimezone(zone)
    except (OverflowError, ValueError):
        return None
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() == local.utcoffset():
        return None
    which = "first" if local.fold == 0 else "second"
    season = "summer time" if local.dst() else "standard time"
    offset = local.strftime("%z")
    return (
        f"{_clock(local)} on {spoken_day(local.date())} happens twice in {zone}, as the clocks go back that night. "
        f"The meeting is at the {which} {_clock(local)} ({season}, UTC{offset[:3]}:{offset[3:]})."
    )


def normalise_rrule(rule: str) -> str:
    return rule.strip().upper().removeprefix("RRULE:")


def _parts(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        name, _, value = part.partition("=")
        parts[name.strip()] = value.strip()
    return parts


def rrule_problems(rule: str, local_start: datetime | None = None) -> list[str]:
    """A recurrence: DAILY, WEEKLY, MONTHLY or YEARLY, with COUNT or UNTIL, at most 500 times, within ten years.

    ``rule`` as normalised by :func:`normalise_rrule`. Without ``local_start`` (a change that
    leaves the start as it is) only what the rule says by itself is checked.
    """
    if not rule:
        return []
    if any(char in LINE_BREAKS for char in rule) or "DTSTART" in rule:
        return ["Write the rule on one line, without DTSTART (RFC 5545 RRULE)."]
    parts = _parts(rule)
    unknown = sorted(set(parts) - RRULE_PARTS)
    if unknown:
        return [f"{unknown[0]} is not part of an RFC 5545 recurrence rule."]
    frequency = parts.get("FREQ", "")
    if frequency not in FREQUENCIES:
        named = f"FREQ={frequency}" if frequency else "a rule without FREQ"
        return [f"A meeting repeats DAILY, WEEKLY, MONTHLY or YEARLY; {named} is not allowed."]
    if not {"COUNT", "UNTIL"} & set(parts):
        return ["A recurring meeting needs an end: COUNT or UNTIL."]
    count = parts.get("COUNT", "")
    if count and count.isdigit() and int(count) > MAX_OCCURRENCES:
        return [f"A recurring meeting has at most {MAX_OCCURRENCES} occurrences; COUNT={count} is too many."]
    start = local_start or datetime(2027, 1, 4, 12, tzinfo=ZoneInfo(STOCKHOLM))
    try:
        parsed = rrulestr(rule, dtstart=start)
    except (ValueError, TypeError, OverflowError) as error:
        return [f"Not a recurrence rule (RFC 5545 RRULE): {error}"]
    if local_start is None or not isinstance(parsed, rrule):
        return []
    return _series_problems(parsed, local_start)


def _series_problems(parsed: rrule, local_start: datetime) -> list[str]:
    last_day = years_later(local_start.date(), MAX_SERIES_YEARS)
    too_long = [
        f"A recurring meeting ends within {MAX_SERIES_TEXT} of its first meeting "
        f"(by {spoken_day(last_day)}); this rule goes on longer."
    ]
    # Counted on wall-clock times, as the series is written.
    limit = datetime.combine(last_day, time(23, 59, 59))
    until = parsed._until  # noqa: SLF001 - dateutil keeps the rule's parts private
    count = parsed._count  # noqa: SLF001
    if until is not None and until.tzinfo is not None:
        until = until.astimezone(local_start.tzinfo).replace(tzinfo=None)
    if until is not None and until > limit:
        return too_long
    # dateutil stops at an UNTIL only when a day matches, so a rule that never matches again (FREQ=DAILY;
    # BYMONTH=2;BYMONTHDAY=30) runs on to year 9999. Moved to years with the same calendars (same leap years,
    # same weekdays) the rule matches the same days, and meets year 9999 soon after the limit.
    shift = _calendar_shift(local_start.year, limit.year)
    try:
        probe = parsed.replace(
            dtstart=_moved(local_start.replace(tzinfo=None), shift),
            until=_moved(until if until is not None else limit, shift),
            count=None,
        )
        wanted = count if count is not None else MAX_OCCURRENCES + 1
        found = sum(1 for _ in islice(probe, wanted))
    except (ValueError, TypeError, OverflowError) as error:
        return [f"Not a recurrence rule (RFC 5545 RRULE): {error}"]
    if found == 0:
        # Nothing to meet at, and a rule that never matches would make every later expansion run to year 9999.
        return ["This rule gives no date within ten years: check BYMONTH, BYMONTHDAY, BYDAY and the like."]
    if count is not None and found < count:
        return too_long
    if found > MAX_OCCURRENCES:
        return [f"A recurring meeting has at most {MAX_OCCURRENCES} occurrences; this rule makes more."]
    return []


def _calendar_shift(first: int, last: int) -> int:
    """The most years ``first``..``last`` can move on, before 9999, with each year's calendar the same."""
    for shift in range(MAXYEAR - 1 - last, 0, -1):
        if all(
            isleap(year) == isleap(year + shift) and date(year, 1, 1).weekday() == date(year + shift, 1, 1).weekday()
            for year in range(first, last + 1)
        ):
            return shift
    return 0


def _moved(moment: datetime, years: int) -> datetime:
    return moment.replace(year=moment.year + years)  # same leap years: 29 February stays a day


def occurrence_notices(starts: list[datetime], zone: ZoneInfo) -> list[dict[str, str]]:
    """Notices for occurrences whose wall-clock time the clocks skip or repeat (starts: local, as expanded)."""
    skipped: list[datetime] = []
    repeated: list[datetime] = []
    for start in starts:
        shown = start.astimezone(UTC).astimezone(zone)
        if shown.replace(tzinfo=None) != start.replace(tzinfo=None):
            skipped.append(start)
        elif shown.replace(fold=1 - shown.fold).utcoffset() != shown.utcoffset():
            repeated.append(shown)
    notices = []
    if skipped:
        first = skipped[0]
        shown = first.astimezone(UTC).astimezone(zone)
        notices.append(
            {
                "field": "rrule",
                "code": OCCURRENCE_SKIPPED_TIME,
                "message": f"{len(skipped)} occurrence(s) fall at a time the clocks skip in {zone}, the first on "
                f"{spoken_day(first.date())}: calendar apps show it at {_clock(shown)} instead of {_clock(first)}.",
            }
        )
    if repeated:
        first = repeated[0]
        notices.append(
            {
                "field": "rrule",
                "code": OCCURRENCE_REPEATED_TIME,
                "message": f"{len(repeated)} occurrence(s) fall at a time that happens twice in {zone}, the first on "
                f"{spoken_day(first.date())}: each is at the first {_clock(first)} (summer time).",
            }
        )
    return notices


def time_notices(times: dict[str, datetime | None], zone: ZoneInfo) -> list[dict[str, str]]:
    """A notice for each named time whose wall-clock time happens twice in ``zone``."""
    notices = []
    for name, moment in times.items():
        message = ambiguous_notice(moment, zone) if moment is not None else None
        if message:
            notices.append({"field": name, "code": AMBIGUOUS_TIME, "message": message})
    return notices


def query_problems(start: date, end: date) -> Problems:
    """A query for meetings between two days: both from 2000 to 2101, in order, at most 25 years apart."""
    problems: Problems = {}
    for name, day in (("start", start), ("end", end)):
        if not QUERY_FIRST_DAY <= day <= QUERY_LAST_DAY:
            problems[name] = [
                f"Choose a day from {QUERY_FIRST_DAY.isoformat()} to {QUERY_LAST_DAY.isoformat()}; "
                f"{day.isoformat()} is outside that."
            ]
    if problems:
        return problems
    if end < start:
        return {"end": ["On or after start."]}
    if end > years_later(start, MAX_QUERY_YEARS):
        return {"end": [f"At most {MAX_QUERY_YEARS} years after start."]}
    return {}
