"""The follow-up page: the report for the year asked, as tables, and a link to the same as CSV."""

from __future__ import annotations

import re
from typing import Any

import pytest

from samverkan_gateway.pages import follow_up


def row(plan_id, issue, committee, level, step, booked, held, invited, took_part, outcome, feedback):
    return {
        "plan_id": plan_id,
        "committee": committee.split()[0],
        "committee_name": committee,
        "issue": issue,
        "level": level,
        "step": step,
        "starts_on": "2026-02-01",
        "meetings_booked": booked,
        "meetings_held": held,
        "organisations_invited": invited,
        "organisations_took_part": took_part,
        "outcome_recorded": outcome,
        "feedback_given": feedback,
    }


ROWS = [
    row("p1", "Handlingsplan för MR", "BMR Beredningen", "dialogue", "agenda_setting", 2, 1, 4, 3, True, True),
    row("p2", "Kultur för unga", "BMR Beredningen", "consultation", "drafting", 1, 0, 2, 0, True, False),
    row("p3", "Trafik <på> landet", "RS Regionstyrelsen", "dialogue", "drafting", 0, 0, 1, 0, False, False),
]

REPORT = {
    "year": 2026,
    "as_of": "2026-12-03T12:00:00+00:00",
    "dialogues": {
        "total": 3,
        "by_committee": {"BMR": 2, "RS": 1},
        "by_level": {"information": 0, "consultation": 1, "dialogue": 2, "partnership": 0},
        "by_step": {"agenda_setting": 1, "drafting": 2},
        "early": 1,
        "early_share": 0.333,
        "chosen_other_than_recommended": 0,
        "outcome_recorded": 2,
        "feedback_given": 1,
        "meetings_booked": 3,
        "meetings_held": 1,
        "organisations_invited": 7,
        "organisations_took_part": 3,
    },
    "rows": ROWS,
    "meetings": {
        "held_by_forum": {"ros-gruppen": 5},
        "coming_by_forum": {"ros-gruppen": 1, "stormote": 1},
        "cancelled_by_forum": {"ser": 1},
        "total_held": 5,
        "total_coming": 2,
        "total_cancelled": 1,
    },
    "steering_group": {
        "forum_slug": "ros-gruppen",
        "meetings": 5,
        "coming": 1,
        "expected": {"min": 4, "max": 12},
        "as_agreed": True,
    },
    "assembly": {"forum_slug": "stormote", "spring": 1, "autumn": 0, "met_each_term": False},
    "organisations": {"count": 6, "ids": ["o1", "o2", "o3", "o4", "o5", "o6"]},
}


@pytest.fixture
def calls(monkeypatch):
    made: list[tuple[str, tuple[Any, ...]]] = []

    def fake(service: str, method: str, *args: Any) -> Any:
        made.append((method, args))
        if method == "follow_up_report":
            return {**REPORT, "year": args[0]}
        if method == "list_forums":
            return [
                {"slug": "ros-gruppen", "name": "RÖS-gruppen"},
                {"slug": "ser", "name": "SER"},
                {"slug": "stormote", "name": "Stormöte"},
            ]
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
    assert '<th scope="row">SER</th><td class="number">0</td><td class="number">0</td><td class="number">1</td>' in page
    assert "Ja (5 möten hållna, 1 återstår)" in page
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
    assert bar("Möten som återstår", "20.0", 1, " bar-coming") in page
    assert bar("Inställda möten", "20.0", 1, " bar-cancelled") in page
    assert "1 av 3 (33 %)" in page
    assert "<style" not in page
    assert "style=" not in page


def cells(html: str) -> list[str]:
    """The text of each cell of a table row, tags left out."""
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html, re.S)]


def table(page: str, table_id: str) -> tuple[list[str], list[list[str]], list[str]]:
    """A table's column headings, its body rows and its footer, as text."""
    found = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S)
    assert found, table_id
    html = found.group(1)
    head = cells(re.search(r"<thead>(.*?)</thead>", html, re.S).group(1))
    tbody = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    body = [cells(tr) for tr in re.findall(r"<tr>(.*?)</tr>", tbody, re.S)]
    foot = cells(re.search(r"<tfoot>(.*?)</tfoot>", html, re.S).group(1))
    return head, body, foot


def test_each_dialogue_is_a_row_that_opens_its_plan_under_headings_that_name_its_numbers(client, calls):
    page = client.get("/uppfoljning?year=2026").get_data(as_text=True)

    head, body, foot = table(page, "dialogue-rows")
    # Two rows of headings: a group over its two columns, then each column under it.
    assert head == [
        "Dialog",
        "Nämnd",
        "Nivå",
        "Steg",
        "Möten",
        "Organisationer",
        "Resultat registrerat",
        "Återkoppling given",
        "Bokade",
        "Hållna",
        "Inbjudna",
        "Deltog",
    ]
    assert '<th scope="colgroup" colspan="2" class="group">Möten</th>' in page
    assert '<th scope="colgroup" colspan="2" class="group">Organisationer</th>' in page
    columns = ["Dialog", "Nämnd", "Nivå", "Steg", "Bokade", "Hållna", "Inbjudna", "Deltog", "Resultat", "Återkoppling"]
    assert body == [
        ["Handlingsplan för MR", "BMR Beredningen", "Dialog", "Dagordning", "2", "1", "4", "3", "Ja", "Ja"],
        ["Kultur för unga", "BMR Beredningen", "Samråd", "Utformning", "1", "0", "2", "0", "Ja", "Nej"],
        ["Trafik &lt;på&gt; landet", "RS Regionstyrelsen", "Dialog", "Utformning", "0", "0", "1", "0", "Nej", "Nej"],
    ]
    # Each figure under a column is that column's sum over the rows.
    assert foot == ["Totalt, 3 dialoger", "3", "1", "7", "3", "2 ja", "1 ja"]
    for column in range(4, 8):
        assert int(foot[column - 3]) == sum(int(line[column]) for line in body), columns[column]
    assert '<a href="/planer/p1">Handlingsplan för MR</a>' in page
    assert '<a href="/planer/p3">Trafik &lt;på&gt; landet</a>' in page
    assert "Siffrorna gäller 3 december 2026" in page


def test_meetings_per_forum_count_held_coming_and_cancelled_apart_and_sum_them(client, calls):
    page = client.get("/uppfoljning?year=2026").get_data(as_text=True)

    head, body, foot = table(page, "by-forum")
    assert head == ["Forum", "Hållna möten", "Möten som återstår", "Inställda möten"]
    assert body == [["RÖS-gruppen", "5", "1", "0"], ["SER", "0", "0", "1"], ["Stormöte", "0", "1", "0"]]
    assert foot == ["Totalt", "5", "2", "1"]
    assert 'Återkoppling given till organisationerna</th><td class="number">1</td>' in page
    assert 'Organisationer inbjudna till minst en dialog (var och en räknad en gång)</th><td class="number">6' in page


def test_a_year_without_dialogues_says_so_in_the_table(client, calls, monkeypatch):
    empty = {
        **REPORT,
        "rows": [],
        "dialogues": {**REPORT["dialogues"], "total": 0, "early_share": None},
    }
    monkeypatch.setattr(follow_up, "call", lambda service, method, *args: empty if method == "follow_up_report" else [])

    page = client.get("/uppfoljning?year=2026").get_data(as_text=True)

    assert "Ingen dialog börjar det här året." in page
    assert "Totalt, 0 dialoger" not in page
