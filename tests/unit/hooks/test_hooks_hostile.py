"""Hostile or broken requests get a clear 4xx, alike on every database, and error bodies say no more
than an integrator needs: NUL characters, feedback for cards never issued, trailing-slash redirects,
OperationOutcome error bodies, the access log, a client that goes away, SQLite durability.

PostgreSQL (127.0.0.1:5432, database ``test``) is used for real when it answers, in a schema of the
test's own; otherwise that variant is skipped with the reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hooks_support as hs
import pytest
from sqlalchemy import text

from cds.hooks.app import create_app
from cds.hooks.store import Store

TOXICITY = "/cds-services/prrt-toxicity"
DOSE = "/cds-services/prrt-dose-check"



@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hostile.db'}"
        return
    with hs.postgres_schema() as schema:
        yield hs.postgres_url(schema)


@pytest.fixture
def service(tmp_path: Path, database_url: str) -> Iterator[hs.InProcess]:
    with hs.in_process(tmp_path, database_url=database_url) as running:
        yield running


def _withhold_call(pid: str, **changes: Any) -> dict[str, Any]:
    resources, _ = hs.scenario("withhold", pid)
    body = hs.hook_request("patient-view", pid, prefetch=hs.prefetch_for(resources))
    body.update(changes)
    return body


def _issue_card(service: hs.InProcess, pid: str = "p1") -> dict[str, Any]:
    response = service.post(TOXICITY, json=_withhold_call(pid))
    assert response.status_code == 200, response.text
    card: dict[str, Any] = response.json()["cards"][0]
    return card


def _overridden(card: str, comment: str = "checked with the team") -> dict[str, Any]:
    return {"feedback": [{"card": card, "outcome": "overridden", "outcomeTimestamp": "2024-04-29T10:00:00Z",
                          "overrideReason": {"userComment": comment}}]}


# --- NUL characters -----------------------------------------------------------------------------------


def test_a_nul_in_the_hook_instance_is_400_on_every_database(service: hs.InProcess) -> None:
    response = service.post(TOXICITY, json=_withhold_call("p1", hookInstance="abc\u0000def"))
    assert response.status_code == 400
    assert response.json()["detail"] == "hookInstance: must not contain a NUL character"
    assert service.components.store.cards() == []
    assert service.post(TOXICITY, json=_withhold_call("p1")).status_code == 200  # the store still works


@pytest.mark.parametrize("where", ["comment", "display", "card", "system"])
def test_a_nul_in_feedback_is_400_on_every_database(service: hs.InProcess, where: str) -> None:
    card = _issue_card(service)
    body = _overridden(card["uuid"])
    item = body["feedback"][0]
    if where == "comment":
        item["overrideReason"]["userComment"] = "fine\u0000"
    elif where == "card":
        item["card"] = card["uuid"] + "\u0000"
    else:
        item["overrideReason"]["reason"] = {"system": "s", "code": "c", "display": "d"}
        item["overrideReason"]["reason"][where] = "x\u0000y"
    response = service.post(f"{TOXICITY}/feedback", json=body)
    assert response.status_code == 400
    assert "must not contain a NUL character" in response.json()["detail"]
    assert service.components.store.feedback() == []


def _post_raw(service: hs.InProcess, path: str, body: Any, **headers: str) -> Any:
    """``body`` as JSON with ``\\uXXXX`` escapes: a lone surrogate arrives as JSON allows it to."""
    return service.post(path, content=json.dumps(body).encode(), headers={"Content-Type": "application/json",
                                                                          **headers})


@pytest.mark.parametrize("where", ["comment", "display"])
def test_a_lone_surrogate_in_feedback_is_400_on_every_database(service: hs.InProcess, where: str) -> None:
    """JSON may escape half a UTF-16 pair ("\\ud800"), which no database can encode: a 400, never a 500."""
    card = _issue_card(service)
    body = _overridden(card["uuid"])
    item = body["feedback"][0]
    if where == "comment":
        item["overrideReason"]["userComment"] = "fine\ud800"
    else:
        item["overrideReason"]["reason"] = {"system": "s", "code": "c", "display": "x\udc00y"}
    response = _post_raw(service, f"{TOXICITY}/feedback", body)
    assert response.status_code == 400, response.text
    assert "is not valid Unicode" in response.json()["detail"]
    assert service.components.store.feedback() == []


def test_a_lone_surrogate_in_the_jwt_tenant_is_400_and_no_card_is_audited(tmp_path: Path,
                                                                          database_url: str) -> None:
    signer = hs.signers()["ES384"]
    auth = {"verify_jwt": True, "issuers": [{"iss": signer.iss, "jwks": hs.jwks(signer)}]}
    with hs.in_process(tmp_path, auth=auth, replay_cache_url="memory://", database_url=database_url) as running:
        token = signer.token(f"http://testserver{TOXICITY}", tenant="ward\ud800")
        response = _post_raw(running, TOXICITY, _withhold_call("p1"), **hs.bearer(token))
        assert response.status_code == 400, response.text
        assert response.json()["detail"] == "not storable: tenant is not valid Unicode"
        assert running.components.store.cards() == []


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_feedback_time_outside_the_utc_calendar_is_400(service: hs.InProcess, stamp: str) -> None:
    """A valid ISO time whose UTC instant falls before year 1 or after 9999 cannot be stored: a 400."""
    card = _issue_card(service)
    body = _overridden(card["uuid"])
    body["feedback"][0]["outcomeTimestamp"] = stamp
    response = service.post(f"{TOXICITY}/feedback", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["detail"].startswith("feedback.0.outcomeTimestamp: ")
    assert service.components.store.feedback() == []


def test_a_nul_in_an_order_id_is_400_and_no_card_is_audited(service: hs.InProcess) -> None:
    resources, _ = hs.scenario("withhold", "p1")
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("mr-1\u0000x", "p1")])
    response = service.post(DOSE, json=body)
    assert response.status_code == 400
    assert response.json()["detail"] == "not storable: order_ref holds a NUL character"
    assert service.components.store.cards() == []


def test_an_order_id_longer_than_its_column_is_400_not_503(service: hs.InProcess) -> None:
    resources, _ = hs.scenario("withhold", "p1")
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources),
                           orders=[hs.medication_request("m" * 200, "p1")])
    response = service.post(DOSE, json=body)
    assert response.status_code == 400
    assert response.json()["detail"] == "not storable: order_ref is longer than 128 characters"


def test_duplicate_keys_in_a_hook_call_are_400(service: hs.InProcess) -> None:
    raw = b'{"hook": "patient-view", "hookInstance": "h", "context": {"patientId": "p1", "patientId": "p2"}}'
    response = service.post(TOXICITY, content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("the body is not acceptable JSON: duplicate key")


# --- feedback for cards never issued --------------------------------------------------------------------


def test_feedback_for_a_card_never_issued_is_404_and_not_stored(service: hs.InProcess) -> None:
    response = service.post(f"{TOXICITY}/feedback", json=_overridden(str(uuid.uuid4())))
    assert response.status_code == 404
    assert response.json()["detail"] == "no card with that uuid was issued by this service"
    assert service.components.store.feedback() == []


def test_feedback_naming_one_unknown_card_stores_none_of_its_items(service: hs.InProcess) -> None:
    card = _issue_card(service)
    body = _overridden(card["uuid"])
    body["feedback"] += _overridden(str(uuid.uuid4()))["feedback"]
    assert service.post(f"{TOXICITY}/feedback", json=body).status_code == 404
    assert service.components.store.feedback() == []
    assert service.post(f"{TOXICITY}/feedback", json=_overridden(card["uuid"])).json() == {"stored": 1,
                                                                                           "alreadyStored": 0}


def test_feedback_sent_to_another_service_than_the_card_came_from_is_404(service: hs.InProcess) -> None:
    card = _issue_card(service)
    assert service.post(f"{DOSE}/feedback", json=_overridden(card["uuid"])).status_code == 404
    assert service.components.store.feedback() == []


# --- redirects and error bodies -------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [("GET", "/cds-services/"), ("POST", "/cds-services/prrt-toxicity/"),
                                              ("POST", "/cds-services/prrt-toxicity/feedback/")])
def test_a_trailing_slash_is_not_redirected_to_the_host_header(tmp_path: Path, method: str, path: str) -> None:
    with hs.in_process(tmp_path) as running:
        response = running.request(method, path, headers={"Host": "evil.example"}, json={})
    assert response.status_code == 404
    assert "location" not in response.headers
    assert "evil.example" not in response.text
    assert response.json()["resourceType"] == "OperationOutcome"


def _is_minimal_outcome(document: Any, code: str) -> bool:
    issues = document.get("issue")
    return (document.get("resourceType") == "OperationOutcome" and isinstance(issues, list) and len(issues) == 1
            and set(issues[0]) == {"severity", "code", "diagnostics"} and issues[0]["severity"] == "error"
            and issues[0]["code"] == code and issues[0]["diagnostics"] == document["detail"])


def test_every_error_answer_is_a_minimal_operation_outcome(tmp_path: Path) -> None:
    with hs.in_process(tmp_path) as running:
        answers = {
            "invalid": running.post(TOXICITY, content=b"{bad", headers={"Content-Type": "application/json"}),
            "not-found": running.post("/cds-services/no-such-service", json=_withhold_call("p1")),
            "incomplete": running.post(TOXICITY, json=hs.hook_request("patient-view", "p1")),
            "not-supported": running.request("DELETE", TOXICITY),
        }
    for code, response in answers.items():
        assert _is_minimal_outcome(response.json(), code), (code, response.text)
    assert answers["not-found"].json()["detail"] == "no such CDS service"
    assert answers["not-supported"].status_code == 405 and answers["not-supported"].headers["allow"] == "POST"


def test_a_400_names_the_field_never_its_content(tmp_path: Path) -> None:
    with hs.in_process(tmp_path) as running:
        body = _withhold_call("p1")
        body["context"]["patientId"] = "secret/../value"
        response = running.post(TOXICITY, json=body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("context.patientId: ")
    assert "secret" not in response.text


def test_a_401_says_only_that_the_token_was_not_accepted(tmp_path: Path) -> None:
    auth = {"verify_jwt": True, "issuers": [{"iss": "https://ehr.example.test/es", "jwks": hs.jwks(
        hs.signers()["ES384"])}]}
    with hs.in_process(tmp_path, auth=auth, replay_cache_url="memory://") as running:
        answers = [running.get("/cds-services"),
                   running.get("/cds-services", headers=hs.bearer("not.a.token")),
                   running.get("/cds-services", headers=hs.bearer(hs.signers()["RS384"].token(
                       "http://testserver/cds-services")))]
    for response in answers:
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        assert _is_minimal_outcome(response.json(), "login")
        assert response.json()["detail"] == "the token was not accepted"


def test_an_unexpected_failure_is_a_bare_500_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cds.hooks import handlers

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret-patient-99 payload")

    monkeypatch.setattr(handlers, "evaluate_collected", broken)
    with hs.in_process(tmp_path) as running:
        response = running.post(TOXICITY, json=_withhold_call("p1"))
    assert response.status_code == 500
    assert _is_minimal_outcome(response.json(), "exception") and response.json()["detail"] == "internal error"
    assert "secret" not in response.text


# --- the access log and clients that go away ------------------------------------------------------------


def test_the_access_log_has_the_path_without_its_query(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cds.hooks.access")
    with hs.in_process(tmp_path) as running:
        running.get("/cds-services?access_token=very-secret-token&patient=secret-patient-1")
        running.get("/cds-services/%0aforged%20line?x=1")
    lines = [r.getMessage() for r in caplog.records if r.name == "cds.hooks.access"]
    assert any('"GET /cds-services HTTP/1.1" 200' in line for line in lines), lines
    assert any('"GET /cds-services/%0aforged%20line HTTP/1.1" 405' in line for line in lines), lines
    assert "very-secret-token" not in caplog.text and "secret-patient-1" not in caplog.text
    assert all("\n" not in line for line in lines)


def test_a_client_that_goes_away_mid_body_is_info_not_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(hs.service_settings(tmp_path), fhir_transport=hs.mock_transport(hs.FhirData(), hs.FHIR_BASE))
    messages = [{"type": "http.request", "body": b'{"hook": "patient-', "more_body": True},
                {"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": TOXICITY, "raw_path": TOXICITY.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                         (b"content-length", b"5000")], "client": ("127.0.0.1", 5555), "server": ("testserver", 80)}

    async def run() -> None:
        async with app.router.lifespan_context(app):
            await app(scope, receive, send)

    caplog.set_level(logging.INFO)
    asyncio.run(run())
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert any("the client went away" in r.getMessage() and r.levelno == logging.INFO for r in caplog.records)
    assert sent == []  # nobody is left to answer


# --- SQLite durability ----------------------------------------------------------------------------------


def test_sqlite_syncs_every_commit(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'durable.db'}")
    try:
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    finally:
        store.dispose()


def test_only_values_from_the_request_are_blamed_on_the_request() -> None:
    from datetime import UTC, datetime

    from cds.hooks.store import CARD_COLUMNS_FROM_REQUEST, Unstorable, card_audit, check_storable

    row = {"card_uuid": "c", "hook_instance": "h", "service_id": "s", "hook": "patient-view", "patient": "Patient/p",
           "ruleset_version": "v" * 300, "issued_at": datetime.now(UTC), "indicator": "info", "action": "proceed"}
    check_storable(card_audit, [row], CARD_COLUMNS_FROM_REQUEST)  # the service's own value: not a 400
    with pytest.raises(Unstorable, match="ruleset_version is longer than 256 characters"):
        check_storable(card_audit, [row])
