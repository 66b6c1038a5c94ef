"""The Swedish text reads as plain language: short sentences, no unexplained abbreviations."""

import re
from importlib import resources

import pytest
import yaml

from samverkan_advisor.adapters.questionnaires import load_questionnaire

MAX_WORDS = 20
ABBREVIATION = re.compile(r"\b[A-ZÅÄÖ]{2,}\b")
# Where a sentence ends: . ! ? or a colon, then a space or the end.
SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")


def swedish_texts(version):
    """Every Swedish text of a questionnaire file and of the methods, as (where, text)."""
    raw = yaml.safe_load((resources.files("samverkan_advisor") / "questionnaires" / f"v{version}.yaml").read_text())
    methods = yaml.safe_load((resources.files("samverkan_advisor") / "questionnaires" / "methods.yaml").read_text())
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            if set(node) == {"sv", "en"} and isinstance(node["sv"], str):
                found.append((where, node["sv"]))
                return
            for key, value in node.items():
                if key != "abbreviations":
                    walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    walk(raw, f"v{version}")
    walk(methods, "methods")
    return found


def sentences(text):
    return [part for part in SENTENCE_END.split(" ".join(text.split())) if part]


def long_sentences(text, limit=MAX_WORDS):
    return [sentence for sentence in sentences(text) if len(sentence.split()) > limit]


def unexplained_abbreviations(text, glossary):
    """Abbreviations in ``text`` that are unknown, or whose meaning the text does not spell out."""
    problems = []
    for short in sorted(set(ABBREVIATION.findall(text))):
        meaning = glossary.get(short)
        if meaning is None or meaning.sv.lower() not in text.lower():
            problems.append(short)
    return problems


QUESTIONNAIRE = load_questionnaire(3)
# The versions a planner may still see: the current one and the one before (old assessments).
TEXTS = [(where, text, version) for version in (2, 3) for where, text in swedish_texts(version)]
GLOSSARIES = {version: load_questionnaire(version).abbreviations for version in (2, 3)}


def test_there_is_swedish_text_to_check():
    assert sum(1 for *_, version in TEXTS if version == 3) > 180


@pytest.mark.parametrize(("where", "text", "version"), TEXTS, ids=[where for where, *_ in TEXTS])
def test_every_swedish_sentence_is_short(where, text, version):
    assert long_sentences(text) == [], where


@pytest.mark.parametrize(("where", "text", "version"), TEXTS, ids=[where for where, *_ in TEXTS])
def test_every_abbreviation_is_explained_where_it_is_used(where, text, version):
    assert unexplained_abbreviations(text, GLOSSARIES[version]) == [], where


def test_a_long_sentence_is_caught():
    long = (
        "Det här är en mening som fortsätter och fortsätter med ord efter ord"
        " tills den har blivit alldeles för lång att läsa."
    )
    assert long_sentences(long) == [long]
    assert long_sentences("Kort mening. En till!") == []


@pytest.mark.parametrize("short", ["IOP", "BMR", "DRN"])
def test_an_abbreviation_without_its_meaning_is_caught(short):
    assert unexplained_abbreviations(f"Kontakta {short} i god tid.", QUESTIONNAIRE.abbreviations) == [short]


def test_an_abbreviation_with_its_meaning_passes():
    text = "Det kan bli ett idéburet offentligt partnerskap (IOP)."
    assert unexplained_abbreviations(text, QUESTIONNAIRE.abbreviations) == []
