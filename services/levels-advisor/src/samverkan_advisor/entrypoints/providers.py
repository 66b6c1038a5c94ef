"""The questionnaires and the matrix of methods as a nameko dependency: read and checked once, at start."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nameko.extensions import DependencyProvider

from samverkan_common.errors import NotFound

from ..adapters.questionnaires import CURRENT_VERSION, load_all_questionnaires, load_methods
from ..domain.model import MethodMatrix, Questionnaire


@dataclass(frozen=True)
class Library:
    """Every questionnaire version, which one is current, and the methods."""

    versions: dict[int, Questionnaire]
    current_version: int
    methods: MethodMatrix

    @property
    def current(self) -> Questionnaire:
        return self.versions[self.current_version]

    def by_version(self, version: int | None) -> Questionnaire:
        if version is None:
            return self.current
        if version not in self.versions:
            raise NotFound(f"There is no questionnaire version {version}.", "QUESTIONNAIRE_NOT_FOUND")
        return self.versions[version]


def load_library(current_version: int = CURRENT_VERSION) -> Library:
    versions = load_all_questionnaires()
    if current_version not in versions:
        raise FileNotFoundError(f"questionnaires/v{current_version}.yaml")
    return Library(versions=versions, current_version=current_version, methods=load_methods())


class QuestionnaireProvider(DependencyProvider):
    """Loads ``questionnaires/v*.yaml`` and ``methods.yaml`` in ``setup()``: a broken file stops the start."""

    def __init__(self, version: int = CURRENT_VERSION):
        self.version = version
        self.library: Library | None = None

    def setup(self) -> None:
        self.library = load_library(self.version)

    def get_dependency(self, worker_ctx: Any) -> Library:
        assert self.library is not None, "setup() loads the questionnaires"
        return self.library
