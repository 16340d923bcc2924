"""RECIST's pure modules (time points, best overall response) import without the engine or FHIR.

Best overall response is date-sequence logic over decided responses (cds/recist/best.py): it must be
usable, and testable, without durable_rules or fhir.resources loaded. A fresh interpreter is the only
place where ``sys.modules`` says what an import pulls in.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

FORBIDDEN = ("durable", "fhir.resources")
PROBE = """
import json, sys
import {module}
print(json.dumps(sorted(name for name in sys.modules)))
"""


@pytest.mark.parametrize("module", ["cds.recist.best", "cds.recist.timepoints"])
def test_imports_without_durable_rules_or_fhir_resources(module: str) -> None:
    run = subprocess.run([sys.executable, "-c", PROBE.format(module=module)],
                         capture_output=True, text=True, check=True, timeout=120)
    loaded = json.loads(run.stdout)
    assert module in loaded  # the probe imported what it names
    pulled = [name for name in loaded if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)]
    assert pulled == [], f"importing {module} loads {pulled}"


def test_the_probe_sees_what_an_import_pulls_in() -> None:
    """The same probe on the engine adapter finds durable_rules: the check above can fail."""
    run = subprocess.run([sys.executable, "-c", PROBE.format(module="cds.engine.durable_adapter")],
                         capture_output=True, text=True, check=True, timeout=120)
    assert any(name == "durable" or name.startswith("durable.") for name in json.loads(run.stdout))
