"""A person erased in the registry (GDPR art. 17): the notifier forgets their address.

``person_erased`` names the person by the SHA-256 of their normalised address only; the
notifier finds the address by hashing the ones it holds. Then:

- every e-mail subscription to it goes, whoever made it and whether confirmed or not
  (with the consent it recorded: there is nothing left to consent to);
- what was not yet sent to it goes (queued, failed, parked, and the confirmation mails);
- what was sent keeps its state in the delivery log, but not the address, nor the person's
  name and address in the stored registration events;
- the reminders' list of who has a place forgets it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..adapters.repository import NotifierUnitOfWork


def person_erased(uow: NotifierUnitOfWork, event: dict[str, Any], now: datetime) -> bool:
    """Forget the erased person's address; a redelivered event has no second effect. True if it was held."""
    if not uow.first_delivery(event):
        uow.rollback()
        return False
    digest = str((event.get("data") or {}).get("email_sha256") or "")
    addresses = uow.erasure.addresses_with_digest(digest) if digest else set()
    if addresses:
        uow.erasure.forget_in_log(addresses, now)
        uow.erasure.delete_subscriptions(addresses)
        uow.erasure.delete_attendances(addresses)
    uow.commit()
    return bool(addresses)
