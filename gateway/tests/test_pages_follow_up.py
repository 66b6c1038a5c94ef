"""The follow-up page: the report for the year asked, as tables, and a link to the same as CSV."""

from __future__ import annotations

from typing import Any

import pytest

from samverkan_gateway.pages import follow_up

REPORT = {
    "year": 2026,
    "dialogues": {
        "total": 3,
        "by_committee": {"BMR": 2, "RS": 1},
        "by_level": {"information": 0, "consultation": 1, "dialogue": 2, "partnership": 0},
        "by_step": {"agenda_setting": 1, "drafting": 2},
        "early": 1,
        "early_share": 0.333,
        "chosen_other_than_recommended": 0,
        "outcome_recorded": 1,
    },
    "meetings": {"held_by_forum": {"ros-gruppen": 5}, "cancelled_by_forum": {"ser": 1}, "total_held": 5},
    "steering_group": {
        "forum_slug": "ros-gruppen",
        "meetings": 5,
        "expected": {"min": 4, "max": 12},
        "as_agreed": True,
    },
    "assembly": {"forum_slug": "stormote", "spring": 1, "autumn": 0, "met_each_term": False},
    "organisations": {"count": 2, "ids": ["o1", "o2"]},
}


@pytest.fixture
def calls(monkeypatch):
    made: list[tuple[str, tuple[Any, ...]]] = []

    def fake(service: str, method: str, *args: Any) -> Any:
        made.append((method, args))
        if method == "follow_up_report":
            return {**REPORT, "year": args[0]}
        if method == "list_forums":
            return [{"slug": "ros-gruppen", "name": "RÖS-gruppen"}, {"slug": "ser", "name": "SER"}]
        raise AssertionError(method)

    monkeypatch.setattr(follow_up, "call", fake)
    return made


def test_report_for_the_year_asked_is_shown_as_tables_with_a_csv_link(client, calls):
    page = client.get("/uppfoljning?year=2025").get_data(as_text=True)

    assert ("follow_up_report", (2025,)) in calls
    assert 'href="/api/v1/reports/follow-up?year=2025&amp;format=csv"' in page
    assert "Dialoger per nivå av delaktighet" in page
    assert '<th scope="row">Samråd</th><td class="number">1</td>' in page
    assert "1 (33 %)" in page
    assert '<th scope="row">SER</th><td class="number">0</td><td class="number">1</td>' in page
    assert "Ja (5 möten)" in page
    assert "Nej (våren 1, hösten 0)" in page


def test_a_year_that_is_not_a_year_gets_an_error_summary_and_no_report(client, calls):
    response = client.get("/uppfoljning?year=20x6")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#year"' in page
    assert 'aria-invalid="true"' in page
    assert calls == []


def test_charts_draw_each_figure_as_a_bar_with_its_number_written_beside_it(client, calls):
    page = client.get("/uppfoljning?year=2026").get_data(as_text=True)

    def bar(label: str, width: str, value: int, kind: str = "") -> str:
        svg = (
            f'<svg class="bar{kind}" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" '
            f'focusable="false"><rect x="0" y="0" width="{width}" height="10"></rect></svg>'
        )
        return (
            f'<span class="bar-label">{label}</span>\n<span class="bar-track">{svg}</span>\n'
            f'<span class="bar-value">{value}</span>'
        )

    # Levels in their own order, the longest bar full width, the others in proportion; none left out.
    assert bar("Samråd", "50.0", 1) in page
    assert bar("Dialog", "100.0", 2) in page
    assert bar("Partnerskap", "0.0", 0) in page
    # All six steps, also those with no dialogue.
    assert bar("Utformning", "100.0", 2) in page
    assert bar("Omprövning", "0.0", 0) in page
    # Meetings per forum: held and cancelled, each named in words, not told apart by colour alone.
    assert bar("Hållna möten", "100.0", 5, " bar-held") in page
    assert bar("Inställda möten", "20.0", 1, " bar-cancelled") in page
    assert "1 av 3 (33 %)" in page
    assert "<style" not in page
    assert "style=" not in page
