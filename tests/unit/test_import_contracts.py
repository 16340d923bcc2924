"""The import-linter contracts of pyproject.toml hold, and each "only X imports Y" list names every module.

A forbidden contract lists the modules that must not import a package; a module added to ``cds/`` and left
out of the list would be free to import it, so the lists are checked against the package here.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

import cds

ROOT = Path(__file__).resolve().parents[2]
# contract id -> the top-level modules allowed to import the forbidden modules
ALLOWED = {
    "durable-only-in-engine": {"cds.engine"},
    "fhir-models-only-in-mapping": {"cds.mapping"},
    "fhir-readers-only-in-mapping-and-hooks": {"cds.mapping", "cds.hooks"},
    "http-only-in-hooks": {"cds.hooks"},
    "statistics-only-in-report": {"cds.report"},
}


def contracts() -> dict[str, dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {contract["id"]: contract for contract in config["tool"]["importlinter"]["contracts"]}


def top_level_modules() -> set[str]:
    return {f"cds.{module.name}" for module in pkgutil.iter_modules(cds.__path__)}


def test_the_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "broken" not in done.stdout.replace("0 broken", "")


def test_every_only_contract_is_known() -> None:
    forbidden = {key for key, contract in contracts().items() if contract["type"] == "forbidden"}
    assert forbidden == set(ALLOWED)


@pytest.mark.parametrize("contract_id", sorted(ALLOWED))
def test_a_forbidden_contract_lists_every_other_top_level_module(contract_id: str) -> None:
    sources = set(contracts()[contract_id]["source_modules"])
    expected = top_level_modules() - ALLOWED[contract_id]
    assert not ALLOWED[contract_id] & sources
    assert sources == expected, (f"missing: {sorted(expected - sources)}; "
                                 f"no such module: {sorted(sources - expected)}")


def test_forbidden_contracts_check_direct_imports_only() -> None:
    # cds.evaluation reaches durable through cds.engine: that is the port being used, not a breach
    for contract_id in ALLOWED:
        assert contracts()[contract_id]["allow_indirect_imports"] is True


def test_the_layers_name_existing_modules() -> None:
    layers = contracts()["data-flow-layers"]["layers"]
    named = {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}
    assert named <= top_level_modules(), sorted(named - top_level_modules())
