"""The composition root (``cds.bootstrap``): the concerns in evaluation order, the engines it builds,
and the ruleset version string, unchanged by the registry."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from cds import bootstrap
from cds.ctcae.table import table as ctcae_table
from cds.document import to_document
from cds.dose import table as dose_table
from cds.dosimetry import table as dosimetry_table
from cds.engine import Engine
from cds.evaluation import evaluate_paths
from cds.protocol import table as protocol_table
from cds.recist import table as recist_table

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "prrt_patient.json"


def test_the_concerns_in_evaluation_order() -> None:
    """The dose advice reads the CTCAE grades, so CTCAE comes first; the dosimetry reads the dose
    advice's next activity, so it comes after it; the protocol checks read the dose advice's next cycle
    (``Context.earlier``)."""
    assert [concern.name for concern in bootstrap.CONCERNS] == ["ctcae", "recist", "dose", "dosimetry", "protocol"]


def test_the_ruleset_version_is_made_from_the_tables_as_before() -> None:
    """``ctcae-<v>+lutathera-<v>+recist-<v>+dosimetry-<v>+<hash>``: the three first parts as results have
    always recorded them, the dosimetry's appended; the hash over the tables' digests in that order and
    the mappings' digest. Every prefix read before the dosimetry was added stays true."""
    ctcae, dose, recist = ctcae_table("5.0"), dose_table.table(), recist_table.table()
    dosimetry, protocol = dosimetry_table.table(), protocol_table.table()
    content = (f"{ctcae.digest}{dose.digest}{recist.digest}{dosimetry.digest}{protocol.digest}"
               f"{bootstrap.mappings_digest()}")
    digest = hashlib.sha256(content.encode()).hexdigest()[:12]
    expected = (f"ctcae-{ctcae.version}+lutathera-{dose.version}+recist-{recist.version}"
                f"+dosimetry-{dosimetry.version}+protocol-{protocol.version}+{digest}")
    assert bootstrap.ruleset_version("5.0") == expected
    assert expected.startswith("ctcae-5.0+lutathera-2024-04+recist-1.1+dosimetry-2026.12+protocol-2026-12+")


def test_every_concern_contributes_its_rulesets_once() -> None:
    names = [ruleset.name for ruleset in bootstrap.all_rulesets()]
    assert len(names) == len(set(names))
    for concern in bootstrap.CONCERNS:
        assert {r.name for r in concern.rulesets()} <= set(names)


def test_the_durable_engine_is_built_once_per_process_and_the_reference_anew() -> None:
    assert bootstrap.build_engine("durable") is bootstrap.build_engine("durable")
    assert bootstrap.build_engine("reference") is not bootstrap.build_engine("reference")
    with pytest.raises(ValueError, match="unknown engine kind"):
        bootstrap.build_engine("other")  # type: ignore[arg-type]


def test_the_example_evaluates_the_same_on_both_engines(engine: Engine) -> None:
    """The whole document of the example (toxicities, responses, alerts, issues), on each engine,
    equals the one the default engine gives; every concern's conclusions are kept by name."""
    evaluation = evaluate_paths([EXAMPLE], engine=engine)
    assert to_document(evaluation) == to_document(evaluate_paths([EXAMPLE]))
    (patient,) = evaluation.patients
    assert list(patient.conclusions) == ["ctcae", "recist", "dose", "dosimetry", "protocol"]
    assert patient.toxicities and patient.alerts and patient.recist is not None
    assert patient.toxicities == patient.conclusions["ctcae"]
