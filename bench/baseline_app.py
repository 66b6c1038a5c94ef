"""Plain Flask, no services behind it: the baseline the gateway's figures stand beside.

It serves exactly the bytes the gateway served (written to files by the harness
before this app starts), so the only difference measured is our layers.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, request

FILES = Path(os.environ["BENCH_BASELINE_DIR"])
app = Flask(__name__)


@app.get("/json")
def same_json() -> Response:
    return Response((FILES / "organisation.json").read_bytes(), mimetype="application/json")


@app.get("/static.ics")
def static_file() -> Response:
    response = Response((FILES / "feed.ics").read_bytes(), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.add_etag()
    return response.make_conditional(request)
