from __future__ import annotations

import pytest

from tests.support.stack import Databases


@pytest.fixture
def databases():
    """Fresh PostgreSQL databases for the events and notifier services."""
    made = Databases({"events": "samverkan_events", "notifier": "samverkan_notifier"})
    yield made.urls
    made.drop()


@pytest.fixture
def start(container_factory, rabbit_config, databases):
    """Start a service in this process on the test's own vhost and its own PostgreSQL database."""

    def start_service(service_class, database: str):
        container = container_factory(service_class, {**rabbit_config, "DATABASE_URL": databases[database]})
        container.start()
        return container

    return start_service
