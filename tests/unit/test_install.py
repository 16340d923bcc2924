"""The built wheel carries its data tables: installed outside the repository, cds finds fhir_mappings/
(and rules/) inside the installed package and the tables load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import factories as fx

REPO = Path(__file__).resolve().parents[2]

# Runs in the child: the repository (on sys.path through the editable install) is removed first, so
# everything imported must come from the installed wheel.
CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    repo, site, bundle = (Path(a).resolve() for a in sys.argv[1:4])
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != repo]
    import cds.rulebook.files, cds.tables
    from cds.evaluation import evaluate_paths
    analytes, codes = cds.tables.analytes(), cds.tables.codes()
    evaluation = evaluate_paths([bundle])
    print(json.dumps({
        "data_files": cds.rulebook.files.__file__,
        "tables": cds.tables.__file__,
        "mappings_dir": str(cds.rulebook.files.mappings_dir()),
        "rules_dir": str(cds.rulebook.files.rules_dir()),
        "n_analytes": len(analytes.analytes),
        "platelets_k_ul": analytes.for_loinc("777-3").units.factor("K/uL"),
        "mci": codes.activity_units.factor("mCi"),
        "cycles": [c.activity_gbq for p in evaluation.patients for c in p.timeline.cycles],
    }))
    """
)


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ, **env}
    )


def test_wheel_installs_with_its_data_tables(tmp_path: Path) -> None:
    wheels, site, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "elsewhere"
    work.mkdir()
    # Build isolation fetches the pinned hatchling; --no-deps: the runtime deps are the venv's own.
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(REPO), "-w", str(wheels)], cwd=work
    )
    assert built.returncode == 0, built.stderr[-2000:]
    [wheel] = wheels.glob("prrt_cds-*.whl")
    installed = run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)],
        cwd=work,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]

    bundle = work / "bundle.json"
    bundle.write_text(
        json.dumps(fx.bundle([fx.patient(), fx.procedure("c1", activity=200, activity_unit="mCi")])),
        encoding="utf-8",
    )
    child = run(
        [sys.executable, "-c", CHILD, str(REPO), str(site), str(bundle)], cwd=work, PYTHONPATH=str(site)
    )
    assert child.returncode == 0, child.stderr[-2000:]
    found = json.loads(child.stdout)

    package = (site / "cds").resolve()
    assert Path(found["data_files"]).resolve().parent == package / "rulebook"
    assert Path(found["tables"]).resolve().parent == package
    assert Path(found["mappings_dir"]).resolve() == package / "_data" / "fhir_mappings"
    assert Path(found["rules_dir"]).resolve() == package / "_data" / "rules"
    assert (package / "_data" / "fhir_mappings" / "analytes.toml").read_bytes() == (
        REPO / "fhir_mappings" / "analytes.toml"
    ).read_bytes()
    assert found["n_analytes"] > 40
    assert (found["platelets_k_ul"], found["mci"]) == (1.0, 0.037)
    assert found["cycles"] == [7.4]  # 200 mCi; cycle activities are rounded to 1e-9 GBq
