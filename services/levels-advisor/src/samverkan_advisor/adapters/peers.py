"""The other services, reached over nameko RPC with a deadline.

nameko's RpcProxy waits for ever when a service's queue exists but nobody
consumes it (the service is down), so every call here has a deadline. A
service that is missing, too slow or lacks the method becomes
:class:`PeerUnavailable`, which the use cases turn into a clear answer.
"""

from __future__ import annotations

from typing import Any

import eventlet
from nameko.exceptions import MethodNotFound, UnknownService, deserialize_to_instance

from samverkan_common.errors import REMOTE_ERRORS

from ..service_layer.handlers import PeerUnavailable

# Let the shared errors of the other services arrive as themselves (with code and
# fields) rather than as nameko's RemoteError, so they can be passed on as they are.
for _error_class in REMOTE_ERRORS.values():
    deserialize_to_instance(_error_class)


class RpcPeers:
    """The registry and the events service, as the use cases need them."""

    def __init__(self, registry: Any, events: Any, timeout: float):
        self.proxies = {"registry": registry, "events": events}
        self.timeout = timeout

    def _call(self, service: str, method: str, *args: Any) -> Any:
        deadline = eventlet.Timeout(self.timeout)
        try:
            return getattr(self.proxies[service], method).call_async(*args).result()
        except eventlet.Timeout as error:
            if error is not deadline:
                raise
            raise PeerUnavailable(service, f"The {service} service did not answer within {self.timeout:g} s.") from None
        except UnknownService:
            raise PeerUnavailable(service, f"The {service} service is not running.") from None
        except MethodNotFound:
            raise PeerUnavailable(service, f"The {service} service cannot do {method} (yet).") from None
        finally:
            deadline.cancel()

    def search_organisations(self, query: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("registry", "search_organisations", query)
        return result

    def list_forums(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("events", "list_forums")
        return result

    def schedule_meeting(self, payload: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("events", "schedule_meeting", payload)
        return result

    def meetings_between(self, start: str, end: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("events", "meetings_between", start, end)
        return result

    def meeting_participation(self, meeting_ids: list[str]) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("events", "meeting_participation", meeting_ids)
        return result

    def get_meeting(self, meeting_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("events", "get_meeting", meeting_id)
        return result

    def get_organisation(self, organisation_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("registry", "get_organisation", organisation_id)
        return result
