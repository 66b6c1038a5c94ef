"""Demo data: the real forum structure of the agreement, invented organisations and meetings.

Loaded through the running services (so their events flow as in real use),
and safe to load twice: what exists already is left alone.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from samverkan_common.errors import Conflict

from . import demo_data
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


# Who the demo speaks as to the services: an operator imports the register, a planner does the rest.
OPERATOR = {"role": "operator"}
PLANNER = {"role": "planner", "organisation_id": None, "name": "Demo, sekretariatet"}
IMPORT_CHUNK = 512 * 1024
IMPORT_WAIT_SECONDS = 180
DEMO_RPC_TIMEOUT = 30.0


def load_region(rpc: RpcPool, today: date | None = None, author_id: str | None = None) -> dict[str, int]:
    """The demo region of :mod:`demo_data` (what ``make up`` shows), once: loaded only when its forums are new.

    Thousands of organisations, a year of meetings in every forum and a dozen plans at every stage,
    the plans made by ``author_id`` (the demo planner, whose "Mina planer" lists them).

    What does not depend on each other runs side by side (the registry's rows, the events service's
    meetings): each service still takes one call at a time, but none waits for the other.
    """
    data = demo_data.region(today or date.today())
    created = {"forums": sum(_create(rpc, "events", "create_forum", forum) is not None for forum in data.forums)}
    if not created["forums"]:
        return {}
    with ThreadPoolExecutor(max_workers=3) as side_by_side:
        scheduled = side_by_side.submit(_schedule, rpc, data.meetings, data.cancelled)
        ids = _import_organisations(rpc, demo_data.organisations_csv(data.organisations))
        registry_work = [
            side_by_side.submit(_sign, rpc, data.signatures, ids),
            side_by_side.submit(_seat_and_contact, rpc, data.memberships, data.contacts, ids),
        ]
        meeting_ids = scheduled.result()
        later = [
            side_by_side.submit(_register, rpc, data.registrations, meeting_ids, ids),
            side_by_side.submit(_make_plans, rpc, data.plans, ids, author_id),
        ]
        for work in registry_work + later:
            work.result()
    created.update(
        organisations=len(data.organisations),
        signatories=len(data.signatures),
        memberships=len(data.memberships),
        contacts=len(data.contacts),
        meetings=len(meeting_ids),
        cancelled=len(data.cancelled),
        registrations=len(data.registrations),
        plans=len(data.plans),
    )
    return created


def _call(rpc: RpcPool, service: str, method: str, *args: Any) -> Any:
    # Thousands of calls on a busy machine: a generous deadline, so a slow moment does not stop the load.
    return rpc.call(service, method, *args, timeout=DEMO_RPC_TIMEOUT)


def _schedule(rpc: RpcPool, meetings: list[dict[str, Any]], cancelled: list[int]) -> list[str]:
    ids = [_call(rpc, "events", "schedule_meeting", meeting)["id"] for meeting in meetings]
    for index in cancelled:
        _call(rpc, "events", "cancel_meeting", ids[index], {})
    return ids


def _sign(rpc: RpcPool, signatures: list[demo_data.Signature], ids: dict[str, str]) -> None:
    for signature in signatures:
        organisation_id = ids[signature.organisation]
        _call(rpc, "registry", "sign", organisation_id, {"signed_on": signature.signed_on.isoformat()}, OPERATOR)
        if signature.withdrawn_on:
            payload = {"withdrawn_on": signature.withdrawn_on.isoformat()}
            _call(rpc, "registry", "withdraw", organisation_id, payload, OPERATOR)


def _seat_and_contact(
    rpc: RpcPool, seats: list[demo_data.Membership], people: list[demo_data.Contact], ids: dict[str, str]
) -> None:
    for seat in seats:
        seat_payload = {"forum_slug": seat.forum_slug, "role": seat.role, "starts_on": seat.starts_on.isoformat()}
        _call(rpc, "registry", "add_membership", ids[seat.organisation], seat_payload, OPERATOR)
    for person in people:
        payload: dict[str, Any] = {
            "name": person.name,
            "email": person.email,
            "phone": person.phone,
            "role": person.role,
            "legal_basis": person.legal_basis,
            "consent_given_on": person.consent_given_on.isoformat() if person.consent_given_on else None,
        }
        _call(rpc, "registry", "add_contact_person", ids[person.organisation], payload, OPERATOR)


def _register(
    rpc: RpcPool, registrations: list[demo_data.Registration], meeting_ids: list[str], ids: dict[str, str]
) -> None:
    for registration in registrations:
        payload = {
            "attendee_name": registration.attendee_name,
            "attendee_email": registration.attendee_email,
            "organisation_id": ids[registration.organisation],
        }
        _call(rpc, "events", "register", meeting_ids[registration.meeting], payload, PLANNER)


def _make_plans(rpc: RpcPool, plans: list[dict[str, Any]], ids: dict[str, str], author_id: str | None) -> None:
    for plan in plans:
        _load_region_plan(rpc, plan, ids, author_id)


def _load_region_plan(rpc: RpcPool, plan: dict[str, Any], ids: dict[str, str], author_id: str | None) -> None:
    """One plan through the advisor as a planner makes it: assess, save, book its meetings, record what came of it."""
    assessment = _call(rpc, "levels_advisor", "assess", {"answers": plan["answers"]})
    saved = _call(
        rpc,
        "levels_advisor",
        "create_plan",
        {
            **plan["plan"],
            "assessment_id": assessment["id"],
            "created_by": DEMO_PEOPLE["planner"][1] if author_id else PLANNER["name"],
            "author_id": author_id,
            "principles_checked": plan["principles_checked"],
            "invited_organisation_ids": [ids[name] for name in plan["invite"]],
        },
    )
    for meeting in plan["meetings"]:
        _call(rpc, "levels_advisor", "schedule_plan_meeting", saved["id"], meeting)
    if plan["outcome"]:
        _call(rpc, "levels_advisor", "record_outcome", saved["id"], plan["outcome"])


def _import_organisations(rpc: RpcPool, content: bytes) -> dict[str, str]:
    """Import the register file as an operator would (the registry's bulk job); the ids of what it holds, by name."""
    parts = [content[start : start + IMPORT_CHUNK] for start in range(0, len(content), IMPORT_CHUNK)]
    job = _call(rpc, "registry", "create_import_job", {"filename": "demo-region.csv", "chunks": len(parts)}, OPERATOR)
    for position, part in enumerate(parts):
        job = _call(rpc, "registry", "add_import_chunk", job["id"], position, base64.b64encode(part).decode(), OPERATOR)
    deadline = monotonic() + IMPORT_WAIT_SECONDS
    while job["status"] not in ("finished", "failed"):
        if monotonic() > deadline:
            raise RuntimeError(f"The demo import did not finish within {IMPORT_WAIT_SECONDS} s: {job}")
        sleep(0.2)  # the registry's worker reports progress only when asked
        job = _call(rpc, "registry", "get_job", job["id"], OPERATOR)
    if job["status"] == "failed" or job["failed"]:
        raise RuntimeError(f"The demo import failed: {job.get('message')} {job.get('errors', [])[:5]}")
    ids: dict[str, str] = {}
    after = None
    while True:
        page = _call(rpc, "registry", "export_csv", after)
        for row in list(csv.reader(io.StringIO(page["csv"]), delimiter=";")):
            if row and row[0] != "id":
                ids[row[1].removeprefix("'")] = row[0]
        after = page["next"]
        if after is None:
            return ids


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
