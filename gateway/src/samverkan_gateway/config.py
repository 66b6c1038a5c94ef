"""The gateway's settings: ``config.yaml`` beside this file, with environment placeholders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from samverkan_common import config


def from_environment() -> dict[str, Any]:
    return dict(config.load(Path(__file__).with_name("config.yaml")))
