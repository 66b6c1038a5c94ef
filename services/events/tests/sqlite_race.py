"""Run by test_registrations in a process of its own: N registrations at once in real OS threads.

The test process runs under eventlet's monkey patch, where threads are green and a
SQLite call never yields, so there would be no race to see; here there is one.
Usage: python sqlite_race.py <database url> <meeting id> <count>; prints the statuses as JSON.
"""

from __future__ import annotations

import json
import sys
import threading

from sqlalchemy.pool import NullPool

from samverkan_common.db import make_engine, session_factory
from samverkan_events.adapters.repository import EventsUnitOfWork
from samverkan_events.service_layer import handlers


def race(url: str, meeting_id: str, count: int) -> list[str]:
    engine = make_engine(url, poolclass=NullPool)
    sessions = session_factory(engine)
    start = threading.Barrier(count)
    results: list[str] = []

    def register_one(n: int) -> None:
        uow = EventsUnitOfWork(sessions())
        start.wait()
        try:
            registration, _, _ = handlers.register(
                uow, meeting_id, attendee_name=f"Person {n}", attendee_email=f"p{n}@example.org"
            )
            results.append(registration.status.value)
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
            results.append(f"error: {error!r}")
        finally:
            uow.session.close()

    threads = [threading.Thread(target=register_one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    return results


if __name__ == "__main__":
    print(json.dumps(race(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
