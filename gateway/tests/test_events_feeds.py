"""The gateway's feed routes: validators, 304 without a rebuild, and the feed bytes held between changes."""

from __future__ import annotations

import pytest

from samverkan_gateway.resources.events.feedcache import FeedWatcher

BODY = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


class FakeEvents:
    """Stands in for the events service's feed RPC: one feed, whose ETag moves when it changes."""

    def __init__(self):
        self.etag = '"v1"'
        self.body = BODY
        self.calls: list[tuple] = []

    def call(self, service, method, *args, **kwargs):
        self.calls.append((service, method, *args))
        if method != "feed":
            return {"id": "m-1", "title": "Möte"}
        _kind, _key, known, modified_since = args
        unchanged = self.etag in known or (modified_since is not None and modified_since >= "2027-01-01T10:00:00")
        return {
            "etag": self.etag,
            "last_modified": "2027-01-01T10:00:00+00:00",
            "body": None if unchanged else self.body,
        }


class Listening(FeedWatcher):
    """A watcher the test tells whether it listens (the real one listens on the broker in a thread)."""

    def start(self):
        pass


@pytest.fixture
def events(app):
    fake = FakeEvents()
    app.extensions["rpc"] = fake
    # Not listening, as when the broker is away (and no thread keeps knocking on a closed port).
    app.extensions["samverkan_feed_watcher"] = Listening("amqp://unused")
    return fake


def test_feed_is_served_as_a_calendar_with_etag_and_last_modified(client, events):
    response = client.get("/feeds/forums/ser.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"] == '"v1"'
    assert response.headers["Last-Modified"] == "Fri, 01 Jan 2027 10:00:00 GMT"
    assert response.get_data(as_text=True) == BODY


def test_conditional_get_is_304_and_the_service_sends_no_body(client, events):
    response = client.get("/feeds/all.ics", headers={"If-None-Match": '"v1"'})

    assert response.status_code == 304
    assert response.get_data() == b""
    assert events.calls == [("events", "feed", "all", "", ['"v1"'], None)]


def test_if_modified_since_is_304_without_a_rebuild(client, events):
    response = client.get("/feeds/all.ics", headers={"If-Modified-Since": "Fri, 01 Jan 2027 10:00:00 GMT"})

    assert response.status_code == 304
    assert events.calls[0][-1] == "2027-01-01T10:00:00+00:00"


def test_the_gateway_keeps_the_bytes_until_the_feed_changes(client, events):
    client.get("/feeds/forums/ser.ics")

    again = client.get("/feeds/forums/ser.ics")
    events.etag, events.body = '"v2"', BODY.replace("2.0", "2.0\r\nX-WR-CALNAME:Ny")
    changed = client.get("/feeds/forums/ser.ics")

    assert again.get_data(as_text=True) == BODY
    assert events.calls[1][4] == ['"v1"']  # it told the service what it holds, and got no body back
    assert "X-WR-CALNAME:Ny" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] == '"v2"'


def test_personal_feed_is_private_and_not_indexed(client, events):
    response = client.get("/feeds/personal/secret-token.ics")

    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert events.calls[0][2:4] == ("personal", "secret-token")


@pytest.fixture
def watcher(app, events):
    watching = app.extensions["samverkan_feed_watcher"]
    watching.listening = True
    return watching


def test_while_the_watcher_listens_an_unchanged_feed_is_served_without_asking_the_service(client, events, watcher):
    first = client.get("/feeds/all.ics")

    again = client.get("/feeds/all.ics")
    not_modified = client.get("/feeds/all.ics", headers={"If-None-Match": first.headers["ETag"]})

    assert again.get_data() == first.get_data()
    assert not_modified.status_code == 304
    assert len(events.calls) == 1


def test_an_event_makes_the_next_poll_ask_the_service(client, events, watcher):
    client.get("/feeds/all.ics")

    watcher.changed()  # as when meeting_updated arrives
    events.etag, events.body = '"v2"', BODY.replace("2.0", "2.0\r\nX-WR-CALNAME:Ny")
    after_event = client.get("/feeds/all.ics")

    assert "X-WR-CALNAME:Ny" in after_event.get_data(as_text=True)
    assert len(events.calls) == 2


def test_a_copy_older_than_the_trust_period_is_checked_with_the_service(app, client, events, watcher):
    app.config["FEED_CACHE_TRUST_SECONDS"] = 0
    client.get("/feeds/all.ics")

    client.get("/feeds/all.ics")

    assert len(events.calls) == 2
    assert events.calls[1][4] == ['"v1"']


def test_nothing_is_trusted_while_the_watcher_is_not_listening(client, events, watcher):
    client.get("/feeds/all.ics")
    watcher.listening = False

    client.get("/feeds/all.ics")

    assert len(events.calls) == 2


def test_a_write_through_the_gateway_makes_its_next_poll_ask_the_service(client, events, watcher, token):
    client.get("/feeds/all.ics")

    changed = client.patch("/api/v1/meetings/m-1", json={"version": 1, "title": "Möte"}, headers=token("planner"))
    client.get("/feeds/all.ics")

    assert changed.status_code == 200
    assert [call[1] for call in events.calls] == ["feed", "update_meeting", "feed"]


def test_personal_feed_is_checked_with_the_service_on_every_poll(client, events, watcher):
    client.get("/feeds/personal/secret-token.ics")

    client.get("/feeds/personal/secret-token.ics")

    assert len(events.calls) == 2
