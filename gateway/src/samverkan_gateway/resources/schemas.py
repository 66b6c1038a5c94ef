"""Schemas every resource shares."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """A page of items with the total count, as every list answers."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
        },
        name=f"{item_schema.__name__.removesuffix('Schema')}PageSchema",
    )


def wire(schema: Schema, loaded: dict[str, Any]) -> dict[str, Any]:
    """Validated input turned back into JSON-safe values for the RPC."""
    return schema.dump(loaded)  # type: ignore[no-any-return]
