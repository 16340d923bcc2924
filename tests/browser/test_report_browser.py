"""report.html in a real browser (Debian's chromium through Playwright, see conftest.py): it loads with no
error and no request leaving the file, every figure decodes, a phone-wide page never scrolls sideways, and
the print-to-PDF puts each figure on a page of its own and cuts no table.

The 16-patient demo report is built as in tests/unit/report/test_report_render.py. Screenshots (390 px and
1280 px, full page) and the PDF are kept in each test's tmp_path for a person to look at. The last test
breaks a copy of the page on purpose and checks that each check sees it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route, ViewportSize
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from cds.demo import SERIES_SIZE, patient_bundle
from cds.reading import from_objects
from cds.report.cohort import ReportSettings, build_report
from cds.report.collect import CohortData, Settings, summarize_collected
from cds.report.render import write_report

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
# A4 less the template's @page side margins (14 mm each), in CSS px (96 per inch).
PRINT_WIDTH = round((210 - 2 * 14) / 25.4 * 96)


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bundles = [patient_bundle(i, SERIES_SIZE, 1)[1] for i in range(1, SERIES_SIZE + 1)]
    summaries, issues = summarize_collected(from_objects(bundles), Settings())
    report = build_report(CohortData(tuple(summaries), tuple(issues), "test", SERIES_SIZE), ReportSettings())
    out = tmp_path_factory.mktemp("browser-report")
    write_report(report, out, ("html",))
    return out / "report.html"


@dataclass
class Watched:
    """What a page did while it was open: console errors, uncaught errors, and every request that was not
    for the page's own file or a data: URL (each one aborted, so nothing leaves the file)."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside: set[str] = field(default_factory=set)

    def own(self, url: str) -> bool:
        return url.split("#", 1)[0] == self.url or url.startswith("data:")


def open_watched(context: BrowserContext, html: Path) -> tuple[Page, Watched]:
    watched = Watched(html.resolve().as_uri())
    page = context.new_page()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watched.console_errors.append(message.text)

    def guard(route: Route) -> None:
        if watched.own(route.request.url):
            route.continue_()
        else:
            watched.outside.add(route.request.url)
            route.abort()

    page.on("console", console)
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    page.on("request", lambda request: None if watched.own(request.url) else watched.outside.add(request.url))
    page.route("**/*", guard)
    page.goto(watched.url, wait_until="load")
    # Resource Timing as a third witness: it lists fetches the route might not see (none may leave the file).
    for name in page.evaluate("performance.getEntriesByType('resource').map(e => e.name)"):
        if not watched.own(name):
            watched.outside.add(name)
    return page, watched


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    # A phone: the meta viewport is honoured, so a page too wide for it would widen the layout.
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context
    context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP)
    yield context
    context.close()


DECODED = """() => Promise.all(Array.from(document.images).map(img =>
    img.decode().then(() => true, () => false).then(decoded =>
        ({decoded, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight}))))"""

SIDEWAYS = """() => {
    const root = document.documentElement;
    window.scrollTo(10000, window.scrollY);
    const scrolled = window.scrollX;
    window.scrollTo(0, window.scrollY);
    return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, bodyWidth: document.body.scrollWidth,
            scrolled};
}"""


def images(page: Page) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate(DECODED)
    return result


def undecoded(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in found if not (i["decoded"] and i["complete"] and i["width"] > 0 and i["height"] > 0)]


def sideways(page: Page) -> dict[str, int]:
    """How far the page scrolls sideways: ``{}`` when it does not."""
    got: dict[str, int] = page.evaluate(SIDEWAYS)
    wide = got["scrollWidth"] > got["clientWidth"] or got["bodyWidth"] > got["clientWidth"] or got["scrolled"] > 0
    return got if wide else {}


# --- the PDF ---------------------------------------------------------------------------------------------------


def _image_count(resources: Any, seen: set[int]) -> int:
    """Image XObjects drawn from a page's resources, through the form XObjects Skia nests them in."""
    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if resources is not None else None
    if xobjects is None:
        return 0
    count = 0
    for ref in xobjects.get_object().values():
        key = ref.idnum if hasattr(ref, "idnum") else id(ref)
        if key in seen:
            continue
        seen.add(key)
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image":
            count += 1
        elif obj.get("/Subtype") == "/Form":
            count += _image_count(obj.get("/Resources"), seen)
    return count


def images_per_page(reader: PdfReader) -> list[int]:
    return [_image_count(page.get("/Resources"), set()) for page in reader.pages]


def _pages_of(element: DictionaryObject, page_numbers: dict[int, int], inherited: int | None) -> set[int | None]:
    """The pages a structure element's marked content lies on (its own /Pg, else its parent's)."""
    page = element.get("/Pg")
    here = page_numbers[page.idnum] if page is not None else inherited
    if element.get("/Type") in ("/MCR", "/OBJR"):
        return {here}
    kids = element.get("/K")
    if kids is None:
        return set()
    out: set[int | None] = set()
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        kid = kid.get_object()
        out |= _pages_of(kid, page_numbers, here) if isinstance(kid, DictionaryObject) else {here}
    return out


def structure_pages(reader: PdfReader, kind: str) -> list[set[int | None]]:
    """For each outermost structure element of ``kind`` (``/Table``, ``/Figure``) of a tagged PDF, in document
    order, the pages it lies on: a table cut across pages lies on two."""
    catalog: Any = reader.trailer["/Root"]
    root = catalog.get_object().get("/StructTreeRoot")
    assert root is not None, "the PDF is not tagged (page.pdf(tagged=True))"
    page_numbers = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)
                    if page.indirect_reference is not None}
    found: list[set[int | None]] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if not isinstance(node, DictionaryObject):
            return
        if node.get("/S") == kind:
            found.append(_pages_of(node, page_numbers, None))
            return
        kids = node.get("/K")
        for kid in [] if kids is None else kids if isinstance(kids, ArrayObject) else [kids]:
            walk(kid)

    walk(root)
    return found


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


@dataclass
class Printed:
    reader: PdfReader
    n_images: int
    captions: list[str]
    n_tables: int
    unbreakable: list[str]  # tables or figures whose print style lets them break
    overflow: dict[str, int]


def print_page(page: Page, pdf: Path) -> Printed:
    page.emulate_media(media="print")
    page.set_viewport_size({"width": PRINT_WIDTH, "height": 1000})
    state = page.evaluate("""() => ({
        images: document.images.length,
        captions: Array.from(document.querySelectorAll('figure figcaption')).map(c => c.textContent),
        tables: document.querySelectorAll('table').length,
        breakable: Array.from(document.querySelectorAll('table, figure'))
            .filter(e => getComputedStyle(e).breakInside !== 'avoid')
            .map(e => e.tagName + ': ' + (e.textContent || '').trim().slice(0, 40)),
    })""")
    overflow = sideways(page)
    pdf.write_bytes(page.pdf(format="A4", prefer_css_page_size=True, print_background=True, tagged=True))
    return Printed(PdfReader(io.BytesIO(pdf.read_bytes())), state["images"], state["captions"], state["tables"],
                   state["breakable"], overflow)


# --- the tests -------------------------------------------------------------------------------------------------


def test_report_loads_with_no_error_and_nothing_leaving_the_file(report_html: Path, desktop: BrowserContext) -> None:
    page, watched = open_watched(desktop, report_html)
    found = images(page)
    assert watched.console_errors == [] and watched.page_errors == []
    assert watched.outside == set()
    assert len(found) == 5, found  # OS, PFS, swimmer, waterfall, spider
    assert undecoded(found) == []


@pytest.mark.parametrize(("name", "size"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_report_never_scrolls_sideways(report_html: Path, request: pytest.FixtureRequest, tmp_path: Path,
                                      name: str, size: ViewportSize) -> None:
    context: BrowserContext = request.getfixturevalue(name)
    page, watched = open_watched(context, report_html)
    shot = tmp_path / f"report-{size['width']}px.png"
    page.screenshot(path=shot, full_page=True)
    assert page.evaluate("document.documentElement.clientWidth") == size["width"]
    assert sideways(page) == {}
    # The wide tables scroll in their own box at phone width; the images shrink to the page.
    widest = page.evaluate("Math.max(...Array.from(document.images).map(i => i.getBoundingClientRect().right))")
    assert widest <= size["width"]
    assert watched.console_errors == [] and watched.outside == set()
    assert shot.stat().st_size > 10_000


def test_print_puts_each_figure_on_its_own_page_and_cuts_no_table(report_html: Path, desktop: BrowserContext,
                                                                  tmp_path: Path) -> None:
    page, watched = open_watched(desktop, report_html)
    printed = print_page(page, tmp_path / "report.pdf")
    assert printed.unbreakable == [] and printed.overflow == {}
    per_page = images_per_page(printed.reader)
    assert max(per_page) == 1, per_page
    assert sum(1 for n in per_page if n) == printed.n_images == 5, per_page
    # Each figure's caption is printed on its image's page.
    image_pages = [n for n, count in enumerate(per_page) if count]
    for number, caption in zip(image_pages, printed.captions, strict=True):
        assert _words(caption)[:60] in _words(printed.reader.pages[number].extract_text())
    # The tagged PDF says where each table landed: every one of them on a single page.
    tables = structure_pages(printed.reader, "/Table")
    assert len(tables) == printed.n_tables == 7
    assert all(len(pages) == 1 and None not in pages for pages in tables), tables
    figures = structure_pages(printed.reader, "/Figure")
    assert figures == [{n} for n in image_pages]
    assert watched.console_errors == [] and watched.outside == set()


def test_the_checks_see_a_broken_page(report_html: Path, phone: BrowserContext, tmp_path: Path) -> None:
    """A copy with an outside image, a script error, a block wider than a phone, a table longer than a page
    and no print stylesheet: each check must fail on it, or the tests above could not fail."""
    html = report_html.read_text(encoding="utf-8")
    long_table = "<table>" + "".join(f"<tr><td>row {n}</td></tr>" for n in range(120)) + "</table>"
    html = html.replace("<main>", '<main><img alt="outside" src="http://example.invalid/figure.png">'
                                  '<div style="width: 1500px">wide</div><script>undefined_function()</script>'
                                  + long_table, 1)
    html = re.sub(r"@media print \{.*?\n\}\n", "", html, count=1, flags=re.S)
    assert "@media print" not in html
    broken = tmp_path / "broken.html"
    broken.write_text(html, encoding="utf-8")
    page, watched = open_watched(phone, broken)
    assert watched.outside == {"http://example.invalid/figure.png"}
    assert watched.console_errors and watched.page_errors
    assert len(undecoded(images(page))) == 1
    assert sideways(page) != {}
    page.evaluate("document.querySelector('img[alt=outside]').remove()")
    printed = print_page(page, tmp_path / "broken.pdf")
    assert printed.unbreakable and printed.overflow
    per_page = images_per_page(printed.reader)
    assert max(per_page) > 1 or sum(1 for n in per_page if n) != printed.n_images, per_page
    assert len(structure_pages(printed.reader, "/Table")[0]) > 1  # the long table, cut
