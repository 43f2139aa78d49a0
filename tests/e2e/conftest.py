"""Browser fixtures: a real `streamlit run` server and Debian's chromium via Playwright.

The server runs on a free loopback port with its own empty SQLite store, so it
bootstraps the bundled data as version 1 exactly like a fresh install.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from maaor.slides import SLIDE_KEYS
from maaor.ui import registry
from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("MAAOR_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
# Every slide of the Present deck (the bundled data fill them all).
SLIDES = len(SLIDE_KEYS)
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(tmp: Path, env_extra: dict[str, str] | None = None, port: int | None = None):
    """Start `streamlit run app.py` on loopback; return (process, base_url)."""
    port = port or free_port()
    env = dict(os.environ)
    env["MAAOR_SQLITE_PATH"] = str(tmp / "maaor.sqlite")
    # The tests expect the defaults: no online basemap, presence at the default public
    # level, no coordinator credentials unless a test passes them.
    for name in ("MAAOR_DATABASE_URL", "MAAOR_BASEMAP_STYLE", "MAAOR_PUBLIC_PRESENCE_LEVEL",
                 "MAAOR_COORDINATOR_PASSWORD_HASH"):
        env.pop(name, None)
    env.update(env_extra or {})
    log = open(tmp / f"streamlit-{port}.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py",
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((tmp / f"streamlit-{port}.log").read_text(errors="replace"))
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy in 60 s")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's chromium, or skip (a failure in CI)."""
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        require_or_skip("Debian chromium is not installed (apt-get install -y chromium)")
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@pytest.fixture(scope="session")
def server(tmp_path_factory, chromium_path):
    """A running dashboard on the bundled data; yields its base URL."""
    tmp = tmp_path_factory.mktemp("server")
    proc, url = start_streamlit(tmp)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser(chromium_path):
    """A Playwright chromium browser (Debian's binary; no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    """A fresh browser context and page, with console errors collected."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()


def wait_rendered(page, timeout_ms: int = 30000) -> None:
    """Wait until the Streamlit script run has finished and the app is drawn."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=timeout_ms)
    # The app marks the script run's state: "notRunning" only once a run has finished
    # (a long page under load is drawn progressively: its last sections come later).
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           state="attached", timeout=timeout_ms)
    # The status widget shows "Running..." while the script runs.
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
                 || !document.querySelector('[data-testid="stStatusWidget"]').innerText.includes('Running')""",
        timeout=timeout_ms,
    )
    # Maps load their JavaScript lazily: wait until every deck.gl chart has its canvas.
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('[data-testid="stDeckGlJsonChart"]'))
                 .every(el => el.querySelector('canvas'))""",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(500)


MAX_SHOT_HEIGHT = 8000


def screenshot(page, name: str) -> Path:
    """Save a screenshot of the whole page as a test artifact.

    Streamlit scrolls inside its main container, not the document, so Playwright's
    ``full_page`` sees one viewport only: the viewport is made as tall as the content
    for the shot, then restored.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate(
        """() => Math.max(...['stMain', 'stSidebarContent', 'stAppViewContainer']
                 .map(id => document.querySelector(`[data-testid="${id}"]`))
                 .filter(Boolean).map(el => el.scrollHeight))"""
    )
    tall = min(max(int(height), size["height"]), MAX_SHOT_HEIGHT)
    if tall > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": tall})
        page.wait_for_timeout(800)
    # Elements scrolled out of view are drawn late (grey placeholders until then): wait
    # until every button has its text; draw what there is if that takes too long.
    try:
        page.wait_for_function(
            """() => Array.from(document.querySelectorAll(
                       '[data-testid="stMain"] [data-testid="stDownloadButton"] button'))
                     .filter(b => b.checkVisibility())
                     .every(b => b.innerText.trim().length > 0)""",
            timeout=8000,
        )
        page.wait_for_timeout(700)
    except Exception:  # noqa: BLE001 - an artifact is still useful half-drawn
        pass
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


# ------------------------------------------------------------------ shared helpers

# URL path of each page that draws its own h1 (from the page registry; Streamlit derives
# it from the file name: "2_Presence.py" -> "/Presence") and the title key of that h1.
PAGE_PATHS: dict[str, str] = {
    ("" if p.url == "./" else p.url): p.title_key for p in registry.PAGES if not p.presenting
}
# The plenary pages (they draw a slide title instead).
PRESENTING_PATHS: list[str] = [p.url for p in registry.PAGES if p.presenting]


def en(key: str, **kw) -> str:
    """The English interface string ``key`` (the catalogue the pages use)."""
    from maaor.i18n import t

    return t(key, "en", **kw)


def assert_drawn(page, title_key: str) -> None:
    """Assert the page drew its title and shows no exception or traceback."""
    assert page.locator('[data-testid="stException"]').count() == 0, page.url
    body = page.locator("body").inner_text()
    assert "Traceback" not in body, page.url
    h1 = page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text()
    assert h1.strip() == en(title_key), (page.url, h1)


def metric_value(page, label: str) -> str:
    """The shown value of the headline metric labelled ``label``."""
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    ).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


@pytest.fixture(scope="session")
def public_dataset():
    """The bundled dataset as the public pages see it (no sensitive columns, presence at
    the default public level), computed without Streamlit."""
    from maaor.bundled import load_default
    from maaor.dataset import Dataset
    from maaor.figures.presence import aggregate_presence

    ds = load_default().dataset.without_sensitive()
    presence = aggregate_presence(ds.presence, "point")
    return Dataset({**ds.tables, "presence": presence}, ds.meta)
