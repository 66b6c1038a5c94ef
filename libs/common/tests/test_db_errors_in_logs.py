"""A database error names its statement but not the values in it: its text ends up in the logs."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from samverkan_common.db import make_engine


def test_a_failed_statement_does_not_carry_the_personal_data_it_was_given():
    engine = make_engine("sqlite://", poolclass=StaticPool)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE subscriber (address TEXT PRIMARY KEY)"))
        connection.execute(text("INSERT INTO subscriber VALUES (:address)"), {"address": "anna@example.org"})

    with pytest.raises(IntegrityError) as failed, engine.begin() as connection:
        connection.execute(text("INSERT INTO subscriber VALUES (:address)"), {"address": "anna@example.org"})

    assert "INSERT INTO subscriber" in str(failed.value)
    assert "anna@example.org" not in str(failed.value)
