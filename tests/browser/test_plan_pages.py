"""Mina planer and the plan page in Chromium over the running system: the demo planner saves a plan, finds it
under Mina planer, chooses another level with a reason, ticks off two principles and sees both kept; axe-core
checks both pages at desktop width and at 375 px."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import SCREENSHOTS, VIEWPORTS, serious_accessibility_violations
from tests.support.http import Client

pytestmark = pytest.mark.e2e

ISSUE = "Regional handlingsplan för ett tillgängligt kulturliv"
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def demo(stack) -> dict[str, dict[str, str]]:
    stack.cli("demo", "--tokens-file", str(stack.log_dir / "demo-tokens.json"))
    people: dict[str, dict[str, str]] = json.loads((stack.log_dir / "demo-users.json").read_text())
    tokens = json.loads((stack.log_dir / "demo-tokens.json").read_text())
    return {**people, "tokens": tokens}


@pytest.fixture(scope="module")
def assessment(stack, demo) -> str:
    """A suggestion made through the API, answering each required question with its first option."""
    planner = Client(stack.url, demo["tokens"]["planner"])
    questionnaire = planner.get("/api/v1/advisor/questionnaire").json()
    answers = {q["id"]: q["options"][0]["id"] for q in questionnaire["questions"] if q["required"]}
    made = planner.post("/api/v1/advisor/assessments", json={"answers": answers})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def log_in(page, stack, person: dict[str, str]) -> None:
    page.goto(stack.url + "/logga-in")
    page.get_by_label("E-postadress").fill(person["email"])
    page.get_by_label("Lösenord").fill(person["password"])
    page.get_by_role("button", name="Logga in").click()
    assert "Inloggad som" in page.get_by_role("banner").inner_text()


def checked(page, name: str) -> list[str]:
    """The values of the principles ticked off on the page."""
    boxes = page.get_by_role("group", name=name).get_by_role("checkbox")
    return [boxes.nth(i).get_attribute("value") for i in range(boxes.count()) if boxes.nth(i).is_checked()]


def check_both_widths(page, name: str) -> None:
    """No serious or critical axe finding at desktop width and at 375 px; a picture of each for a person."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for viewport, size in (("desktop", VIEWPORTS["desktop"]), ("375", PHONE)):
        page.set_viewport_size(size)
        assert serious_accessibility_violations(page) == [], viewport
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {viewport}"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport}.png"), full_page=True)
    page.set_viewport_size(VIEWPORTS["desktop"])


def test_the_planner_finds_the_plan_under_my_plans_changes_the_level_and_ticks_off_principles(
    page, stack, demo, assessment
):
    log_in(page, stack, demo["planner"])

    # Spara som dialogplan: the committee comes from the region's list.
    page.goto(f"{stack.url}/planera/forslag/{assessment}/spara")
    page.get_by_label("Nämnd").select_option(label="Kulturnämnden (KUN)")
    page.get_by_label("Fråga").fill(ISSUE)
    page.get_by_role("button", name="Spara planen").click()
    assert "Planen är sparad." in page.get_by_role("status").inner_text()
    plan_id = page.url.split("/planer/", 1)[1].split("?", 1)[0]

    # A booked meeting and two invited organisations, through the API, so the page has them to show.
    planner = Client(stack.url, demo["tokens"]["planner"])
    starts = datetime.combine(date.today() + timedelta(days=21), datetime.min.time(), ZoneInfo("Europe/Stockholm"))
    booked = planner.post(
        f"/api/v1/advisor/plans/{plan_id}/meetings",
        json={
            "forum_slug": "ser",
            "title": "Samråd om ett tillgängligt kulturliv",
            "starts_at": starts.replace(hour=13).isoformat(),
            "ends_at": starts.replace(hour=15).isoformat(),
            "location": "Regionens hus, Vänersborg",
        },
    )
    assert booked.status_code == 201, booked.text
    found = planner.get("/api/v1/organisations", params={"per_page": 2}).json()["items"]
    invited = planner.patch(
        f"/api/v1/advisor/plans/{plan_id}", json={"invited_organisation_ids": [org["id"] for org in found]}
    )
    assert invited.status_code == 200, invited.text

    # Mina planer, from the menu: the newest plan first, with its committee, next meeting and state.
    page.get_by_role("banner").get_by_role("link", name="Mina planer").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mina planer"
    first = page.get_by_role("list", name="Mina planer").get_by_role("listitem").first
    assert ISSUE in first.inner_text()
    assert "Kulturnämnden" in first.inner_text()
    assert "Samråd om ett tillgängligt kulturliv" in first.inner_text()
    assert "Möten bokade" in first.inner_text()
    check_both_widths(page, "my-plans")

    # The plan page: another level, with the reason.
    first.get_by_role("link", name=ISSUE).click()
    assert page.url == f"{stack.url}/planer/{plan_id}"
    recommended = page.locator("#level option[selected]").get_attribute("value")
    other = "information" if recommended != "information" else "consultation"
    page.get_by_label("Vald nivå", exact=True).select_option(other)
    page.get_by_role("button", name="Spara nivån").click()
    # Without a reason the page says what to write, and the link takes the person to the field.
    page.get_by_role("alert").get_by_role("link", name="Skriv varför du valde en annan nivå än den föreslagna.").click()
    assert page.evaluate("document.activeElement.id") == "level_reason"
    page.get_by_label("Varför, om du väljer en annan nivå än den föreslagna").fill("Nämnden beslutar redan i mars.")
    page.get_by_role("button", name="Spara nivån").click()
    assert "Nivån är sparad." in page.get_by_role("status").inner_text()
    assert "Varför en annan nivå valdes: Nämnden beslutar redan i mars." in page.locator("main").inner_text()

    # Two principles ticked off, kept on the plan.
    page.get_by_label("Dialog", exact=True).check()
    page.get_by_label("Öppenhet och insyn").check()
    page.get_by_role("button", name="Spara checklistan").click()
    assert "Checklistan är sparad." in page.get_by_role("status").inner_text()
    page.reload()
    assert checked(page, "Principerna som planen lever upp till") == ["dialogue", "openness"]
    assert "2 av 6 principer avbockade." in page.locator("main").inner_text()

    main = page.locator("main").inner_text()
    assert "Samråd om ett tillgängligt kulturliv" in main
    assert all(org["name"] in main for org in found)
    check_both_widths(page, "plan-page")

    saved = planner.get(f"/api/v1/advisor/plans/{plan_id}").json()
    assert (saved["level"], saved["level_reason"]) == (other, "Nämnden beslutar redan i mars.")
    assert saved["principles_checked"] == ["dialogue", "openness"]
    assert (saved["committee_id"], saved["state"]) == ("kun", "meetings_booked")

    # Printed, the forms' buttons stay off the paper and the choices stay on it.
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Spara nivån").is_visible()
    assert page.get_by_label("Öppenhet och insyn").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "plan-page-print.png"), full_page=True)
    page.emulate_media(media="screen")


def test_an_organisation_representative_may_not_open_a_plan(page, stack, demo, assessment):
    planner = Client(stack.url, demo["tokens"]["planner"])
    plan = planner.post(
        "/api/v1/advisor/plans", json={"assessment_id": assessment, "committee": "bmr", "issue": "Inte för alla"}
    ).json()
    log_in(page, stack, demo["organisation"])

    answer = page.goto(f"{stack.url}/planer/{plan['id']}")

    assert answer.status == 403
    assert "Mina planer" not in page.get_by_role("banner").inner_text()
    assert serious_accessibility_violations(page) == []
