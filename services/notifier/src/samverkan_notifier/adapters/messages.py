"""Rendering: Jinja2 templates (files, per language) into e-mail, and the webhook's JSON body."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, make_msgid
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import escape

from ..domain.model import CONFIRMATION, FEEDBACK, INVITATION, Language, parse_time
from ..service_layer.delivery import Job
from .ics import for_attendee, invitation_for_all, method_for

DAYS = {
    Language.SV: ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"],
    Language.EN: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
MONTHS = {
    Language.SV: [
        "januari", "februari", "mars", "april", "maj", "juni",
        "juli", "augusti", "september", "oktober", "november", "december",
    ],
    Language.EN: [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ],
}  # fmt: skip

_templates = Environment(
    loader=PackageLoader("samverkan_notifier", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def when(data: dict[str, Any], language: Language) -> str:
    """The meeting's time in plain words, in Stockholm time: 'tisdag 2 februari 2027 kl. 10:00–12:00'."""
    starts_at, ends_at = parse_time(data.get("starts_at")), parse_time(data.get("ends_at"))
    if starts_at is None:
        return ""
    zone = ZoneInfo(str(data.get("timezone") or "Europe/Stockholm"))
    start = starts_at.astimezone(zone)
    day = f"{DAYS[language][start.weekday()]} {start.day} {MONTHS[language][start.month - 1]} {start.year}"
    end = f"–{ends_at.astimezone(zone):%H:%M}" if ends_at else ""
    return f"{day} kl. {start:%H:%M}{end}" if language is Language.SV else f"{day}, {start:%H:%M}{end}"


LEVELS = {
    Language.SV: {"information": "information", "consultation": "samråd", "dialogue": "dialog",
                  "partnership": "partnerskap"},
    Language.EN: {"information": "information", "consultation": "consultation", "dialogue": "dialogue",
                  "partnership": "partnership"},
}  # fmt: skip


def moment(value: object, language: Language, zone_name: object = None) -> str:
    """One point in time in plain words, Stockholm time: 'tisdag 2 februari 2027 kl. 10:00'."""
    parsed = parse_time(value)
    if parsed is None:
        return ""
    local = parsed.astimezone(ZoneInfo(str(zone_name or "Europe/Stockholm")))
    day = f"{DAYS[language][local.weekday()]} {local.day} {MONTHS[language][local.month - 1]} {local.year}"
    return f"{day} kl. {local:%H:%M}" if language is Language.SV else f"{day}, {local:%H:%M}"


def calendar_data(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """What the .ics is made from: an invitation's first meeting, otherwise the event's own data."""
    if kind == INVITATION:
        meetings = data.get("meetings") or []
        return dict(meetings[0]) if meetings else {}
    return data


def _invitation_context(data: dict[str, Any], language: Language, public_url: str) -> dict[str, Any]:
    token = data.get("token")
    return {
        "answer_url": f"{public_url.rstrip('/')}/inbjudan/{token}" if token and public_url else None,
        "level_offer": (data.get("level_offer") or {}).get(language.value, ""),
        "meetings": [
            {**meeting, "when": when(meeting, language), "place": meeting.get("location") or meeting.get("online_url")}
            for meeting in data.get("meetings") or []
        ],
        "answer_by": moment(data.get("expires_at"), language),
    }


def _context(job: Job, link: str | None, public_url: str = "") -> dict[str, Any]:
    item = job.notification
    event = job.event or {"data": {}}
    data = event.get("data") or {}
    confirmation = item.event_type == CONFIRMATION
    meeting_id = data.get("meeting_id")
    return {
        "kind": item.event_type,
        "subject": item.subject,
        "data": data,
        "when": when(data, item.language),
        # The meeting's own page, where a person reads more and registers.
        "meeting_url": f"{public_url.rstrip('/')}/moten/{meeting_id}" if meeting_id and public_url else None,
        "deadline": moment(data.get("registration_deadline"), item.language, data.get("timezone")),
        "confirm_by": moment(data.get("confirm_by"), item.language),
        "levels": LEVELS[item.language],
        "confirm_url": link if confirmation else None,
        "unsubscribe_url": None if confirmation else link,
        **(_invitation_context(data, item.language, public_url) if item.event_type == INVITATION else {}),
        "items": [
            {
                "kind": part.event_type,
                "subject": part.subject,
                "data": (part_event or {}).get("data") or {},
                "when": when((part_event or {}).get("data") or {}, part.language),
            }
            for part, part_event in job.items
        ],
    }


UNSUBSCRIBE_MARK = "__SAMVERKAN_UNSUBSCRIBE_URL__"
# SMTP wants CRLF line ends; smtplib sends bytes as they are.
WIRE = compat32.clone(linesep="\r\n")


def render_text_and_html(job: Job, link: str | None, public_url: str = "") -> tuple[str, str]:
    """The text and HTML parts; ``link`` is the message's own link (unsubscribe, or confirm for a confirmation)."""
    kind = job.notification.event_type
    name = {"digest": "digest", CONFIRMATION: "confirmation", INVITATION: "invitation", FEEDBACK: "feedback"}.get(
        kind, "message"
    )
    context = _context(job, link, public_url)
    language = job.notification.language.value
    text = _templates.get_template(f"{language}/{name}.txt").render(context)
    html = _templates.get_template(f"{language}/{name}.html").render(context)
    return text, html


class Renderer:
    """Builds each e-mail as bytes, doing the costly parts once per event and language.

    For one event sent to 10,000 people only three things differ per recipient:
    the To header, the unsubscribe link and the .ics ATTENDEE. The templates and
    the calendar object are rendered once (with a mark where the link goes) and
    kept in a small cache; the MIME tree uses the legacy (compat32) API, which
    does not re-parse every header it is given.
    """

    def __init__(self, sender: str, public_url: str, cache_size: int = 64):
        self.sender = sender
        self.public_url = public_url.rstrip("/")
        self.cache_size = cache_size
        self._cache: dict[tuple[str, str, str, bool], tuple[str, str, str | None]] = {}

    def link_url(self, job: Job) -> str | None:
        """The message's own link: confirm for a confirmation mail, otherwise unsubscribe."""
        if not job.unsubscribe_token:
            return None
        page = "bekrafta" if job.notification.event_type == CONFIRMATION else "unsubscribe"
        return f"{self.public_url}/{page}/{job.unsubscribe_token}"

    def _shared(self, job: Job, now: datetime) -> tuple[str, str, str | None]:
        item = job.notification
        key = (item.event_id, item.event_type, item.language.value, job.unsubscribe_token is not None)
        cached = self._cache.get(key) if item.event_type != "digest" else None
        if cached is not None:
            return cached
        text, html = render_text_and_html(job, UNSUBSCRIBE_MARK if job.unsubscribe_token else None, self.public_url)
        data = (job.event or {}).get("data") or {}
        shared = (
            text,
            html,
            invitation_for_all(item.event_type, calendar_data(item.event_type, data), self.sender, now),
        )
        if item.event_type != "digest":
            if len(self._cache) >= self.cache_size:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = shared
        return shared

    def email(self, job: Job, now: datetime) -> bytes:
        """The whole message: text and HTML parts, the .ics when it is about a meeting, unsubscribe headers."""
        item = job.notification
        text, html, calendar = self._shared(job, now)
        link = self.link_url(job)
        if link:
            text = text.replace(UNSUBSCRIBE_MARK, link)
            html = html.replace(UNSUBSCRIBE_MARK, str(escape(link)))
        body = MIMEMultipart("alternative")
        body.attach(MIMEText(text, "plain", "utf-8"))
        body.attach(MIMEText(html, "html", "utf-8"))
        message: Message = body
        if calendar is not None:
            method = method_for(item.event_type) or "REQUEST"
            message = MIMEMultipart("mixed")
            message.attach(body)
            attachment = MIMEText(for_attendee(calendar, item.address).decode("utf-8"), "calendar", "utf-8")
            attachment.set_param("method", method)
            attachment.add_header(
                "Content-Disposition", "attachment", filename="cancel.ics" if method == "CANCEL" else "invite.ics"
            )
            message.attach(attachment)
        message["From"] = f"Samverkan <{self.sender}>"
        message["To"] = item.address
        # A Header object (not its encoded string) folds knowing the field name, so a long subject
        # is not pushed whole onto a continuation line that readers show with a leading space.
        message["Subject"] = (
            Header(item.subject, "utf-8", header_name="Subject") if not item.subject.isascii() else item.subject
        )
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid(
            idstring=item.id.replace("-", ""), domain=self.sender.rpartition("@")[2] or "samverkan"
        )
        message["Content-Language"] = item.language.value
        message["X-Samverkan-Event"] = item.event_type
        if link and item.event_type != CONFIRMATION:
            # RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe that POSTs to this URL.
            message["List-Unsubscribe"] = f"<{link}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        else:
            # A confirmation is not a list message yet: its one link confirms, nothing unsubscribes.
            message["Auto-Submitted"] = "auto-generated"
        return message.as_bytes(policy=WIRE)


def webhook_body(job: Job) -> bytes:
    """The JSON a webhook receives: the message's own id, the event, and for a digest each item."""
    item = job.notification
    event = job.event or {}
    body: dict[str, Any] = {
        "delivery_id": item.id,
        "type": item.event_type,
        "subject": item.subject,
        "language": item.language.value,
        "event_id": item.event_id,
        "occurred_at": event.get("occurred_at"),
        "data": event.get("data") or {},
    }
    if item.event_type == "digest":
        body["data"] = {}
        body["items"] = [
            {
                "type": part.event_type,
                "event_id": part.event_id,
                "subject": part.subject,
                "occurred_at": (part_event or {}).get("occurred_at"),
                "data": (part_event or {}).get("data") or {},
            }
            for part, part_event in job.items
        ]
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the body>``, as in the X-Samverkan-Signature header."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def webhook_headers(job: Job, body: bytes) -> dict[str, str]:
    item = job.notification
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Samverkan-Notifier/1",
        "X-Samverkan-Event": item.event_type,
        # Stable across retries of the same notification, so a receiver can drop a repeat.
        "X-Samverkan-Delivery": item.id,
    }
    secret = job.subscription.secret if job.subscription else None
    if secret:
        headers["X-Samverkan-Signature"] = signature(secret, body)
    return headers


__all__ = ["Renderer", "signature", "webhook_body", "webhook_headers", "when"]
