from __future__ import annotations

import pytest

from samverkan_common.migrations import upgrade
from samverkan_gateway import create_app
from samverkan_gateway.auth import Role, create_token
from tests.support.stack import free_port


@pytest.fixture
def app(tmp_path):
    url = f"sqlite:///{tmp_path}/gateway.db"
    upgrade("samverkan_gateway", url)
    # Nothing listens on this port: any call that reaches for the broker meets a closed door.
    return create_app(
        {
            "GATEWAY_DATABASE_URL": url,
            "AMQP_URI": f"amqp://guest:guest@127.0.0.1:{free_port()}/",
            "TESTING": True,
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def token(app):
    def make(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {create_token(app.extensions['samverkan_db'], 'test', Role(role))}"}

    return make
