"""The questionnaire as a nameko dependency: loaded and checked once, when the service starts."""

from __future__ import annotations

from typing import Any

from nameko.extensions import DependencyProvider

from ..adapters.questionnaires import CURRENT_VERSION, load_questionnaire
from ..domain.model import Questionnaire


class QuestionnaireProvider(DependencyProvider):
    """Loads ``questionnaires/v<version>.yaml`` in ``setup()``: a broken file stops the start."""

    def __init__(self, version: int = CURRENT_VERSION):
        self.version = version
        self.questionnaire: Questionnaire | None = None

    def setup(self) -> None:
        self.questionnaire = load_questionnaire(self.version)

    def get_dependency(self, worker_ctx: Any) -> Questionnaire:
        assert self.questionnaire is not None, "setup() loads the questionnaire"
        return self.questionnaire
