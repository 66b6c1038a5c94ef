"""Invented meetings for the benchmarks (organisations come from samverkan_registry.sample)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WORDS = ("Idrott", "Kultur", "Pensionärer", "Unga", "Friluftsliv", "Hälsa", "Musik", "Grannar", "Natur", "Teater")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


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
            # One meeting in ten recurs, as the benchmark issue asks: weekly, ten times.
            **({"rrule": "FREQ=WEEKLY;COUNT=10"} if number % 10 == 0 else {}),
        }
