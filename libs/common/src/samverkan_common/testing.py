"""Test helpers shared by the services' own test suites."""

from __future__ import annotations

from sqlalchemy.pool import StaticPool

from .db import UnitOfWork, make_engine, session_factory


def in_memory_uow(uow_class: type[UnitOfWork]) -> UnitOfWork:
    """A unit of work on a fresh in-memory SQLite database with the service's tables."""
    engine = make_engine("sqlite://", poolclass=StaticPool)
    uow_class.metadata.create_all(engine)
    return uow_class(session_factory(engine)())
