"""Demo data: the real forum structure of the agreement, invented organisations and meetings.

Loaded through the running services (so their events flow as in real use),
and safe to load twice: what exists already is left alone.
"""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from samverkan_common.errors import Conflict

from .auth import Role
from .people import check_password, create_user, find_user, set_password
from .rpc import RpcPool

STOCKHOLM = ZoneInfo("Europe/Stockholm")

FORUMS: list[dict[str, Any]] = [
    {
        "slug": "ros-gruppen",
        "name": "RÖS-gruppen",
        "owner_committee": "BMR",
        "description": "Styrgruppen för överenskommelsen: fem politiker från BMR och fem företrädare "
        "för undertecknande organisationer. Möts 4–12 gånger per år.",
        "min_per_year": 4,
        "max_per_year": 12,
    },
    {
        "slug": "stormote",
        "name": "Stormöte",
        "owner_committee": "RÖS-gruppen",
        "description": "Ett stort möte varje termin där undertecknarna möter RÖS-gruppen.",
        "min_per_term": 1,
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
            "municipality_code": "1480",
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
            "municipality_code": "1487",
            "capacity": 150,
            "registration_deadline": _at(first + timedelta(days=23), 23, 59),
        },
        {
            "forum_slug": "ser",
            "title": "SER: idéburet offentligt partnerskap",
            "starts_at": _at(first + timedelta(days=21), 13),
            "ends_at": _at(first + timedelta(days=21), 15),
            "level": "partnership",
            "step": "implementation",
            "location": "Skövde",
            "municipality_code": "1496",
            "capacity": 25,
        },
        {
            "forum_slug": "drn-skaraborg",
            "title": "DRN Skaraborg: dialogträff",
            "starts_at": _at(first, 18),
            "ends_at": _at(first, 19, 30),
            "level": "dialogue",
            "step": "agenda_setting",
            "location": "Stadshuset, Skövde",
            "municipality_code": "1496",
            "online_url": "https://meet.example.org/drn-skaraborg",
            "capacity": 40,
            # Every other week, eight times: across a daylight-saving change whenever the demo is loaded.
            "rrule": "FREQ=WEEKLY;INTERVAL=2;COUNT=8",
        },
    ]


DEMO_ANSWERS = {"decision_open": "yes", "meeting_resources": "yes", "legal_duty": "no"}


def plans(today: date) -> list[dict[str, Any]]:
    """Dialogue plans of a few committees: the questionnaire's answers, then the plan made from them."""
    return [
        {
            "answers": {
                **DEMO_ANSWERS,
                "step": "drafting",
                "negotiable": "what",
                "mandate": "some",
                "contested": "some",
                "affected": "groups",
                "knowledge": "partly",
                "shared_work": "no",
                "time_to_decision": "two_to_six_months",
                "compensation": "no",
                "facilitation": "yes",
            },
            "plan": {
                "committee": "BMR",
                "issue": "Handlingsplan för mänskliga rättigheter",
                "starts_on": today.isoformat(),
                "forum_slugs": ["bmr-samrad"],
            },
            "invite": ["Nätverket Unga röster i Skaraborg", "Pensionärsföreningen Exempel"],
        },
        {
            "answers": {
                **DEMO_ANSWERS,
                "step": "implementation",
                "negotiable": "how",
                "mandate": "some",
                "affected": "groups",
                "knowledge": "yes",
                "shared_work": "yes",
                "time_to_decision": "over_six_months",
                "compensation": "yes",
                "facilitation": "yes",
            },
            "plan": {
                "committee": "KUN",
                "issue": "Idéburet offentligt partnerskap om kultur för unga",
                "starts_on": today.isoformat(),
                "areas": ["culture"],
                "forum_slugs": ["ser"],
            },
            "invite": ["Stiftelsen Exempelgården"],
        },
        {
            "answers": {
                **DEMO_ANSWERS,
                "step": "decision",
                "negotiable": "how",
                "mandate": "some",
                "shared_work": "no",
                "time_to_decision": "three_to_eight_weeks",
                "legal_duty": "yes",
            },
            "plan": {
                "committee": "RS",
                "issue": "Nya öppettider i vårdcentralerna",
                "starts_on": today.isoformat(),
                "level": "dialogue",
                "level_reason": "Pensionärsrådet har begärt ett samtal, inte bara ett skriftligt samråd.",
                "areas": ["health_care"],
                "forum_slugs": ["pensionarsradet"],
            },
            "invite": ["Pensionärsföreningen Exempel"],
        },
    ]


def _load_plans(rpc: RpcPool, today: date) -> int:
    for demo_plan in plans(today):
        assessment = rpc.call("levels_advisor", "assess", {"answers": demo_plan["answers"]})
        invited = [
            item["id"]
            for name in demo_plan["invite"]
            for item in rpc.call("registry", "search_organisations", {"q": name})["items"]
            if item["name"] == name
        ]
        plan = {**demo_plan["plan"], "assessment_id": assessment["id"], "created_by": "Demo, sekretariatet"}
        rpc.call("levels_advisor", "create_plan", {**plan, "invited_organisation_ids": invited})
    return len(plans(today))


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
    # Plans have no natural key: made once, with the forums, so a second load adds none.
    created["plans"] = _load_plans(rpc, today or date.today()) if new_forums else 0
    return created, demo_organisation_id


def _create(rpc: RpcPool, service: str, method: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The created thing, or None where it existed already."""
    try:
        created: dict[str, Any] = rpc.call(service, method, payload)
    except Conflict:
        return None
    return created


# One demo person per role, with example.org addresses; their passwords are made on first load.
DEMO_PEOPLE = {
    "planner": ("planerare@vgr.example.org", "Demo Planerare (BMR)"),
    "operator": ("drift@vgr.example.org", "Demo Drift"),
    "organisation": ("anna.exempel@friluft.example.org", "Anna Exempel (Exempelföreningen för friluftsliv)"),
}


def demo_organisation_id(rpc: RpcPool) -> str | None:
    """The organisation the demo token and the demo representative speak for: the first demo organisation."""
    name = ORGANISATIONS[0]["name"]
    found = rpc.call("registry", "search_organisations", {"q": name})["items"]
    return next((item["id"] for item in found if item["name"] == name), None)


def load_users(engine: Engine, users_file: Path, organisation_id: str | None) -> dict[str, dict[str, str]]:
    """Make the demo people who are missing (or whose password in the file no longer works); keep the rest."""
    known = json.loads(users_file.read_text()) if users_file.exists() else {}
    people: dict[str, dict[str, str]] = {}
    for role_name, (email, name) in DEMO_PEOPLE.items():
        role = Role(role_name)
        remembered = known.get(role_name) or {}
        if (
            remembered.get("email") == email
            and find_user(engine, email) is not None
            and check_password(engine, email, remembered.get("password", "")) is not None
        ):
            people[role_name] = remembered
            continue
        password = secrets.token_urlsafe(12)
        if find_user(engine, email) is None:
            create_user(engine, email, password, role, organisation_id if role is Role.ORGANISATION else None, name)
        else:
            set_password(engine, email, password)
        people[role_name] = {"email": email, "password": password}
    users_file.parent.mkdir(parents=True, exist_ok=True)
    users_file.write_text(json.dumps(people, indent=2) + "\n")
    users_file.chmod(0o600)
    return people
