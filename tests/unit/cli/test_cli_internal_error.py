"""A defect of prrt-cds met during a run is one line on stderr and exit code 70, never a traceback that
quotes the input (docs/outputs.md, "Exit codes"): an exception's text can carry patient data (a
validation error quotes the value it refused), so the console command shows only its type, unless
PRRT_CDS_DEBUG=1 asks for the details."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

SECRET = "Patient/SECRET-4711 platelets 12 10*9/L"
DATA = Path(__file__).resolve().parents[2] / "data" / "synthea"

# The console command as installed, with the evaluation failing as a defect would, quoting its input.
PROGRAM = f"""
import sys
from importlib.metadata import entry_points
import cds.cli

def defect(*args, **kwargs):
    raise RuntimeError("unexpected value in " + {SECRET!r})

if sys.argv[1] == "defect":
    cds.cli.evaluation_stream = defect
command = entry_points(group="console_scripts")["prrt-cds"].load()
sys.argv = ["prrt-cds", *sys.argv[2:]]
command()
"""


def run(*args: str, debug: bool = False, defect: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PRRT_CDS_DEBUG"}
    if debug:
        env["PRRT_CDS_DEBUG"] = "1"
    command = [sys.executable, "-c", PROGRAM, "defect" if defect else "-", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)


def test_the_console_command_is_the_guarded_entry_point() -> None:
    assert entry_points(group="console_scripts")["prrt-cds"].value == "cds.cli:run"


def test_an_unexpected_error_is_one_line_with_its_type_and_no_input() -> None:
    done = run("evaluate", str(DATA))
    assert done.returncode == 70
    assert SECRET not in done.stderr and SECRET not in done.stdout
    assert "Traceback" not in done.stderr and "│" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("prrt-cds: internal error (RuntimeError)")
    assert "PRRT_CDS_DEBUG=1" in lines[0]


def test_debug_shows_the_details_to_whoever_asks() -> None:
    done = run("evaluate", str(DATA), debug=True)
    assert done.returncode == 1
    assert "Traceback" in done.stderr and SECRET in done.stderr


@pytest.mark.parametrize(("args", "code"), [(["--help"], 0), (["evaluate", "no-such-path"], 1),
                                            (["evaluate", str(DATA), "--format", "xml"], 2)])
def test_expected_outcomes_keep_their_exit_codes(args: list[str], code: int) -> None:
    """Help, a missing path, a usage error: ``run`` changes none of their exit codes."""
    done = run(*args, defect=False)
    assert done.returncode == code
    assert "internal error" not in done.stderr
