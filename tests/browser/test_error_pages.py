"""Error pages in Chromium: 404, 403, 400 (CSRF), 429 and 503 as Swedish pages that pass axe at 1280 and 375 px.

The gateway runs here on its own, with nothing where the broker should be: every page that needs a
service answers 503, which is the state to look at; the others need no service at all.
"""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from samverkan_common.migrations import upgrade
from samverkan_gateway import create_app
from samverkan_gateway.auth import Role
from samverkan_gateway.people import create_user
from tests.browser.conftest import SCREENSHOTS, serious_accessibility_violations
from tests.support.stack import free_port

pytestmark = pytest.mark.e2e

PASSWORD = "en lång och hemlig fras för test"
REPRESENTATIVE = "rep@example.org"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "375": {"width": 375, "height": 812}}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    """The gateway alone on a loopback port, its database in a temporary folder, no broker."""
    url = f"sqlite:///{tmp_path_factory.mktemp('gateway')}/gateway.db"
    upgrade("samverkan_gateway", url)
    app = create_app(
        {
            "GATEWAY_DATABASE_URL": url,
            "AMQP_URI": f"amqp://guest:guest@127.0.0.1:{free_port()}/",
            "RATE_LIMIT_LOGIN_ACCOUNT": "2/minute",
        }
    )
    create_user(app.extensions["samverkan_db"], REPRESENTATIVE, PASSWORD, Role.ORGANISATION, organisation_id="o1")
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def looked_at(page, name: str) -> None:
    """axe-core finds nothing serious at either width; a picture of each for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        assert serious_accessibility_violations(page) == [], width
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        page.screenshot(path=str(SCREENSHOTS / f"error-{name}-{width}.png"), full_page=True)
    page.set_viewport_size(WIDTHS["desktop"])


def log_in(page, gateway: str, password: str = PASSWORD):
    page.goto(gateway + "/logga-in")
    page.get_by_label("E-postadress").fill(REPRESENTATIVE)
    page.get_by_label("Lösenord").fill(password)
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Logga in").click()
    return answer.value


def test_an_unknown_address_is_a_swedish_page_with_the_menu_and_ways_on_and_english_after_the_switch(page, gateway):
    response = page.goto(gateway + "/organisationer/finns/inte/alls")

    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", level=1).inner_text() == "Sidan finns inte"
    assert page.get_by_role("navigation", name="Huvudmeny").is_visible()
    assert page.get_by_role("main").get_by_role("link", name="Sök efter en organisation").is_visible()
    looked_at(page, "404")

    page.get_by_role("link", name="In English").click()

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    looked_at(page, "404-en")


def test_a_service_away_says_try_again_shortly(page, gateway):
    response = page.goto(gateway + "/kalender")

    assert response.status == 503
    assert response.headers["retry-after"] == "5"
    main = page.get_by_role("main").inner_text()
    assert "Tjänsten är inte tillgänglig just nu." in main
    assert "Försök igen om en liten stund." in main
    looked_at(page, "503")

    with page.expect_response(gateway + "/kalender") as again:
        page.get_by_role("link", name="Ladda sidan igen").click()
    assert again.value.status == 503


def test_a_representative_on_another_organisations_edit_form_gets_the_403_page(page, gateway):
    assert log_in(page, gateway).status == 303

    response = page.goto(gateway + "/organisationer/o2/redigera")

    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Du får inte göra det här"
    assert "Inloggad som" in page.get_by_role("banner").inner_text()
    looked_at(page, "403")


def test_a_form_from_a_stale_page_is_refused_with_a_page_not_json(page, gateway):
    page.goto(gateway + "/logga-in")
    page.locator("input[name=csrf_token]").evaluate("field => field.value = 'forged'")
    page.get_by_label("E-postadress").fill(REPRESENTATIVE)
    page.get_by_label("Lösenord").fill(PASSWORD)
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Logga in").click()

    assert answer.value.status == 400
    assert page.get_by_role("heading", level=1).inner_text() == "Formuläret kunde inte skickas"
    looked_at(page, "400-csrf")


def test_too_many_failed_logins_say_how_long_to_wait(page, gateway):
    statuses = [log_in(page, gateway, password="inte det här lösenordet").status for _ in range(3)]

    assert statuses == [400, 400, 429]
    assert page.get_by_role("heading", level=1).inner_text() == "För många försök"
    assert "Vänta en minut och försök igen." in page.get_by_role("main").inner_text()
    looked_at(page, "429")
