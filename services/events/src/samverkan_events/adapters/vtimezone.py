"""VTIMEZONE components in the rule form Outlook, Thunderbird and Apple write, derived from tzdata.

A zone's current rule is the POSIX TZ string at the end of its TZif file (``CET-1CEST,M3.5.0,M10.5.0/3``
for Europe/Stockholm). It becomes one DAYLIGHT and one STANDARD component, each a ``DTSTART`` in the
old offset's local time (the first change under the rule) and a yearly ``RRULE``; a zone without
daylight saving gets a single STANDARD. The changes before the current rule (the EU's September end
until 1995) are written as dated components, one per change, from the last change before the feed's
first year on. No ``RDATE`` lists: Mozilla's ical.js reads only their first date.

Instants are whole seconds since 1970 (UTC), so no date arithmetic can overflow near year 1 or 9999.
"""

from __future__ import annotations

import re
import struct
import zoneinfo
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from dateutil.rrule import rrulestr
from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

_EPOCH = date(1970, 1, 1).toordinal()
_DAY = 86_400
_WEEKDAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # POSIX numbers weekdays from Sunday = 0
# The Gregorian calendar repeats every 400 years, so a yearly RRULE that matches the POSIX rule
# over 400 consecutive years matches it in every year.
_CYCLE = range(2000, 2400)
# A feed's first and last day are local days; a day either side covers every offset.
_MARGIN = 2 * _DAY


@dataclass(frozen=True)
class LocalTime:
    """A time type of the zone: offset east of UTC in seconds, daylight saving or not, abbreviation."""

    offset: int
    is_dst: bool
    name: str


@dataclass(frozen=True)
class Change:
    """A change of local time at ``at`` (seconds since 1970, UTC)."""

    at: int
    before: LocalTime
    after: LocalTime


@dataclass(frozen=True)
class DayRule:
    """A POSIX rule date: ``M`` (month, week 1–5, weekday 0=Sunday), ``J`` (1–365, no 29 Feb) or ``N`` (0–365)."""

    kind: str
    month: int = 0
    week: int = 0
    weekday: int = 0
    day: int = 0
    at: int = 7200  # seconds after local midnight, in the time in force before the change; may be < 0 or >= 24 h

    def local_day(self, year: int) -> int:
        """The ordinal of the local day the rule names in ``year`` (before ``at`` moves it)."""
        if self.kind == "J":
            leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
            return date(year, 1, 1).toordinal() + self.day - 1 + (1 if leap and self.day >= 60 else 0)
        if self.kind == "N":
            return date(year, 1, 1).toordinal() + self.day
        first = date(year, self.month, 1)
        day = 1 + (self.weekday - (first.weekday() + 1)) % 7 + 7 * (self.week - 1)
        while day > monthrange(year, self.month)[1]:
            day -= 7
        return first.toordinal() + day - 1


@dataclass(frozen=True)
class PosixRule:
    """The TZ string's rule: standard time, and daylight saving time (if any) with when it starts and ends."""

    std: LocalTime
    dst: LocalTime | None = None
    start: DayRule = DayRule("M", 3, 2, 0)
    end: DayRule = DayRule("M", 11, 1, 0)

    def changes(self, year: int) -> list[Change]:
        """The changes the rule makes in ``year`` (by the rule's own local dates), in order."""
        if self.dst is None:
            return []
        begins = Change(_instant(self.start, year, self.std.offset), self.std, self.dst)
        ends = Change(_instant(self.end, year, self.dst.offset), self.dst, self.std)
        return sorted((begins, ends), key=lambda change: change.at)


def _instant(rule: DayRule, year: int, offset_before: int) -> int:
    return (rule.local_day(year) - _EPOCH) * _DAY + rule.at - offset_before


@dataclass(frozen=True)
class ZoneData:
    initial: LocalTime  # in force before the first change
    changes: tuple[Change, ...]  # the TZif file's listed changes
    rule: PosixRule  # in force after the last listed change


# Parsing -----------------------------------------------------------------------------------------


def _tzif_bytes(key: str) -> bytes:
    """The zone's TZif file, found where :mod:`zoneinfo` finds it (TZPATH first, then ``tzdata``)."""
    zoneinfo.ZoneInfo(key)  # refuses keys that are not zones (and paths that climb out)
    for folder in zoneinfo.TZPATH:
        path = Path(folder, key)
        if path.is_file():
            return path.read_bytes()
    package, _, name = f"tzdata.zoneinfo.{key.replace('/', '.')}".rpartition(".")
    return resources.files(package).joinpath(name).read_bytes()


def parse_tzif(data: bytes) -> ZoneData:
    """The listed changes and the closing POSIX rule of a TZif file (RFC 8536, version 2 or later)."""
    if data[:4] != b"TZif" or data[4:5] < b"2":
        raise ValueError("not a TZif file of version 2 or later")
    counts = struct.unpack(">6l", data[20:44])
    isut, isstd, leaps, times, types, chars = counts
    skip = 44 + times * 5 + types * 6 + chars + leaps * 8 + isstd + isut  # the version-1 block
    isut, isstd, leaps, times, types, chars = struct.unpack(">6l", data[skip + 20 : skip + 44])
    offset = skip + 44
    instants = struct.unpack(f">{times}q", data[offset : offset + times * 8])
    offset += times * 8
    indices = data[offset : offset + times]
    offset += times
    raw_types = [struct.unpack(">lBB", data[offset + 6 * i : offset + 6 * i + 6]) for i in range(types)]
    offset += types * 6
    names = data[offset : offset + chars]
    offset += chars + leaps * 12 + isstd + isut
    local = [
        LocalTime(utoff, bool(dst), names[index : names.index(b"\0", index)].decode("ascii"))
        for utoff, dst, index in raw_types
    ]
    footer = data[offset:].strip(b"\n").decode("ascii")
    # Changes Python's datetime cannot show (zic's "big bang" sentinel) only set the initial time.
    first = (date(1, 1, 1).toordinal() - _EPOCH + 1) * _DAY
    initial = local[0]
    changes: list[Change] = []
    for at, index in zip(instants, indices, strict=True):
        after = local[index]
        if at < first:
            initial = after
            continue
        before = changes[-1].after if changes else initial
        if after != before:  # zic may end a file with a change to the same time (at 2**31 - 1)
            changes.append(Change(at, before, after))
    rule = parse_posix(footer) if footer else PosixRule(changes[-1].after if changes else initial)
    return ZoneData(initial, tuple(changes), rule)


_NAME = r"(?:<[^>]+>|[A-Za-z]{3,})"
_TIME = r"[+-]?\d{1,3}(?::\d{1,2}){0,2}"
_RULE = rf",([^,/]+)(?:/({_TIME}))?"
_POSIX = re.compile(rf"^({_NAME})({_TIME})(?:({_NAME})({_TIME})?(?:{_RULE}{_RULE})?)?$")


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(part) for part in text.lstrip("+-").split(":")]
    parts += [0] * (3 - len(parts))
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def _day_rule(text: str, at: str | None) -> DayRule:
    seconds = 7200 if at is None else _seconds(at)
    if text.startswith("M"):
        month, week, weekday = (int(part) for part in text[1:].split("."))
        return DayRule("M", month=month, week=week, weekday=weekday, at=seconds)
    if text.startswith("J"):
        return DayRule("J", day=int(text[1:]), at=seconds)
    return DayRule("N", day=int(text), at=seconds)


def parse_posix(text: str) -> PosixRule:
    """A POSIX TZ string as TZif files end with it (``CET-1CEST,M3.5.0,M10.5.0/3``)."""
    found = _POSIX.match(text)
    if found is None:
        raise ValueError(f"not a POSIX TZ string: {text!r}")
    std_name, std_offset, dst_name, dst_offset, start, start_at, end, end_at = found.groups()
    std = LocalTime(-_seconds(std_offset), False, std_name.strip("<>"))
    if dst_name is None:
        return PosixRule(std)
    dst = LocalTime(-_seconds(dst_offset) if dst_offset else std.offset + 3600, True, dst_name.strip("<>"))
    if start is None:  # TZif footers always name the dates; without them, today's US rule as in glibc
        return PosixRule(std, dst)
    return PosixRule(std, dst, _day_rule(start, start_at), _day_rule(end, end_at))


@lru_cache(maxsize=64)
def zone_data(key: str) -> ZoneData:
    return parse_tzif(_tzif_bytes(key))


# The rule as an RRULE ----------------------------------------------------------------------------


def _rrule_candidates(rule: DayRule) -> list[dict[str, Any]]:
    """Yearly RRULEs that may name the rule's local days (once ``at`` moved them whole days)."""
    shift = rule.at // _DAY
    if rule.kind != "M":
        return []
    weekday = _WEEKDAYS[(rule.weekday + shift) % 7]
    candidates: list[dict[str, Any]] = []
    if shift == 0:
        nth = -1 if rule.week == 5 else rule.week
        candidates.append({"FREQ": "YEARLY", "BYMONTH": rule.month, "BYDAY": f"{nth}{_WEEKDAYS[rule.weekday]}"})
    # The week the rule names is seven days of the month; moved by ``shift`` days, one of them is the day.
    # Days counted from the month's start: ical.js finds nothing for negative BYMONTHDAY with BYDAY.
    length = monthrange(2023, rule.month)[1]
    if rule.week == 5 and rule.month != 2:
        days = [day + shift for day in range(length - 6, length + 1)]
    else:
        days = [day + shift for day in range(7 * rule.week - 6, 7 * rule.week + 1)]
    if all(1 <= day <= length for day in days):
        candidates.append({"FREQ": "YEARLY", "BYMONTH": rule.month, "BYMONTHDAY": days, "BYDAY": weekday})
    # Across a month's end (the day after October's last Thursday may be 1 November): days of the year,
    # counted from its end when they all fall after February and from its start when before, so that
    # leap years do not move them.
    reference = [date.fromordinal(_first_of_week(rule, year) + shift + i) for year in (2023, 2024) for i in range(7)]
    from_end = {day.toordinal() - date(day.year + 1, 1, 1).toordinal() for day in reference}
    from_start = {day.toordinal() - date(day.year, 1, 1).toordinal() + 1 for day in reference}
    if all(day.month >= 3 for day in reference) and len(from_end) == 7:
        candidates.append({"FREQ": "YEARLY", "BYYEARDAY": sorted(from_end), "BYDAY": weekday})
    if all((day.month, day.day) <= (2, 28) for day in reference) and len(from_start) == 7:
        candidates.append({"FREQ": "YEARLY", "BYYEARDAY": sorted(from_start), "BYDAY": weekday})
    return candidates


def _first_of_week(rule: DayRule, year: int) -> int:
    """The ordinal of the first of the seven days in which the rule's weekday falls."""
    first = date(year, rule.month, 1)
    if rule.week == 5:
        return first.toordinal() + monthrange(year, rule.month)[1] - 7
    return first.toordinal() + 7 * (rule.week - 1)


@lru_cache(maxsize=256)
def _rrule_for(rule: DayRule) -> dict[str, Any] | None:
    """The first candidate RRULE that names the same local day as the rule in every year, if one does."""
    shift = rule.at // _DAY
    wanted = [date.fromordinal(rule.local_day(year) + shift) for year in _CYCLE]
    start, until = datetime.combine(wanted[0], time()), datetime.combine(wanted[-1], time())
    for candidate in _rrule_candidates(rule):
        text = vRecur(candidate).to_ical().decode("ascii")
        if [moment.date() for moment in rrulestr(text, dtstart=start).between(start, until, inc=True)] == wanted:
            return candidate
    return None


# The zone as a VTIMEZONE -------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _eras(key: str) -> tuple[ZoneData, tuple[Change, ...], int | None]:
    """The zone's data, its changes before the current rule, and when the rule's first change is.

    The rule's era begins where the listed changes become the ones the rule makes, each in turn
    (zic lists them up to 2037 in "fat" files, fewer in "slim" ones). ``None``: the rule has always held.
    """
    data = zone_data(key)
    listed, rule = data.changes, data.rule
    if rule.dst is None:
        return data, listed, None
    if not listed:
        return data, (), None
    years = range(max(1, _year(listed[0].at) - 1), min(9999, _year(listed[-1].at) + 1) + 1)
    made = [change for year in years for change in rule.changes(year)]
    position = {change: index for index, change in enumerate(made)}
    first = len(listed)
    while first > 0:
        index = position.get(listed[first - 1])
        if index is None or (first < len(listed) and position[listed[first]] != index + 1):
            break
        first -= 1
    if first < len(listed):
        return data, listed[:first], listed[first].at
    last = listed[-1].at
    return data, listed, min(c.at for year in (_year(last), _year(last) + 1) for c in rule.changes(year) if c.at > last)


def _year(at: int) -> int:
    return date.fromordinal(at // _DAY + _EPOCH).year


def _local(at: int, offset: int) -> datetime | None:
    """The naive local time of an instant, or None outside the years 1–9999."""
    seconds = at + offset
    day = seconds // _DAY + _EPOCH
    if not date.min.toordinal() <= day <= date.max.toordinal():
        return None
    return datetime.combine(date.fromordinal(day), time()) + timedelta(seconds=seconds % _DAY)


def _component(change: Change, local: datetime, rrule: dict[str, Any] | None = None) -> Any:
    component = TimezoneDaylight() if change.after.is_dst else TimezoneStandard()
    component.add("dtstart", local)
    if rrule is not None:
        component.add("rrule", rrule)
    component.add("tzoffsetfrom", timedelta(seconds=change.before.offset))
    component.add("tzoffsetto", timedelta(seconds=change.after.offset))
    component.add("tzname", change.after.name)
    return component


def vtimezone(key: str, first_year: int, last_year: int) -> Timezone:
    """The zone's VTIMEZONE for times from ``first_year`` to ``last_year``, both included (1–9999)."""
    data, history, era = _eras(key)
    rule = data.rule
    first_year, last_year = max(1, min(first_year, 9999)), max(1, min(last_year, 9999))
    since = (date(first_year, 1, 1).toordinal() - _EPOCH) * _DAY - _MARGIN
    until = (date(last_year, 12, 31).toordinal() + 1 - _EPOCH) * _DAY + _MARGIN
    written: list[tuple[Change, dict[str, Any] | None]] = []
    if rule.dst is None or era is None or era > since:
        # From the last change before the span on: it sets the time at the span's start.
        before = [change for change in history if change.at <= since]
        written += [(change, None) for change in before[-1:] + [c for c in history if since < c.at <= until]]
    if rule.dst is not None and (era is None or era <= until):
        written += _rule_changes(rule, era, first_year, last_year, until)
    written = [(change, recurrence) for change, recurrence in written if _local(change.at, change.before.offset)]
    written.sort(key=lambda item: item[0].at)
    if not written or written[0][0].at > since:
        # Nothing written changes the time before the span starts: say which time is in force then.
        in_force = written[0][0].before if written else history[0].before if history else rule.std
        written.insert(0, (Change(since, in_force, in_force), None))
        start: datetime | None = datetime(max(1, min(1970, first_year - 1)), 1, 1)
    else:
        start = None
    zone = Timezone()
    zone.add("tzid", key)
    for index, (change, recurrence) in enumerate(written):
        local = start if index == 0 and start is not None else _local(change.at, change.before.offset)
        assert local is not None
        zone.add_component(_component(change, local, recurrence))
    return zone


def _rule_changes(
    rule: PosixRule, era: int | None, first_year: int, last_year: int, until: int
) -> list[tuple[Change, dict[str, Any] | None]]:
    """The rule's first start and end of daylight saving time with their RRULEs.

    Where no RRULE names the rule's days, each of its changes in the span is dated instead.
    """
    assert rule.dst is not None
    floor = era if era is not None else (date(max(1, first_year - 1), 1, 1).toordinal() - _EPOCH) * _DAY
    upcoming = [
        change
        for year in range(_year(floor), min(9999, _year(floor) + 2) + 1)
        for change in rule.changes(year)
        if change.at >= floor
    ]
    written: list[tuple[Change, dict[str, Any] | None]] = []
    for day_rule, offset in ((rule.start, rule.dst), (rule.end, rule.std)):
        first = next(change for change in upcoming if change.after == offset)
        recurrence = _rrule_for(day_rule)
        if recurrence is not None:
            written.append((first, recurrence))
            continue
        years = range(max(_year(first.at), first_year - 1, 1), min(9999, last_year + 1) + 1)
        changes = [change for year in years for change in rule.changes(year) if change.after == offset]
        written += [(change, None) for change in changes if first.at <= change.at <= until]
        written.append((first, None))
    return written
