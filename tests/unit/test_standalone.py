"""The repository stands on its own: a clone with nothing beside it runs, tests and documents itself.

No file of the product, its tests, scenarios or benchmarks may read or point to a folder outside the
repository (the material the tests need is vendored in ``tests/data/``, the documents a user needs are
in ``docs/``), and every ``docs/...`` a file names exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("cds", "tests", "features", "benchmarks", "docs", "rules", "fhir_mappings", "examples", ".ci")
TOP_LEVEL = ("README.md", "pyproject.toml")
TEXT_SUFFIXES = {".py", ".md", ".toml", ".feature", ".j2", ".txt", ".cfg", ".ini", ".yaml", ".yml", ".sh", ""}
SKIPPED_PARTS = {"__pycache__", ".venv", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}

# Written so that this file does not match itself: "share[d]" is the word, spelt as a regex class.
OUTSIDE = [
    re.compile(r"\.\.[/\\]share[d]\b"),  # ../<the word>, ..\<the word>
    re.compile(r"""parents?\b[^\n]{0,60}/\s*["']share[d]["']"""),  # Path(...).parent / <the word>
    re.compile(r"""["']share[d]["']\s*/\s*["'](?:reference|data|design|hooks)["']"""),  # <the word> / data
    re.compile(r"""(?:join|joinpath)\([^)\n]*["']share[d]["']"""),  # os.path.join(..., <the word>)
    re.compile(r"(?<![\w./-])share[d]/(?:reference|data|design|hooks)\b"),  # <the word>/data/...
]
DESIGN_LINK = re.compile(r"(?<![\w./-])desig[n]/[\w.-]+\.md")  # the old design/*.md documents
DOCS_LINK = re.compile(r"(?<![\w/-])docs/([\w-]+\.md)")


def _files() -> list[Path]:
    found = [ROOT / name for name in TOP_LEVEL if (ROOT / name).is_file()]
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or SKIPPED_PARTS & set(path.relative_to(ROOT).parts):
                continue
            if path.suffix in TEXT_SUFFIXES and path.stat().st_size < 1_000_000:
                found.append(path)
    return found


def _hits(pattern: re.Pattern[str]) -> list[str]:
    hits = []
    for path in _files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    return hits


def test_the_scan_sees_the_files_it_must_check() -> None:
    names = {str(p.relative_to(ROOT)) for p in _files()}
    assert {"README.md", "tests/hooks_support.py", "cds/cli.py", "benchmarks/bench_mapping.py",
            "features/README.md", "tests/unit/test_standalone.py"} <= names


@pytest.mark.parametrize("pattern", OUTSIDE, ids=lambda p: p.pattern)
def test_no_file_refers_to_a_folder_beside_the_repository(pattern: re.Pattern[str]) -> None:
    assert _hits(pattern) == []


def test_the_patterns_catch_what_they_are_for() -> None:
    """The scan cannot pass by matching nothing: each spelling of an outside path is caught."""
    word = "share" + "d"
    samples = [f"../{word}/reference/cds-hooks", f'ROOT.parent / "{word}" / "data"',
               f'"{word}" / "reference"', f'os.path.join(root, "..", "{word}")', f"see {word}/design/outputs.md"]
    for sample in samples:
        assert any(p.search(sample) for p in OUTSIDE), sample
    assert not any(p.search("the shared step vocabulary; shared_service()") for p in OUTSIDE)


def test_documents_are_linked_in_docs_not_design() -> None:
    assert _hits(DESIGN_LINK) == []


def test_every_docs_link_names_a_document_that_exists() -> None:
    missing = []
    for path in _files():
        for name in DOCS_LINK.findall(path.read_text(encoding="utf-8", errors="replace")):
            if not (ROOT / "docs" / name).is_file():
                missing.append(f"{path.relative_to(ROOT)}: docs/{name}")
    assert missing == []
    assert {"outputs.md", "fhir-input-profile.md", "rule-engine.md"} <= {p.name for p in (ROOT / "docs").glob("*.md")}


def test_the_vendored_data_carries_its_origin() -> None:
    for folder in ("cds-hooks", "synthea"):
        readme = (ROOT / "tests" / "data" / folder / "README.md").read_text(encoding="utf-8")
        assert "licence" in readme.lower() or "license" in readme.lower(), folder
