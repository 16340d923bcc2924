"""Load benchmark of the CDS Hooks service: patient-view on loopback, against a bare echo endpoint.

Run by hand (never part of the test suite)::

    python benchmarks/bench_service.py [--requests 200] [--concurrency 2] [--workers 2]

1. Starts ``prrt-cds serve --workers 2`` on a free loopback port (JWT verification on, an ES384 key of
   its own, SQLite audit in a temporary folder, the JWT replay cache on Redis when one answers on
   127.0.0.1:6379, else on the database), and a bare endpoint in its own uvicorn with the same number
   of workers that only parses the JSON body and echoes it.
2. Builds patient-view requests whose prefetch holds a patient treated with 4 cycles and about 300
   Observations (laboratory panels every 8 days, body weight, ECOG, tumour measurements), in two modes:
   - cold: every request a different patient (its own id and its own laboratory values);
   - warm: the same patient every time, with one more laboratory result than the request before (a
     chart opened again after a new result came in).
3. Sends each mode's bodies to both endpoints (the echo gets exactly the same bodies), from
   ``--concurrency`` client tasks on fresh tokens, in rounds that alternate the two, after a warm-up;
   prints p50 / p95 / p99 latency and requests/s of each, measured in the same run, and their ratio.
Targets (2 workers): cold p95 <= 3x the echo's, warm p95 <= 1.5x the echo's, >= 80 requests/s.
``--profile`` instead runs the app in this process (httpx's ASGITransport, the same configuration, a real
signed token per request) under cProfile, the evaluation thread's and the audit's work included, and
prints the functions of most cumulative time per mode.
``--url URL --key-dir DIR`` loads a server already running with a configuration made by
``python -m cds.hooks.local_key init --dir DIR`` instead of starting one (its ``as_of`` should be the
day printed as "as of").
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import platform
import pstats
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

from cds.hooks.app import create_app
from cds.hooks.security import local_key
from cds.hooks.settings import load_settings

COLD_RATIO_TARGET = 3.0  # cold p95 / echo p95
WARM_RATIO_TARGET = 1.5  # warm p95 / echo p95
RATE_TARGET = 80.0  # requests/s of the service, each mode
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


def _observation(oid: str, code: str, when: str, patient: str = "bench", **elements: Any) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": oid, "status": "final", "subject": {"reference": f"Patient/{patient}"},
            "code": {"coding": [{"system": LOINC, "code": code}]}, "effectiveDateTime": when, **elements}


def _searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"fullUrl": f"https://ehr.example/fhir/{r['resourceType']}/{r['id']}", "resource": r}
                      for r in resources]}


def _lab(patient: str, oid: str, day: date, analyte: tuple[str, str, float, str, float, float],
         rng: random.Random) -> dict[str, Any]:
    _, code, value, unit, low, high = analyte
    measured = round(value * rng.uniform(0.55, 1.25), 2)
    return _observation(
        oid, code, f"{day.isoformat()}T08:00:00Z", patient,
        category=[{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                               "code": "laboratory"}]}],
        valueQuantity={"value": measured, "unit": unit, "system": UCUM, "code": unit},
        referenceRange=[{"low": {"value": low, "unit": unit, "system": UCUM, "code": unit},
                         "high": {"value": high, "unit": unit, "system": UCUM, "code": unit}}])


def patient_view_body(observations: int, patient: str = "bench", seed: int = SEED,
                      new_labs: int = 0) -> tuple[dict[str, Any], str, int]:
    """(request, as-of day, Observations in it): 4 cycles, lab panels every 8 days, and the rest.

    ``patient`` and ``seed`` make another patient (its id, its laboratory values); ``new_labs`` adds that
    many laboratory results after the last panel (one analyte each, in panel order), on or before the
    as-of day, so that the as-of day stays the same."""
    rng = random.Random(seed)
    start = date(2024, 1, 2)
    cycles = [date(2024, 1, 8) + timedelta(days=56 * n) for n in range(4)]
    labs: list[dict[str, Any]] = []
    day = start
    while len(labs) + len(PANEL) <= observations - 10:
        for analyte in PANEL:
            labs.append(_lab(patient, f"{analyte[0]}-{day.isoformat()}", day, analyte, rng))
        day += timedelta(days=8)
    as_of = day - timedelta(days=1)
    later = random.Random(seed + 1)  # the new results draw their own values: the panels stay as they were
    for n in range(new_labs):
        labs.append(_lab(patient, f"new-{n}", as_of, PANEL[n % len(PANEL)], later))
    weight = [_observation("weight-1", "29463-7", "2024-01-02T08:00:00Z", patient,
                           valueQuantity={"value": 71.0, "unit": "kg", "system": UCUM, "code": "kg"})]
    ecog = [_observation(f"ecog-{n}", "89247-1", f"{c.isoformat()}T07:00:00Z", patient, valueInteger=1)
            for n, c in enumerate(cycles)]
    tumour = []
    for n, (when, size) in enumerate([("2024-01-03", 34.0), ("2024-04-15", 24.0), ("2024-08-19", 20.0)]):
        tumour.append(_observation(
            f"lesion-{n}", "21889-1", f"{when}T09:00:00Z", patient, focus=[{"reference": "BodyStructure/liver-1"}],
            component=[{"code": {"coding": [{"system": LOINC, "code": "33728-7"}]},
                        "valueQuantity": {"value": size, "unit": "mm", "system": UCUM, "code": "mm"}},
                       {"code": {"coding": [{"system": "urn:prrt-cds:recist", "code": "lesion-role"}]},
                        "valueCodeableConcept": {"coding": [{"system": "urn:prrt-cds:recist", "code": "target"}]}}]))
    procedures = [{
        "resourceType": "Procedure", "id": f"cycle-{n + 1}", "status": "completed",
        "subject": {"reference": f"Patient/{patient}"}, "performedDateTime": c.isoformat(),
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "399315003"}],
                 "text": "Lutetium Lu 177 dotatate infusion"},
        "extension": [{"url": "urn:prrt-cds:administered-activity",
                       "valueQuantity": {"value": 7.4, "unit": "GBq", "system": UCUM, "code": "GBq"}}],
    } for n, c in enumerate(cycles)]
    prefetch = {
        "patient": {"resourceType": "Patient", "id": patient, "gender": "female", "birthDate": "1961-03-09"},
        "labs": _searchset(labs), "procedures": _searchset(procedures), "medicationAdministrations": _searchset([]),
        "bodyWeight": _searchset(weight), "performanceStatus": _searchset(ecog),
        "tumourAssessments": _searchset(tumour),
    }
    body = {"hook": "patient-view", "hookInstance": f"bench-{patient}-{new_labs}",
            "context": {"userId": "Practitioner/bench", "patientId": patient}, "prefetch": prefetch}
    count = len(labs) + len(weight) + len(ecog) + len(tumour)
    return body, as_of.isoformat(), count


def cold_bodies(observations: int, count: int, first: int = 0) -> list[bytes]:
    """``count`` different patients: each its own id and its own laboratory values."""
    return [json.dumps(patient_view_body(observations, f"cold-{n}", SEED + n)[0]).encode()
            for n in range(first, first + count)]


def warm_bodies(observations: int, count: int) -> list[bytes]:
    """One patient, opened ``count`` times, with one more laboratory result each time (the first has none)."""
    return [json.dumps(patient_view_body(observations, "warm", SEED, new_labs=n)[0]).encode() for n in range(count)]


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


async def load(name: str, url: str, payloads: list[bytes], headers: list[dict[str, str]], concurrency: int,
               check: Any, keep_alive: bool) -> Figures:
    """Send ``payloads[i]`` with ``headers[i]``, in order, from ``concurrency`` client tasks."""
    latencies: list[float] = []
    queue = list(range(len(payloads)))[::-1]  # popped from the end: the first body goes first
    # A fresh connection per request by default: uvicorn's workers share one listening socket, and a
    # kept-alive connection stays with the worker that accepted it, so a few long-lived connections can
    # all land on one worker and leave the other idle.
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency if keep_alive else 0)
    async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:

        async def worker() -> None:
            while queue:
                index = queue.pop()
                started = time.perf_counter()
                response = await client.post(url, content=payloads[index],
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


@dataclass
class Mode:
    name: str
    payloads: list[bytes]
    service: Figures
    echo: Figures

    @property
    def p95_ratio(self) -> float:
        return self.service.percentile(95) / self.echo.percentile(95)


def _measure(mode: Mode, endpoint: str, echo_url: str, tokens: list[dict[str, str]], args: argparse.Namespace) -> None:
    """Rounds that alternate the service and the echo on the same bodies, so that both meet the same machine."""
    per_round = max(1, len(mode.payloads) // args.rounds)
    for first in range(0, len(mode.payloads), per_round):
        payloads = mode.payloads[first:first + per_round]
        used = tokens[:len(payloads)]
        del tokens[:len(payloads)]
        for figures, url, headers, check in ((mode.service, endpoint, used, _service_ok),
                                             (mode.echo, echo_url, [{}] * len(payloads), _echo_ok)):
            measured = asyncio.run(load(figures.name, url, payloads, headers, args.concurrency, check,
                                        args.keep_alive))
            figures.latencies_ms += measured.latencies_ms
            figures.seconds += measured.seconds


def _table(mode: Mode) -> None:
    print(f"\n{mode.name}: {len(mode.payloads)} requests, bodies of {min(map(len, mode.payloads)) / 1024:.0f}"
          f"-{max(map(len, mode.payloads)) / 1024:.0f} KiB")
    print(f"{'endpoint':32} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8}")
    for figures in (mode.service, mode.echo):
        print(f"{figures.name:32} {figures.percentile(50):8.1f} {figures.percentile(95):8.1f} "
              f"{figures.percentile(99):8.1f} {figures.rate:8.1f}")
    service, echo = mode.service, mode.echo
    print(f"{'ratio service / echo':32} {service.percentile(50) / echo.percentile(50):7.1f}x "
          f"{service.percentile(95) / echo.percentile(95):7.1f}x "
          f"{service.percentile(99) / echo.percentile(99):7.1f}x "
          f"{service.rate / echo.rate:7.2f}x")


def _profiled(function: Any, profiles: list[cProfile.Profile]) -> Any:
    """``function`` run under a profiler of its own (it runs in another thread than the event loop)."""

    def run(*args: Any) -> Any:
        profile = cProfile.Profile()
        profile.enable()
        try:
            return function(*args)
        finally:
            profile.disable()
            profiles.append(profile)

    return run


def profile_in_process(modes: dict[str, list[bytes]], as_of: str, top: int = 30) -> None:
    """Each mode's requests through the ASGI app in this process under cProfile, with a real signed token."""
    folder = Path(tempfile.mkdtemp(prefix="prrt-cds-profile-"))
    base = "http://bench.invalid"
    config = local_key.init(folder)
    config.write_text(f'database_url = "sqlite:///{folder / "bench.db"}"\nas_of = "{as_of}"\n'
                      f'public_base_url = "{base}"\n' + config.read_text())
    app = create_app(load_settings(config))
    endpoint = f"{base}/cds-services/prrt-toxicity"

    async def run() -> None:
        async with app.router.lifespan_context(app):
            components = app.state.components
            profiles: list[cProfile.Profile] = []
            components.handler._guarded = _profiled(components.handler._guarded, profiles)
            components.store.record_cards = _profiled(components.store.record_cards, profiles)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as client:
                for name, payloads in modes.items():
                    main = cProfile.Profile()
                    for index, payload in enumerate(payloads):
                        headers = {"Content-Type": "application/json",
                                   "Authorization": f"Bearer {local_key.token(folder, endpoint)}"}
                        if index == 2:  # the first two warm the process up, unprofiled
                            profiles.clear()
                            main.enable()
                        _service_ok(await client.post(endpoint, content=payload, headers=headers))
                    main.disable()
                    stats = pstats.Stats(main)
                    for profile in profiles:
                        stats.add(profile)
                    print(f"\n--- {name}: {len(payloads) - 2} requests profiled (the evaluation thread and the "
                          f"audit included) ---")
                    stats.sort_stats("cumulative").print_stats(top)

    try:
        asyncio.run(run())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests to each endpoint, per mode")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds of each endpoint, per mode")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--observations", type=int, default=300)
    parser.add_argument("--replay", choices=("auto", "redis", "database"), default="auto")
    parser.add_argument("--keep-alive", action="store_true", help="reuse connections (default: one per request)")
    parser.add_argument("--url", help="a running service (with --key-dir) instead of starting one")
    parser.add_argument("--key-dir", type=Path, help="the folder of `python -m cds.hooks.local_key init`")
    parser.add_argument("--profile", action="store_true",
                        help="profile the app in this process (cProfile) instead of loading servers")
    args = parser.parse_args()

    _, as_of, observations = patient_view_body(args.observations)
    if args.profile:
        count = min(args.requests, 30) + 2
        profile_in_process({"cold": cold_bodies(args.observations, count),
                            "warm": warm_bodies(args.observations, count)}, as_of)
        return
    # the warm-up: patients of their own, then the warm patient's chart opened once (its first, cold, open)
    warmup = cold_bodies(args.observations, args.warmup, first=10_000_000)
    warm_all = warm_bodies(args.observations, args.requests + 1)
    warmup.append(warm_all[0])
    modes = [Mode("cold (a different patient each request)", cold_bodies(args.observations, args.requests),
                  Figures("patient-view, cold", [], 0.0), Figures("bare echo, same bodies", [], 0.0)),
             Mode("warm (the same patient, one new lab each request)", warm_all[1:],
                  Figures("patient-view, warm", [], 0.0), Figures("bare echo, same bodies", [], 0.0))]
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
        echo_url = f"{echo_server.url}/echo"
        total = len(warmup) + sum(len(mode.payloads) for mode in modes)
        tokens = [{"Authorization": f"Bearer {local_key.token(keys, endpoint)}"} for _ in range(total)]
        print(f"machine: {machine()}")
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print(f"requests: patient-view, {observations} Observations, 4 cycles, as of {as_of}; "
              f"{args.workers} uvicorn workers each; {args.concurrency} concurrent clients; JWT ES384 verified; "
              f"replay cache: {replay_name}; {args.requests} timed requests per mode and endpoint, in "
              f"{args.rounds} alternating rounds, after {len(warmup)} warm-up; "
              f"{'kept-alive connections' if args.keep_alive else 'a new connection per request'}")
        asyncio.run(load("warm-up", endpoint, warmup, tokens[:len(warmup)], args.concurrency, _service_ok,
                         args.keep_alive))
        asyncio.run(load("warm-up", echo_url, warmup, [{}] * len(warmup), args.concurrency, _echo_ok,
                         args.keep_alive))
        del tokens[:len(warmup)]
        for mode in modes:
            _measure(mode, endpoint, echo_url, tokens, args)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)

    for mode in modes:
        _table(mode)
    print("load average after: {:.2f} {:.2f} {:.2f}  (other work on the machine makes every figure worse)".format(
        *os.getloadavg()))
    cold, warm = modes
    print("\nSummary")
    print(f"  cold p95 / echo p95   {cold.p95_ratio:6.2f}x   target <= {COLD_RATIO_TARGET:.1f}x   "
          f"{_verdict(cold.p95_ratio <= COLD_RATIO_TARGET)}   ({cold.service.percentile(95):.1f} ms / "
          f"{cold.echo.percentile(95):.1f} ms)")
    print(f"  warm p95 / echo p95   {warm.p95_ratio:6.2f}x   target <= {WARM_RATIO_TARGET:.1f}x   "
          f"{_verdict(warm.p95_ratio <= WARM_RATIO_TARGET)}   ({warm.service.percentile(95):.1f} ms / "
          f"{warm.echo.percentile(95):.1f} ms)")
    for mode, label in ((cold, "cold"), (warm, "warm")):
        rate = mode.service.rate
        print(f"  {label} throughput       {rate:6.1f}/s   target >= {RATE_TARGET:.0f}/s    "
              f"{_verdict(rate >= RATE_TARGET)}   ({args.workers} workers, {args.concurrency} clients)")


if __name__ == "__main__":
    main()
