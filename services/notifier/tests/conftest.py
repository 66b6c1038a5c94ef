from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from nameko.testing.services import worker_factory

from samverkan_common.testing import in_memory_uow
from samverkan_notifier.adapters.repository import NotifierUnitOfWork
from samverkan_notifier.entrypoints.service import NotifierService
from services.notifier.tests.loopback import HttpReceiver, SmtpServer


class FakeClock:
    """The time as a test says it is."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class RecordingCourier:
    """Accepts or refuses each job as told, and remembers what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list = []
        self.failing: str | None = None

    def deliver(self, jobs):
        if self.failing:
            return {job.notification.id: self.failing for job in jobs}
        self.sent.extend(jobs)
        return {job.notification.id: None for job in jobs}


@pytest.fixture
def clock():
    return FakeClock(datetime(2027, 1, 5, 9, 0, tzinfo=UTC))


@pytest.fixture
def uow():
    return in_memory_uow(NotifierUnitOfWork)


@pytest.fixture
def service(uow, clock):
    return worker_factory(NotifierService, uow=uow, clock=clock)


@pytest.fixture
def courier():
    return RecordingCourier()


@pytest.fixture
def smtp_server(tmp_path):
    server = SmtpServer(tmp_path / "maildir")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def http_receiver():
    receiver = HttpReceiver()
    receiver.start()
    yield receiver
    receiver.stop()
