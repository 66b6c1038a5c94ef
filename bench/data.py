"""Invented data at the scale VGR has: organisations in the 49 municipalities, meetings, subscribers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from samverkan_registry.domain.municipalities import MUNICIPALITIES

KINDS = ("ideell_forening", "stiftelse", "trossamfund", "natverk", "other")
WORDS = ("Idrott", "Kultur", "Pensionärer", "Unga", "Friluftsliv", "Hälsa", "Musik", "Grannar", "Natur", "Teater")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def organisation_number(serial: int) -> str:
    """A Luhn-valid organisationsnummer of a non-profit (80…, third digit 2), unique per serial."""
    digits = f"802{serial:06d}"
    total = 0
    for position, digit in enumerate(digits):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    check = (10 - total % 10) % 10
    number = digits + str(check)
    return f"{number[:6]}-{number[6:]}"


def organisations(count: int) -> Iterator[dict[str, Any]]:
    codes = [municipality.code for municipality in MUNICIPALITIES]
    for serial in range(count):
        code = codes[serial % len(codes)]
        yield {
            "name": f"{WORDS[serial % len(WORDS)]}föreningen nr {serial}",
            "kind": KINDS[serial % len(KINDS)],
            "organisation_number": organisation_number(serial),
            "municipality_code": code,
        }


def meetings(forum_slug: str, count: int, first: date) -> Iterator[dict[str, Any]]:
    for number in range(count):
        day = first + timedelta(days=number // 4)
        start = datetime.combine(day, time(9 + 2 * (number % 4)), STOCKHOLM)
        yield {
            "forum_slug": forum_slug,
            "title": f"Dialogmöte {number}: {WORDS[number % len(WORDS)]}",
            "description": "Ett möte för benchmark. " * 4,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1, minutes=30)).isoformat(),
            "level": ("information", "consultation", "dialogue", "partnership")[number % 4],
            "location": "Regionens hus, Vänersborg",
        }
