"""Cohort report of a PRRT series: survival, response, toxicity and performance status.

    collect      FHIR input -> the evaluation of ``prrt-cds evaluate`` -> one ``PatientSummary`` per patient
                 (processes for large inputs)
    cohort       summaries -> ``CohortReport``: demographics, cycles, activity, responses, survival,
                 toxicity, performance status
    survival     Kaplan-Meier (lifelines), R's median rule, four CI methods for the median
    response     best overall response counts, ORR and DCR with Clopper-Pearson intervals
    toxicity     worst CTCAE grade per patient per term
    performance  ECOG / Karnofsky before vs after, Wilcoxon signed-rank
    document     ``report.json``; narrative, plots, render: Markdown and self-contained HTML
    pipeline     ``generate_report``: all of it, as ``prrt-cds report`` runs it
    spark_backend  ``collect`` on Apache Spark (``--backend spark``): per-patient evaluation in the executors

Only ``cds.report`` knows statistics (README.md, "Layout"). Names are imported lazily, so that the
worker processes of ``collect`` do not load lifelines, scipy and matplotlib.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cds.report.cohort import CohortReport, ReportSettings, build_report
    from cds.report.collect import CohortData, Settings, collect
    from cds.report.document import report_document
    from cds.report.pipeline import generate_report
    from cds.report.render import FORMATS, parse_formats, write_report
    from cds.report.survival import CI_METHODS, DEFAULT_CI_METHOD, CiMethod, kaplan_meier

_WHERE = {
    "CohortReport": "cohort", "ReportSettings": "cohort", "build_report": "cohort",
    "CohortData": "collect", "Settings": "collect", "collect": "collect",
    "report_document": "document", "generate_report": "pipeline",
    "FORMATS": "render", "parse_formats": "render", "write_report": "render",
    "CI_METHODS": "survival", "DEFAULT_CI_METHOD": "survival", "CiMethod": "survival", "kaplan_meier": "survival",
}

__all__ = [
    "CI_METHODS", "DEFAULT_CI_METHOD", "FORMATS", "CiMethod", "CohortData", "CohortReport", "ReportSettings",
    "Settings", "build_report", "collect", "generate_report", "kaplan_meier", "parse_formats", "report_document",
    "write_report",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'cds.report' has no attribute {name!r}")
    return getattr(import_module(f"cds.report.{_WHERE[name]}"), name)
