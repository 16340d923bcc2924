"""Every subcommand, driven with generated arguments and generated files: never a traceback, only the
exit codes of docs/outputs.md (0 done, 1 input unusable, 2 usage error).

``serve`` is driven through its argument parsing and configuration loading only: ``uvicorn.run`` is
replaced, so no server starts. Every run happens in a fresh temporary folder (the working directory
too, for the default SQLite file), and the environment ``serve`` sets is put back after each run.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import factories as fx
import hooks_support as hs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cds.cli import app

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
                derandomize=True)
SLOW = settings(FUZZ, max_examples=12)  # report and demo evaluate and draw figures: fewer, still varied

STRATEGIES = hs.fuzz_strategies()
# Text as a shell can pass it: no NUL (argv cannot hold one); anything else, including option-like words.
arg_text = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=12)


def mostly(valid: st.SearchStrategy[str], invalid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Three draws in four valid, so that runs get past parsing; the rest anything a user might type."""
    return st.one_of(valid, valid, valid, invalid)


dates = mostly(st.sampled_from(["2024-04-29", "2024-02-01", "2000-01-01", "9999-12-31"]),
               st.sampled_from(["2024-13-01", "29/04/2024", "", "today"]) | arg_text)
ints = mostly(st.sampled_from(["1", "2"]), st.sampled_from(["-1", "0", "99999999999999999999999", "1.5", "x", ""])
              | st.integers(-5, 5).map(str))

VALID_BUNDLE = fx.bundle([fx.patient(), fx.procedure("c1", "2024-01-08"), fx.procedure("c2", "2024-03-04"),
                          fx.lab("o1", "platelets", 70, "10*3/uL", low=150, high=400, when="2024-02-05")])
contents = st.one_of(
    st.just(b""),
    st.just(b" \n"),
    st.binary(max_size=80),
    STRATEGIES["json"].map(lambda v: json.dumps(v).encode()),
    STRATEGIES["records"].map(lambda r: json.dumps(fx.bundle(r, full_urls=False)).encode()),
    STRATEGIES["records"].map(lambda r: "\n".join(json.dumps(x) for x in r).encode()),
    st.just(json.dumps(VALID_BUNDLE).encode()),
    st.just(json.dumps(VALID_BUNDLE).encode()),
    st.just(json.dumps(VALID_BUNDLE).encode()),
)
files = st.lists(st.tuples(st.sampled_from([".json", ".ndjson", ".jsonl", ".txt", ""]), contents), max_size=3)


@contextmanager
def workspace(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh folder as the working directory, and the environment restored afterwards."""
    before = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="prrt-cds-cli-fuzz-") as name:
        folder = Path(name)
        with monkeypatch.context() as patch:
            patch.chdir(folder)
            try:
                yield folder
            finally:
                os.environ.clear()
                os.environ.update(before)


def lay_out(folder: Path, generated: list[tuple[str, bytes]]) -> list[str]:
    """Write the generated files (in the folder and in a sub-folder); return candidate input paths."""
    sub = folder / "in"
    sub.mkdir()
    paths = []
    for n, (suffix, data) in enumerate(generated):
        path = (sub if n % 2 else folder) / f"f{n}{suffix}"
        path.write_bytes(data)
        paths.append(str(path))
    (folder / "a-file.txt").write_text("an existing file", encoding="utf-8")
    return [*paths, str(sub), str(folder / "empty-dir")]


def some_paths(data: st.DataObject, candidates: list[str], folder: Path) -> list[str]:
    """Paths to evaluate; now and then one that does not exist."""
    paths = data.draw(st.lists(st.sampled_from(candidates), min_size=data.draw(st.sampled_from([0, 1, 1, 1])),
                               max_size=3))
    if data.draw(st.integers(0, 4)) == 0:
        paths.append(str(folder / "missing.json"))
    return paths


def outcome(args: list[str], env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(app, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args, repr(result.exception))
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output[-2000:])
    assert "Traceback" not in result.output
    return result


def chosen(data: st.DataObject, options: dict[str, st.SearchStrategy[str]]) -> list[str]:
    """Some of ``options``, each with a generated value, in a generated order; sometimes a stray word."""
    names = data.draw(st.lists(st.sampled_from(sorted(options)), unique=True, max_size=len(options)))
    args: list[str] = []
    for name in names:
        args += [name, data.draw(options[name])]
    if data.draw(st.integers(0, 4)) == 0:
        args.insert(data.draw(st.integers(0, len(args))), data.draw(arg_text | st.sampled_from(["--nope", "-x"])))
    return args


@FUZZ
@given(generated=files, data=st.data())
def test_evaluate_never_a_traceback(monkeypatch: pytest.MonkeyPatch, generated: list[tuple[str, bytes]],
                                    data: st.DataObject) -> None:
    with workspace(monkeypatch) as folder:
        (folder / "empty-dir").mkdir()
        candidates = lay_out(folder, generated)
        paths = some_paths(data, candidates, folder)
        options = chosen(data, {"--as-of": dates,
                                "--format": mostly(st.sampled_from(["json", "text"]), st.sampled_from(["xml", ""])),
                                "--ctcae-version": mostly(st.just("5.0"), st.sampled_from(["4.03", "6.0"]) | arg_text)})
        outcome(["evaluate", *paths, *options])


@SLOW
@given(generated=files, data=st.data())
def test_report_never_a_traceback(monkeypatch: pytest.MonkeyPatch, generated: list[tuple[str, bytes]],
                                  data: st.DataObject) -> None:
    with workspace(monkeypatch) as folder:
        (folder / "empty-dir").mkdir()
        candidates = lay_out(folder, generated)
        paths = some_paths(data, candidates, folder)
        out = data.draw(mostly(st.sampled_from(["out", "empty-dir"]),
                               st.sampled_from(["a-file.txt", "a-file.txt/below", "in", ""])))
        options = chosen(data, {
            "--format": mostly(st.sampled_from(["json", "md", "html", "md,html,json", "JSON, md"]),
                               st.sampled_from(["pdf", ","])),
            "--ci-method": mostly(st.sampled_from(["log-log", "log", "plain", "symmetric"]), st.just("wald")),
            "--data-cutoff": dates, "--response": mostly(st.sampled_from(["confirmed", "unconfirmed"]), st.just("x")),
            "--ctcae-version": mostly(st.just("5.0"), st.just("4.03")), "--jobs": ints})
        outcome(["report", *paths, *(["--out", str(folder / out)] if out or data.draw(st.booleans()) else []),
                 *options])


@SLOW
@given(data=st.data())
def test_demo_never_a_traceback(monkeypatch: pytest.MonkeyPatch, data: st.DataObject) -> None:
    with workspace(monkeypatch) as folder:
        (folder / "a-file.txt").write_text("an existing file", encoding="utf-8")
        out = data.draw(mostly(st.just("demo"), st.sampled_from(["a-file.txt", "a-file.txt/below"])))
        patients = mostly(st.sampled_from(["1", "2", "3"]),
                          st.sampled_from(["0", "-4", "99999999999999999999999", "1e3", "x"]))
        options = chosen(data, {
            "--patients": patients, "--seed": ints | st.sampled_from(["-99999999999999999999", "12345678901234567890"]),
            "--format": mostly(st.sampled_from(["json", "html", "md"]), st.just("pdf")),
            "--ci-method": mostly(st.just("log"), st.just("wald")),
            "--jobs": mostly(st.just("1"), st.sampled_from(["0", "-2", "x"])), "--max-patients": ints})
        if "--patients" not in options:  # the default (16) is the published series: fine, but slow here
            options += ["--patients", "2"]
        outcome(["demo", "--out", str(folder / out), *options])


configs = st.one_of(
    st.just(""),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    st.sampled_from([
        'database_url = "sqlite:///fuzz.db"\n[auth]\nverify_jwt = false\n',
        'public_base_url = "ftp://x"\n',
        'database_url = 5\n',
        'nonsense_key = 1\n',
        '[auth]\nverify_jwt = true\n[[auth.issuers]]\niss = "https://ehr.test"\n',
        '[[auth.issuers]]\niss = "a"\njwks_file = "missing.json"\n',
        'replay_cache_url = "memory://"\n',
        'fhir_page_size = 0\n',
        'cors_origins = "*"\n',
    ]),
)


@FUZZ
@given(config=configs, data=st.data())
def test_serve_argument_parsing_never_a_traceback(monkeypatch: pytest.MonkeyPatch, config: str,
                                                  data: st.DataObject) -> None:
    import uvicorn

    started: list[dict[str, Any]] = []
    with workspace(monkeypatch) as folder:
        monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(k))
        (folder / "service.toml").write_text(config, encoding="utf-8")
        options = chosen(data, {
            "--host": mostly(st.sampled_from(["127.0.0.1", "::1", "0.0.0.0"]), st.just("") | arg_text),
            "--port": mostly(st.sampled_from(["65535", "8000"]), st.just("65536") | ints),
            "--workers": ints,
            "--config": st.sampled_from([str(folder / "service.toml"), str(folder / "missing.toml"), str(folder)]),
        })
        env = {k: "" for k in os.environ if k.startswith("PRRT_CDS_")} or None
        result = outcome(["serve", *options], env=env)
        assert result.exit_code != 0 or len(started) == 1


@pytest.mark.parametrize("command", ["evaluate", "report", "demo", "serve"])
def test_help_of_every_subcommand(command: str) -> None:
    assert outcome([command, "--help"]).exit_code == 0
