"""Pages in a real browser: Debian's Chromium driven by Playwright, checked by axe-core."""

from __future__ import annotations

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
