"""Test support for the CDS Hooks service: PRRT records, hook requests, Lutathera orders, signing keys,
the spec's JSON schemas, an in-process runner, a FHIR server emulation (for ``httpx.MockTransport``
and for a loopback HTTP server), and a real ``prrt-cds serve`` process on a free loopback port.

Importable as ``hooks_support`` from tests/unit, tests/integration and features/ (like ``factories``).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import anyio.from_thread
import factories as fx
import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing import Resource as SchemaResource

Resource = dict[str, Any]
ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "data" / "cds-hooks"  # vendored: see its README for origin and licence
PATIENT_BORN = "1962-05-14"

# --- PRRT records ------------------------------------------------------------------------------------

# A normal pre-cycle panel: every analyte the Lutathera rules require fresh (value, unit, LLN, ULN).
NORMAL: dict[str, tuple[float, str, float, float]] = {
    "hemoglobin": (13.5, "g/dL", 12.0, 16.0),
    "wbc": (6.0, "10*9/L", 4.0, 10.0),
    "platelets": (220.0, "10*9/L", 150.0, 400.0),
    "creatinine": (0.9, "mg/dL", 0.6, 1.1),
    "alt": (25.0, "U/L", 7.0, 56.0),
    "ast": (24.0, "U/L", 10.0, 40.0),
    "albumin": (4.2, "g/dL", 3.5, 5.0),
    "bilirubin": (0.6, "mg/dL", 0.2, 1.2),
}


def panel(pid: str, day: str, **values: float) -> list[Resource]:
    """The required labs of ``pid`` on ``day`` (08:00 UTC), normal unless ``values`` says otherwise."""
    out = []
    for analyte, (value, unit, low, high) in NORMAL.items():
        out.append(fx.lab(f"{pid}-{analyte}-{day}", analyte, values.get(analyte, value), unit, low=low, high=high,
                          patient=f"Patient/{pid}", when=f"{day}T08:00:00Z"))
    return out


def prrt_record(pid: str, cycles: Iterable[str] = ("2024-01-08", "2024-03-04"),
                panels: Iterable[tuple[str, dict[str, float]]] = (), *, activity: float = 7.4) -> list[Resource]:
    """A PRRT patient: Patient, a body weight, a baseline panel a week before cycle 1, the cycles, panels."""
    days = list(cycles)
    subject = f"Patient/{pid}"
    out: list[Resource] = [fx.patient(pid, gender="female", birth_date=PATIENT_BORN)]
    out.append(fx.body_weight(f"{pid}-weight", 68.0, patient=subject, when="2024-01-02T08:00:00Z"))
    out += panel(pid, "2024-01-02")
    out += [fx.procedure(f"{pid}-cycle-{n}", day, patient=subject, activity=activity)
            for n, day in enumerate(days, start=1)]
    for day, values in panels:
        out += panel(pid, day, **values)
    return out


# The next cycle (3, due 2024-04-29 after cycles on 2024-01-08 and 2024-03-04) decided on that day:
SCENARIOS: dict[str, tuple[list[tuple[str, dict[str, float]]], str]] = {
    "proceed": ([("2024-04-22", {})], "2024-04-29"),
    "withhold": ([("2024-04-22", {"platelets": 60.0})], "2024-04-29"),
    "reduce": ([("2024-04-01", {"platelets": 60.0}), ("2024-04-22", {})], "2024-04-29"),
    "labs-needed": ([("2024-04-01", {})], "2024-04-29"),
    # still grade 2 sixteen weeks after the due date: discontinue (US PI 2.3)
    "discontinue": ([("2024-04-22", {"platelets": 60.0}), ("2024-08-15", {"platelets": 60.0})], "2024-08-20"),
}


def scenario(name: str, pid: str) -> tuple[list[Resource], str]:
    """(resources, as-of day) of a named situation before cycle 3."""
    panels, as_of = SCENARIOS[name]
    return prrt_record(pid, panels=panels), as_of


TUMOUR_CODES = {"21889-1", "33728-7", "33729-5", "non-target-status", "new-lesion", "timepoint-response"}
PREGNANCY_CODES = {"82810-3", "2106-3", "2118-8", "21198-7"}


def _key_of(resource: Resource) -> str | None:
    kind = resource["resourceType"]
    if kind in ("Procedure",):
        return "procedures"
    if kind == "MedicationAdministration":
        return "medicationAdministrations"
    if kind == "Condition":
        return "kidneyRiskFactors"
    if kind in ("MedicationStatement", "MedicationRequest"):
        return f"{kind[0].lower()}{kind[1:]}s"
    if kind != "Observation":
        return None
    codes = {c.get("code") for c in resource.get("code", {}).get("coding", [])}
    if any(c.get("system") == fx.DOSIMETRY for c in resource.get("code", {}).get("coding", [])):
        return "dosimetry"
    if codes & {"29463-7", "3141-9"}:
        return "bodyWeight"
    if codes & {"89247-1", "89243-0"}:
        return "performanceStatus"
    if codes & TUMOUR_CODES:
        return "tumourAssessments"
    if codes & PREGNANCY_CODES:
        return "pregnancy"
    return "labs"


SEARCH_KEYS = ("labs", "procedures", "medicationAdministrations", "bodyWeight", "performanceStatus",
               "tumourAssessments", "dosimetry", "kidneyRiskFactors", "medicationStatements", "medicationRequests",
               "pregnancy")


def prefetch_for(resources: Iterable[Resource]) -> dict[str, Any]:
    """Every template key of the services, filled as a CDS client that honours them all would."""
    searches: dict[str, list[Resource]] = {key: [] for key in SEARCH_KEYS}
    patient = None
    for resource in resources:
        if resource["resourceType"] == "Patient":
            patient = resource
        elif (key := _key_of(resource)) is not None:
            searches[key].append(resource)
    return {"patient": patient, **{key: fx.bundle(items, "searchset") for key, items in searches.items()}}


# --- hook requests and orders -----------------------------------------------------------------------

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def medication_request(oid: str, pid: str, gbq: float | None = 7.4, *, rxnorm: str | None = "1999682",
                       text: str = "Lutathera (lutetium Lu 177 dotatate)", unit: str = "GBq") -> Resource:
    order: Resource = {
        "resourceType": "MedicationRequest", "id": oid, "status": "draft", "intent": "order",
        "subject": {"reference": f"Patient/{pid}"},
        "medicationCodeableConcept": fx.concept(RXNORM if rxnorm else None, rxnorm, text),
    }
    if gbq is not None:
        order["dosageInstruction"] = [{"text": "single intravenous infusion",
                                       "doseAndRate": [{"doseQuantity": fx.quantity(gbq, unit)}]}]
    return order


def service_request(oid: str, pid: str, gbq: float | None = 7.4) -> Resource:
    order: Resource = {
        "resourceType": "ServiceRequest", "id": oid, "status": "draft", "intent": "order",
        "subject": {"reference": f"Patient/{pid}"},
        "code": fx.concept(fx.SNOMED, "399315003", "Lutetium Lu 177 dotatate radionuclide therapy"),
    }
    if gbq is not None:
        order["extension"] = [{"url": fx.ACTIVITY_URL, "valueQuantity": fx.quantity(gbq, "GBq")}]
    return order


def amoxicillin(oid: str, pid: str) -> Resource:
    return {"resourceType": "MedicationRequest", "id": oid, "status": "draft", "intent": "order",
            "subject": {"reference": f"Patient/{pid}"},
            "medicationCodeableConcept": fx.concept(RXNORM, "617993", "Amoxicillin 120 MG/ML Oral Suspension")}


def amino_acids(oid: str, pid: str, volume_ml: float = 1000) -> Resource:
    """The amino-acid renal protection ordered with a cycle (a draft MedicationRequest of LysaKare)."""
    return {"resourceType": "MedicationRequest", "id": oid, "status": "draft", "intent": "order",
            "subject": {"reference": f"Patient/{pid}"},
            "medicationCodeableConcept": fx.concept(None, None, "LysaKare 25 g/25 g solution for infusion"),
            "dosageInstruction": [{"doseAndRate": [{"doseQuantity": fx.quantity(volume_ml, "mL")}]}]}


def hook_request(hook: str, pid: str, *, prefetch: dict[str, Any] | None = None,
                 orders: Iterable[Resource] = (), selections: Iterable[str] | None = None,
                 fhir_server: str | None = None, token: str | None = "fhir-access-token-for-tests",
                 instance: str | None = None, with_amino_acids: bool = True) -> Resource:
    """A CDS Hooks 2.0.1 request; ``prefetch=None`` leaves the prefetch out. An order hook's draft orders
    also hold the amino-acid order of the cycle unless ``with_amino_acids`` is false (without it the
    protocol checks add a card)."""
    context: Resource = {"userId": "Practitioner/dr-1", "patientId": pid}
    if hook in ("order-select", "order-sign"):
        items = list(orders)
        if with_amino_acids and items:
            items.append(amino_acids("amino-acids-1", pid))
        context["draftOrders"] = fx.bundle(items, full_urls=False)
        if hook == "order-select":
            context["selections"] = list(selections) if selections is not None else [fx.ref(o) for o in items]
    body: Resource = {"hook": hook, "hookInstance": instance or str(uuid.uuid4()), "context": context}
    if prefetch is not None:
        body["prefetch"] = prefetch
    if fhir_server is not None:
        body["fhirServer"] = fhir_server
        if token is not None:
            body["fhirAuthorization"] = {"access_token": token, "token_type": "Bearer", "expires_in": 300,
                                         "scope": "user/Patient.read user/Observation.read", "subject": "prrt-cds"}
    return body


# --- JWT signing keys -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    """A CDS client's signing key: mints tokens as an EHR would, and publishes its JWK."""

    iss: str
    kid: str
    alg: str
    key: Any

    def public_jwk(self) -> Resource:
        algorithm = jwt.get_algorithm_by_name(self.alg)
        public = json.loads(algorithm.to_jwk(self.key.public_key()))
        public.update(kid=self.kid, alg=self.alg, use="sig")
        return public

    def claims(self, audience: str, *, lifetime: int = 300, iat_offset: int = 0, **extra: Any) -> Resource:
        """The claims an EHR sends; ``extra`` adds or replaces claims (a ``None`` value leaves one out)."""
        now = int(time.time()) + iat_offset
        claims: Resource = {"iss": self.iss, "aud": audience, "iat": now, "exp": now + lifetime,
                            "jti": str(uuid.uuid4())}
        claims.update(extra)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, audience: str, *, headers: Resource | None = None, **claims: Any) -> str:
        head = {"kid": self.kid, "typ": "JWT", **(headers or {})}
        algorithm = str(head.pop("alg", self.alg))
        return jwt.encode(self.claims(audience, **claims), self.key, algorithm=algorithm, headers=head)


@cache
def signers() -> dict[str, Signer]:
    """ES384 (keys in a file) and RS384 (keys at a JWK Set URL), as CDS Hooks 2.0.1 recommends."""
    return {
        "ES384": Signer("https://ehr.example.test/es", "es-1", "ES384", ec.generate_private_key(ec.SECP384R1())),
        "RS384": Signer("https://ehr.example.test/rs", "rs-1", "RS384",
                        rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    }


def jwks(*signer_list: Signer) -> Resource:
    return {"keys": [s.public_jwk() for s in signer_list]}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# The whole body of every 401: an OperationOutcome that says only that the token was not accepted.
NOT_ACCEPTED = {"resourceType": "OperationOutcome", "detail": "the token was not accepted",
                "issue": [{"severity": "error", "code": "login", "diagnostics": "the token was not accepted"}]}


# --- the spec's JSON schemas ------------------------------------------------------------------------


@cache
def _schemas() -> dict[str, Resource]:
    folder = REFERENCE / "schemas"
    return {path.name: json.loads(path.read_text()) for path in sorted(folder.glob("*.schema.json"))}


def validator(name: str) -> Draft202012Validator:
    """A validator for ``cds-hooks-2.0-<name>.schema.json`` with the shared definitions resolvable."""
    schemas = _schemas()
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], SchemaResource.from_contents(schema)) for schema in schemas.values()
    )
    schema = schemas[f"cds-hooks-2.0-{name}.schema.json"]
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(name: str, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(document)]


def reference_json(relative: str) -> Any:
    return json.loads((REFERENCE / relative).read_text())


# --- a FHIR server emulation ------------------------------------------------------------------------


@dataclass
class FhirData:
    """What the emulated FHIR server holds, and what it was asked (path and query, Authorization)."""

    resources: dict[str, list[Resource]] = field(default_factory=dict)  # patient id -> resources
    failures: dict[str, tuple[int, str]] = field(default_factory=dict)  # "pid" or "pid:Type" -> (status, kind)
    jwks: Resource = field(default_factory=lambda: {"keys": []})
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, pid: str, resources: Iterable[Resource]) -> None:
        with self.lock:
            self.resources.setdefault(pid, []).extend(resources)


def _outcome(severity: str, text: str) -> Resource:
    return {"resourceType": "OperationOutcome", "issue": [{"severity": severity, "code": "processing",
                                                          "diagnostics": text}]}


def _subject_of(resource: Resource) -> str | None:
    for name in ("subject", "patient"):
        value = resource.get(name)
        if isinstance(value, dict) and isinstance(value.get("reference"), str):
            return str(value["reference"])
    return None


def _matches(resource: Resource, params: dict[str, list[str]]) -> bool:
    for name, values in params.items():
        wanted = set(",".join(values).split(","))
        if name == "code":
            codings = resource.get("code", {}).get("coding", [])
            have = {f"{c.get('system')}|{c.get('code')}" for c in codings} | {c.get("code") for c in codings}
            if not have & wanted:
                return False
        elif name == "status" and resource.get("status") not in wanted:
            return False
    return True


def fhir_answer(data: FhirData, base: str, url: str, authorization: str | None) -> tuple[int, Resource]:
    """The emulated server's answer to GET ``url`` (below ``base``)."""
    with data.lock:
        data.requests.append((url[len(base):], authorization))
    parts = urlsplit(url)
    path = parts.path[len(urlsplit(base).path):].strip("/")
    params = parse_qs(parts.query)
    if path == "jwks.json":
        return 200, data.jwks
    kind, _, rid = path.partition("/")
    pid = rid if kind == "Patient" and rid else (params.get("patient") or [""])[0].removeprefix("Patient/")
    failure = data.failures.get(f"{pid}:{kind}") or data.failures.get(pid)
    truncated = failure is not None and failure[1] == "truncated"  # a searchset of one page short of its total
    if failure is not None and not truncated:
        status, how = failure
        if how == "outcome-200":
            return 200, _outcome("error", "search failed")
        if how == "entry-outcome":
            return 200, {"resourceType": "Bundle", "type": "searchset",
                         "entry": [{"resource": _outcome("fatal", "too costly"), "search": {"mode": "outcome"}}]}
        return status, _outcome("error", "not available")
    if kind == "Medication" and not rid:  # outside the patient compartment: searched by _id
        wanted = set(",".join(params.get("_id") or [""]).split(","))
        found = [r for rs in data.resources.values() for r in rs
                 if r["resourceType"] == "Medication" and r.get("id") in wanted]
        return 200, {"resourceType": "Bundle", "type": "searchset", "total": len(found),
                     "entry": [{"fullUrl": f"{base}/{fx.ref(r)}", "resource": r} for r in found]}
    held = data.resources.get(pid, [])
    if kind == "Patient" and rid:
        found = [r for r in held if r["resourceType"] == "Patient"]
        return (200, found[0]) if found else (404, _outcome("error", "no such patient"))
    matching = [r for r in held if r["resourceType"] == kind and _subject_of(r) == f"Patient/{pid}"
                and _matches(r, {k: v for k, v in params.items() if k in ("code", "status")})]
    count = int((params.get("_count") or ["50"])[0])
    page = int((params.get("_page") or ["0"])[0])
    bundle: Resource = {"resourceType": "Bundle", "type": "searchset", "total": len(matching),
                        "entry": [{"fullUrl": f"{base}/{fx.ref(r)}", "resource": r}
                                  for r in matching[page * count:(page + 1) * count]]}
    if truncated:
        bundle["entry"] = bundle["entry"][:1]
    elif (page + 1) * count < len(matching):
        following = {k: v[0] for k, v in params.items()} | {"_page": str(page + 1)}
        bundle["link"] = [{"relation": "next", "url": f"{base}/{kind}?{urlencode(following)}"}]
    return 200, bundle


def mock_transport(data: FhirData, base: str) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if not str(request.url).startswith(base):
            raise httpx.ConnectError("only the emulated FHIR server is reachable in tests")
        status, body = fhir_answer(data, base, str(request.url), request.headers.get("authorization"))
        return httpx.Response(status, json=body, headers={"Content-Type": "application/fhir+json"})

    return httpx.MockTransport(handle)


class LoopbackFhirServer:
    """The emulation on a real loopback port (for a server running in another process)."""

    def __init__(self, data: FhirData) -> None:
        self.data = data
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = fhir_answer(outer.data, outer.base, outer.origin + self.path,
                                           self.headers.get("Authorization"))
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.base = f"{self.origin}/fhir"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- the app in this process ------------------------------------------------------------------------


class InProcess:
    """Runs an ASGI app (with its lifespan) on an event loop in a thread; requests are made synchronously."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> InProcess:
        self.portal = self._stack.enter_context(anyio.from_thread.start_blocking_portal())
        self._stack.enter_context(self.portal.wrap_async_context_manager(self.app.router.lifespan_context(self.app)))
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://testserver")
        self._stack.callback(self.portal.call, self.client.aclose)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(partial(self.client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    @property
    def components(self) -> Any:
        return self.app.state.components


# --- a real server process --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:  # Linux: the server goes when the test process goes, even killed
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(value)


def write_config(path: Path, top: dict[str, Any], issuers: Iterable[dict[str, Any]], verify: bool = True) -> None:
    lines = [f"{key} = {toml_value(value)}" for key, value in top.items()]
    lines += ["", "[auth]", f"verify_jwt = {toml_value(verify)}"]
    for issuer in issuers:
        lines += ["", "[[auth.issuers]]"] + [f"{k} = {toml_value(v)}" for k, v in issuer.items()]
    path.write_text("\n".join(lines) + "\n")


@dataclass
class LiveService:
    """``prrt-cds serve`` in its own process, on a free loopback port; its log is kept for inspection."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    folder: Path
    database: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_service(folder: Path, top: dict[str, Any], issuers: Iterable[dict[str, Any]], *, workers: int = 1,
                  verify: bool = True, timeout: float = 90.0) -> LiveService:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database = folder / "service.db"
    settings = {"public_base_url": url, "database_url": f"sqlite:///{database}", **top}
    config = folder / "service.toml"
    write_config(config, settings, issuers, verify)
    log = folder / "service.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRRT_CDS_")}
    command = [sys.executable, "-c", "from cds.cli import app; app()", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--config", str(config), "--workers", str(workers)]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=folder,
                                   preexec_fn=_die_with_parent)
    service = LiveService(url=url, process=process, log=log, folder=folder, database=database)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prrt-cds serve exited {process.returncode}:\n{service.log_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return service
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    service.stop()
    raise RuntimeError(f"prrt-cds serve did not answer in {timeout:.0f} s:\n{service.log_text()[-4000:]}")


@dataclass
class SharedService:
    """One live service for every integration module of a run, with its loopback FHIR server."""

    service: LiveService
    fhir: LoopbackFhirServer
    data: FhirData
    as_of: str


AS_OF = "2024-04-29"


@cache
def shared_service() -> SharedService:
    """Started once per test process (stopped at exit): JWT on, ES384 keys in a file, RS384 keys at a URL."""
    folder = Path(tempfile.mkdtemp(prefix="prrt-cds-live-"))
    data = FhirData()
    fhir = LoopbackFhirServer(data)
    es, rs = signers()["ES384"], signers()["RS384"]
    data.jwks = jwks(rs)
    (folder / "es-jwks.json").write_text(json.dumps(jwks(es)))
    issuers = [{"iss": es.iss, "jwks_file": "es-jwks.json"},
               {"iss": rs.iss, "jwks_url": f"{fhir.origin}/fhir/jwks.json"}]
    top = {"fhir_servers": [fhir.base], "as_of": AS_OF, "fhir_timeout_seconds": 5.0, "fhir_page_size": 7,
           "cors_origins": ["https://ehr.example.test"], "fhir_allow_private_networks": True}
    service = start_service(folder, top, issuers)

    def stop() -> None:
        service.stop()
        fhir.close()
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    return SharedService(service=service, fhir=fhir, data=data, as_of=AS_OF)


def distinct(prefix: str) -> str:
    """A patient id no other test uses (the live server and its FHIR data are shared)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False



FHIR_BASE = "https://ehr.example.test/fhir"


def service_settings(folder: Path, **overrides: Any) -> Any:
    """Settings for an in-process service: SQLite in ``folder``, JWT off unless ``auth`` says otherwise."""
    from cds.hooks.settings import ServiceSettings

    values: dict[str, Any] = {"database_url": f"sqlite:///{folder / 'hooks.db'}", "auth": {"verify_jwt": False},
                              "as_of": AS_OF, "fhir_servers": [FHIR_BASE], "public_base_url": "http://testserver"}
    values.update(overrides)
    return ServiceSettings(**values)


def in_process(folder: Path, data: FhirData | None = None, **overrides: Any) -> InProcess:
    """The app on an emulated FHIR server at FHIR_BASE (``data``), nothing else reachable."""
    from cds.hooks.app import create_app

    transport = mock_transport(data or FhirData(), FHIR_BASE)
    return InProcess(create_app(service_settings(folder, **overrides), fhir_transport=transport,
                                jwks_transport=mock_transport(data or FhirData(), FHIR_BASE)))


def posted_cards(folder: Path, path: str, body: Resource, as_of: Any, data: FhirData | None = None) -> list[Resource]:
    """The cards the service answers to ``body`` at ``path``, in process (on ``data``); the answer is
    checked to be a 200 that the CDS Hooks response schema accepts."""
    with in_process(folder, data, as_of=as_of) as running:
        response = running.post(path, json=body)
    assert response.status_code == 200, response.text
    assert schema_errors("service-response", response.json()) == []
    cards: list[Resource] = response.json()["cards"]
    return cards


def dose_check_cards(folder: Path, scenario_name: str, orders: list[Resource], hook: str = "order-sign",
                     **request: Any) -> list[Resource]:
    """The dose check's cards (``posted_cards``) for ``orders`` of p1 in a named scenario."""
    resources, as_of = scenario(scenario_name, "p1")
    body = hook_request(hook, "p1", prefetch=prefetch_for(resources), orders=orders, **request)
    return posted_cards(folder, "/cds-services/prrt-dose-check", body, as_of)


# --- hypothesis strategies for the fuzz tests -------------------------------------------------------


def fuzz_strategies() -> dict[str, Any]:
    """Bodies for every endpoint: any JSON, near-valid hook requests and feedback, and broken JSON bytes."""
    from hypothesis import strategies as st

    numbers = st.integers(-10**20, 10**20) | st.floats(allow_nan=False, allow_infinity=False)
    scalars = st.none() | st.booleans() | numbers | st.text(max_size=20)
    json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                               | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=25)
    ids = st.sampled_from(["p1", "x", "", "a/b", "é", "1" * 70]) | st.text(max_size=10)
    kinds = st.sampled_from(["Patient", "Observation", "Procedure", "MedicationAdministration", "Bundle",
                             "OperationOutcome", "MedicationRequest", "ServiceRequest", ""])
    resources = st.fixed_dictionaries({"resourceType": kinds}, optional={
        "id": ids, "status": st.sampled_from(["final", "completed", "draft"]) | json_values,
        "subject": st.fixed_dictionaries({"reference": st.just("Patient/p1") | st.text(max_size=12)}),
        "code": json_values, "valueQuantity": json_values, "entry": st.lists(st.fixed_dictionaries(
            {"resource": json_values}), max_size=3), "effectiveDateTime": st.text(max_size=25),
        "performedDateTime": st.sampled_from(["2024-01-08", "2024-13-45", "x"]), "link": json_values,
        "medicationCodeableConcept": json_values, "dosageInstruction": json_values, "extension": json_values,
        "issue": json_values,
    })
    lutathera = st.just(medication_request("mr-1", "p1")) | st.just(service_request("sr-1", "p1"))
    draft = st.fixed_dictionaries({"resourceType": st.just("Bundle") | st.text(max_size=5)}, optional={
        "entry": st.lists(st.fixed_dictionaries({"resource": resources | lutathera}), max_size=3) | json_values})
    context = st.fixed_dictionaries({}, optional={
        "userId": st.sampled_from(["Practitioner/1", "Patient/2", "x"]) | json_values, "patientId": ids | json_values,
        "draftOrders": draft | json_values, "selections": st.lists(st.sampled_from(
            ["MedicationRequest/mr-1", "ServiceRequest/sr-1", "x"]), max_size=2) | json_values,
        "encounterId": ids,
    })
    prefetch_keys = st.sampled_from(["patient", "labs", "procedures", "medicationAdministrations", "bodyWeight",
                                     "performanceStatus", "tumourAssessments", "other"])
    hook_requests = st.fixed_dictionaries({}, optional={
        "hook": st.sampled_from(["patient-view", "order-select", "order-sign", "x"]) | json_values,
        "hookInstance": st.text(max_size=40) | json_values, "context": context | json_values,
        "prefetch": st.dictionaries(prefetch_keys, st.none() | resources, max_size=5) | json_values,
        "fhirServer": st.sampled_from([FHIR_BASE, "http://127.0.0.1:1/fhir", "ftp://x", "not a url"]) | json_values,
        "fhirAuthorization": st.fixed_dictionaries({}, optional={
            "access_token": st.text(max_size=10), "token_type": st.sampled_from(["Bearer", "x"]),
            "expires_in": st.integers() | st.text(max_size=3), "scope": st.text(max_size=5),
            "subject": st.text(max_size=5)}) | json_values,
        "extension": json_values,
    })
    feedback_items = st.fixed_dictionaries({}, optional={
        "card": st.text(max_size=40) | json_values, "outcome": st.sampled_from(["accepted", "overridden", "x"]),
        "acceptedSuggestions": st.lists(st.fixed_dictionaries({}, optional={"id": st.text(max_size=5)}),
                                        max_size=2) | json_values,
        "overrideReason": st.fixed_dictionaries({}, optional={
            "reason": st.fixed_dictionaries({}, optional={"code": st.text(max_size=5), "system": st.text(max_size=5),
                                                          "display": st.text(max_size=5)}),
            "userComment": st.text(max_size=20)}) | json_values,
        "outcomeTimestamp": st.sampled_from(["2021-12-11T10:05:31Z", "2021-12-11", "x"]) | json_values,
    })
    feedback = st.fixed_dictionaries({}, optional={"feedback": st.lists(feedback_items, max_size=3) | json_values})
    valid = json.dumps({"hook": "patient-view", "hookInstance": "i", "context": {"patientId": "p1"}}).encode()
    broken = (st.binary(max_size=60) | st.integers(0, len(valid) - 1).map(lambda n: valid[:n])
              | st.sampled_from([b"[" * 5000, b'{"a": NaN}', b'{"a": 1e999}', "\ufeff{}".encode(), b"\xff\xfe{",
                                 b'{"a": ' + b"9" * 5000 + b"}"]))
    services = st.sampled_from(["prrt-toxicity", "prrt-dose-check"]) | st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*+,;=:@",
        min_size=1, max_size=12)
    records = st.lists(resources | lutathera, max_size=8)
    return {"json": json_values, "hook": hook_requests, "feedback": feedback, "broken": broken,
            "services": services, "records": records}


# --- an accepted suggestion, applied as an EHR would ------------------------------------------------

# Activity units as a reader of the order would take them, with their factor to GBq; independent of the
# service's own parser on purpose (the test must not share the code it checks).
ACTIVITY_FACTORS = {"gbq": 1.0, "mbq": 0.001, "kbq": 1e-6, "mci": 0.037, "ci": 37.0}
_ACTIVITY_TEXT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(gigabecquerels?|megabecquerels?|millicuries?|[gmk]\s?bq|m?ci)"
                            r"(?![a-z])(\s*/\s*[a-z])?", re.IGNORECASE)
_LONG_UNITS = {"gigabecquerel": "gbq", "megabecquerel": "mbq", "millicurie": "mci"}


def apply_update(orders: Iterable[Resource], action: Resource) -> list[Resource]:
    """CDS Hooks 2.0.1 "update": the action's resource replaces the draft of the same type and id."""
    replaced = action["resource"]
    key = (replaced["resourceType"], replaced["id"])
    out = [replaced if (o["resourceType"], o.get("id")) == key else o for o in orders]
    assert replaced in out, "the update names no draft order"
    return out


def activities_named(value: Any, where: str = "") -> list[tuple[str, float]]:
    """(element, GBq) of every activity an order states: each Quantity in an activity unit, and each
    "<number> <unit>" in any string (concentrations such as "370 MBq/mL" left out)."""
    found: list[tuple[str, float]] = []
    if isinstance(value, dict):
        unit = str(value.get("code") or value.get("unit") or "").lower()
        if unit in ACTIVITY_FACTORS and isinstance(value.get("value"), int | float):
            found.append((where, float(value["value"]) * ACTIVITY_FACTORS[unit]))
        for key, member in value.items():
            found += activities_named(member, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, member in enumerate(value):
            found += activities_named(member, f"{where}[{index}]")
    elif isinstance(value, str):
        for number, unit, per in _ACTIVITY_TEXT.findall(value):
            if per:
                continue
            spelled = unit.lower().replace(" ", "").rstrip("s")
            factor = ACTIVITY_FACTORS[_LONG_UNITS.get(spelled, spelled)]
            found.append((where, float(number.replace(",", ".")) * factor))
    return found


# --- which worker process answered (Linux /proc) -------------------------------------------------------


def _descendants(root: int) -> set[int]:
    """Every live process below ``root`` (uvicorn's workers are children of the ``serve`` process)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                # /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ")".
                parents[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _server_socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server's end of the loopback TCP connection from ``client_port``."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1] == local and fields[2] == remote:
                return fields[9]
    return None


def _owner(inode: str, pids: Iterable[int]) -> int | None:
    target = f"socket:[{inode}]"
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                        return pid
    return None


def answering_workers(service: LiveService, count: int, timeout: float = 60.0, burst: int = 8) -> set[int]:
    """Wait until ``count`` distinct worker processes of ``service`` have each answered ``/healthz``.

    Readiness of every worker, not of the first one: ``start_service`` returns once any worker answers.
    Bursts of connections are held open together; the worker that accepted each is found from the
    server end's socket inode in /proc. Returns the worker pids seen (at least ``count`` of them), or
    raises RuntimeError after ``timeout`` seconds.
    """
    port = int(urlsplit(service.url).port or 80)
    request = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = _descendants(service.process.pid)
        sockets = []
        try:
            for _ in range(burst):
                sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            for sock in sockets:
                sock.sendall(request)
            for sock in sockets:
                with contextlib.suppress(OSError):
                    if not sock.recv(4096).startswith(b"HTTP/1.1 200"):
                        continue
                    inode = _server_socket_inode(port, sock.getsockname()[1])
                    owner = None if inode is None else _owner(inode, workers)
                    if owner is not None:
                        seen.add(owner)
        finally:
            for sock in sockets:
                sock.close()
        if len(seen) >= count:
            return seen
        time.sleep(0.2)
    raise RuntimeError(f"{len(seen)} of {count} workers answered within {timeout:.0f} s")


# --- the PostgreSQL of the test machine ----------------------------------------------------------------

POSTGRES_URL = os.environ.get("PRRT_CDS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_reason() -> str | None:
    """None when PostgreSQL answers at POSTGRES_URL, else why not (a skip reason, without the password)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:
        shown = make_url(POSTGRES_URL).render_as_string(hide_password=True)
        return f"PostgreSQL not reachable at {shown} ({type(exc).__name__})"
    return None


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    """A schema of its own on the test PostgreSQL, dropped afterwards, so that parallel runs never meet;
    the calling test is skipped, with the reason, where PostgreSQL does not answer."""
    import pytest
    from sqlalchemy import create_engine, text

    reason = postgres_reason()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def postgres_url(schema: str, port: int = 5432) -> str:
    """The service's database URL for one schema of the test PostgreSQL (through ``port``, e.g. a proxy)."""
    return f"postgresql://postgres@127.0.0.1:{port}/test?options=-csearch_path%3D{schema}"
