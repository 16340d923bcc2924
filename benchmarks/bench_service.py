"""Load benchmark of the CDS Hooks service: patient-view on loopback, against a bare echo endpoint.

Run by hand (never part of the test suite)::

    python benchmarks/bench_service.py [--requests 400] [--concurrency 2] [--workers 2]

1. Starts ``prrt-cds serve --workers 2`` on a free loopback port (JWT verification on, an ES384 key of
   its own, SQLite audit in a temporary folder, the JWT replay cache on Redis when one answers on
   127.0.0.1:6379, else on the database), and a bare endpoint in its own uvicorn with the same number
   of workers that only parses the JSON body and echoes it.
2. Builds one patient-view request whose prefetch holds a patient treated with 4 cycles and about 300
   Observations (laboratory panels every 8 days, body weight, ECOG, tumour measurements).
3. Sends the same body to both, from ``--concurrency`` client tasks on fresh tokens, after a warm-up;
   prints p50 / p95 / p99 latency and requests/s of each, measured in the same run, and their ratio.
Targets (2-core machine, 2 workers): service p95 <= 100 ms and >= 50 requests/s.
``--url URL --key-dir DIR`` loads a server already running with a configuration made by
``python -m cds.hooks.local_key init --dir DIR`` instead of starting one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from statistics import quantiles
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response
from host import cpu_model, library_versions

from cds.hooks.security import local_key

P95_TARGET_MS = 100.0
RATE_TARGET = 50.0
SEED = 20261124
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"

echo_app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@echo_app.post("/echo")
async def echo(request: Request) -> Response:
    """The baseline: parse the JSON body and send it back."""
    body = json.loads(await request.body())
    return Response(json.dumps(body), media_type="application/json")


# ---------------------------------------------------------------------------------------------------
# The request
# ---------------------------------------------------------------------------------------------------
PANEL = [  # analyte, LOINC, normal value, unit, LLN, ULN
    ("hemoglobin", "718-7", 13.2, "g/dL", 12.0, 16.0), ("wbc", "6690-2", 6.1, "10*9/L", 4.0, 10.0),
    ("platelets", "777-3", 230.0, "10*9/L", 150.0, 400.0), ("neutrophils", "751-8", 3.6, "10*9/L", 1.8, 7.5),
    ("lymphocytes", "731-0", 1.6, "10*9/L", 1.0, 4.0), ("creatinine", "2160-0", 0.9, "mg/dL", 0.6, 1.1),
    ("alt", "1742-6", 24.0, "U/L", 7.0, 56.0), ("ast", "1920-8", 23.0, "U/L", 10.0, 40.0),
    ("albumin", "1751-7", 4.1, "g/dL", 3.5, 5.0), ("bilirubin", "1975-2", 0.7, "mg/dL", 0.2, 1.2),
]


def _observation(oid: str, code: str, when: str, **elements: Any) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": oid, "status": "final", "subject": {"reference": "Patient/bench"},
            "code": {"coding": [{"system": LOINC, "code": code}]}, "effectiveDateTime": when, **elements}


def _searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"fullUrl": f"https://ehr.example/fhir/{r['resourceType']}/{r['id']}", "resource": r}
                      for r in resources]}


def patient_view_body(observations: int) -> tuple[dict[str, Any], str, int]:
    """(request, as-of day, Observations in it): 4 cycles, lab panels every 8 days, and the rest."""
    rng = random.Random(SEED)
    start = date(2024, 1, 2)
    cycles = [date(2024, 1, 8) + timedelta(days=56 * n) for n in range(4)]
    labs: list[dict[str, Any]] = []
    day = start
    while len(labs) + len(PANEL) <= observations - 10:
        for analyte, code, value, unit, low, high in PANEL:
            measured = round(value * rng.uniform(0.55, 1.25), 2)
            labs.append(_observation(
                f"{analyte}-{day.isoformat()}", code, f"{day.isoformat()}T08:00:00Z",
                category=[{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                       "code": "laboratory"}]}],
                valueQuantity={"value": measured, "unit": unit, "system": UCUM, "code": unit},
                referenceRange=[{"low": {"value": low, "unit": unit, "system": UCUM, "code": unit},
                                 "high": {"value": high, "unit": unit, "system": UCUM, "code": unit}}]))
        day += timedelta(days=8)
    weight = [_observation("weight-1", "29463-7", "2024-01-02T08:00:00Z",
                           valueQuantity={"value": 71.0, "unit": "kg", "system": UCUM, "code": "kg"})]
    ecog = [_observation(f"ecog-{n}", "89247-1", f"{c.isoformat()}T07:00:00Z", valueInteger=1)
            for n, c in enumerate(cycles)]
    tumour = []
    for n, (when, size) in enumerate([("2024-01-03", 34.0), ("2024-04-15", 24.0), ("2024-08-19", 20.0)]):
        tumour.append(_observation(
            f"lesion-{n}", "21889-1", f"{when}T09:00:00Z", focus=[{"reference": "BodyStructure/liver-1"}],
            component=[{"code": {"coding": [{"system": LOINC, "code": "33728-7"}]},
                        "valueQuantity": {"value": size, "unit": "mm", "system": UCUM, "code": "mm"}},
                       {"code": {"coding": [{"system": "urn:prrt-cds:recist", "code": "lesion-role"}]},
                        "valueCodeableConcept": {"coding": [{"system": "urn:prrt-cds:recist", "code": "target"}]}}]))
    procedures = [{
        "resourceType": "Procedure", "id": f"cycle-{n + 1}", "status": "completed",
        "subject": {"reference": "Patient/bench"}, "performedDateTime": c.isoformat(),
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "399315003"}],
                 "text": "Lutetium Lu 177 dotatate infusion"},
        "extension": [{"url": "urn:prrt-cds:administered-activity",
                       "valueQuantity": {"value": 7.4, "unit": "GBq", "system": UCUM, "code": "GBq"}}],
    } for n, c in enumerate(cycles)]
    prefetch = {
        "patient": {"resourceType": "Patient", "id": "bench", "gender": "female", "birthDate": "1961-03-09"},
        "labs": _searchset(labs), "procedures": _searchset(procedures), "medicationAdministrations": _searchset([]),
        "bodyWeight": _searchset(weight), "performanceStatus": _searchset(ecog),
        "tumourAssessments": _searchset(tumour),
    }
    body = {"hook": "patient-view", "hookInstance": "bench", "context": {"userId": "Practitioner/bench",
                                                                         "patientId": "bench"}, "prefetch": prefetch}
    count = len(labs) + len(weight) + len(ecog) + len(tumour)
    return body, (day - timedelta(days=1)).isoformat(), count


# ---------------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _wait(url: str, process: subprocess.Popen[bytes], probe: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.request("GET" if probe == "/healthz" else "POST", url + probe, json={}, timeout=1).status_code:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    sys.exit(f"server did not start:\n{log.read_text()[-3000:]}")


def start_service(folder: Path, workers: int, as_of: str, replay: str | None) -> Server:
    config = local_key.init(folder)
    text = config.read_text()  # top-level keys go before its [auth] table
    top = f'database_url = "sqlite:///{folder / "bench.db"}"\nas_of = "{as_of}"\n'
    if replay:
        top += f'replay_cache_url = "{replay}"\n'
    config.write_text(top + text)
    port = free_port()
    log = folder / "service.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRRT_CDS_")}
    process = subprocess.Popen(
        [sys.executable, "-c", "from cds.cli import app; app()", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--config", str(config), "--workers", str(workers)], stdout=log.open("wb"), stderr=subprocess.STDOUT,
        cwd=folder, env=env)
    url = f"http://127.0.0.1:{port}"
    _wait(url, process, "/healthz", log)
    return Server(url, process)


def start_echo(folder: Path, workers: int) -> Server:
    port = free_port()
    log = folder / "echo.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(__file__).resolve().parent), "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "bench_service:echo_app"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=folder)
    url = f"http://127.0.0.1:{port}"
    _wait(url, process, "/echo", log)
    return Server(url, process)


# ---------------------------------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------------------------------
@dataclass
class Figures:
    name: str
    latencies_ms: list[float]
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def percentile(self, p: int) -> float:
        return quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]


async def load(name: str, url: str, payload: bytes, headers: list[dict[str, str]], concurrency: int,
               check: Any, keep_alive: bool) -> Figures:
    latencies: list[float] = []
    queue = list(range(len(headers)))
    # A fresh connection per request by default: uvicorn's workers share one listening socket, and a
    # kept-alive connection stays with the worker that accepted it, so a few long-lived connections can
    # all land on one worker and leave the other idle.
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency if keep_alive else 0)
    async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:

        async def worker() -> None:
            while queue:
                index = queue.pop()
                started = time.perf_counter()
                response = await client.post(url, content=payload,
                                             headers={"Content-Type": "application/json", **headers[index]})
                latencies.append((time.perf_counter() - started) * 1000)
                check(response)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Figures(name, latencies, elapsed)


def _service_ok(response: httpx.Response) -> None:
    if response.status_code != 200 or len(response.json()["cards"]) != 1:
        sys.exit(f"unexpected answer {response.status_code}: {response.text[:500]}")


def _echo_ok(response: httpx.Response) -> None:
    if response.status_code != 200:
        sys.exit(f"echo answered {response.status_code}")


def machine() -> str:
    packages = library_versions(("fastapi", "uvicorn", "uvloop", "httpx", "PyJWT", "SQLAlchemy"))
    return (f"{platform.platform()}; Python {platform.python_version()}; {cpu_model()}; {os.cpu_count()} CPUs\n"
            f"{packages}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds of each endpoint")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--observations", type=int, default=300)
    parser.add_argument("--replay", choices=("auto", "redis", "database"), default="auto")
    parser.add_argument("--keep-alive", action="store_true", help="reuse connections (default: one per request)")
    parser.add_argument("--url", help="a running service (with --key-dir) instead of starting one")
    parser.add_argument("--key-dir", type=Path, help="the folder of `python -m cds.hooks.local_key init`")
    args = parser.parse_args()

    body, as_of, observations = patient_view_body(args.observations)
    payload = json.dumps(body).encode()
    folder = Path(tempfile.mkdtemp(prefix="prrt-cds-bench-"))
    servers: list[Server] = []
    try:
        if args.url:
            if not args.key_dir:
                sys.exit("--url needs --key-dir")
            service_url, keys = args.url.rstrip("/"), args.key_dir
            replay_name = "as configured"
        else:
            redis = args.replay == "redis" or (args.replay == "auto" and redis_answers())
            replay_name = "Redis 127.0.0.1:6379" if redis else "database (SQLite)"
            service = start_service(folder, args.workers, as_of, "redis://127.0.0.1:6379/0" if redis else None)
            servers.append(service)
            service_url, keys = service.url, folder
        echo_server = start_echo(folder, args.workers)
        servers.append(echo_server)
        endpoint = f"{service_url}/cds-services/prrt-toxicity"
        total = args.warmup + args.requests
        tokens = [{"Authorization": f"Bearer {local_key.token(keys, endpoint)}"} for _ in range(total)]
        print(f"machine: {machine()}")
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print(f"request: patient-view, {observations} Observations, 4 cycles, {len(payload) / 1024:.0f} KiB; "
              f"{args.workers} uvicorn workers each; {args.concurrency} concurrent clients; JWT ES384 verified; "
              f"replay cache: {replay_name}; {args.requests} timed requests each, in {args.rounds} alternating rounds, "
              f"after {args.warmup} warm-up; "
              f"{'kept-alive connections' if args.keep_alive else 'a new connection per request'}")
        # Warm-up, then rounds that alternate the two endpoints, so that both meet the same machine.
        asyncio.run(load("warm-up", endpoint, payload, tokens[:args.warmup], args.concurrency, _service_ok,
                         args.keep_alive))
        asyncio.run(load("warm-up", f"{echo_server.url}/echo", payload, [{}] * args.warmup, args.concurrency,
                         _echo_ok, args.keep_alive))
        del tokens[:args.warmup]
        results = [Figures("patient-view (prrt-toxicity)", [], 0.0), Figures("bare echo (parse + echo)", [], 0.0)]
        per_round = max(1, args.requests // args.rounds)
        for _ in range(args.rounds):
            used = tokens[:per_round]
            del tokens[:per_round]
            for figures, url, headers, check in ((results[0], endpoint, used, _service_ok),
                                                 (results[1], f"{echo_server.url}/echo", [{}] * per_round, _echo_ok)):
                measured = asyncio.run(load(figures.name, url, payload, headers, args.concurrency, check,
                                            args.keep_alive))
                figures.latencies_ms += measured.latencies_ms
                figures.seconds += measured.seconds
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"\n{'endpoint':32} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8}")
    for figures in results:
        print(f"{figures.name:32} {figures.percentile(50):8.1f} {figures.percentile(95):8.1f} "
              f"{figures.percentile(99):8.1f} {figures.rate:8.1f}")
    service_figures, echo_figures = results
    print(f"{'ratio service / echo':32} {service_figures.percentile(50) / echo_figures.percentile(50):7.1f}x "
          f"{service_figures.percentile(95) / echo_figures.percentile(95):7.1f}x "
          f"{service_figures.percentile(99) / echo_figures.percentile(99):7.1f}x "
          f"{service_figures.rate / echo_figures.rate:7.2f}x")
    p95, rate = service_figures.percentile(95), service_figures.rate
    print("load average after: {:.2f} {:.2f} {:.2f}  (other work on the machine makes every figure worse)".format(
        *os.getloadavg()))
    print("\nSummary")
    print(f"  service p95 latency  {p95:7.1f} ms   target <= {P95_TARGET_MS:.0f} ms   "
          f"{'PASS' if p95 <= P95_TARGET_MS else 'MISS'}")
    print(f"  service throughput   {rate:7.1f} /s   target >= {RATE_TARGET:.0f} /s    "
          f"{'PASS' if rate >= RATE_TARGET else 'MISS'}")
    print(f"  ratio to bare echo   p95 {p95 / echo_figures.percentile(95):.1f}x, throughput "
          f"{rate / echo_figures.rate:.2f}x   info")


if __name__ == "__main__":
    main()
