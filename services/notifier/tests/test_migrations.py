"""The 0002 revision keeps what an existing notifier database holds."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from samverkan_common.migrations import alembic_config, upgrade


def test_existing_forum_subscriptions_and_queued_notifications_survive_the_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path}/notifier.db"
    command.upgrade(alembic_config("samverkan_notifier", url), "0001")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO subscriptions VALUES "
                "('s-1', 'ser', 'anna@example.org', 'email', 'sv', '2027-01-01 10:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO notifications VALUES ('n-1', 'e-1', 'meeting_scheduled', 's-1', 'email', "
                "'anna@example.org', 'sv', 'Nytt möte: X', 'queued', '2027-01-01 10:05:00')"
            )
        )

    upgrade("samverkan_notifier", url)

    with engine.connect() as connection:
        subscription = connection.execute(text("SELECT scope, target, rhythm, owner FROM subscriptions")).one()
        notification = connection.execute(text("SELECT status, attempts, next_attempt_at FROM notifications")).one()
    engine.dispose()
    assert tuple(subscription) == ("forum", "ser", "immediately", "token:system")
    assert (notification.status, notification.attempts) == ("queued", 0)
    assert str(notification.next_attempt_at).startswith("2027-01-01 10:05:00")


def test_subscriptions_made_before_0003_stay_confirmed_and_a_downgrade_drops_only_unconfirmed_ones(tmp_path):
    url = f"sqlite:///{tmp_path}/notifier.db"
    config = alembic_config("samverkan_notifier", url)
    command.upgrade(config, "0002")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO subscriptions (id, scope, target, address, channel, language, rhythm, owner, created_at) "
                "VALUES ('s-1', 'forum', 'ser', 'org@example.org', 'email', 'sv', 'immediately', 'token:1', "
                "'2027-01-01 10:00:00')"
            )
        )

    command.upgrade(config, "0003")
    with engine.begin() as connection:
        kept = connection.execute(text("SELECT confirm_by, confirmed_at, request_id FROM subscriptions")).one()
        connection.execute(
            text(
                "INSERT INTO subscriptions (id, scope, target, address, channel, language, rhythm, owner, created_at, "
                "confirm_by) VALUES ('s-2', 'forum', 'ser', 'eva@example.org', 'email', 'sv', 'immediately', "
                "'person', '2027-01-01 10:00:00', '2027-01-08 10:00:00')"
            )
        )
    command.downgrade(config, "0002")

    with engine.connect() as connection:
        left = connection.execute(text("SELECT id FROM subscriptions")).scalars().all()
    engine.dispose()
    assert tuple(kept) == (None, None, None)
    assert left == ["s-1"]
