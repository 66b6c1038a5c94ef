"""The levels advisor: thin RPC entrypoints over the use cases."""

from __future__ import annotations

import functools
import inspect
from typing import Any

from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy

from samverkan_common.errors import Unavailable
from samverkan_common.metrics import Observability
from samverkan_common.providers import UnitOfWorkProvider
from samverkan_common.service import health_report, load
from samverkan_common.service import rpc as shared_rpc

from ..adapters.peers import RpcPeers
from ..adapters.repository import AdvisorUnitOfWork
from ..service_layer import handlers
from ..service_layer import invitations as invitation_handlers
from ..service_layer.handlers import PeerUnavailable
from .invitation_schemas import AnswerSchema, InvitationSchema, SendInvitationsSchema, TokenSchema, about_out
from .providers import Library, QuestionnaireProvider
from .schemas import (
    AssessmentSchema,
    AssessSchema,
    CommitteeChangeSchema,
    CommitteeQuerySchema,
    CommitteeSchema,
    CreatePlanSchema,
    NewCommitteeSchema,
    OutcomeInSchema,
    PlanMeetingSchema,
    PlanQuerySchema,
    PlanSchema,
    QuestionnaireQuerySchema,
    UpdatePlanSchema,
    YearSchema,
    questionnaire_out,
)

# Seconds to wait for the registry or the events service before saying it is away.
DEFAULT_PEER_TIMEOUT = 5.0


def rpc(method: Any) -> Any:
    """The shared ``@rpc``; another service being away crosses as the shared Unavailable (503)."""

    @functools.wraps(method)
    def translated(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except PeerUnavailable as away:
            raise Unavailable(str(away), "DEPENDENCY_UNAVAILABLE", {"service": [away.service]}) from None

    translated.__signature__ = inspect.signature(method)  # type: ignore[attr-defined]
    return shared_rpc(translated)


class AdvisorService:
    name = "levels_advisor"

    uow: AdvisorUnitOfWork = UnitOfWorkProvider(AdvisorUnitOfWork)  # type: ignore[assignment]
    observability = Observability()
    questionnaire: Library = QuestionnaireProvider()  # type: ignore[assignment]
    registry = RpcProxy("registry")
    events = RpcProxy("events")

    config = Config()

    @property
    def peers(self) -> RpcPeers:
        timeout = float(self.config.get("PEER_RPC_TIMEOUT", DEFAULT_PEER_TIMEOUT))
        return RpcPeers(self.registry, self.events, timeout)

    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, "samverkan-advisor", self.uow)

    @rpc
    def get_questionnaire(self, language: str = "sv", version: int | None = None) -> dict[str, Any]:
        query = load(QuestionnaireQuerySchema(), {"language": language, "version": version})
        return questionnaire_out(self.questionnaire.by_version(query["version"]), query["language"])

    @rpc
    def assess(self, payload: dict[str, Any]) -> dict[str, Any]:
        command = load(AssessSchema(), payload)
        library = self.questionnaire
        assessment = handlers.assess(self.uow, library.current, command["answers"], library.methods)
        return AssessmentSchema().dump(assessment)

    @rpc
    def get_assessment(self, assessment_id: str) -> dict[str, Any]:
        return AssessmentSchema().dump(handlers.get_assessment(self.uow, assessment_id))

    @rpc
    def create_plan(self, payload: dict[str, Any]) -> dict[str, Any]:
        plan = handlers.create_plan(self.uow, **load(CreatePlanSchema(), payload))
        return PlanSchema().dump(plan)

    @rpc
    def get_plan(self, plan_id: str) -> dict[str, Any]:
        return PlanSchema().dump(handlers.get_plan(self.uow, plan_id))

    @rpc
    def list_plans(self, where: dict[str, Any]) -> list[dict[str, Any]]:
        """The plans of one author (``author_id``), newest first."""
        query = load(PlanQuerySchema(), where)
        return PlanSchema(many=True).dump(handlers.list_plans(self.uow, query["author_id"], query["limit"]))

    @rpc
    def update_plan(self, plan_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        plan = handlers.update_plan(self.uow, plan_id, load(UpdatePlanSchema(), payload))
        return PlanSchema().dump(plan)

    @rpc
    def record_outcome(self, plan_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        plan = handlers.record_outcome(self.uow, plan_id, **load(OutcomeInSchema(), payload), peers=self.peers)
        return PlanSchema().dump(plan)

    @rpc
    def plan_suggestions(self, plan_id: str) -> dict[str, Any]:
        return handlers.suggestions(self.uow, self.peers, plan_id)

    @rpc
    def schedule_plan_meeting(self, plan_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        return handlers.schedule_meeting(self.uow, self.peers, plan_id, load(PlanMeetingSchema(), payload))

    @rpc
    def follow_up_report(self, year: int) -> dict[str, Any]:
        query = load(YearSchema(), {"year": year})
        return handlers.follow_up(self.uow, self.peers, query["year"])

    @rpc
    def list_committees(self, include_retired: bool = False) -> list[dict[str, Any]]:
        query = load(CommitteeQuerySchema(), {"include_retired": include_retired})
        return CommitteeSchema(many=True).dump(handlers.list_committees(self.uow, query["include_retired"]))

    @rpc
    def add_committee(self, payload: dict[str, Any]) -> dict[str, Any]:
        command = load(NewCommitteeSchema(), payload)
        committee = handlers.add_committee(self.uow, command["id"], command["short_name"], command["name"])
        return CommitteeSchema().dump(committee)

    @rpc
    def change_committee(self, committee_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        committee = handlers.change_committee(self.uow, committee_id, load(CommitteeChangeSchema(), payload))
        return CommitteeSchema().dump(committee)

    # --- invitations -------------------------------------------------------------------------

    @rpc
    def send_plan_invitations(self, plan_id: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
        command = load(SendInvitationsSchema(), payload)
        sent = invitation_handlers.send_invitations(self.uow, self.peers, plan_id, command["organisation_ids"])
        return list(InvitationSchema(many=True).dump(sent))

    @rpc
    def invitation_suggestions(self, plan_id: str) -> dict[str, Any]:
        """Organisations to invite, each with why it fits, signatories first; and the forums that fit."""
        return invitation_handlers.explained_suggestions(self.uow, self.peers, plan_id)

    @rpc
    def plan_invitations(self, plan_id: str) -> list[dict[str, Any]]:
        return list(InvitationSchema(many=True).dump(invitation_handlers.plan_invitations(self.uow, plan_id)))

    @rpc
    def invitation_by_token(self, token: str) -> dict[str, Any]:
        query = load(TokenSchema(), {"token": token})
        return about_out(invitation_handlers.invitation_by_token(self.uow, query["token"]))

    @rpc
    def answer_invitation(self, token: str, payload: dict[str, Any]) -> dict[str, Any]:
        query = load(TokenSchema(), {"token": token})
        command = load(AnswerSchema(), payload)
        return about_out(invitation_handlers.answer_invitation(self.uow, query["token"], command["answer"]))
