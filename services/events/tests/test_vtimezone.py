"""The VTIMEZONE we write, read by three independent readers, places every time as Python's zoneinfo does.

The readers: icalendar (``Timezone.to_tz``), vobject (``readOne(validate=True)``, dateutil's tzical) and
Mozilla's ical.js (Thunderbird). Each gets only our VTIMEZONE text, never the zone's name to look up.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from samverkan_events.adapters.vtimezone import _tzif_bytes, vtimezone

ICALJS = Path(__file__).parent / "icaljs"
LATEST = datetime(9999, 12, 30, tzinfo=UTC)
EARLIEST = datetime(1, 1, 3, tzinfo=UTC)
# Around each change: the instants either side, and the local hours that are skipped or repeated.
AROUND = [timedelta(seconds=s) for s in (-10_800, -3_660, -3_600, -60, -1, 0, 1, 60, 3_600, 3_660, 10_800)]


def icaljs_offsets(jobs: list[dict]) -> list[list[int]]:
    """For each {vtimezone, locals}, the UTC second ical.js gives each local time."""
    if not (ICALJS / "node_modules" / "ical.js").exists():
        subprocess.run(
            [shutil.which("npm") or "npm", "ci", "--no-audit", "--no-fund"],
            cwd=ICALJS,
            check=True,
            capture_output=True,
            timeout=300,
        )
    done = subprocess.run(
        ["node", str(ICALJS / "offsets.mjs")], input=json.dumps(jobs).encode(), capture_output=True, check=True
    )
    return json.loads(done.stdout)


def zoneinfo_changes(zone: ZoneInfo, first_year: int, last_year: int, stride: int = 5) -> list[datetime]:
    """Every instant zoneinfo changes the zone's UTC offset in the years (found by stepping, then halving).

    An offset that holds for less than ``stride`` days may be missed."""
    start = EARLIEST if first_year <= 1 else datetime(first_year, 1, 1, tzinfo=UTC) - timedelta(days=2)
    end = LATEST if last_year >= 9999 else datetime(last_year, 12, 31, tzinfo=UTC) + timedelta(days=2)
    changes, moment = [], start
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        step = moment + timedelta(days=stride) if end - moment > timedelta(days=stride) else end
        if step.astimezone(zone).utcoffset() == offset:
            moment = step
            continue
        low, high = moment, step
        while high - low > timedelta(seconds=1):
            middle = low + (high - low) / 2
            middle = middle.replace(microsecond=0)
            if middle.astimezone(zone).utcoffset() == offset:
                low = middle
            else:
                high = middle
        changes.append(high)
        moment, offset = high, high.astimezone(zone).utcoffset()
    return changes


@dataclass(frozen=True)
class Probe:
    utc: datetime
    local: datetime  # naive wall-clock time
    fold: int
    ambiguous: bool  # the wall-clock time occurs twice (the autumn hour)
    sampled: bool  # one of the regular samples, not next to a change


def probes(key: str, first_year: int, last_year: int, stride: int = 10, every: int = 29) -> list[Probe]:
    """Instants around every change in the years, and one every ``every`` days, with zoneinfo's local time."""
    zone = ZoneInfo(key)
    changes = zoneinfo_changes(zone, first_year, last_year, stride)
    instants = [change + delta for change in changes for delta in AROUND]
    near = len(instants)
    sample = max(datetime(first_year, 1, 1, 12, tzinfo=UTC), EARLIEST)
    while sample.year <= last_year and LATEST - sample > timedelta(days=every + 1):
        instants.append(sample)
        sample += timedelta(days=every, hours=5)  # a different hour each time
    found = {}
    for index, utc in enumerate(instants):
        if not EARLIEST <= utc <= LATEST or utc in found:
            continue
        local = utc.astimezone(zone)
        other = local.replace(fold=1 - local.fold)
        ambiguous = other.utcoffset() != local.utcoffset()
        found[utc] = Probe(utc, local.replace(tzinfo=None), local.fold, ambiguous, index >= near)
    return sorted(found.values(), key=lambda probe: probe.utc)


def in_calendar(vtimezone_text: str) -> str:
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{vtimezone_text}END:VCALENDAR\r\n"


def icalendar_reader(text: str):
    return Calendar.from_ical(in_calendar(text)).walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)


def python_readers(text: str) -> dict:
    parsed = vobject.readOne(in_calendar(text), validate=True)
    return {"icalendar": icalendar_reader(text), "vobject": parsed.vtimezone.gettzinfo()}


def disagreements(key: str, text: str, found: list[Probe]) -> list[str]:
    """Where a Python reader of ``text`` differs from zoneinfo, from local time (what a DTSTART;TZID is)
    and, away from changes, from UTC: next to a change of standard time dateutil's generic ``fromutc``
    guesses wrong whatever the VTIMEZONE says."""
    wrong = []
    for reader, tz in python_readers(text).items():
        for probe in found:
            placed = probe.local.replace(tzinfo=tz, fold=probe.fold).astimezone(UTC)
            if placed != probe.utc:
                wrong.append(f"{reader} {key} {probe}: {placed}")
            offset = probe.utc.astimezone(tz).utcoffset()
            if probe.sampled and offset != probe.utc.astimezone(ZoneInfo(key)).utcoffset():
                wrong.append(f"{reader} {key} {probe}: offset {offset}")
    return wrong


def icaljs_job(text: str, found: list[Probe]) -> tuple[dict, list[Probe]]:
    """ical.js reads DTSTART;TZID local times. It takes a repeated hour as the later one and ignores
    offset seconds (local mean time before ~1900), and JavaScript dates read years 0–99 as 1900–1999,
    so those are left to the Python readers."""
    usable = [p for p in found if not p.ambiguous and p.utc.year >= 1900]
    return {"vtimezone": text, "locals": [p.local.isoformat() for p in usable]}, usable


def icaljs_disagreements(jobs: list[tuple[str, dict, list[Probe]]]) -> list[str]:
    answers = icaljs_offsets([job for _, job, _ in jobs])
    wrong = []
    for (key, _, usable), seconds in zip(jobs, answers, strict=True):
        for probe, second in zip(usable, seconds, strict=True):
            if second != probe.utc.timestamp():
                wrong.append(f"ical.js {key} {probe}: {datetime.fromtimestamp(second, UTC)}")
    return wrong


def components(key: str, first_year: int, last_year: int) -> list:
    return vtimezone(key, first_year, last_year).subcomponents


def test_stockholm_is_one_daylight_and_one_standard_rule_as_outlook_writes_it():
    daylight, standard = components("Europe/Stockholm", 2027, 2036)

    assert (daylight.name, standard.name) == ("DAYLIGHT", "STANDARD")
    assert daylight["DTSTART"].dt == datetime(1996, 3, 31, 2)  # in winter time: 02:00 becomes 03:00
    assert standard["DTSTART"].dt == datetime(1996, 10, 27, 3)  # in summer time: 03:00 becomes 02:00
    assert daylight["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"  # the last Sunday of March
    assert standard["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    assert (daylight["TZOFFSETFROM"].td, daylight["TZOFFSETTO"].td) == (timedelta(hours=1), timedelta(hours=2))
    assert (str(daylight["TZNAME"]), str(standard["TZNAME"])) == ("CEST", "CET")
    assert b"RDATE" not in vtimezone("Europe/Stockholm", 1990, 2036).to_ical()


def test_a_span_back_to_1990_dates_each_change_of_the_older_september_rule():
    written = components("Europe/Stockholm", 1990, 2036)

    dated = [c for c in written if "RRULE" not in c]
    assert dated[0]["DTSTART"].dt == datetime(1989, 9, 24, 3)  # the change that sets 1 January 1990's time
    assert datetime(1995, 9, 24, 3) in [c["DTSTART"].dt for c in dated if c.name == "STANDARD"]
    assert all(c["DTSTART"].dt < datetime(1996, 3, 31) for c in dated)
    assert [c["DTSTART"].dt.year for c in written if "RRULE" in c] == [1996, 1996]


@pytest.mark.parametrize("key", ["Asia/Tokyo", "UTC", "Asia/Kolkata"])
def test_a_zone_without_daylight_saving_is_a_single_standard(key):
    [standard] = components(key, 2027, 2036)

    assert standard.name == "STANDARD"
    assert "RRULE" not in standard
    assert standard["TZOFFSETTO"].td == ZoneInfo(key).utcoffset(datetime(2030, 1, 1))


SPANS = [
    ("Europe/Stockholm", 2027, 2036),
    ("Europe/Stockholm", 1990, 2036),
    ("Europe/Stockholm", 9990, 9999),
    ("Australia/Sydney", 2000, 2040),
    ("Asia/Tokyo", 1940, 2036),
    ("UTC", 2000, 2040),
    # Rules whose changes are not "the nth Sunday at 02:00": a Friday at midnight, a day after the
    # last Thursday (1 November in some years), 23:00 the evening before, 24:00 on a Saturday.
    ("Africa/Cairo", 2020, 2040),
    ("America/Nuuk", 2020, 2040),
    ("Asia/Jerusalem", 2010, 2040),
    ("America/Santiago", 2020, 2040),
]


def test_every_reader_places_each_time_as_zoneinfo_does():
    jobs, wrong, compared = [], [], 0
    for key, first_year, last_year in SPANS:
        text = vtimezone(key, first_year, last_year).to_ical().decode()
        found = probes(key, first_year, last_year)
        compared += len(found)
        wrong += disagreements(key, text, found)
        job, usable = icaljs_job(text, found)
        jobs.append((key, job, usable))
    wrong += icaljs_disagreements(jobs)

    assert wrong == []
    assert compared > 5_000


def test_every_zone_reads_right_in_icalendar_and_icaljs_from_2016_to_2040():
    jobs, wrong, files = [], [], set()
    for key in sorted(zoneinfo.available_timezones()):
        data = _tzif_bytes(key)
        if data in files:  # a link: the same file under another name
            continue
        files.add(data)
        text = vtimezone(key, 2016, 2040).to_ical().decode()
        found = probes(key, 2016, 2040, stride=20, every=31)
        tz = icalendar_reader(text)
        for probe in found:
            placed = probe.local.replace(tzinfo=tz, fold=probe.fold).astimezone(UTC)
            if placed != probe.utc:
                wrong.append(f"icalendar {key} {probe}: {placed}")
        job, usable = icaljs_job(text, found)
        jobs.append((key, job, usable))
    wrong += icaljs_disagreements(jobs)

    assert wrong == []
    assert len(jobs) > 300


def test_years_1_to_9999_are_written_for_every_zone():
    files = {_tzif_bytes(key): key for key in sorted(zoneinfo.available_timezones())}
    for key in files.values():
        written = vtimezone(key, 1, 9999)

        assert written.subcomponents, key
        assert written.to_ical().startswith(b"BEGIN:VTIMEZONE"), key


@pytest.mark.parametrize("key", ["Europe/Stockholm", "Australia/Sydney", "Asia/Tokyo", "UTC", "Africa/Cairo"])
@pytest.mark.parametrize("span", [(1, 1), (9999, 9999), (0, 10_000)])
def test_a_span_at_the_ends_of_the_calendar_is_written(key, span):
    written = vtimezone(key, *span)

    assert written.subcomponents
    assert python_readers(written.to_ical().decode())  # and it reads


@pytest.mark.parametrize("key", ["Europe/Stockholm", "Australia/Sydney"])
def test_a_span_from_year_1_to_9999_reads_right_in_the_python_readers(key):
    found = probes(key, 1, 2, every=61) + probes(key, 1870, 2040, every=181) + probes(key, 9998, 9999, every=61)
    text = vtimezone(key, 1, 9999).to_ical().decode()

    assert disagreements(key, text, found) == []
