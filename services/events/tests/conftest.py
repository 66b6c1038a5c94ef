from __future__ import annotations

import pytest
from nameko.testing.services import worker_factory

from samverkan_common.testing import in_memory_uow
from samverkan_events.adapters.ical import FeedCache
from samverkan_events.adapters.repository import EventsUnitOfWork
from samverkan_events.entrypoints.service import EventsService


@pytest.fixture
def events():
    """The events service on a fresh in-memory database, with its own feed cache."""
    return worker_factory(EventsService, uow=in_memory_uow(EventsUnitOfWork), feed_cache=FeedCache())


def outbox(uow, type_=None):
    """The events committed to the outbox so far (envelopes), of one type if given."""
    import json

    rows = uow.session.execute(uow.metadata.tables["outbox"].select().order_by("id")).all()
    return [json.loads(row.envelope) for row in rows if type_ is None or row.type == type_]
