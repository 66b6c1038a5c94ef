"""A bare pika request/reply pair: the floor under any RPC over this broker.

``python -m bench.pika_echo serve URI`` answers every request on the queue
``bench-echo`` with the body it was sent. The harness times round trips with
:func:`round_trips` from another process.
"""

from __future__ import annotations

import sys
import time
import uuid

import pika

QUEUE = "bench-echo"


def serve(uri: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(uri))
    channel = connection.channel()
    channel.queue_declare(QUEUE, auto_delete=True)

    def answer(ch, method, properties, body):  # type: ignore[no-untyped-def]
        ch.basic_publish("", properties.reply_to, body, pika.BasicProperties(correlation_id=properties.correlation_id))
        ch.basic_ack(method.delivery_tag)

    channel.basic_consume(QUEUE, answer)
    channel.start_consuming()


def round_trips(uri: str, body: bytes, count: int) -> list[float]:
    """Seconds per request/reply round trip, ``count`` times, one after another."""
    connection = pika.BlockingConnection(pika.URLParameters(uri))
    channel = connection.channel()
    reply_queue = channel.queue_declare("", exclusive=True).method.queue
    replies: dict[str, bytes] = {}
    channel.basic_consume(reply_queue, lambda ch, m, p, b: replies.__setitem__(p.correlation_id, b), auto_ack=True)
    timings = []
    for _ in range(count):
        correlation_id = uuid.uuid4().hex
        started = time.perf_counter()
        channel.basic_publish(
            "", QUEUE, body, pika.BasicProperties(reply_to=reply_queue, correlation_id=correlation_id)
        )
        while correlation_id not in replies:
            connection.process_data_events(time_limit=1)
        timings.append(time.perf_counter() - started)
        replies.pop(correlation_id)
    connection.close()
    return timings


if __name__ == "__main__":
    serve(sys.argv[2])
