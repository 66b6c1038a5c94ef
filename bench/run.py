"""`make bench`: start the real stack, load data at realistic scale, measure each scenario.

Every figure is measured beside its baseline in the same run. Load goes to
127.0.0.1 only and is bounded in count or time. Nothing here asserts a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
from sqlalchemy import Column, MetaData, Table, Text, create_engine, insert, text

from samverkan_gateway.rpc import RpcPool
from samverkan_notifier.adapters.tables import subscriptions
from samverkan_registry import sample
from tests.support.stack import ROOT, Stack, free_port, gunicorn_command

from . import data, pika_echo, report
from .measure import Http, Latency, timed, wrk
from .report import Row
from .smtp import CountingSmtp, plain_loop

SCALE = {
    "organisations": int(os.environ.get("BENCH_ORGANISATIONS", "43000")),
    "meetings": int(os.environ.get("BENCH_MEETINGS", "2000")),
    "subscribers": int(os.environ.get("BENCH_SUBSCRIBERS", "10000")),
}
COUNT = int(os.environ.get("BENCH_COUNT", "1000"))  # repetitions per latency scenario
WARMUP = max(COUNT // 10, 20)
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))  # duration of each throughput run
FEED_FORUM = "bench-feed"


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


class BenchStack(Stack):
    """The test stack, patient with a first /readyz that is slow while the services still start on a busy machine."""

    def wait_ready(self, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return super().wait_ready(max(deadline - time.monotonic(), 1))
            except requests.Timeout:
                if time.monotonic() > deadline:
                    raise


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
                gunicorn_command(f"127.0.0.1:{self.port}", "bench.baseline_app:app"),
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


def import_organisations(stack: Stack, operator: str, count: int) -> tuple[Row, str]:
    """Import the register through the gateway as an operator would; beside it, a plain bulk insert."""
    made, _ = sample.rows(count)
    body = sample.csv_bytes(made)
    say(f"importing {count:,} organisations from a {len(body) / 1e6:.1f} MB CSV through the gateway")
    headers = {"Authorization": f"Bearer {operator}", "Content-Type": "text/csv"}
    started = time.perf_counter()
    job = requests.post(f"{stack.url}/api/v1/organisations/import", data=body, headers=headers, timeout=300)
    job.raise_for_status()
    location = stack.url + job.headers["Location"]
    while (progress := requests.get(location, headers=headers, timeout=30).json())["status"] not in (
        "finished",
        "failed",
    ):
        time.sleep(0.5)
    imported = time.perf_counter() - started
    if progress["status"] != "finished" or progress["created"] + progress["unchanged"] != count:
        raise RuntimeError(f"the import did not finish cleanly: {progress}")
    say("the same rows as one bulk insert straight into the database")
    engine = create_engine(stack.databases.urls["registry"])
    bulk = Table(
        "bench_bulk_organisations",
        MetaData(),
        *(Column(name, Text) for name in ("name", "number", "code", "kind", "areas", "tags", "founded", "text")),
    )
    bulk.create(engine)
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(insert(bulk), [dict(zip(bulk.c.keys(), row, strict=True)) for row in made])
    inserted = time.perf_counter() - started
    bulk.drop(engine)
    engine.dispose()
    ratio = imported / inserted
    row = Row(
        f"importing {count:,} organisations from CSV (job through the gateway, until finished)",
        f"{imported:.1f} s",
        f"bulk insert of the same rows: {inserted:.1f} s",
        ratio,
        "≤ 3×, and under 60 s",
        ratio <= 3 and imported < 60,
        "The import validates each row (organisationsnummer, municipality, kind), keeps full-text search "
        "and the outbox in the same transaction, and emits one organisations_imported event per batch of "
        "500 rows, naming each organisation it registered or updated.",
    )
    return row, stack.databases.urls["registry"]


SEARCHES = ["göteborg", "kärra musik", "idrott", "åsa kör", "pensionär", "hönö", "skövde", "hembygd"]


def search(stack: Stack) -> Row:
    """Search through the gateway, beside the same query run straight on PostgreSQL."""
    gateway = Http(stack.url)
    queries = iter(range(10**9))

    def through_gateway() -> None:
        q = SEARCHES[next(queries) % len(SEARCHES)]
        gateway.get("/api/v1/organisations?" + urlencode({"q": q, "per_page": 20}))

    engine = create_engine(stack.databases.urls["registry"])
    connection = engine.connect()
    page = text(
        "SELECT id, name FROM organisations WHERE search_vector @@ to_tsquery('swedish', :q)"
        " ORDER BY ts_rank(search_vector, to_tsquery('swedish', :q)) DESC, name, id LIMIT 20"
    )
    count = text("SELECT count(*) FROM organisations WHERE search_vector @@ to_tsquery('swedish', :q)")

    def on_the_database() -> None:
        q = " & ".join(f"{word}:*" for word in SEARCHES[next(queries) % len(SEARCHES)].split())
        connection.execute(page, {"q": q}).all()
        connection.execute(count, {"q": q}).scalar()

    say("search: through the gateway, then straight on the database")
    gateway_latency = timed(through_gateway, COUNT, WARMUP)
    database_latency = timed(on_the_database, COUNT, WARMUP)
    connection.close()
    engine.dispose()
    ratio = gateway_latency.p95 / database_latency.p95
    return Row(
        f"search across the organisations through the gateway (p95; {len(SEARCHES)} queries in turn)",
        _ms(gateway_latency),
        f"the same query (page + count) on PostgreSQL: {_ms(database_latency)}",
        ratio,
        "≤ 3×, and p95 under 50 ms",
        ratio <= 3 and gateway_latency.p95 < 0.050,
    )


def load_meetings(rpc: RpcPool, count: int, threads: int = 8) -> None:
    say(f"scheduling {count:,} meetings in one forum")
    rpc.call("events", "create_forum", {"slug": FEED_FORUM, "name": "Benchmarkforum", "owner_committee": "BMR"})
    with ThreadPoolExecutor(max_workers=threads) as pool:
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
    return f"p50 {latency.p50 * 1000:.2f} ms, p95 {latency.p95 * 1000:.2f}, p99 {latency.p99 * 1000:.2f}"


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


def rebuild_after_one_change(stack: Stack, rpc: RpcPool) -> Row:
    """The feed after one meeting changed, beside the same feed built in full (a fresh service)."""
    say("feed rebuild: in full after a restart of the events service, then after one change")
    full = []
    for _ in range(3):
        stack.kill("events")
        stack.start_service("events")
        stack.wait_ready()
        started = time.perf_counter()
        rpc.call("events", "feed", "forum", FEED_FORUM, timeout=120)
        full.append(time.perf_counter() - started)
    meeting_id = rpc.call(
        "events", "meetings_between", date.today().isoformat(), (date.today() + timedelta(days=30)).isoformat()
    )[0]["meeting_id"]
    incremental = []
    for number in range(20):
        meeting = rpc.call("events", "get_meeting", meeting_id)
        rpc.call("events", "update_meeting", meeting_id, {"version": meeting["version"], "title": f"Ändrad {number}"})
        started = time.perf_counter()
        rpc.call("events", "feed", "forum", FEED_FORUM, timeout=120)
        incremental.append(time.perf_counter() - started)
    full_build = Latency.of(full)
    rebuild = Latency.of(incremental)
    ratio = rebuild.p50 / full_build.p50
    return Row(
        f"rebuilding the {SCALE['meetings']:,}-meeting feed after one meeting changed (p50, over RPC)",
        f"{rebuild.p50 * 1000:.1f} ms",
        f"building it in full with icalendar (fresh service): {full_build.p50 * 1000:.0f} ms",
        ratio,
        "≤ 0.05×",
        ratio <= 0.05,
        "Both figures include the RPC round trip and the transfer of the whole feed over RabbitMQ.",
    )


FANOUT_FORUM = "bench-fanout"


def fan_out(stack: Stack, rpc: RpcPool, smtp: CountingSmtp, subscribers: int) -> Row:
    """One meeting change to every subscriber of its forum, until the last mail is accepted."""
    say(f"fan-out: {subscribers:,} e-mail subscribers of one forum")
    rpc.call("events", "create_forum", {"slug": FANOUT_FORUM, "name": "Utskicksforum", "owner_committee": "BMR"})
    meeting = rpc.call("events", "schedule_meeting", next(data.meetings(FANOUT_FORUM, 1, date.today())))
    engine = create_engine(stack.databases.urls["notifier"])
    with engine.begin() as connection:
        for start in range(0, subscribers, 5000):
            connection.execute(
                insert(subscriptions),
                [
                    {
                        "id": str(uuid.uuid4()),
                        "scope": "forum",
                        "target": FANOUT_FORUM,
                        "address": f"person{number}@example.org",
                        "channel": "email",
                        "language": "sv" if number % 2 else "en",
                        "rhythm": "immediately",
                        "owner": "token:bench",
                        "secret": None,
                        "created_at": datetime.now(UTC),
                    }
                    for number in range(start, min(start + 5000, subscribers))
                ],
            )
    engine.dispose()
    smtp.wait_for(smtp.accepted)  # nothing pending from earlier scenarios
    already = smtp.accepted
    notifier = stack.processes["notifier"].pid
    rss_before = _rss_kib(notifier)
    peak = [rss_before]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(0.25):
            peak.append(_rss_kib(notifier))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    rpc.call("events", "update_meeting", meeting["id"], {"version": meeting["version"], "title": "Ändrad tid"})
    finished = smtp.wait_for(already + subscribers)
    sampling.set()
    sampler.join()
    ours = finished - started
    started = time.perf_counter()
    plain_loop(smtp.port, subscribers)
    smtp.wait_for(already + 2 * subscribers)
    plain = time.perf_counter() - started
    ratio = ours / plain
    grew = (max(peak) - rss_before) / 1024
    return Row(
        f"one meeting change fanned out to {subscribers:,} e-mail subscribers (to the last mail accepted)",
        f"{ours:.1f} s; notifier RSS {rss_before / 1024:.0f} → peak {max(peak) / 1024:.0f} MB",
        f"a plain smtplib loop sending as many messages to the same server: {plain:.1f} s",
        ratio,
        "≤ 2×, and under 60 s, memory flat",
        ratio <= 2 and ours < 60 and grew < 50,
        "Ours renders text, HTML and an .ics per language, records every delivery, and sends over 4 "
        "connections; the loop sends one prepared message over one connection. 'Flat' is read as the "
        "notifier growing by less than 50 MB.",
    )


def idle_memory(stack: Stack) -> Row:
    time.sleep(5)  # let the stack settle into idle before reading its memory
    each: dict[str, int] = {}
    for name, process in stack.processes.items():
        pids = [process.pid]
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        for number, pid in enumerate(pids):
            each[name if number == 0 else f"{name} worker {number}"] = _rss_kib(pid)
    broker = subprocess.run(["pgrep", "-f", "beam.smp"], capture_output=True, text=True).stdout.split()
    each["broker"] = sum(_rss_kib(int(pid)) for pid in broker)
    megabytes = sum(each.values()) / 1024
    say("idle RSS: " + ", ".join(f"{name} {kib / 1024:.0f} MB" for name, kib in each.items()))
    return Row(
        "the whole stack idle (RSS of services, gateway and broker)",
        f"{megabytes:,.0f} MB",
        "—",
        None,
        "under 500 MB",
        megabytes < 500,
        f"{len(each) - 1} processes of ours plus the broker; PostgreSQL is not counted. Each: "
        + ", ".join(f"{name} {kib / 1024:.0f}" for name, kib in each.items())
        + " MB.",
    )


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def main() -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="samverkan-bench-") as folder:
        logs = Path(folder)
        smtp = CountingSmtp()
        say(f"starting the stack (logs in {logs})")
        stack = BenchStack.start(logs, SMTP_PORT=str(smtp.port), NOTIFIER_DELIVERY_INTERVAL="0.2")
        baseline_dir = logs / "baseline"
        baseline_dir.mkdir()
        baseline = Baseline(baseline_dir, logs / "baseline.log")
        pika_uri = stack.vhost.amqp_uri
        echo = subprocess.Popen([sys.executable, "-m", "bench.pika_echo", "serve", pika_uri], cwd=ROOT)
        rpc = RpcPool(pika_uri, timeout=30)
        try:
            operator = stack.cli("tokens", "create", "--role", "operator", "--name", "bench").strip()
            imported, _ = import_organisations(stack, operator, SCALE["organisations"])
            load_meetings(rpc, SCALE["meetings"])
            some = requests.get(f"{stack.url}/api/v1/organisations", params={"per_page": 1, "page": 100}, timeout=30)
            rows = read_organisation(stack, baseline, some.json()["items"][0]["id"], pika_uri)
            rows += feed(stack, baseline)
            rows.append(rebuild_after_one_change(stack, rpc))
            rows.append(search(stack))
            rows.append(imported)
            rows.append(fan_out(stack, rpc, smtp, SCALE["subscribers"]))
            rows.append(idle_memory(stack))
        finally:
            rpc.close()
            echo.terminate()
            baseline.stop()
            stack.stop()
            smtp.stop()
    path = report.write(rows, SCALE, time.monotonic() - started)
    say(f"wrote {path.relative_to(ROOT)}")
    print(path.read_text())


if __name__ == "__main__":
    main()
