"""`make bench`: start the real stack, load data at realistic scale, measure each scenario.

Every figure is measured beside its baseline in the same run. Load goes to
127.0.0.1 only and is bounded in count or time. Nothing here asserts a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import requests

from samverkan_gateway.rpc import RpcPool
from tests.support.stack import BIN, ROOT, Stack, free_port

from . import data, pika_echo, report
from .measure import Http, Latency, timed, wrk
from .report import Row

SCALE = {
    "organisations": int(os.environ.get("BENCH_ORGANISATIONS", "43000")),
    "meetings": int(os.environ.get("BENCH_MEETINGS", "2000")),
}
COUNT = int(os.environ.get("BENCH_COUNT", "1000"))  # repetitions per latency scenario
WARMUP = max(COUNT // 10, 20)
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))  # duration of each throughput run
FEED_FORUM = "bench-feed"


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


class Baseline:
    """Plain Flask under the same gunicorn settings as the gateway, serving the same bytes."""

    def __init__(self, folder: Path, log: Path):
        self.folder = folder
        (folder / "organisation.json").write_text("{}")
        (folder / "feed.ics").write_text("")
        self.port = free_port()
        env = {**os.environ, "BENCH_BASELINE_DIR": str(folder)}
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--worker-class",
                    "gthread",
                    "--workers",
                    "1",
                    "--threads",
                    "8",
                    "bench.baseline_app:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/json", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the baseline Flask app did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def load_organisations(rpc: RpcPool, count: int) -> list[str]:
    say(f"registering {count:,} organisations over RPC")
    with ThreadPoolExecutor(max_workers=8) as pool:
        created = list(
            pool.map(
                lambda o: rpc.call("registry", "register_organisation", o, timeout=30),
                data.organisations(count),
                chunksize=50,
            )
        )
    return [organisation["id"] for organisation in created]


def load_meetings(rpc: RpcPool, count: int) -> None:
    say(f"scheduling {count:,} meetings in one forum")
    rpc.call("events", "create_forum", {"slug": FEED_FORUM, "name": "Benchmarkforum", "owner_committee": "BMR"})
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(
            pool.map(
                lambda m: rpc.call("events", "schedule_meeting", m, timeout=30),
                data.meetings(FEED_FORUM, count, date.today() + timedelta(days=7)),
                chunksize=50,
            )
        )


def read_organisation(stack: Stack, baseline: Baseline, organisation_id: str, pika_uri: str) -> list[Row]:
    path = f"/api/v1/organisations/{organisation_id}"
    gateway = Http(stack.url)
    through_gateway = timed(lambda: gateway.get(path), COUNT, WARMUP)
    body = gateway.get(path)
    (baseline.folder / "organisation.json").write_bytes(body)
    plain = Http(baseline.url)
    plain_flask = timed(lambda: plain.get("/json"), COUNT, WARMUP)
    pika_echo.round_trips(pika_uri, body, WARMUP)
    raw_pika = Latency.of(pika_echo.round_trips(pika_uri, body, COUNT))
    floor = raw_pika.p50 + plain_flask.p50
    ratio = through_gateway.p50 / floor
    rows = [
        Row(
            "read one organisation through the gateway (p50, c=1)",
            _ms(through_gateway),
            f"raw pika round trip {raw_pika.p50 * 1000:.2f} ms + plain Flask {plain_flask.p50 * 1000:.2f} ms",
            ratio,
            "≤ 1.5×",
            ratio <= 1.5,
        )
    ]
    say("throughput at 8 connections")
    gateway_rps = wrk(stack.url + path, 8, SECONDS)
    plain_rps = wrk(baseline.url + "/json", 8, SECONDS)
    ratio = gateway_rps / plain_rps
    rows.append(
        Row(
            "the same read, throughput at 8 connections",
            f"{gateway_rps:,.0f} req/s",
            f"plain Flask {plain_rps:,.0f} req/s",
            ratio,
            "≥ 0.3×",
            ratio >= 0.3,
        )
    )
    return rows


def _ms(latency: Latency) -> str:
    return f"{latency.p50 * 1000:.2f} ms (p95 {latency.p95 * 1000:.2f}, p99 {latency.p99 * 1000:.2f})"


def feed(stack: Stack, baseline: Baseline) -> list[Row]:
    path = f"/feeds/forums/{FEED_FORUM}.ics"
    first = requests.get(stack.url + path, timeout=60)
    first.raise_for_status()
    (baseline.folder / "feed.ics").write_bytes(first.content)
    say(f"feed of {len(first.content) / 1024:.0f} KiB: served, then 304")
    gateway_rps = wrk(stack.url + path, 8, SECONDS)
    plain_rps = wrk(baseline.url + "/static.ics", 8, SECONDS)
    served = gateway_rps / plain_rps
    etag = first.headers["ETag"]
    plain_etag = requests.get(baseline.url + "/static.ics", timeout=10).headers["ETag"]
    gateway_304 = wrk(stack.url + path, 8, SECONDS, {"If-None-Match": etag})
    plain_304 = wrk(baseline.url + "/static.ics", 8, SECONDS, {"If-None-Match": plain_etag})
    not_modified = gateway_304 / plain_304
    return [
        Row(
            f"a {SCALE['meetings']:,}-meeting feed ({len(first.content) / 1024:.0f} KiB) served",
            f"{gateway_rps:,.0f} req/s",
            f"plain Flask, static file of the same bytes: {plain_rps:,.0f} req/s",
            served,
            "≥ 0.8×",
            served >= 0.8,
        ),
        Row(
            "conditional GET → 304 on that feed",
            f"{gateway_304:,.0f} req/s",
            f"plain Flask answering 304: {plain_304:,.0f} req/s",
            not_modified,
            "≥ 0.8×",
            not_modified >= 0.8,
        ),
    ]


def idle_memory(stack: Stack) -> Row:
    time.sleep(5)  # let the stack settle into idle before reading its memory
    pids = []
    for process in stack.processes.values():
        pids.append(process.pid)
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
    broker = subprocess.run(["pgrep", "-f", "beam.smp"], capture_output=True, text=True).stdout.split()
    total_kib = sum(_rss_kib(pid) for pid in pids + [int(pid) for pid in broker])
    megabytes = total_kib / 1024
    return Row(
        "the whole stack idle (RSS of services, gateway and broker)",
        f"{megabytes:,.0f} MB",
        "—",
        None,
        "under 500 MB",
        megabytes < 500,
        f"{len(pids)} processes of ours plus the broker; PostgreSQL is not counted.",
    )


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


NOT_YET = [
    ("rebuilding that feed after one meeting changed", "building it in full with icalendar", "≤ 0.05×"),
    (
        "search across 43,000 organisations through the gateway (p95)",
        "the same query straight on the database",
        "≤ 3×, and under 50 ms",
    ),
    (
        "importing 43,000 organisations from CSV",
        "a bulk insert of the same rows straight into the database",
        "≤ 3×, and under 60 s",
    ),
    (
        "one meeting change fanned out to 10,000 e-mail subscribers",
        "a plain loop sending the same messages to the same local SMTP server",
        "≤ 2×, and under 60 s, memory flat",
    ),
]


def main() -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="samverkan-bench-") as folder:
        logs = Path(folder)
        say(f"starting the stack (logs in {logs})")
        stack = Stack.start(logs)
        baseline_dir = logs / "baseline"
        baseline_dir.mkdir()
        baseline = Baseline(baseline_dir, logs / "baseline.log")
        pika_uri = stack.vhost.amqp_uri
        echo = subprocess.Popen([sys.executable, "-m", "bench.pika_echo", "serve", pika_uri], cwd=ROOT)
        rpc = RpcPool(pika_uri, timeout=30)
        try:
            organisation_ids = load_organisations(rpc, SCALE["organisations"])
            load_meetings(rpc, SCALE["meetings"])
            rows = read_organisation(stack, baseline, organisation_ids[len(organisation_ids) // 2], pika_uri)
            rows += feed(stack, baseline)
            rows += [
                Row(
                    name,
                    "not measured yet",
                    base,
                    None,
                    target,
                    None,
                    "the feature it measures is not built yet; see its issue.",
                )
                for name, base, target in NOT_YET
            ]
            rows.append(idle_memory(stack))
        finally:
            rpc.close()
            echo.terminate()
            baseline.stop()
            stack.stop()
    path = report.write(rows, SCALE, time.monotonic() - started)
    say(f"wrote {path.relative_to(ROOT)}")
    print(path.read_text())


if __name__ == "__main__":
    main()
