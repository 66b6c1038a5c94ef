"""A local SMTP server that only counts what it accepts, and a plain loop that sends to it."""

from __future__ import annotations

import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage

from tests.support.stack import free_port

_SERVER = """
import sys
from aiosmtpd.controller import Controller
class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        if Count.n % 500 == 0:
            print(Count.n, flush=True)
        return "250 OK"
controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
import threading; threading.Event().wait()
"""


class CountingSmtp:
    """aiosmtpd in its own process; it reports every 500 messages, so the time measured is ours."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVER, str(self.port)], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"
        self.accepted = 0

    def wait_for(self, count: int) -> float:
        """Block until ``count`` messages in all were accepted; the moment it happened."""
        assert self.process.stdout is not None
        while self.accepted < count:
            self.accepted = int(self.process.stdout.readline())
        return time.perf_counter()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def plain_loop(port: int, count: int) -> None:
    """The baseline: the same number of messages of the same shape, one after another, one connection."""
    message = EmailMessage()
    message["From"] = "noreply@samverkan.example.org"
    message["Subject"] = "Ändrad tid: Dialogmöte"
    message.set_content("Mötet har fått en ny tid.\n" * 20)
    message.add_alternative("<p>Mötet har fått en ny tid.</p>" * 20, subtype="html")
    message.add_attachment(
        b"BEGIN:VCALENDAR\r\n" + b"X" * 900 + b"\r\nEND:VCALENDAR\r\n",
        maintype="text",
        subtype="calendar",
        filename="invite.ics",
    )
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for number in range(count):
            del message["To"]
            message["To"] = f"person{number}@example.org"
            connection.send_message(message)
