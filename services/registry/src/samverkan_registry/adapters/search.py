"""Full-text search of organisations in the database's own engine.

PostgreSQL: a generated ``tsvector`` column in the ``swedish`` configuration
(stemming, Swedish stop words), weighted name A and the rest B, with a GIN
index; queries are prefix matches (``term:*``), ranked by ``ts_rank``.

SQLite (the local default): an FTS5 table with the ``unicode61`` tokenizer and
``remove_diacritics 0``, so "göteborg" finds "Göteborg" (case folds) but "a"
never finds "å"; queries are prefix matches (``"term"*``), ranked by ``bm25``.
FTS5 rows need a stable integer rowid, and organisations are keyed by uuid, so a
small key table gives each organisation one.

Both indexes are maintained by the database itself (a generated column, or
triggers) in the transaction that changes the organisation, so they cannot
drift from the rows. The text they index is ``organisations.search_text``,
which the repository writes with :func:`search_text`.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Select, column, func, literal_column, select, table

from ..domain.model import Organisation
from ..domain.municipalities import municipality

MAX_TERMS = 10
_TERM = re.compile(r"[^\W_]+")

CREATE_SQLITE = (
    "CREATE TABLE organisation_search_keys ("
    " key INTEGER PRIMARY KEY,"
    " organisation_id VARCHAR(36) NOT NULL UNIQUE REFERENCES organisations (id) ON DELETE CASCADE)",
    "CREATE VIRTUAL TABLE organisation_search USING fts5(name, body, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TRIGGER organisations_search_insert AFTER INSERT ON organisations BEGIN"
    " INSERT INTO organisation_search_keys (organisation_id) VALUES (new.id);"
    " INSERT INTO organisation_search (rowid, name, body) VALUES"
    " ((SELECT key FROM organisation_search_keys WHERE organisation_id = new.id), new.name, new.search_text);"
    " END",
    "CREATE TRIGGER organisations_search_update AFTER UPDATE OF name, search_text ON organisations BEGIN"
    " UPDATE organisation_search SET name = new.name, body = new.search_text"
    " WHERE rowid = (SELECT key FROM organisation_search_keys WHERE organisation_id = old.id);"
    " END",
    "CREATE TRIGGER organisations_search_delete BEFORE DELETE ON organisations BEGIN"
    " DELETE FROM organisation_search"
    " WHERE rowid = (SELECT key FROM organisation_search_keys WHERE organisation_id = old.id);"
    " DELETE FROM organisation_search_keys WHERE organisation_id = old.id;"
    " END",
)

CREATE_POSTGRESQL = (
    "ALTER TABLE organisations ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    " setweight(to_tsvector('swedish', name), 'A') || setweight(to_tsvector('swedish', search_text), 'B')"
    ") STORED",
    "CREATE INDEX ix_organisations_search_vector ON organisations USING gin (search_vector)",
)

_fts = table("organisation_search", column("rowid"))
_keys = table("organisation_search_keys", column("key"), column("organisation_id"))


def search_text(organisation: Organisation) -> str:
    """The text a search looks through besides the name.

    The municipality's name is in it, its sub-region's is not: "göteborg" should find organisations
    in Göteborg, not every one in Göteborgsregionen (the subregion filter is for that).
    """
    place = municipality(organisation.municipality_code)
    number = organisation.organisation_number or ""
    parts = [
        *organisation.other_names,
        *organisation.tags,
        *(area.label for area in organisation.areas),
        place.name if place else "",
        # Written three ways, since PostgreSQL's parser reads "802002-4280" as 802002 and -4280.
        f"{number} {number.replace('-', '')} {number.replace('-', ' ')}" if number else "",
        organisation.description,
    ]
    return "\n".join(part for part in parts if part)


def terms(query: str) -> list[str]:
    """The words of a search, lower-cased; punctuation is no part of any term."""
    return _TERM.findall(query.lower())[:MAX_TERMS]


def with_text_search(dialect: str, statement: Select[Any], words: list[str]) -> tuple[Select[Any], ColumnElement[Any]]:
    """``statement`` (over organisations) narrowed to rows matching every word as a prefix, and its rank ordering."""
    if dialect == "sqlite":
        expression = " ".join(f'"{word}"*' for word in words)
        matched = (
            select(
                _keys.c.organisation_id.label("organisation_id"),
                func.bm25(literal_column("organisation_search"), 10.0, 1.0).label("rank"),
            )
            .select_from(_fts.join(_keys, _keys.c.key == _fts.c.rowid))
            .where(literal_column("organisation_search").op("MATCH")(expression))
            .subquery("matched")
        )
        narrowed = statement.join(matched, matched.c.organisation_id == literal_column("organisations.id"))
        # bm25: the lower, the better.
        return narrowed, matched.c.rank.asc()
    vector = literal_column("organisations.search_vector")
    query = func.to_tsquery(literal_column("'swedish'::regconfig"), " & ".join(f"{word}:*" for word in words))
    return statement.where(vector.op("@@")(query)), func.ts_rank(vector, query).desc()
