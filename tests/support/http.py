"""Speaking HTTP to the running gateway as a user or an integrator would."""

from __future__ import annotations

from typing import Any

import requests
from icalendar import Calendar


class Client:
    """HTTP to the running gateway, as one role (or none)."""

    def __init__(self, base: str, token: str | None):
        self.base = base
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.base + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(self.base + path, timeout=30, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.patch(self.base + path, timeout=30, **kwargs)


def feed_titles(client: Client, slug: str) -> list[str]:
    """The titles in a forum's calendar feed, checking it is served as a calendar."""
    response = client.get(f"/feeds/forums/{slug}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return sorted(str(event["summary"]) for event in Calendar.from_ical(response.content).walk("VEVENT"))
