"""Invented register files for tests, demos and benchmarks: valid rows, and broken ones on purpose."""

from __future__ import annotations

import csv
import io
import random

from .domain.model import luhn_valid
from .domain.municipalities import MUNICIPALITIES

HEADINGS = ["Namn", "Organisationsnummer", "Kommunkod", "Typ", "Intresseområden", "Taggar", "Grundad", "Beskrivning"]
_WHAT = [
    "Idrottsförening",
    "Hembygdsförening",
    "Kör",
    "Pensionärsförening",
    "Kulturförening",
    "Scoutkår",
    "Brukarförening",
    "Musikförening",
    "Fritidsgård",
    "Syföreningen",
    "Teaterförening",
    "Naturskyddsförening",
]
_PLACE = ["Älvsborg", "Öxnered", "Åsa", "Kärra", "Näset", "Tåstorp", "Björkö", "Sjömarken", "Dalsland", "Hönö"]
_KINDS = ["ideell förening", "stiftelse", "trossamfund", "nätverk", "annan"]
_AREAS = ["kultur", "hälso- och sjukvård", "regional utveckling", "kollektivtrafik"]
_TAGS = ["unga", "äldre", "körsång", "friluftsliv", "integration", "funktionsrätt", "idrott", "läsning"]

# Each kind of break, and what the importer must say about it (the field it names).
BREAKS = {
    "check digit": "organisation_number",
    "municipality": "municipality_code",
    "year": "founded_year",
    "kind": "kind",
    "name": "name",
}


def organisation_number(serial: int) -> str:
    """A valid number of a non-profit (first digit 8, third digit 2 or more), unique per serial."""
    body = f"82{2 + serial // 1_000_000 % 8}{serial % 1_000_000:06d}"
    check = next(d for d in "0123456789" if luhn_valid(body + d))
    digits = body + check
    return f"{digits[:6]}-{digits[6:]}"


def rows(count: int, broken: int = 0, seed: int = 1) -> tuple[list[list[str]], dict[int, str]]:
    """``count`` rows of organisations; ``broken`` of them broken, by line number (the heading is line 1)."""
    generator = random.Random(seed)
    broken_lines = set(generator.sample(range(2, count + 2), broken)) if broken else set()
    made: list[list[str]] = []
    expected: dict[int, str] = {}
    kinds = list(BREAKS)
    for index in range(count):
        line = index + 2
        place = MUNICIPALITIES[index % len(MUNICIPALITIES)]
        row = [
            f"{generator.choice(_PLACE)}s {generator.choice(_WHAT)} {index}",
            organisation_number(index),
            place.code,
            _KINDS[index % len(_KINDS)],
            "|".join(generator.sample(_AREAS, index % 3)),
            "|".join(generator.sample(_TAGS, index % 4)),
            str(1900 + index % 120),
            f"Verksamhet i {place.name} för alla som vill vara med. Nummer {index}.",
        ]
        if line in broken_lines:
            kind = kinds[len(expected) % len(kinds)]
            expected[line] = BREAKS[kind]
            if kind == "check digit":
                row[1] = row[1][:-1] + str((int(row[1][-1]) + 1) % 10)
            elif kind == "municipality":
                row[2] = "0180"
            elif kind == "year":
                row[6] = "nittonhundra"
            elif kind == "kind":
                row[3] = "aktiebolag"
            else:
                row[0] = ""
        made.append(row)
    return made, expected


def csv_bytes(made: list[list[str]], encoding: str = "cp1252", delimiter: str = ";") -> bytes:
    """The file as Swedish Excel saves it (Windows-1252, semicolons), or another encoding and delimiter."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    writer.writerows(made)
    return out.getvalue().encode(encoding)
