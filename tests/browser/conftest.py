"""The browser for tests/browser: Debian's chromium, driven by Playwright's own driver (the Python package
ships it; ``playwright install`` is never run and no browser is downloaded).

Where the binary comes from, in order: ``PRRT_CDS_CHROMIUM``; ``chromium`` on PATH; else, as root where
``apt-get`` exists, ``install-chromium.sh`` beside this file installs Debian's package. Anything else fails
with how to install it: CI runs this test, so it never skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

INSTALL_SCRIPT = Path(__file__).with_name("install-chromium.sh")
HOW_TO_INSTALL = (
    "no chromium for the browser test: install Debian's package (as root: sh tests/browser/install-chromium.sh, "
    "i.e. apt-get install --no-install-recommends chromium) or set PRRT_CDS_CHROMIUM to a chromium binary"
)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def find_chromium() -> str | None:
    configured = os.environ.get("PRRT_CDS_CHROMIUM")
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            pytest.fail(f"PRRT_CDS_CHROMIUM={configured!r} is not an executable file", pytrace=False)
        return configured
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    found = find_chromium()
    if found is None and shutil.which("apt-get") and _is_root():
        done = subprocess.run(["sh", str(INSTALL_SCRIPT)], capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            pytest.fail(f"{INSTALL_SCRIPT.name} failed ({done.returncode}): {' / '.join(tail)}; {HOW_TO_INSTALL}",
                        pytrace=False)
        found = shutil.which("chromium")
    if found is None:
        pytest.fail(HOW_TO_INSTALL, pytrace=False)
    return found


# Module scope: chromium and Playwright's event loop end with the browser tests, not with the whole session.
@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    # Chromium's sandbox refuses to start as root (containers, CI): --no-sandbox there only.
    args = ["--no-sandbox"] if _is_root() else []
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=args)
        try:
            yield launched
        finally:
            launched.close()
