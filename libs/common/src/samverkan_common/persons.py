"""A person's e-mail address as erasure names it across services, without sending the address.

The registry announces an erasure (``person_erased``) with the SHA-256 of the normalised
address; every service that holds addresses computes the same digest of its own and
matches. The digest is not keyed, so anyone with a list of candidate addresses can test
them against it: it is pseudonymous, not anonymous. That is acceptable because it goes
only to services that already hold the addresses, and they keep it nowhere (the registry's
outbox keeps the sent event, as it keeps every event). A key shared by every service would
guard it only from readers of the broker or that outbox who cannot also read the services'
configuration, at the price of a secret to distribute and rotate in every service.
"""

from __future__ import annotations

import hashlib

PERSON_ERASED = "person_erased"


def normalised_email(address: str) -> str:
    """The form addresses are compared in: trimmed and lower-cased."""
    return address.strip().lower()


def email_digest(address: str) -> str:
    """Hex SHA-256 of the normalised address: how ``person_erased`` names the person."""
    return hashlib.sha256(normalised_email(address).encode("utf-8")).hexdigest()
