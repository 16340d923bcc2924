"""The public API of ``cds``: every name of ``__all__`` resolves, errors included, and stays lazy."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

import cds
import cds.errors
from cds.errors import CdsError


def loaded_after(statement: str) -> set[str]:
    """The top-level packages in ``sys.modules`` after ``statement``, in a fresh interpreter."""
    code = textwrap.dedent(f"""
        import sys
        {statement}
        print("\\n".join(sorted({{name.split(".")[0] for name in sys.modules}} | set(sys.modules))))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return set(done.stdout.split())


@pytest.mark.parametrize("name", cds.__all__)
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(cds, name)
    assert value is not None
    if name != "__version__":
        assert getattr(value, "__name__", name) == name  # the object, not a module or an alias of another name


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from cds import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(cds.__all__)


def test_every_error_of_the_tree_is_public() -> None:
    tree = {name for name, value in inspect.getmembers(cds.errors, inspect.isclass)
            if issubclass(value, CdsError) and value.__module__ == "cds.errors" and not name.startswith("_")}
    assert "CdsError" in tree
    assert tree <= set(cds.__all__), f"not in cds.__all__: {sorted(tree - set(cds.__all__))}"
    for name in tree:
        assert getattr(cds, name) is getattr(cds.errors, name)


def test_the_public_names_are_the_deep_ones() -> None:
    from cds.evaluation import evaluate_paths
    from cds.recist.conclusions import BestOverallResponse

    assert cds.evaluate_paths is evaluate_paths
    assert cds.BestOverallResponse is BestOverallResponse


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'evaluate'"):
        _ = cds.evaluate  # type: ignore[attr-defined]


def test_version_is_the_distribution_version() -> None:
    from importlib.metadata import version

    assert cds.__version__ == version("prrt-cds")


def test_import_cds_loads_neither_the_engine_nor_the_fhir_models() -> None:
    loaded = loaded_after("import cds")
    assert "durable" not in loaded
    assert "fhir" not in loaded
    assert "cds.engine" not in loaded
    assert "cds.evaluation" not in loaded


def test_a_public_name_loads_only_its_own_module() -> None:
    loaded = loaded_after("from cds import CdsError, Issue")
    assert {"cds.errors", "cds.facts"} <= loaded
    assert "durable" not in loaded
    assert "fhir" not in loaded


def test_the_pure_best_response_module_loads_no_fhir_models_and_not_the_evaluation() -> None:
    loaded = loaded_after("import cds.recist.best")
    assert "fhir" not in loaded
    assert "cds.mapping" not in loaded
    assert "cds.evaluation" not in loaded  # the package above it (cds, cds.recist) imports nothing eagerly


def test_the_pure_best_response_module_loads_no_engine_implementation() -> None:
    """The engine's plain types (cds.engine) may load; durable_rules, the adapter and the mapping may not."""
    loaded = loaded_after("import cds.recist.best")
    assert "durable" not in loaded and "cds.engine.durable_adapter" not in loaded


def test_the_readme_use_as_a_library_example_runs() -> None:
    example = Path(__file__).resolve().parents[2] / "examples"
    evaluation = cds.evaluate_paths([example], as_of=date(2025, 1, 1))
    assert isinstance(evaluation, cds.Evaluation)
    assert [type(p) for p in evaluation.patients] == [cds.PatientEvaluation]
    assert evaluation.ruleset_version.startswith("ctcae-5.0+")
    document = cds.to_document(evaluation)
    assert len(document["patients"]) == 1
    assert cds.to_text(evaluation).startswith(f"ruleset {evaluation.ruleset_version}")
