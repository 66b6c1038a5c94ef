"""Configuration from YAML with ``${ENV:default}`` placeholders, as nameko reads it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

_PLACEHOLDER = re.compile(r"\$\{(?P<name>[^}^{:]+)(?::(?P<default>[^}]*))?\}")


def expand_env(text: str) -> str:
    """Replace each ``${NAME:default}`` with the environment's value or the default."""

    def replace(match: re.Match[str]) -> str:
        name, default = match.group("name"), match.group("default")
        if name in os.environ:
            return os.environ[name]
        if default is None:
            raise KeyError(f"environment variable {name} is not set and has no default")
        return default

    return _PLACEHOLDER.sub(replace, text)


def load(path: str | Path) -> dict[str, Any]:
    """Read a YAML config file, expanding environment placeholders first."""
    return yaml.safe_load(expand_env(Path(path).read_text(encoding="utf-8"))) or {}
