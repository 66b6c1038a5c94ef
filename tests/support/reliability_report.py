"""The reliability figures, recorded by the fault and fuzz tests and written to docs/reliability.md.

A test calls ``record("kill-events", writes_accepted=40, writes_found=40, ...)``; each call
merges its figures into one JSON file per fault in this session's results directory. At the
end of the pytest session ``tests/conftest.py`` calls :func:`write_document`, which merges the
faults that ran into ``docs/reliability.md``: a section per fault, rewritten only when that fault
ran, the others kept as the run that last measured them left them (their figures travel inside
the document, in an HTML comment per section, so a partial run never wipes them).

``SAMVERKAN_SOAK=1`` (``make soak``) selects the long variants; :func:`load` gives a test its
counts for the mode it runs in, and each section says which mode measured it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "reliability.md"
RESULTS_ENV = "SAMVERKAN_RELIABILITY_RESULTS"
SOAK_ENV = "SAMVERKAN_SOAK"

Figure = int | float | str

# The order sections appear in; a fault not named here comes after these, by name.
ORDER = [
    "kill-notifier-mid-run",
    "kill-registry",
    "kill-events",
    "kill-levels_advisor",
    "kill-notifier",
    "restart-rabbitmq",
    "restart-postgresql",
    "database-away-for-a-handler",
    "poison-message",
    "fuzz-openapi",
]

# How a figure is named in the document; a figure not named here is shown by its key.
LABELS = {
    "title": "fault",
    "what": "what was done",
    "load": "load held",
    "writes_sent": "writes sent",
    "writes_accepted": "writes accepted (2xx)",
    "writes_found": "accepted writes found afterwards",
    "events_expected": "notifications owed (2 followers × accepted meetings)",
    "events_delivered": "notifications recorded",
    "duplicates": "duplicate notifications",
    "outage_s": "fault lasted (s)",
    "recovered_s": "time to recover (s)",
    "operations": "operations fuzzed",
    "requests": "requests sent",
    "server_errors": "5xx answers",
    "failures": "(operation, valid/invalid, caller) runs with a failed check",
}
STATUS_PREFIXES = {"refused_": "writes refused, by status", "status_": "answers, by status"}
META = ("fault", "test", "outcome", "mode", "measured_at", "commit", "machine")


def soak() -> bool:
    """True when ``make soak`` runs the suite (the long variants)."""
    return os.environ.get(SOAK_ENV, "") not in ("", "0")


def load(normal: int, long: int) -> int:
    """A test's count: ``normal`` in ``make test``, ``long`` in ``make soak``."""
    return long if soak() else normal


def results_dir() -> Path:
    """This session's results directory (set by the conftest at session start)."""
    return Path(os.environ.get(RESULTS_ENV) or ROOT / "var" / "reliability" / "adhoc")


def by_status(prefix: str, counts: Mapping[int, int]) -> dict[str, int]:
    """``{503: 4}`` as figures ``{"refused_503": 4}``, to pass on as ``record(..., **by_status(...))``."""
    return {f"{prefix}{status}": count for status, count in sorted(counts.items())}


def record(fault: str, **figures: Figure) -> None:
    """Remember figures about one fault; later calls for the same fault add to or replace earlier ones."""
    if not re.fullmatch(r"[a-z0-9_.-]+", fault):
        raise ValueError(f"a fault is named in lower case, digits, '_', '-' and '.': {fault!r}")
    for key, value in figures.items():
        if not isinstance(value, int | float | str) or isinstance(value, bool):
            raise TypeError(f"figure {key} of {fault} must be an int, a float or a str, not {value!r}")
    directory = results_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{fault}.json"
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    current = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    kept.update(figures)
    kept.update(
        fault=fault,
        test=current or kept.get("test", ""),
        mode="soak" if soak() else "normal",
        measured_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(kept, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(path)


def recorded(directory: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every fault recorded in a results directory, by name."""
    directory = directory or results_dir()
    if not directory.is_dir():
        return {}
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))}


def machine() -> str:
    """Cores, CPU model and memory of the machine the figures were measured on."""
    model = ""
    memory = ""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
        model = f" ({found.group(1).strip()})" if found else ""
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        total = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
        memory = f", {int(total.group(1)) / 1024**2:.1f} GiB memory" if total else ""
    except OSError:
        pass
    return f"{os.cpu_count()} cores{model}{memory}"


def commit() -> str:
    """The commit the figures were measured on, marked when the working tree had changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
        return done.stdout.strip()

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{sha} (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else sha


_SECTION = re.compile(r"^<!-- figures: (\{.*\}) -->$", re.MULTILINE)


def sections_in(document: str) -> dict[str, dict[str, Any]]:
    """The figures of every section of an earlier document, by fault."""
    found: dict[str, dict[str, Any]] = {}
    for match in _SECTION.finditer(document):
        figures = json.loads(match.group(1))
        found[str(figures["fault"])] = figures
    return found


def write_document(
    results: Mapping[str, Mapping[str, Any]],
    outcomes: Mapping[str, str],
    path: Path = DOCUMENT,
) -> None:
    """Merge this session's faults into the document: their sections rewritten, the others kept."""
    if not results:
        return
    sections = sections_in(path.read_text(encoding="utf-8")) if path.exists() else {}
    now_machine, now_commit = machine(), commit()
    for fault, figures in results.items():
        sections[fault] = {
            **figures,
            "outcome": outcomes.get(str(figures.get("test", "")), "not run to the end"),
            "commit": now_commit,
            "machine": now_machine,
        }
    temporary = path.with_suffix(".tmp")
    temporary.parent.mkdir(parents=True, exist_ok=True)
    temporary.write_text(render(sections), encoding="utf-8")
    temporary.replace(path)


def _ordered(sections: Mapping[str, Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    def position(fault: str) -> tuple[int, str]:
        return (ORDER.index(fault) if fault in ORDER else len(ORDER), fault)

    return [sections[fault] for fault in sorted(sections, key=position)]


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _is_status(key: str, prefix: str) -> bool:
    return key.startswith(prefix) and key[len(prefix) :].isdigit()


def _statuses(figures: Mapping[str, Any], prefix: str) -> str:
    counts = sorted((int(key[len(prefix) :]), value) for key, value in figures.items() if _is_status(key, prefix))
    return ", ".join(f"{status}: {count}" for status, count in counts) or "none"


def render(sections: Mapping[str, Mapping[str, Any]]) -> str:
    """The whole document from the figures of every section."""
    ordered = _ordered(sections)
    lines = [
        "# Reliability figures",
        "",
        "Written by the test suite itself (`tests/support/reliability_report.py`), at the end of every pytest",
        "run that ran a fault test (`tests/reliability/`) or the fuzzing (`tests/security/test_fuzz_openapi.py`).",
        "Only the sections of the faults that ran are rewritten; the others keep the figures, date and commit",
        "of the run that last measured them. `make test` runs the normal load, `make soak` the long variants",
        "(see `tests/reliability/README.md`). Do not edit by hand.",
        "",
        "## Summary",
        "",
        "| fault | mode | outcome | writes accepted | found | notifications owed | recorded | duplicates "
        "| refused (status: count) | recovered (s) | measured |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for figures in ordered:
        if figures["fault"].startswith("fuzz"):
            continue
        lines.append(
            "| "
            + " | ".join(
                _cell(figures.get(key, "—"))
                for key in (
                    "fault",
                    "mode",
                    "outcome",
                    "writes_accepted",
                    "writes_found",
                    "events_expected",
                    "events_delivered",
                    "duplicates",
                )
            )
            + f" | {_statuses(figures, 'refused_')} | {_cell(figures.get('recovered_s', '—'))}"
            + f" | {figures.get('measured_at', '—')} |"
        )
    for figures in ordered:
        lines += ["", f"## {figures.get('title', figures['fault'])}", ""]
        lines.append(f"<!-- figures: {json.dumps(dict(figures), ensure_ascii=False, sort_keys=True)} -->")
        lines += [
            "",
            f"Measured {figures.get('measured_at', '—')} on commit {figures.get('commit', '—')}, "
            f"{figures.get('machine', '—')}; {figures.get('mode', 'normal')} load; "
            f"test `{figures.get('test', '—')}`: **{figures.get('outcome', '—')}**.",
            "",
            "| figure | value |",
            "|---|---|",
        ]
        lines += [f"| {LABELS[key]} | {_cell(figures[key])} |" for key in LABELS if key in figures and key != "title"]
        for prefix, label in STATUS_PREFIXES.items():
            if any(_is_status(key, prefix) for key in figures):
                lines.append(f"| {label} | {_statuses(figures, prefix)} |")
        for key in sorted(figures):
            if key not in META and key not in LABELS and not any(_is_status(key, p) for p in STATUS_PREFIXES):
                lines.append(f"| {key} | {_cell(figures[key])} |")
    return "\n".join(lines) + "\n"
