import json
from datetime import datetime

import pytest
from sqlalchemy import Column, String, Table, insert, select
from sqlalchemy.exc import StatementError

from samverkan_common.db import UnitOfWork, service_metadata
from samverkan_common.testing import in_memory_uow

metadata = service_metadata()
notes = Table("notes", metadata, Column("text", String(50)))


class NotesUnitOfWork(UnitOfWork):
    metadata = metadata


def outbox(uow):
    return [json.loads(row.envelope) for row in uow.session.execute(select(metadata.tables["outbox"]))]


def test_event_is_stored_with_the_change_it_belongs_to():
    uow = in_memory_uow(NotesUnitOfWork)
    uow.session.execute(insert(notes).values(text="hej"))
    emitted = uow.emit("note_written", {"text": "hej"})
    uow.commit()

    [stored] = outbox(uow)
    assert stored == emitted
    assert set(stored) == {"event_id", "type", "occurred_at", "version", "data"}


def test_rolled_back_change_leaves_no_event():
    uow = in_memory_uow(NotesUnitOfWork)
    uow.session.execute(insert(notes).values(text="hej"))
    uow.emit("note_written", {"text": "hej"})
    uow.rollback()

    assert outbox(uow) == []
    assert uow.session.execute(select(notes)).all() == []


def test_an_event_id_is_processed_only_once():
    uow = in_memory_uow(NotesUnitOfWork)
    incoming = {"event_id": "e-1", "type": "meeting_scheduled"}

    assert uow.first_delivery(incoming) is True
    uow.commit()
    assert uow.first_delivery(incoming) is False


def test_commit_wakes_the_relay_only_when_there_is_something_to_send():
    woken = []
    uow = in_memory_uow(NotesUnitOfWork)
    uow._on_commit = lambda: woken.append(True)

    uow.commit()
    assert woken == []
    uow.emit("note_written", {})
    uow.commit()
    assert woken == [True]


def test_naive_times_are_refused():
    uow = in_memory_uow(NotesUnitOfWork)
    with pytest.raises(StatementError, match="naive"):
        uow.session.execute(
            insert(metadata.tables["processed_events"]).values(
                event_id="e", type="t", processed_at=datetime(2027, 1, 1)
            )
        )
