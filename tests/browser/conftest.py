"""Pages in a real browser: Debian's Chromium driven by Playwright, checked by axe-core."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", HERE.parents[1] / "var" / "screenshots"))
# This machine has no network beyond loopback; these keep Chromium from reaching for it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    # CSP is bypassed only so that the test can inject axe-core; the pages themselves run under it.
    context = browser.new_context(viewport=VIEWPORTS["desktop"], bypass_csp=True, locale="sv-SE")
    opened = context.new_page()
    yield opened
    context.close()


def serious_accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical findings against WCAG 2.1 A and AA on the current page."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def screenshots(page, name: str) -> None:
    """Desktop and phone pictures of the current page, kept as artefacts for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport}.png"), full_page=True)
    page.set_viewport_size(VIEWPORTS["desktop"])


# Helpers the plan tests share: logging in through the page, axe and pictures at two widths, mail and the demo.
PHONE = {"width": 375, "height": 812}


def log_in(page, stack, person: dict[str, str]) -> None:
    """Log in through /logga-in as a person the demo made (e-mail address and password)."""
    page.goto(stack.url + "/logga-in")
    fill_in_login(page, person)


def fill_in_login(page, person: dict[str, str]) -> None:
    """On the login page: the person's e-mail address and password, then Logga in."""
    page.get_by_label("E-postadress").fill(person["email"])
    page.get_by_label("Lösenord").fill(person["password"])
    page.get_by_role("button", name="Logga in").click()
    assert "Inloggad som" in page.get_by_role("banner").inner_text()


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


def mail_to(smtp_server, address: str) -> list:
    """The messages the test SMTP server has received for one address."""
    return [message for message in smtp_server.messages() if message["To"] == address]


def load_demo(stack) -> dict[str, dict[str, str]]:
    """The demo's people (planner, operator, organisation: e-mail and password) and their API tokens."""
    stack.cli("demo", "--tokens-file", str(stack.log_dir / "demo-tokens.json"))
    people: dict[str, dict[str, str]] = json.loads((stack.log_dir / "demo-users.json").read_text())
    tokens = json.loads((stack.log_dir / "demo-tokens.json").read_text())
    return {**people, "tokens": tokens}
