"""The outbox relay: publishes committed events with publisher confirms.

Rows are read in one short transaction, published persistently with
confirms, and marked sent in another. A crash between publishing and marking
publishes a row again on the next pass: delivery is at-least-once, and every
consumer is idempotent (see :meth:`UnitOfWork.first_delivery`).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from kombu import Exchange
from nameko.amqp.publish import Publisher
from sqlalchemy import Engine, Table, select, update

from .events import exchange_name
from .logs import CONTEXT_KEY

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, engine: Engine, outbox: Table, amqp_uri: str, service_name: str):
        self.engine = engine
        self.outbox = outbox
        self.exchange = Exchange(exchange_name(service_name), type="topic", durable=True)
        # nameko's Publisher: persistent messages and publisher confirms by default.
        self.publisher = Publisher(amqp_uri, exchange=self.exchange, declare=[self.exchange])

    def relay_batch(self, limit: int = 200) -> int:
        """Publish up to ``limit`` unsent events in commit order; return how many."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(self.outbox.c.id, self.outbox.c.type, self.outbox.c.envelope)
                .where(self.outbox.c.published_at.is_(None))
                .order_by(self.outbox.c.id)
                .limit(limit)
            ).all()
        if not rows:
            return 0
        published: list[int] = []
        try:
            for row in rows:
                event = json.loads(row.envelope)
                # nameko reads ``nameko.*`` headers as the consumer's context data (the request id).
                context = {f"nameko.{CONTEXT_KEY}": event[CONTEXT_KEY]} if event.get(CONTEXT_KEY) else {}
                self.publisher.publish(event, routing_key=row.type, headers=context)
                published.append(row.id)
        finally:
            if published:
                with self.engine.begin() as connection:
                    connection.execute(
                        update(self.outbox)
                        .where(self.outbox.c.id.in_(published))
                        .values(published_at=datetime.now(UTC))
                    )
        return len(published)
