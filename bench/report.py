"""Writes docs/benchmarks.md: the machine, the date, the commit, and one row per scenario."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Row:
    scenario: str
    figure: str
    baseline: str
    ratio: float | None
    target: str
    met: bool | None
    note: str = ""


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_kib / 1024 / 1024:.0f} GiB memory, Python {platform.python_version()}"
    )


def commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", ".", ":!docs/benchmarks.md"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    return head.strip() + (" with uncommitted changes" if dirty.strip() else "")


def write(rows: list[Row], scale: dict[str, int], seconds: float) -> Path:
    path = ROOT / "docs" / "benchmarks.md"
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench`; every run replaces this file. Each figure stands beside a baseline",
        "measured in the same run on the same machine, and the ratio between them is what to compare",
        "across runs (absolute times drift on a shared 2-core machine). Benchmarks report; tests assert.",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- Commit: {commit()}",
        f"- Data: {', '.join(f'{count:,} {what}' for what, count in scale.items())}",
        f"- Whole run: {seconds / 60:.1f} minutes",
        "",
        "| scenario | figure | baseline (same run) | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}×" if row.ratio >= 0.1 else f"{row.ratio:.3f}×"
        met = {True: "yes", False: "**no**", None: "—"}[row.met]
        lines.append(f"| {row.scenario} | {row.figure} | {row.baseline} | {ratio} | {row.target} | {met} |")
    notes = [row for row in rows if row.note]
    if notes:
        lines += ["", "## Notes", ""]
        lines += [f"- **{row.scenario}**: {row.note}" for row in notes]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
