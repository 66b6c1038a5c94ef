import pytest

from samverkan_common.config import expand_env


def test_placeholder_takes_the_environment_value(monkeypatch):
    monkeypatch.setenv("SAMVERKAN_TEST_URL", "postgresql+psycopg2://db/x")
    assert expand_env("url: ${SAMVERKAN_TEST_URL:sqlite://}") == "url: postgresql+psycopg2://db/x"


def test_placeholder_falls_back_to_its_default(monkeypatch):
    monkeypatch.delenv("SAMVERKAN_TEST_URL", raising=False)
    assert expand_env("url: ${SAMVERKAN_TEST_URL:sqlite:///var/x.db}") == "url: sqlite:///var/x.db"


def test_placeholder_without_default_must_be_set(monkeypatch):
    monkeypatch.delenv("SAMVERKAN_TEST_SECRET", raising=False)
    with pytest.raises(KeyError, match="SAMVERKAN_TEST_SECRET"):
        expand_env("secret: ${SAMVERKAN_TEST_SECRET}")
