"""What each event owes, and to whom: once per address, in the recipient's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from samverkan_notifier.adapters import repository
from samverkan_notifier.service_layer import handlers
from services.notifier.tests.events import meeting, membership, plan, registration


def subjects(service, **query):
    return sorted((n["address"], n["subject"]) for n in service.list_notifications(per_page=500, **query)["items"])


def test_followers_of_the_forum_the_level_and_a_member_organisation_each_hear_once(service):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "forum@example.org"})
    service.subscribe({"level": "dialogue", "address": "level@example.org"})
    service.subscribe({"level": "partnership", "address": "other-level@example.org"})
    service.subscribe({"organisation_id": "org-a", "address": "member@example.org"})
    service.subscribe({"organisation_id": "org-b", "address": "not-member@example.org"})
    # Following the forum and the level at once still makes one message.
    service.subscribe({"level": "dialogue", "address": "forum@example.org"})
    service.on_membership_changed(membership("org-a", "ros-gruppen"))
    service.on_membership_changed(membership("org-b", "ser"))

    service.on_meeting_scheduled(meeting())

    assert [address for address, _ in subjects(service)] == [
        "forum@example.org",
        "level@example.org",
        "member@example.org",
    ]


def test_an_organisation_that_left_the_forum_no_longer_brings_its_meetings(service):
    service.subscribe({"organisation_id": "org-a", "address": "member@example.org"})
    service.on_membership_changed(membership("org-a", "ros-gruppen"))
    service.on_membership_changed(membership("org-a", "ros-gruppen", active=False, ends_on="2026-12-31"))

    service.on_meeting_scheduled(meeting())

    assert subjects(service) == []


def test_a_change_and_a_cancellation_reach_the_followers_with_their_own_subjects(service):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org"})
    service.subscribe({"forum_slug": "ros-gruppen", "address": "bo@example.org", "language": "en"})
    scheduled = meeting()

    service.on_meeting_updated(meeting("meeting_updated", scheduled["data"]["meeting_id"], sequence=1))
    service.on_meeting_cancelled(meeting("meeting_cancelled", scheduled["data"]["meeting_id"], sequence=2))

    assert subjects(service) == [
        ("anna@example.org", "Inställt möte: Vårmöte"),
        ("anna@example.org", "Ändrat möte: Vårmöte"),
        ("bo@example.org", "Meeting cancelled: Vårmöte"),
        ("bo@example.org", "Meeting changed: Vårmöte"),
    ]


def test_registration_messages_go_to_the_attendee_in_their_language_and_promotion_is_named(service):
    service.on_registration_confirmed(registration())
    service.on_registration_waitlisted(registration("registration_waitlisted", attendee_email="bo@example.org",
                                                    language="en", status="waitlisted"))  # fmt: skip
    service.on_registration_confirmed(registration(attendee_email="cecilia@example.org", promoted=True))
    service.on_registration_cancelled(registration("registration_cancelled", attendee_email="dan@example.org"))

    assert subjects(service) == [
        ("anna@example.org", "Du är anmäld: Vårmöte"),
        ("bo@example.org", "You are on the waiting list: Vårmöte"),
        ("cecilia@example.org", "Du har fått en plats: Vårmöte"),
        ("dan@example.org", "Din anmälan är avbokad: Vårmöte"),
    ]


def test_a_plan_invitation_reaches_only_the_invited_organisations(service):
    service.subscribe({"forum_slug": "ser", "address": "a@example.org"},
                      caller={"role": "organisation", "organisation_id": "org-a", "token_id": 1})  # fmt: skip
    service.subscribe({"forum_slug": "ser", "address": "b@example.org"},
                      caller={"role": "organisation", "organisation_id": "org-b", "token_id": 2})  # fmt: skip

    service.on_plan_created(plan(["org-a"]))

    assert subjects(service) == [("a@example.org", "Ni är inbjudna till dialog: Regional plan för kollektivtrafiken")]


def test_every_event_is_acted_on_once_however_often_it_arrives(service):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org"})
    event, reg, invitation = meeting(), registration(), plan(["token:x"])
    for _ in range(2):
        service.on_meeting_scheduled(event)
        service.on_registration_confirmed(reg)
        service.on_plan_created(invitation)

    assert service.list_notifications()["total"] == 2


def test_reminders_come_two_days_before_once_and_never_for_a_cancelled_meeting(service, uow, clock):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org"})
    soon = meeting(starts_at="2027-01-07T08:00:00+01:00", ends_at="2027-01-07T10:00:00+01:00", title="Snart")
    cancelled = meeting(starts_at="2027-01-06T08:00:00+01:00", ends_at="2027-01-06T10:00:00+01:00", title="Inställt")
    later = meeting(starts_at="2027-02-01T08:00:00+01:00", ends_at="2027-02-01T10:00:00+01:00", title="Senare")
    for event in (soon, cancelled, later):
        service.on_meeting_scheduled(event)
    service.on_meeting_cancelled(meeting("meeting_cancelled", cancelled["data"]["meeting_id"], **{
        k: cancelled["data"][k] for k in ("starts_at", "ends_at", "title")}, status="cancelled"))  # fmt: skip

    for _ in range(2):  # the tick runs again, or in a second process
        handlers.send_reminders(uow, clock(), timedelta(days=2), timedelta(hours=24))

    assert [subject for _, subject in subjects(service) if subject.startswith("Påminnelse")] == ["Påminnelse: Snart"]


def test_a_registration_deadline_reminder_comes_the_day_before_the_deadline(service, uow, clock):
    service.subscribe({"forum_slug": "ros-gruppen", "address": "anna@example.org"})
    service.on_meeting_scheduled(meeting(registration_deadline="2027-01-06T00:00:00+01:00", title="Anmälan"))

    handlers.send_reminders(uow, clock(), timedelta(days=2), timedelta(hours=24))

    assert ("anna@example.org", "Sista dag att anmäla sig: Anmälan") in subjects(service)


def test_ten_thousand_followers_are_written_a_batch_at_a_time(service, uow, monkeypatch):
    """Memory stays flat: no step of the fan-out holds more than one batch of messages."""
    uow.session.execute(
        repository.insert(repository.subscriptions),
        [
            {
                "id": f"{number:08d}-0000-0000-0000-000000000000",
                "scope": "forum",
                "target": "ros-gruppen",
                "address": f"person{number}@example.org",
                "channel": "email",
                "language": "sv",
                "rhythm": "immediately",
                "owner": "token:bench",
                "secret": None,
                "created_at": datetime(2027, 1, 1, tzinfo=UTC),
            }
            for number in range(10_000)
        ],
    )
    uow.commit()
    sizes = []
    add_all = repository.NotificationRepository.add_all

    def counting(self, items):
        sizes.append(len(items))
        return add_all(self, items)

    monkeypatch.setattr(repository.NotificationRepository, "add_all", counting)

    service.on_meeting_scheduled(meeting())

    assert sum(sizes) == 10_000
    assert max(sizes) <= repository.BATCH
    assert service.list_notifications()["total"] == 10_000


def test_people_with_a_place_get_the_reminder_but_not_the_waitlisted_or_cancelled(service, uow, clock):
    soon = meeting(starts_at="2027-01-07T08:00:00+01:00", ends_at="2027-01-07T10:00:00+01:00", title="Snart")
    meeting_id = soon["data"]["meeting_id"]
    service.on_meeting_scheduled(soon)
    service.on_registration_confirmed(registration(meeting_id=meeting_id, attendee_email="anna@example.org"))
    service.on_registration_confirmed(registration(meeting_id=meeting_id, attendee_email="bo@example.org",
                                                   language="en"))  # fmt: skip
    service.on_registration_waitlisted(registration("registration_waitlisted", meeting_id=meeting_id,
                                                    attendee_email="cecilia@example.org"))  # fmt: skip
    leaving = registration(meeting_id=meeting_id, attendee_email="dan@example.org")
    service.on_registration_confirmed(leaving)
    service.on_registration_cancelled(
        registration("registration_cancelled", meeting_id=meeting_id, attendee_email="dan@example.org",
                     registration_id=leaving["data"]["registration_id"])
    )  # fmt: skip

    handlers.send_reminders(uow, clock(), timedelta(days=2), timedelta(hours=24))

    reminded = [
        (address, subject) for address, subject in subjects(service) if "minne" in subject or "Remind" in subject
    ]
    assert reminded == [("anna@example.org", "Påminnelse: Snart"), ("bo@example.org", "Reminder: Snart")]
