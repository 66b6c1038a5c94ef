"""Demo data: the real forum structure of the agreement, invented organisations and meetings.

Loaded through the running services (so their events flow as in real use),
and safe to load twice: what exists already is left alone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from samverkan_common.errors import Conflict

from .rpc import RpcPool

STOCKHOLM = ZoneInfo("Europe/Stockholm")

FORUMS = [
    {
        "slug": "ros-gruppen",
        "name": "RÖS-gruppen",
        "owner_committee": "BMR",
        "description": "Styrgruppen för överenskommelsen: fem politiker från BMR och fem företrädare "
        "för undertecknande organisationer. Möts 4–12 gånger per år.",
    },
    {
        "slug": "stormote",
        "name": "Stormöte",
        "owner_committee": "RÖS-gruppen",
        "description": "Ett stort möte varje termin där undertecknarna möter RÖS-gruppen.",
    },
    {
        "slug": "bmr-samrad",
        "name": "Samråd under BMR",
        "owner_committee": "BMR",
        "description": "Samråden under beredningen för mänskliga rättigheter.",
    },
    {
        "slug": "ser",
        "name": "Sociala ekonomins råd (SER)",
        "owner_committee": "KUN",
        "description": "Den sociala ekonomins råd under kulturnämnden.",
    },
    {"slug": "drn-fyrbodal", "name": "DRN Fyrbodal – dialog", "owner_committee": "DRN Fyrbodal"},
    {
        "slug": "drn-goteborgsregionen",
        "name": "DRN Göteborgsregionen – dialog",
        "owner_committee": "DRN Göteborgsregionen",
    },
    {"slug": "drn-sjuharad", "name": "DRN Sjuhärad – dialog", "owner_committee": "DRN Sjuhärad"},
    {"slug": "drn-skaraborg", "name": "DRN Skaraborg – dialog", "owner_committee": "DRN Skaraborg"},
    {"slug": "pensionarsradet", "name": "Regionstyrelsens pensionärsråd", "owner_committee": "RS"},
]

ORGANISATIONS = [
    {
        "name": "Exempelföreningen för friluftsliv",
        "organisation_number": "802500-1234",
        "kind": "ideell_forening",
        "municipality_code": "1480",
        "contact_email": "info@friluft.example.org",
    },
    {
        "name": "Stiftelsen Exempelgården",
        "organisation_number": "802600-4567",
        "kind": "stiftelse",
        "municipality_code": "1490",
        "contact_email": "kontakt@exempelgarden.example.org",
    },
    {
        "name": "Nätverket Unga röster i Skaraborg",
        "organisation_number": "802700-7890",
        "kind": "natverk",
        "municipality_code": "1496",
    },
    {
        "name": "Pensionärsföreningen Exempel",
        "organisation_number": "802800-3211",
        "kind": "ideell_forening",
        "municipality_code": "1488",
        "contact_email": "styrelsen@pensionarer.example.org",
    },
]

SUBSCRIPTIONS = [
    {"forum_slug": "ros-gruppen", "address": "sekretariat@vgr.example.org", "language": "sv"},
    {"forum_slug": "ros-gruppen", "address": "anna.exempel@friluft.example.org", "language": "sv"},
    {"forum_slug": "ser", "address": "board@exempelgarden.example.org", "language": "en"},
]


def _at(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), STOCKHOLM).isoformat()


def meetings(today: date) -> list[dict[str, Any]]:
    """A few meetings in the coming months, relative to today so the demo never goes stale."""
    first = today + timedelta(days=14)
    return [
        {
            "forum_slug": "ros-gruppen",
            "title": "RÖS-gruppen: planering av verksamhetsåret",
            "starts_at": _at(first, 13),
            "ends_at": _at(first, 16),
            "level": "dialogue",
            "step": "agenda_setting",
            "location": "Regionens hus, Göteborg",
        },
        {
            "forum_slug": "ros-gruppen",
            "title": "RÖS-gruppen: uppföljning av handlingsplanen",
            "starts_at": _at(first + timedelta(days=49), 9, 30),
            "ends_at": _at(first + timedelta(days=49), 12),
            "level": "dialogue",
            "step": "monitoring",
            "online_url": "https://meet.example.org/ros",
        },
        {
            "forum_slug": "stormote",
            "title": "Stormöte: överenskommelsen i praktiken",
            "starts_at": _at(first + timedelta(days=30), 10),
            "ends_at": _at(first + timedelta(days=30), 15),
            "level": "consultation",
            "step": "drafting",
            "location": "Vänersborg",
        },
        {
            "forum_slug": "ser",
            "title": "SER: idéburet offentligt partnerskap",
            "starts_at": _at(first + timedelta(days=21), 13),
            "ends_at": _at(first + timedelta(days=21), 15),
            "level": "partnership",
            "step": "implementation",
            "location": "Skövde",
        },
    ]


def load(rpc: RpcPool, today: date | None = None) -> tuple[dict[str, int], str | None]:
    """Create what is missing; count what was created, and name the organisation the demo token speaks for."""
    created = {"forums": 0, "organisations": 0, "meetings": 0, "subscriptions": 0}
    demo_organisation_id = None
    new_forums = set()
    for forum in FORUMS:
        if _create(rpc, "events", "create_forum", forum) is not None:
            created["forums"] += 1
            new_forums.add(forum["slug"])
    for organisation in ORGANISATIONS:
        registered = _create(rpc, "registry", "register_organisation", organisation)
        if registered:
            created["organisations"] += 1
            demo_organisation_id = demo_organisation_id or registered["id"]
    for subscription in SUBSCRIPTIONS:
        created["subscriptions"] += bool(_create(rpc, "notifier", "subscribe", subscription))
    for meeting in meetings(today or date.today()):
        # Meetings are scheduled once, with their forum, so a second load adds none.
        if meeting["forum_slug"] in new_forums:
            rpc.call("events", "schedule_meeting", meeting)
            created["meetings"] += 1
    return created, demo_organisation_id


def _create(rpc: RpcPool, service: str, method: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The created thing, or None where it existed already."""
    try:
        created: dict[str, Any] = rpc.call(service, method, payload)
    except Conflict:
        return None
    return created
