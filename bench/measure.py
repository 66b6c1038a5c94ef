"""Timing helpers: fixed-count latency runs and bounded wrk throughput runs."""

from __future__ import annotations

import http.client
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Latency:
    p50: float
    p95: float
    p99: float
    count: int

    @classmethod
    def of(cls, seconds: list[float]) -> Latency:
        ordered = sorted(seconds)
        quantiles = statistics.quantiles(ordered, n=100, method="inclusive")
        return cls(p50=statistics.median(ordered), p95=quantiles[94], p99=quantiles[98], count=len(ordered))


def timed(action: Callable[[], object], count: int, warmup: int) -> Latency:
    for _ in range(warmup):
        action()
    seconds = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return Latency.of(seconds)


class Http:
    """One keep-alive connection, as a calendar app or an integrator holds one."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def get(self, path: str, headers: dict[str, str] | None = None, expect: int = 200) -> bytes:
        self.connection.request("GET", path, headers=headers or {})
        response = self.connection.getresponse()
        body = response.read()
        if response.status != expect:
            raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
        return body


def wrk(url: str, connections: int, seconds: int, headers: dict[str, str] | None = None) -> float:
    """Requests per second that wrk sustains against ``url`` (bounded in time; loopback only)."""
    binary = shutil.which("wrk")
    if binary is None:
        raise RuntimeError("wrk is not installed (scripts/bench.sh installs it)")
    assert urlsplit(url).hostname in {"127.0.0.1", "localhost"}, "load goes to this machine only"
    command = [binary, "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s", url]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command, check=True, capture_output=True, text=True, timeout=seconds + 30).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} failed responses against {url}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]


def process_memory(pid: int) -> str:
    """RSS and PSS of ``pid`` and of each of its children, in MB (PSS shares pages between processes)."""
    parts = []
    for each in [pid, *_children(pid)]:
        parts.append(f"{each}: RSS {rss_kib(each) / 1024:.0f} MB, PSS {_pss_kib(each) / 1024:.0f} MB")
    return "; ".join(parts)


def rss_kib(pid: int) -> int:
    return _status_kib(pid, "VmRSS:")


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (FileNotFoundError, PermissionError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = task / "children"
        if children.exists():
            found += [int(child) for child in children.read_text().split()]
    return found
