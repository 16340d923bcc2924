"""The service layer: a hook call in, cards out, through the one evaluation path; feedback stored.

A call is checked (service, hook, context), its data resolved (prefetch, else the FHIR server), the
record evaluated with ``cds.evaluation.evaluate_collected`` (the same path as the CLI and the
report), the cards built and rendered, and every card written to the audit table before the answer
leaves: an answer that cannot be rendered is refused (400) before anything is audited, so that the
audit never holds a card that was not sent.

The evaluation runs in a thread (``cds.hooks.runtime.slots``), a bounded number at once; a call brings at most
``max_resources`` resources (413 beyond) and is answered within ``request_deadline_seconds`` (503
after it, and its cards are then neither issued nor audited).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from cds.dose.schedule import planned_course
from cds.errors import EvaluationError
from cds.evaluation import DEFAULT_CTCAE_VERSION, Evaluation, PatientEvaluation, evaluate_collected
from cds.facts import Issue, TreatmentRecord
from cds.hooks.api.models import (
    CONTEXTS,
    FeedbackRequest,
    HookRequest,
    OrderSelectContext,
    OrderSignContext,
    PatientViewContext,
    describe_error,
)
from cds.hooks.cards.card import IssuedCard
from cds.hooks.cards.orders import LutatheraOrder, lutathera_orders, other_patients_orders
from cds.hooks.cards.protocol_card import amino_acid_orders
from cds.hooks.cards.unresolved_orders import UnresolvedOrder, unresolved_orders
from cds.hooks.errors import BadRequest, HookFailure, PayloadTooLarge, Unavailable, UnknownFeedbackCard, UnknownService
from cds.hooks.fhir.order_medications import order_medications
from cds.hooks.fhir.patient_scope import PatientScope, with_note
from cds.hooks.fhir.prefetch import MEDICATIONS, PrefetchResolver, Resolved
from cds.hooks.runtime.slots import EvaluationSlots
from cds.hooks.services import SERVICES, CardInputs
from cds.hooks.services import CdsService as Service
from cds.hooks.store import (
    UNVERIFIED,
    CardRecord,
    Client,
    Store,
    StoreError,
    UnknownCard,
    UnknownSuggestion,
    Unstorable,
)
from cds.mapping.treatment import treatment_codes
from cds.reading import Collected, from_prefetch

logger = logging.getLogger("cds.hooks")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def site_day(moment: datetime, zone: tzinfo | None) -> date:
    """The calendar day at the site at ``moment``: on the site's time zone (``[site] timezone`` of
    fhir_mappings/treatment_context.toml) when one is set, else on UTC. The laboratory results' days are
    the days as written, on the site's clock: a UTC day would put this morning's results east of UTC
    after "today", and age every result by a day in the evening west of it."""
    return moment.astimezone(zone or UTC).date()


class EvaluationFailed(HookFailure):
    """The rule engine failed: no recommendation can be given (500; never shown as "no finding")."""


class TooManyResources(PayloadTooLarge):
    """More resources than ``max_resources`` to evaluate (413): refused before the evaluation starts."""


class DeadlineExceeded(Unavailable):
    """No answer within ``request_deadline_seconds`` (503): no card is issued, none is audited."""


@dataclass(frozen=True)
class Decision:
    """The answer, checked to render as JSON, and the audit rows of its cards."""

    answer: dict[str, Any]
    records: list[CardRecord]


UNRENDERABLE = ("the answer cannot be rendered: the request holds a value that cannot be sent back (not valid "
                "Unicode, or nested too deeply)")


def renderable(answer: dict[str, Any]) -> dict[str, Any]:
    """``answer`` if it renders exactly as the route will send it (Starlette's JSONResponse); else BadRequest.

    A value the request brought and a card carries back (the order in a suggestion) may not render: a
    nesting deeper than pydantic serializes, a lone UTF-16 surrogate that UTF-8 cannot encode.
    """
    try:
        JSONResponse(answer)
    except (ValueError, UnicodeError):  # UnicodeEncodeError; NaN is a ValueError
        raise BadRequest(UNRENDERABLE) from None
    return answer


def _service(service_id: str) -> Service:
    service = SERVICES.get(service_id)
    if service is None:
        raise UnknownService("no such CDS service")
    return service


def _request(service: Service, body: Any) -> tuple[HookRequest, PatientViewContext | OrderSignContext]:
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    try:
        request = HookRequest.model_validate(body)
    except ValidationError as exc:
        raise BadRequest(describe_error(exc)) from None
    if request.hook not in service.hooks:
        raise BadRequest(f"service {service.id} answers the hook(s) {', '.join(service.hooks)}")
    try:
        context = CONTEXTS[request.hook].model_validate(request.context)
    except ValidationError as exc:
        raise BadRequest(describe_error(exc, "context")) from None
    return request, context


class HookHandler:
    def __init__(self, resolver: PrefetchResolver, store: Store, clock: Clock = utc_now,
                 as_of: date | None = None, *, slots: EvaluationSlots | None = None,
                 deadline_seconds: float = 30.0, max_resources: int = 10_000,
                 ctcae_version: str = DEFAULT_CTCAE_VERSION) -> None:
        self.resolver = resolver
        self.store = store
        self.clock = clock
        self.as_of = as_of
        self.slots = slots or EvaluationSlots(2)
        self.deadline_seconds = deadline_seconds
        self.max_resources = max_resources
        self.ctcae_version = ctcae_version  # the CTCAE table graded with, named on the cards and in the audit

    async def call(self, service_id: str, body: Any, fhir_servers: Sequence[str] = (),
                   client: Client = UNVERIFIED) -> dict[str, Any]:
        """``fhir_servers``: what the caller's issuer may name as ``fhirServer`` besides the global list;
        ``client``: the verified caller, recorded with each card (its feedback is taken from it only)."""
        started = time.perf_counter()
        service = _service(service_id)
        request, context = _request(service, body)
        orders: list[LutatheraOrder] = []
        unresolved: list[UnresolvedOrder] = []
        drafts: tuple[Any, ...] = ()
        selections: Sequence[str] | None = None
        if service.reads_orders:
            assert isinstance(context, OrderSignContext)
            selections = context.selections if isinstance(context, OrderSelectContext) else None
            drafts = tuple(context.draftOrders.entry)
            if not self._orders(drafts, context.patientId, selections)[0] and \
                    not unresolved_orders(drafts, context.patientId, selections):
                logger.info("%s %s: no Lutathera order, no card", service.id, request.hook)
                return {"cards": []}
        # Only the context patient's resources are evaluated (cds.hooks.fhir.patient_scope): a prefetch key of
        # another patient's data is as if not prefetched, and what the FHIR server answers is filtered too.
        scope = PatientScope.of(context.patientId, request.fhirServer, request.prefetch)
        request = request.model_copy(update={"prefetch": scope.prefetch(request.prefetch)})
        try:
            async with asyncio.timeout(self.deadline_seconds):
                if service.reads_orders:
                    # A Medication an order names and the call does not send: from the prefetch, else the server.
                    drafts = (*drafts, *await self._order_medications(request, drafts, context.patientId,
                                                                      selections, fhir_servers))
                    orders, unresolved = self._orders(drafts, context.patientId, selections)
                    if not orders and not unresolved:
                        logger.info("%s %s: no Lutathera order, no card", service.id, request.hook)
                        return {"cards": []}
                try:
                    resolved = await self.resolver.resolve(request, context.patientId, fhir_servers)
                    scope.resolved(resolved, self.resolver.templates)
                finally:
                    scope.log(service.id, request.hook)
                # CPU-bound: in a thread, a bounded number at once, so the event loop keeps answering.
                decision = await self.slots.run(self._guarded, service, request, context.patientId, resolved,
                                                orders, scope, drafts, unresolved)
            records = [replace(r, issuer=client.issuer, tenant=client.tenant) for r in decision.records]
        except TimeoutError:
            logger.warning("%s %s: no answer within %.0f s (request_deadline_seconds): 503", service.id,
                           request.hook, self.deadline_seconds)
            raise DeadlineExceeded("the answer was not ready in time; no card is issued") from None
        # The audit is not under the deadline: once it starts, its rows and the answer go together
        # (the database's own timeout bounds it, and its failure is a 503 with no card).
        try:
            await run_in_threadpool(self.store.record_cards, records)
        except Unstorable as exc:
            raise BadRequest(f"not storable: {exc}") from None
        except StoreError as exc:
            logger.error("%s: %s", service.id, exc)
            raise Unavailable("the card audit cannot be written; no card is issued") from None
        logger.info("%s %s: %d card(s) in %.0f ms", service.id, request.hook, len(decision.records),
                    (time.perf_counter() - started) * 1000)
        return decision.answer

    @staticmethod
    def _orders(entries: Sequence[Any], patient_id: str, selections: Sequence[str] | None
                ) -> tuple[list[LutatheraOrder], list[UnresolvedOrder]]:
        """The Lutathera orders (the patient's, then those naming another patient), and the orders whose
        medication cannot be told at all (a reference without a ``display`` that the entries do not resolve)."""
        orders = lutathera_orders(entries, patient_id, selections)
        orders += other_patients_orders(entries, patient_id, selections)
        return orders, [u for u in unresolved_orders(entries, patient_id, selections) if not u.named]

    async def _order_medications(self, request: HookRequest, entries: Sequence[Any], patient_id: str,
                                 selections: Sequence[str] | None, also: Sequence[str]) -> list[dict[str, Any]]:
        """``draftOrders`` entries of the Medications the orders name and the call does not send, found in the
        prefetch or read from the FHIR server (cds.hooks.fhir.order_medications); none for those that cannot."""
        ids = [u.medication_id for u in unresolved_orders(entries, patient_id, selections) if u.medication_id]
        if not ids:
            return []
        token = request.fhirAuthorization.access_token.get_secret_value() if request.fhirAuthorization else None
        found = await order_medications(self.resolver.client, self.resolver.timeout, request.prefetch,
                                        request.fhirServer, token, ids, also)
        return [{"resource": medication} for medication in found]

    def _guarded(self, service: Service, request: HookRequest, patient_id: str, resolved: Resolved,
                 orders: list[LutatheraOrder], scope: PatientScope, drafts: tuple[Any, ...] = (),
                 unresolved: Sequence[UnresolvedOrder] = ()) -> Decision:
        """``_decide``; a request nested deeper than Python can walk (an order copied into a suggestion,
        an ``extension`` 800 levels deep) is refused as one whose answer cannot be rendered, not a 500."""
        try:
            return self._decide(service, request, patient_id, resolved, orders, scope, drafts, unresolved)
        except RecursionError:
            raise BadRequest(UNRENDERABLE) from None

    def _decide(self, service: Service, request: HookRequest, patient_id: str, resolved: Resolved,
                orders: list[LutatheraOrder], scope: PatientScope, drafts: tuple[Any, ...] = (),
                unresolved: Sequence[UnresolvedOrder] = ()) -> Decision:
        """Evaluate, build the cards and render them (CPU, in an evaluation thread); audit rows to write."""
        collected = from_prefetch(resolved.data)
        if len(collected.resources) + len(orders) > self.max_resources:
            raise TooManyResources(f"more than {self.max_resources} resources to evaluate (max_resources)")
        note = scope.note()
        if note is not None:
            collected.issues.append(Issue(severity="warning", resource="prefetch", message=scope.issue()))
        if resolved.data.get("patient") is None:
            # No Patient resource: the patient of the context still exists, of unknown sex and age, so
            # that a missing record gives "labs needed" rather than no answer.
            collected.add({"resourceType": "Patient", "id": patient_id}, "context.patientId")
        as_of = self.as_of or site_day(self.clock(), treatment_codes().site_zone)
        patient = f"Patient/{patient_id}"
        # optional data the rules decide from, which neither the prefetch nor the FHIR server gave
        incomplete = tuple(t for t in resolved.unavailable if t.decides)
        unknown_risk = any(t.key == "kidneyRiskFactors" for t in incomplete)
        evaluation = self._evaluate(service, collected, as_of, unknown_risk)
        result = next((p for p in evaluation.patients if p.patient == patient), None)
        if result is None:
            # None of the patient's resources could be used (a Patient failing FHIR validation and nothing
            # else): the patient still exists, with no usable data, so an order gets "labs needed", never
            # the empty answer that reads as "the order agrees with the rules".
            collected.add({"resourceType": "Patient", "id": patient_id}, "context.patientId")
            evaluation = self._evaluate(service, collected, as_of, unknown_risk)
            result = next((p for p in evaluation.patients if p.patient == patient), None)
        issued = self._cards(service, result, orders, evaluation.ruleset_version, as_of,
                             [t.label for t in resolved.unavailable], amino_acid_orders(drafts, patient_id, as_of),
                             tuple(f"{t.label}: {t.decides}" for t in incomplete),
                             tuple(lutathera_orders(drafts, patient_id)) if drafts else (),
                             any(t.key == MEDICATIONS.key for t in incomplete), tuple(unresolved))
        if note is not None:
            issued = [with_note(c, note) for c in issued]
        try:
            answer = renderable({"cards": [c.card.to_json() for c in issued]})
        except (PydanticSerializationError, ValueError):  # pydantic's "Maximum serialization depth exceeded"
            raise BadRequest(UNRENDERABLE) from None
        now = self.clock()
        records = [
            CardRecord(card_uuid=c.card.uuid, hook_instance=request.hookInstance, service_id=service.id,
                       hook=request.hook, patient=patient, ruleset_version=evaluation.ruleset_version, issued_at=now,
                       ctcae_version=self.ctcae_version,
                       indicator=c.card.indicator, action=c.action, cycle=c.cycle, order_ref=c.order,
                       suggestions=[suggestion.uuid for suggestion in c.card.suggestions or ()])
            for c in issued
        ]
        return Decision(answer=answer, records=records)

    def _evaluate(self, service: Service, collected: Collected, as_of: date,
                  risk_factors_unknown: bool = False) -> Evaluation:
        try:
            return evaluate_collected(collected, as_of, self.ctcae_version, risk_factors_unknown=risk_factors_unknown)
        except EvaluationError:
            logger.error("%s: the rule engine failed", service.id)
            raise EvaluationFailed("the evaluation failed") from None

    def _cards(self, service: Service, result: PatientEvaluation | None, orders: list[LutatheraOrder],
               ruleset_version: str, as_of: date, unavailable: list[str],
               amino_acids: Sequence[TreatmentRecord] = (), incomplete: tuple[str, ...] = (),
               drafted: tuple[LutatheraOrder, ...] = (), history_incomplete: bool = False,
               unresolved: tuple[UnresolvedOrder, ...] = ()) -> list[IssuedCard]:
        if result is None:
            return []
        planned = planned_course().planned_cycles
        return service.cards(CardInputs(result=result, orders=orders, ruleset_version=ruleset_version, as_of=as_of,
                                        unavailable=unavailable, planned_cycles=planned,
                                        ctcae_version=self.ctcae_version, amino_acid_orders=amino_acids,
                                        incomplete=incomplete, drafted=drafted,
                                        history_incomplete=history_incomplete, unresolved=unresolved))

    async def feedback(self, service_id: str, body: Any, client: Client = UNVERIFIED) -> dict[str, Any]:
        service = _service(service_id)
        try:
            request = FeedbackRequest.model_validate(body)
        except ValidationError as exc:
            raise BadRequest(describe_error(exc)) from None
        try:
            stored, repeated = await run_in_threadpool(self.store.record_feedback, service.id, request.feedback,
                                                       self.clock(), client)
        except Unstorable as exc:
            raise BadRequest(f"not storable: {exc}") from None
        except UnknownCard as exc:
            logger.info("%s feedback: %s", service.id, exc)
            raise UnknownFeedbackCard("no card with that uuid was issued by this service") from None
        except UnknownSuggestion as exc:
            logger.info("%s feedback: %s", service.id, exc)
            raise BadRequest("an accepted suggestion was not offered on its card") from None
        except StoreError as exc:
            logger.error("%s feedback: %s", service.id, exc)
            raise Unavailable("feedback cannot be stored") from None
        logger.info("%s feedback: %d stored, %d repeated", service.id, stored, repeated)
        return {"stored": stored, "alreadyStored": repeated}
