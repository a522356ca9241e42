"""Real-browser fixtures: the system's Chromium driven by Playwright, JupyterLab and Voila.

No browser is downloaded: the tests use the ``chromium`` command (Debian package
``chromium``; ``.ci/run`` installs it when missing). Without it, or without the ``playwright``
package, every browser test is skipped with a message saying what to install.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from course_lib import browser as drive
from course_lib import servers

ROOT = Path(__file__).resolve().parents[2]
LECTURES = sorted((ROOT / "lectures").glob("[0-9][0-9]_*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts" / "browser"

CHROMIUM_FLAGS = drive.CHROMIUM_FLAGS
LAB_SETTINGS = drive.LAB_SETTINGS
chromium_executable = drive.chromium_executable


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="browser tests skipped: playwright is missing (pip install -e '.[test]')",
    )
    executable = chromium_executable()
    if executable is None:
        pytest.skip(
            "browser tests skipped: no Chromium on this machine "
            "(apt-get install chromium, or run .ci/run which installs it)"
        )
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab on a temporary COPY of the lectures (it autosaves outputs into what it opens)."""
    root = tmp_path_factory.mktemp("lectures")
    for path in LECTURES:
        shutil.copy(path, root / path.name)
    server = servers.start_lab(
        root,
        expose_app=True,
        settings=LAB_SETTINGS,
        log=tmp_path_factory.mktemp("logs") / "lab.log",
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    try:
        yield page
    finally:
        page.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
