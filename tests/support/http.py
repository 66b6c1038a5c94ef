"""Speaking HTTP to the running gateway as a user or an integrator would."""

from __future__ import annotations

from typing import Any

import requests
from icalendar import Calendar

from tests.support import secrets_seen


class Client:
    """HTTP to the running gateway, as one role (or none)."""

    def __init__(self, base: str, token: str | None):
        self.base = base
        self.session = requests.Session()
        # What this client sends and gets back (tokens, addresses, names) is looked for in the logs at the end.
        self.session.hooks["response"].append(secrets_seen.from_exchange)
        if token:
            secrets_seen.remember(token)
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
