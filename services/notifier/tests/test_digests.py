"""Daily and weekly digests: one message per period, every item in exactly one of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from samverkan_notifier.domain.model import RetryPolicy, Rhythm, digest_period
from samverkan_notifier.service_layer import delivery, handlers
from services.notifier.tests.events import meeting

POLICY = RetryPolicy(base=timedelta(seconds=10))
# 22:59:59 UTC is 23:59:59 in Stockholm in winter.
BEFORE_MIDNIGHT = datetime(2027, 1, 5, 22, 59, 59, tzinfo=UTC)


def run_round(uow, courier, clock):
    handlers.bundle_digests(uow, clock())
    delivery.deliver_due(uow, courier, POLICY, clock)


def titles(job):
    return sorted(item.subject for item, _ in job.items)


def test_items_either_side_of_midnight_land_in_one_digest_each_none_lost_none_doubled(service, uow, courier, clock):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org", "rhythm": "daily"})
    clock.now = BEFORE_MIDNIGHT - timedelta(hours=3)
    service.on_meeting_scheduled(meeting(title="Ett"))
    clock.now = BEFORE_MIDNIGHT
    service.on_meeting_scheduled(meeting(title="Två"))
    run_round(uow, courier, clock)
    assert courier.sent == []  # the day is not over: nothing goes out yet

    clock.advance(seconds=1)  # 00:00:00 local: a new day
    service.on_meeting_scheduled(meeting(title="Tre"))
    run_round(uow, courier, clock)
    run_round(uow, courier, clock)  # a second round at the same moment finds nothing new
    clock.advance(hours=5)
    service.on_meeting_scheduled(meeting(title="Fyra"))
    run_round(uow, courier, clock)

    assert [titles(job) for job in courier.sent] == [["Nytt möte: Ett", "Nytt möte: Två"]]

    clock.advance(days=1)
    run_round(uow, courier, clock)
    run_round(uow, courier, clock)

    assert [titles(job) for job in courier.sent] == [
        ["Nytt möte: Ett", "Nytt möte: Två"],
        ["Nytt möte: Fyra", "Nytt möte: Tre"],
    ]
    assert {job.notification.subject for job in courier.sent} == {"Sammanfattning från Samverkan: 2 nyheter"}
    log = service.list_notifications(per_page=100)["items"]
    assert sorted(n["status"] for n in log) == ["bundled"] * 4 + ["sent"] * 2


def test_a_digest_that_fails_is_retried_as_one_message(service, uow, courier, clock):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org", "rhythm": "daily"})
    service.on_meeting_scheduled(meeting(title="Ett"))
    clock.advance(days=1)
    courier.failing = "SMTP away"
    run_round(uow, courier, clock)
    courier.failing = None
    clock.advance(minutes=1)
    run_round(uow, courier, clock)
    run_round(uow, courier, clock)

    assert [titles(job) for job in courier.sent] == [["Nytt möte: Ett"]]


def test_an_immediate_subscriber_beside_a_digest_subscriber_hears_at_once(service, uow, courier, clock):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "now@example.org"})
    service.subscribe({"forum_slug": "ros-gruppen", "address": "weekly@example.org", "rhythm": "weekly"})
    service.on_meeting_scheduled(meeting())

    run_round(uow, courier, clock)

    assert [job.notification.address for job in courier.sent] == ["now@example.org"]


def test_periods_follow_the_stockholm_calendar():
    # Tuesday 5 January 2027, 23:59:59 in Stockholm.
    assert digest_period(Rhythm.DAILY, BEFORE_MIDNIGHT) == ("daily:2027-01-05", BEFORE_MIDNIGHT + timedelta(seconds=1))
    key, closes = digest_period(Rhythm.WEEKLY, BEFORE_MIDNIGHT)
    assert key == "weekly:2027-W01"
    assert closes == datetime(2027, 1, 10, 23, 0, tzinfo=UTC)  # Monday 11 January 00:00 local
    # Across the spring change to summer time a local day is 23 hours long.
    assert digest_period(Rhythm.DAILY, datetime(2027, 3, 28, 12, tzinfo=UTC))[1] == datetime(
        2027, 3, 28, 22, 0, tzinfo=UTC
    )


def test_retries_back_off_exponentially_up_to_the_cap_and_park_after_the_window():
    policy = RetryPolicy(base=timedelta(seconds=30), max_delay=timedelta(hours=1), window=timedelta(hours=24))
    queued = datetime(2027, 1, 5, 9, tzinfo=UTC)

    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert policy.delay(20) == timedelta(hours=1)
    assert policy.next_attempt(3, queued, queued + timedelta(hours=1)) == queued + timedelta(hours=1, minutes=2)
    assert policy.next_attempt(30, queued, queued + timedelta(hours=23, minutes=30)) is None
