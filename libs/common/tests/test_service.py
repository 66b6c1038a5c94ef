import inspect

import pytest
from sqlalchemy.exc import OperationalError

from samverkan_common.errors import Unavailable
from samverkan_common.service import rpc


class Service:
    name = "example"

    @rpc
    def read(self, thing_id, detail=False):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))


def test_unreachable_database_is_unavailable_not_a_crash():
    with pytest.raises(Unavailable) as away:
        Service().read("x")
    assert away.value.code == "DATABASE_UNAVAILABLE"


def test_calls_are_still_checked_against_the_methods_own_signature():
    with pytest.raises(TypeError):
        inspect.getcallargs(Service.read, Service(), "x", True, "one too many")
