"""The matrix of methods: which cells were checked against the Code, and the rules the loader keeps."""

from importlib import resources

import pytest
import yaml

from samverkan_advisor.adapters.questionnaires import QuestionnaireError, load_methods, read_methods
from samverkan_advisor.domain.model import DecisionStep, Level

# The cells whose methods were checked against the Code's own text, as (level, step).
# None yet: the stored copies of the Code we could search never reached its matrix
# (see the comment at the top of methods.yaml). Add a cell here when you verify it.
VERIFIED: set[tuple[Level, DecisionStep]] = set()

PACKAGED = (resources.files("samverkan_advisor") / "questionnaires" / "methods.yaml").read_text(encoding="utf-8")


def edited(change):
    """The packaged matrix with ``change`` applied to its first cell (information × agenda setting), as YAML."""
    raw = yaml.safe_load(PACKAGED)
    change(raw["cells"][0])
    return yaml.safe_dump(raw, allow_unicode=True)


def refusal(change):
    with pytest.raises(QuestionnaireError, match="not a valid matrix of methods") as caught:
        read_methods(edited(change))
    return caught.value.messages


def test_exactly_the_listed_cells_are_verified():
    matrix = load_methods()

    assert {key for key, cell in matrix.cells.items() if cell.verified} == VERIFIED
    assert len(matrix.cells) == 24


def test_every_unverified_cell_says_why_and_which_cell_of_the_code_it_stands_for():
    matrix = load_methods()

    for (level, step), cell in matrix.cells.items():
        if cell.verified:
            continue
        source = cell.source.lower()
        assert "not checked" in source or "not in the code" in source, (level, step)
        assert "section v (matrix)" in source, (level, step)
        label = f"{level.value.replace('_', ' ')} × {step.value.replace('_', ' ')}"
        assert label in source, (level, step)


def test_the_matrix_names_the_code_in_both_languages():
    matrix = load_methods()

    assert "2009" in matrix.source.en
    assert "2019" in matrix.source.en
    assert "idéburna organisationers medverkan i beslutsprocessen" in matrix.source.sv


def test_a_verified_cell_with_a_section_of_the_code_is_accepted():
    def verify(cell):
        cell["verified"] = True
        cell["source"] = "Code of Good Practice for Civil Participation, revised 2019, section 5 (matrix)"

    matrix = read_methods(edited(verify))

    assert matrix.cell(Level.INFORMATION, DecisionStep.AGENDA_SETTING).verified is True


def test_a_verified_cell_cannot_say_it_was_not_checked():
    def verify_only(cell):
        cell["verified"] = True

    assert "not checked" in str(refusal(verify_only)["cells"][0]["source"])


def test_a_verified_cell_must_name_the_year_and_section_of_the_code():
    def vague(cell):
        cell["verified"] = True
        cell["source"] = "The Code's matrix"

    assert "section" in str(refusal(vague)["cells"][0]["source"])


def test_an_unverified_cell_must_say_why():
    def silent(cell):
        cell["source"] = "Code of Good Practice for Civil Participation, 2009, section V (matrix)"

    assert "must say why" in str(refusal(silent)["cells"][0]["source"])


def test_an_unverified_cell_may_say_the_code_names_nothing_for_it():
    def empty_in_code(cell):
        cell["source"] = "Code of Good Practice for Civil Participation, revised 2019, section 5: not in the Code"

    matrix = read_methods(edited(empty_in_code))

    assert matrix.cell(Level.INFORMATION, DecisionStep.AGENDA_SETTING).verified is False
