"""The courier: SMTP for e-mail and signed HTTP POSTs for webhooks, several at a time."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import eventlet
import requests

from samverkan_common.metrics import count_deliveries

from ..domain.model import Channel
from ..service_layer.delivery import Job
from .messages import Renderer, webhook_body, webhook_headers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 25
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    sender: str = "noreply@samverkan.example.org"
    timeout: float = 30.0
    # A CA bundle for a relay whose certificate a private CA signed; None trusts the system's CAs.
    ca_file: str | None = None

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SmtpSettings:
        return cls(
            host=str(config.get("HOST") or "127.0.0.1"),
            port=int(config.get("PORT") or 25),
            starttls=_flag(config.get("STARTTLS")),
            username=str(config["USERNAME"]) if config.get("USERNAME") else None,
            password=str(config["PASSWORD"]) if config.get("PASSWORD") else None,
            sender=str(config.get("FROM") or cls.sender),
            timeout=float(config.get("TIMEOUT") or 30),
            ca_file=str(config["CA_FILE"]) if config.get("CA_FILE") else None,
        )


def _flag(value: object) -> bool:
    return value is True or str(value).lower() in ("1", "true", "yes", "on")


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


class SmtpAndWebhookCourier:
    """Sends a round of jobs: e-mail over a few reused SMTP connections, webhooks in parallel.

    ``concurrency`` connections (and as many webhook calls) are open at a time;
    each SMTP connection sends its share of the round one message after another.
    """

    def __init__(
        self,
        smtp: SmtpSettings,
        public_url: str,
        concurrency: int = 4,
        http_timeout: float = 10.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.smtp = smtp
        self.public_url = public_url
        self.concurrency = max(concurrency, 1)
        self.http_timeout = http_timeout
        self.clock = clock
        self.http = requests.Session()
        self.renderer = Renderer(smtp.sender, public_url)

    def deliver(self, jobs: list[Job]) -> dict[str, str | None]:
        results: dict[str, str | None] = {}
        mails = [job for job in jobs if job.notification.channel is Channel.EMAIL]
        hooks = [job for job in jobs if job.notification.channel is Channel.WEBHOOK]
        pool = eventlet.GreenPool(self.concurrency)
        shares = [mails[index :: self.concurrency] for index in range(self.concurrency)]
        for share in shares:
            if share:
                pool.spawn_n(self._send_mails, share, results)
        for job in hooks:
            pool.spawn_n(self._post, job, results)
        pool.waitall()
        count_deliveries(results)
        return results

    def _connect(self) -> smtplib.SMTP:
        connection = smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout)
        try:
            if self.smtp.starttls:
                connection.starttls(context=ssl.create_default_context(cafile=self.smtp.ca_file))
            if self.smtp.username:
                connection.login(self.smtp.username, self.smtp.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def _send_mails(self, jobs: list[Job], results: dict[str, str | None]) -> None:
        try:
            connection = self._connect()
        except Exception as error:  # noqa: BLE001 - refused, timed out, bad login, TLS: all wait for a retry
            reason = _reason(error)
            for job in jobs:
                results[job.notification.id] = reason
            return
        try:
            for index, job in enumerate(jobs):
                try:
                    message = self.renderer.email(job, self.clock())
                    connection.sendmail(self.smtp.sender, [job.notification.address], message)
                    results[job.notification.id] = None
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
                    results[job.notification.id] = _reason(error)
                except (OSError, smtplib.SMTPException) as error:
                    # The connection is gone: this and the rest of the share wait for the next round.
                    reason = _reason(error)
                    for rest in jobs[index:]:
                        results[rest.notification.id] = reason
                    return
                except Exception as error:  # noqa: BLE001 - a message that cannot be rendered fails alone
                    log.exception("could not build message %s", job.notification.id)
                    results[job.notification.id] = _reason(error)
        finally:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()

    def _post(self, job: Job, results: dict[str, str | None]) -> None:
        try:
            body = webhook_body(job)
            response = self.http.post(
                job.notification.address,
                data=body,
                headers=webhook_headers(job, body),
                timeout=self.http_timeout,
                allow_redirects=False,
            )
        except Exception as error:  # noqa: BLE001 - any failure to deliver is a reason to retry
            results[job.notification.id] = _reason(error)
            return
        if 200 <= response.status_code < 300:
            results[job.notification.id] = None
        else:
            results[job.notification.id] = f"HTTP {response.status_code}"
