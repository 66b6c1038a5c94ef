"""Reading the register from a CSV file, as Swedish Excel or another system writes it.

Excel in Swedish saves "CSV (semikolonavgränsad)" in Windows-1252 with ``;``
between fields; other tools write UTF-8 (often with a byte-order mark) and
``,``. Both are read. Column headings may be the API's field names or the
Swedish words people use; cells are checked by the same rules as any
organisation, and each problem is reported with the line it is on.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from samverkan_common.errors import Invalid

from .model import Area, OrganisationKind
from .municipalities import MUNICIPALITIES

MAX_ROWS = 50_000
MAX_CELL = 5_000

_HEADINGS = {
    "name": ("name", "namn", "organisationsnamn", "organisation", "förening", "föreningsnamn"),
    "organisation_number": ("organisation_number", "organisationsnummer", "orgnr", "org.nr", "org nr", "org_nr"),
    "municipality_code": ("municipality_code", "kommunkod", "kommun", "municipality"),
    "kind": ("kind", "typ", "organisationsform", "organisationstyp"),
    "description": ("description", "beskrivning", "verksamhet"),
    "website": ("website", "webbplats", "hemsida", "webb"),
    "contact_email": ("contact_email", "e-post", "epost", "e-postadress", "email", "mejl"),
    "other_names": ("other_names", "andra namn", "övriga namn", "förkortning"),
    "areas": ("areas", "intresseområden", "områden", "intresseområde"),
    "tags": ("tags", "taggar", "nyckelord"),
    "founded_year": ("founded_year", "grundad", "grundår", "bildad", "bildades"),
}
_FIELD_OF_HEADING = {heading: name for name, headings in _HEADINGS.items() for heading in headings}

_KIND_WORDS = {
    "ideell förening": OrganisationKind.IDEELL_FORENING,
    "ideell_forening": OrganisationKind.IDEELL_FORENING,
    "förening": OrganisationKind.IDEELL_FORENING,
    "stiftelse": OrganisationKind.STIFTELSE,
    "trossamfund": OrganisationKind.TROSSAMFUND,
    "registrerat trossamfund": OrganisationKind.TROSSAMFUND,
    "nätverk": OrganisationKind.NATVERK,
    "natverk": OrganisationKind.NATVERK,
    "annan": OrganisationKind.OTHER,
    "annat": OrganisationKind.OTHER,
    "övrigt": OrganisationKind.OTHER,
    "other": OrganisationKind.OTHER,
}
_AREA_WORDS = {**{area.value: area for area in Area}, **{area.label: area for area in Area}, "vård": Area.HEALTH_CARE}
_MUNICIPALITY_NAMES = {m.name.casefold(): m.code for m in MUNICIPALITIES}
_LIST_SEPARATOR = re.compile(r"\s*[|,]\s*")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIMITS = {"name": 200, "website": 500, "contact_email": 254, "organisation_number": 20, "municipality_code": 50}


@dataclass(frozen=True)
class Row:
    """One record of the file: the line it starts on, and its cells by field name."""

    line: int
    cells: dict[str, str]


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), else Windows-1252 as Swedish Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise Invalid(
            "The file is neither UTF-8 nor Windows-1252 text.", "IMPORT_FILE_INVALID", {"file": ["Save it as CSV."]}
        ) from None


def read(text: str) -> tuple[list[str], list[Row]]:
    """The fields the file has columns for, and its records; a file that cannot be read at all is Invalid."""
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headings = next(reader)
    except StopIteration:
        raise Invalid("The file is empty.", "IMPORT_FILE_INVALID", {"file": ["The file is empty."]}) from None
    columns = [_FIELD_OF_HEADING.get(heading.strip().lstrip("\ufeff").casefold()) for heading in headings]
    missing = [name for name in ("name", "municipality_code") if name not in columns]
    if missing:
        raise Invalid(
            "The file lacks required columns.",
            "IMPORT_FILE_INVALID",
            {"file": [f"No column for {', '.join(missing)} (headings such as namn; kommunkod)."]},
        )
    rows: list[Row] = []
    line = reader.line_num + 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                if len(rows) == MAX_ROWS:
                    raise Invalid(
                        f"The file has more than {MAX_ROWS} rows.",
                        "IMPORT_TOO_LARGE",
                        {"file": [f"At most {MAX_ROWS} rows per file; split it."]},
                    )
                cells = {name: cell for name, cell in zip(columns, record, strict=False) if name is not None}
                if len(record) > len(columns):
                    cells["_extra"] = "x"
                rows.append(Row(line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        raise Invalid(
            f"The file cannot be read after line {line}.", "IMPORT_FILE_INVALID", {"file": [str(error)]}
        ) from None
    return [name for name in columns if name is not None], rows


def fields_of(row: Row) -> dict[str, Any]:
    """The organisation fields of one record, checked for shape; the organisation's own rules come after."""
    # A short row leaves its last cells empty; the two required ones are then empty, not missing.
    cells = {"name": "", "municipality_code": "", **{name: value.strip() for name, value in row.cells.items()}}
    errors: dict[str, list[str]] = {}
    if "_extra" in cells:
        errors["row"] = ["The row has more cells than the file has columns."]
        del cells["_extra"]
    for name, limit in _LIMITS.items():
        if len(cells.get(name, "")) > limit:
            errors[name] = [f"At most {limit} characters."]
    for name, value in cells.items():
        if len(value) > MAX_CELL:
            errors[name] = [f"At most {MAX_CELL} characters."]
    values: dict[str, Any] = {}
    for name, value in cells.items():
        if name in errors:
            continue
        if name == "kind":
            kind = _KIND_WORDS.get(value.casefold(), OrganisationKind.OTHER if not value else None)
            if kind is None:
                errors[name] = [
                    f"Unknown kind {value!r}; use ideell förening, stiftelse, trossamfund, nätverk or annan."
                ]
            values[name] = kind
        elif name == "municipality_code":
            values[name] = _MUNICIPALITY_NAMES.get(value.casefold(), value)
        elif name == "organisation_number":
            values[name] = value or None
        elif name in ("other_names", "tags"):
            values[name] = [part for part in _LIST_SEPARATOR.split(value) if part] if value else []
        elif name == "areas":
            words = [part.casefold() for part in _LIST_SEPARATOR.split(value) if part] if value else []
            unknown = [word for word in words if word not in _AREA_WORDS]
            if unknown:
                errors[name] = [
                    f"Unknown area {unknown[0]!r}; use kultur, hälso- och sjukvård,"
                    " regional utveckling or kollektivtrafik."
                ]
            values[name] = [_AREA_WORDS[word] for word in words if word in _AREA_WORDS]
        elif name == "founded_year":
            if value and not (value.isdigit() and len(value) == 4):
                errors[name] = ["A year of four digits."]
            values[name] = int(value) if value.isdigit() else None
        elif name == "website":
            if value and not value.lower().startswith(("http://", "https://")):
                value = "https://" + value
            if value and " " in value:
                errors[name] = ["Not a web address."]
            values[name] = value
        elif name == "contact_email":
            if value and not _EMAIL.fullmatch(value):
                errors[name] = ["Not an e-mail address."]
            values[name] = value
        else:
            values[name] = value
    if errors:
        raise Invalid("The row is not valid.", "IMPORT_ROW_INVALID", errors)
    return values


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value
