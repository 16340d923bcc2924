"""Write the cohort report: ``report.json``, ``report.md`` (with its figures as PNG files beside it) and
``report.html`` (one self-contained page: figures embedded as data URIs, styles inline, no network).

Templates are package data (``cds/report/templates``), found by jinja2's ``PackageLoader`` in an
installed wheel as in a checkout.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from cds.report import narrative
from cds.report.cohort import CohortReport, TimeToEvent
from cds.report.document import report_document
from cds.report.plots import (
    CENSOR_MARKS_MAX_PATIENTS,
    censor_marks_drawn,
    kaplan_meier_figure,
    png,
    spider_figure,
    spider_patients,
    swimmer_figure,
    swimmer_rows,
    waterfall_figure,
)
from cds.report.survival import SurvivalSummary
from cds.report.waterfall import PD_LINE_PCT, PR_LINE_PCT

FORMATS = ("md", "html", "json")
TITLE = "177Lu-DOTATATE PRRT cohort report"
_NUMBER = re.compile(r"^-?\d+(\.\d+)?%?( \(\d+(\.\d+)?%\))?$")  # 6, 7.9, 81.3%, 6 (37.5%)


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


def _km_caption(label: str, summary: SurvivalSummary, data: TimeToEvent) -> str:
    n = len(data.patients)
    marks = ("censoring times as ticks (+k where k patients were censored at one time)"
             if censor_marks_drawn(n) else
             f"no censoring ticks (left out above {CENSOR_MARKS_MAX_PATIENTS} patients, where they merge; "
             "the numbers at risk carry the censoring)")
    return (f"{label} (Kaplan-Meier) of {n} patients, {summary.events} events and {summary.censored} censored: "
            f"the estimate with its pointwise {summary.conf_level:.0%} confidence band ({summary.ci_method}), "
            f"{marks}, the median where reached, and the numbers at risk under the time axis.")


def _silent(name: str) -> None:
    pass


def figures(report: CohortReport, phase: Callable[[str], None] = _silent) -> list[Figure]:
    """The report's figures: Kaplan-Meier curves (OS, PFS when present), swimmer, waterfall and spider."""
    out = []
    os_ = report.overall_survival
    if os_ is not None:
        phase("figure: overall survival")
        out.append(Figure("overall_survival.png",
                          png(kaplan_meier_figure(os_, report.os_data, "Overall survival",
                                              "Overall survival probability")),
                          _km_caption("Overall survival", os_, report.os_data),
                          "Kaplan-Meier curve of overall survival"))
    pfs = report.progression_free_survival
    if pfs is not None:
        phase("figure: progression-free survival")
        out.append(Figure("progression_free_survival.png",
                          png(kaplan_meier_figure(pfs, report.pfs_data, "Progression-free survival",
                                               "Progression-free survival probability")),
                          _km_caption("Progression-free survival", pfs, report.pfs_data),
                          "Kaplan-Meier curve of progression-free survival"))
    rows = swimmer_rows(report.patients, report.os_data)
    if rows:
        phase("figure: swimmer")
        timed = len(report.os_data.patients)  # the patients with a survival time, the only ones with a bar
        sampled = f"{len(rows)} of {timed} patients, evenly sampled" if timed > len(rows) else f"{len(rows)} patients"
        if (untimed := report.n_patients - timed) > 0:
            sampled += (f"; {untimed} treated {'patient' if untimed == 1 else 'patients'} without a survival time "
                        f"{'is' if untimed == 1 else 'are'} not drawn, see the issues")
        out.append(Figure("swimmer.png", png(swimmer_figure(report.patients, report.os_data)),
                          f"Swimmer plot ({sampled}): one bar per patient from the first cycle (t = 0) to death "
                          "or last contact, coloured by best overall response; PRRT cycles (open circles), "
                          "RECIST time points (triangles, coloured by that time point's response), deaths (X) "
                          "and patients alive at last contact (arrow).",
                          "Swimmer plot of cycles, responses and deaths"))
    fall = report.waterfall
    if fall.bars:
        phase("figure: waterfall")
        out.append(Figure("waterfall.png", png(waterfall_figure(fall)),
                          f"Waterfall plot: best percentage change of the sum of target diameters from baseline "
                          f"(RECIST 1.1) for {len(fall.bars)} patients, sorted, coloured by best overall "
                          f"response, with lines at {PD_LINE_PCT:+.0f}% and {PR_LINE_PCT:.0f}%. Not drawn: "
                          f"{fall.no_follow_up} with measurable disease and no complete follow-up sum, "
                          f"{fall.not_measurable} without measurable disease.",
                          "Waterfall plot of the best change in tumour size per patient"))
        phase("figure: spider")
        drawn, total = spider_patients(report.patients)
        sampled = f"{len(drawn)} of {total} patients, evenly sampled" if total > len(drawn) else f"{total} patients"
        out.append(Figure("spider.png", png(spider_figure(report.patients)),
                          f"Spider plot ({sampled}): percentage change of the sum of target diameters from "
                          "baseline at each RECIST time point, one line per patient coloured by best overall "
                          f"response, with lines at {PD_LINE_PCT:+.0f}% and {PR_LINE_PCT:.0f}%.",
                          "Spider plot of the change in tumour size over time per patient"))
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


def write_report(report: CohortReport, out_dir: Path, formats: Iterable[str] = FORMATS,
                 phase: Callable[[str], None] = _silent) -> list[Path]:
    """Write the chosen formats into ``out_dir`` (created); returns the files written. ``phase`` is told
    each step's name (for progress)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    chosen = tuple(formats)
    written = []
    if "json" in chosen:
        phase("writing: report.json")
        path = out_dir / "report.json"
        path.write_text(json.dumps(report_document(report), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    drawn = figures(report, phase) if ("md" in chosen or "html" in chosen) else []
    if "md" in chosen:
        phase("writing: report.md")
        for figure in drawn:
            (out_dir / figure.name).write_bytes(figure.png)
            written.append(out_dir / figure.name)
        path = out_dir / "report.md"
        path.write_text(render_markdown(report, drawn), encoding="utf-8")
        written.append(path)
    if "html" in chosen:
        phase("writing: report.html")
        path = out_dir / "report.html"
        path.write_text(render_html(report, drawn), encoding="utf-8")
        written.append(path)
    return written
