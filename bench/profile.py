"""Profile one benchmark scenario with py-spy: `python -m bench.profile import|rebuild|search|idle [out-dir]`.

Starts the same stack as `make bench`, runs the scenario while py-spy samples
the processes that do its work, and prints each process's top frames (own
time and time including callees) from py-spy's collapsed stacks. The raw
stacks stay in the output folder for flame graphs.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from samverkan_gateway.rpc import RpcPool
from tests.support.stack import BIN

from . import run
from .measure import process_memory

PROFILED = {
    "import": ("registry", "gateway"),
    "rebuild": ("events", "gateway"),
    "search": ("registry", "gateway"),
}


class Sampler:
    """py-spy recording one process (and its children) until stopped."""

    def __init__(self, name: str, pid: int, out: Path):
        self.name = name
        self.raw = out / f"{name}.txt"
        self.process = subprocess.Popen(
            [
                str(BIN / "py-spy"),
                "record",
                "--pid",
                str(pid),
                "--subprocesses",
                "--rate",
                "200",
                "--format",
                "raw",
                "--output",
                str(self.raw),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)


def top_frames(raw: Path, limit: int = 25) -> str:
    """Own and total share of the samples per frame (function file:line), largest first."""
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue  # a stack py-spy could not read cleanly
        count = int(count_text)
        frames = [_short(frame) for frame in stack.split(";")]
        samples += count
        own[frames[-1]] += count
        for frame in set(frames):
            total[frame] += count
    lines = [f"{samples} samples"]
    lines.append("own time:")
    lines += [f"  {100 * n / samples:5.1f}%  {frame}" for frame, n in own.most_common(limit)]
    lines.append("including callees:")
    lines += [f"  {100 * n / samples:5.1f}%  {frame}" for frame, n in total.most_common(limit)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    # py-spy writes "function (path/to/file.py:line)"; keep the package-relative path.
    for marker in ("site-packages/", "/src/", "lib/python3.11/"):
        if marker in frame:
            head, _, tail = frame.partition(" (")
            return f"{head} ({tail.split(marker, 1)[1]}"
    return frame


def profile(scenario: str, out: Path) -> None:
    logs = out / "logs"
    logs.mkdir(exist_ok=True)
    stack = run.BenchStack.start(logs)
    rpc = RpcPool(stack.vhost.amqp_uri, timeout=30)
    try:
        if scenario == "idle":
            time.sleep(5)
            for name, process in stack.processes.items():
                print(f"{name}: {process_memory(process.pid)}")
            return
        operator = stack.cli("tokens", "create", "--role", "operator", "--name", "bench").strip()
        action: Callable[[], object]
        if scenario == "import":
            action = lambda: run.import_organisations(stack, operator, run.SCALE["organisations"])  # noqa: E731
        elif scenario == "search":
            run.import_organisations(stack, operator, run.SCALE["organisations"])  # the data: not sampled
            action = lambda: run.search(stack)  # noqa: E731
        else:
            run.load_meetings(rpc, run.SCALE["meetings"], threads=2)
            rpc.call("events", "feed", "forum", run.FEED_FORUM, timeout=120)  # the full build: not sampled
            action = lambda: _rebuilds(rpc)  # noqa: E731
        samplers = [Sampler(name, stack.processes[name].pid, out) for name in PROFILED[scenario]]
        started = time.perf_counter()
        result = action()
        print(f"{scenario}: {time.perf_counter() - started:.1f} s; {result}")
        for sampler in samplers:
            sampler.stop()
            print(f"\n== {sampler.name} ==\n{top_frames(sampler.raw)}")
    finally:
        rpc.close()
        stack.stop()


def _rebuilds(rpc: RpcPool, count: int = 100) -> str:
    meeting_id = rpc.call(
        "events", "meetings_between", date.today().isoformat(), (date.today() + timedelta(days=30)).isoformat()
    )[0]["meeting_id"]
    seconds = []
    for number in range(count):
        meeting = rpc.call("events", "get_meeting", meeting_id)
        rpc.call("events", "update_meeting", meeting_id, {"version": meeting["version"], "title": f"Ändrad {number}"})
        started = time.perf_counter()
        rpc.call("events", "feed", "forum", run.FEED_FORUM, timeout=120)
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return f"rebuild p50 {seconds[len(seconds) // 2] * 1000:.1f} ms over {count}"


def main() -> None:
    scenario = sys.argv[1]
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="samverkan-profiles-"))
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    profile(scenario, out)
    print(f"\nraw stacks in {out}")


if __name__ == "__main__":
    main()
