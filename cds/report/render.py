"""Write the cohort report: ``report.json``, ``report.md`` (with its figures as PNG files beside it) and
``report.html`` (one self-contained page: figures embedded as data URIs, styles inline, no network).

Templates are package data (``cds/report/templates``), found by jinja2's ``PackageLoader`` in an
installed wheel as in a checkout.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from cds.report import narrative
from cds.report.cohort import CohortReport
from cds.report.document import report_document
from cds.report.plots import kaplan_meier_png, swimmer_png

FORMATS = ("md", "html", "json")
TITLE = "177Lu-DOTATATE PRRT cohort report"
_NUMBER = re.compile(r"^-?\d+(\.\d+)?%?$")


@dataclass(frozen=True)
class Figure:
    name: str
    png: bytes
    caption: str
    alt: str


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cds.report", "templates"),
        autoescape=lambda name: name is not None and name.endswith(".html.j2"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["md_cell"] = lambda text: str(text).replace("|", "\\|")
    env.filters["is_number"] = lambda text: bool(_NUMBER.match(str(text)))
    return env


def figures(report: CohortReport) -> list[Figure]:
    """The report's figures: Kaplan-Meier curves (OS, PFS when present) and the swimmer plot."""
    out = []
    os_ = report.overall_survival
    if os_ is not None:
        out.append(Figure("overall_survival.png", kaplan_meier_png(os_, report.os_data, "Overall survival"),
                          f"Overall survival (Kaplan-Meier) with its pointwise {os_.conf_level:.0%} band "
                          f"({os_.ci_method}), censoring marks (+) and the numbers at risk.",
                          "Kaplan-Meier curve of overall survival"))
    pfs = report.progression_free_survival
    if pfs is not None:
        out.append(Figure("progression_free_survival.png",
                          kaplan_meier_png(pfs, report.pfs_data, "Progression-free survival"),
                          f"Progression-free survival (Kaplan-Meier), pointwise {pfs.conf_level:.0%} band "
                          f"({pfs.ci_method}).", "Kaplan-Meier curve of progression-free survival"))
    if report.patients and report.os_data.patients:
        out.append(Figure("swimmer.png", swimmer_png(report.patients, report.os_data),
                          "Swimmer plot: follow-up per patient, coloured by best overall response; cycles (|), "
                          "RECIST time points (triangles, coloured by response), deaths (X).",
                          "Swimmer plot of cycles, responses and deaths"))
    return out


def _context(report: CohortReport) -> dict[str, Any]:
    return {
        "title": TITLE,
        "n_patients": report.n_patients,
        "ci_method": report.settings.ci_method,
        "paragraphs": narrative.paragraphs(report),
        "tables": narrative.tables(report),
        "methods": narrative.methods(report),
        "issues": report.issues,
    }


def render_markdown(report: CohortReport, figure_files: Iterable[Figure] = ()) -> str:
    text = _environment().get_template("report.md.j2").render(**_context(report))
    images = "".join(f"![{f.alt}]({f.name})\n\n{f.caption}\n\n" for f in figure_files)
    if images:
        text = text.replace("## Tables\n", "## Figures\n\n" + images + "## Tables\n", 1)
    return text


def render_html(report: CohortReport, figure_list: Iterable[Figure] | None = None) -> str:
    shown = figures(report) if figure_list is None else list(figure_list)
    embedded = [{"png": base64.b64encode(f.png).decode("ascii"), "caption": f.caption, "alt": f.alt} for f in shown]
    settings = report.settings
    cutoff = settings.data_cutoff.isoformat() if settings.data_cutoff else "each patient's latest record"
    return _environment().get_template("report.html.j2").render(
        **_context(report), figures=embedded, generated=f"data cut-off: {cutoff}")


def parse_formats(text: str) -> tuple[str, ...]:
    """``"md,html,json"`` -> the formats; raises ValueError for an unknown one."""
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ValueError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    return chosen


def write_report(report: CohortReport, out_dir: Path, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Write the chosen formats into ``out_dir`` (created); returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    chosen = tuple(formats)
    written = []
    if "json" in chosen:
        path = out_dir / "report.json"
        path.write_text(json.dumps(report_document(report), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    drawn = figures(report) if ("md" in chosen or "html" in chosen) else []
    if "md" in chosen:
        for figure in drawn:
            (out_dir / figure.name).write_bytes(figure.png)
            written.append(out_dir / figure.name)
        path = out_dir / "report.md"
        path.write_text(render_markdown(report, drawn), encoding="utf-8")
        written.append(path)
    if "html" in chosen:
        path = out_dir / "report.html"
        path.write_text(render_html(report, drawn), encoding="utf-8")
        written.append(path)
    return written
