import pytest

from samverkan_gateway.security import HEADERS


@pytest.mark.parametrize("path", ["/", "/api/docs", "/healthz", "/api/v1/openapi.json", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)

    for name, value in HEADERS.items():
        assert response.headers[name] == value
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_pages_use_no_inline_style_or_script(client):
    for path in ("/", "/api/docs"):
        page = client.get(path).get_data(as_text=True)
        assert "<style" not in page
        assert "<script>" not in page
        assert " style=" not in page


def test_stylesheet_is_served(client):
    with client.get("/static/site.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
