from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo

GATEWAY = Path(__file__).parents[1]
CATALOGUE = GATEWAY / "src/samverkan_gateway/translations/sv/LC_MESSAGES/messages.mo"


def test_pages_are_swedish_by_default(client):
    page = client.get("/").get_data(as_text=True)

    assert '<html lang="sv">' in page
    assert "Dialog mellan regionen och det civila samhället" in page
    assert "Till innehållet" in page


def test_english_is_one_click_away_and_remembered(client):
    first = client.get("/?lang=en")
    assert '<html lang="en">' in first.get_data(as_text=True)
    assert "lang=en" in first.headers["Set-Cookie"]

    again = client.get("/").get_data(as_text=True)
    assert "Dialogue between the region and civil society" in again


def test_unknown_language_falls_back_to_swedish(client):
    assert '<html lang="sv">' in client.get("/?lang=xx").get_data(as_text=True)


def test_every_text_on_the_pages_has_a_swedish_translation():
    with CATALOGUE.open("rb") as compiled:
        swedish = read_mo(compiled)
    texts = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(GATEWAY),
            method_map=[
                ("src/samverkan_gateway/**.py", "python"),
                ("src/samverkan_gateway/templates/**.html", "jinja2"),
            ],
        )
    }
    missing = sorted(text for text in texts if not (swedish.get(text) and swedish.get(text).string))
    assert missing == [], "run `make translations` and translate these"
