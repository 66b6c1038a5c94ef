"""docs/reliability.md is merged, not wiped: only the faults a run measured are rewritten."""

from __future__ import annotations

import json

import pytest

from tests.support import reliability_report
from tests.support.reliability_report import by_status, load, record, recorded, sections_in, write_document


@pytest.fixture
def results(tmp_path, monkeypatch):
    directory = tmp_path / "results"
    monkeypatch.setenv(reliability_report.RESULTS_ENV, str(directory))
    return directory


def test_record_writes_one_json_file_per_fault_and_later_calls_add_to_it(results, request):
    record("kill-events", writes_accepted=40, what="kill -9 events")
    record("kill-events", writes_found=40)
    record("restart-rabbitmq", writes_accepted=90, **by_status("refused_", {504: 2, 503: 13}))

    assert sorted(path.name for path in results.iterdir()) == ["kill-events.json", "restart-rabbitmq.json"]
    kill = json.loads((results / "kill-events.json").read_text())
    assert kill["writes_accepted"] == kill["writes_found"] == 40
    assert kill["test"] == request.node.nodeid  # so the document can say whether the test passed
    assert recorded()["restart-rabbitmq"]["refused_503"] == 13


def test_record_refuses_a_figure_that_is_not_a_number_or_text(results):
    with pytest.raises(TypeError, match="must be an int"):
        record("kill-events", refused={503: 1})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lower case"):
        record("Kill events/..", writes_accepted=1)


def test_a_partial_run_rewrites_its_own_sections_and_keeps_the_others(results, tmp_path, request):
    document = tmp_path / "reliability.md"
    record("kill-events", title="Kill events", writes_accepted=40, writes_found=40, duplicates=0)
    record("restart-rabbitmq", writes_accepted=90, writes_found=90, **by_status("refused_", {503: 13}))
    write_document(recorded(), {request.node.nodeid: "passed"}, document)
    first = document.read_text()
    assert "## Kill events" in first
    assert "| writes accepted (2xx) | 40 |" in first
    assert "503: 13" in first
    assert "**passed**" in first

    later = tmp_path / "later"
    later.mkdir()
    (later / "kill-events.json").write_text(json.dumps({"fault": "kill-events", "writes_accepted": 55, "test": "t"}))
    write_document(recorded(later), {"t": "failed"}, document)

    sections = sections_in(document.read_text())
    assert sections["kill-events"]["writes_accepted"] == 55
    assert sections["kill-events"]["outcome"] == "failed"
    assert sections["restart-rabbitmq"] == sections_in(first)["restart-rabbitmq"]


def test_a_run_that_recorded_nothing_leaves_the_document_alone(tmp_path):
    document = tmp_path / "reliability.md"
    document.write_text("earlier figures\n")
    write_document({}, {}, document)
    assert document.read_text() == "earlier figures\n"


def test_the_soak_variable_selects_the_long_counts(monkeypatch):
    monkeypatch.delenv(reliability_report.SOAK_ENV, raising=False)
    assert load(120, 600) == 120
    monkeypatch.setenv(reliability_report.SOAK_ENV, "1")
    assert load(120, 600) == 600
    monkeypatch.setenv(reliability_report.SOAK_ENV, "0")
    assert load(120, 600) == 120
