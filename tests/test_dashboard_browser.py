"""A real-browser smoke test: `streamlit run dashboard/app.py` on a free localhost port over a
demo store, Debian's chromium driven by Playwright, every page visited, a real Jira export
uploaded and saved; any exception shown on a page fails the test.

Needs /usr/bin/chromium (apt-get install chromium) and the playwright Python package; the
browser build Playwright would download is not used. With BACKLOG_HEALTH_SCREENSHOTS=DIR
the test also saves a screenshot of each page there (how docs/*.png are made).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import JIRA_CSV, REPO, copy_demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync",
]
# url path -> the page's title, shown once the page has run
PAGES = {
    "agenda": "Refinement agenda",
    "": "Backlog health: CHECKOUT",
    "readiness": "Readiness of the near term",
    "estimates": "Estimates",
    "duplicates": "Duplicates",
    "churn": "Ranking churn",
    "retro": "Sprint retro",
    "upload": "Upload a backlog export",
}
UPLOAD = JIRA_CSV / "cloud-2026-en.csv"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)"),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None, reason="the playwright package is not installed"
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"streamlit did not become healthy in {seconds:g} s:\n{log.read_text()}")


@contextlib.contextmanager
def serve(db: Path, folder: Path):
    """`streamlit run` of the real app over `db` on a free loopback port; yields its URL."""
    port = free_port()
    log = folder / "streamlit.log"
    env = {**os.environ, "BACKLOG_HEALTH_DB": str(db)}
    env.pop("BACKLOG_HEALTH_RULES", None)
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"),
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        # as `backlog-health dashboard` starts it: tables offer only the formula-safe downloads
        "--client.disableDataExport", "true",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def app_url(demo_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    db = copy_demo(demo_db, folder)
    with serve(db, folder) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def settle(page, seconds: float = 60) -> None:
    """Wait until the script run finished (the running indicator is gone for a moment)."""
    deadline = time.monotonic() + seconds
    quiet_since = None
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 1.0:
            return
        time.sleep(0.2)
    raise AssertionError("the page kept running")


def assert_no_exception(page, where: str) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, f"{where}: {exceptions.first.inner_text()}"
    assert "Traceback" not in page.inner_text("body"), where


def screenshot(page, name: str) -> None:
    folder = os.environ.get("BACKLOG_HEALTH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_every_page_renders_and_an_upload_is_analysed_and_saved(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1500})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for path, title in PAGES.items():
        page.goto(f"{app_url}/{path}")
        page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
        settle(page)
        assert_no_exception(page, path or "overview")
        # .streamlit/config.toml (read from the repository's root) hides the Deploy button
        assert page.get_by_role("button", name="Deploy").count() == 0
        screenshot(page, path or "overview")
        if path == "readiness":
            page.locator('[data-testid="stDataFrame"]').first.hover()
            toolbar = page.locator('[data-testid="stElementToolbar"] button')
            toolbar.first.wait_for(timeout=10_000)
            labels = [button.get_attribute("aria-label") or button.inner_text() for button in toolbar.all()]
            assert "Download as CSV" not in labels, labels
    assert page.locator('[data-testid="stMetric"]').count() == 0  # upload page before a file

    page.locator('input[type="file"]').set_input_files(str(UPLOAD))
    save = page.get_by_role("button", name="Save 1 snapshot(s) to the store")
    save.wait_for(timeout=120_000)
    settle(page)
    assert_no_exception(page, "upload")
    assert page.get_by_text("Backlog size").first.is_visible()
    screenshot(page, "upload")

    save.click()
    page.get_by_text("saved as snapshot").first.wait_for(timeout=120_000)
    settle(page)
    assert_no_exception(page, "upload after saving")
    page.goto(f"{app_url}/")
    page.get_by_role("heading", name="Backlog health: CHECKOUT").first.wait_for(timeout=60_000)
    settle(page)
    assert_no_exception(page, "overview after saving")
    assert not errors, errors


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    """A store whose backlog name and summaries are HTML and script (two snapshots)."""
    from typer.testing import CliRunner

    from backlog_health.cli import app
    from tests.test_security import HTML_BACKLOG, MAPPING, hostile_rows, write_csv

    folder = tmp_path_factory.mktemp("hostile-browser")
    db = folder / "store.duckdb"
    for index, shift in enumerate((0, 3)):
        source = write_csv(folder / f"web{index}.csv", hostile_rows("WEB", shift))
        result = CliRunner().invoke(app, ["ingest", "csv", str(source), *MAPPING, "--backlog", HTML_BACKLOG,
                                          "--taken-at", f"2026-03-0{index + 1}T09:00", "--db", str(db), "-q"])
        assert result.exit_code == 0, result.output
    with serve(db, folder) as url:
        yield url


def test_html_in_user_text_is_shown_as_text_and_never_runs(hostile_url, browser):
    from tests.test_security import HTML_BACKLOG, IMG, SCRIPT

    page = browser.new_page(viewport={"width": 1400, "height": 1500})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    titles = {**PAGES, "": f"Backlog health: {HTML_BACKLOG}"}
    for path, title in titles.items():
        if path == "upload":
            continue
        page.goto(f"{hostile_url}/{path}")
        page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
        settle(page)
        assert_no_exception(page, path or "overview")
        # nothing the user typed became an element: no injected image, no script with its text
        assert page.locator('img[src="x"]').count() == 0, path
        scripts = page.locator("script").evaluate_all("nodes => nodes.map(n => n.textContent)")
        assert not [text for text in scripts if "alert(1)" in text or "alert(2)" in text], path
        if path == "duplicates":  # the decision cards show both summaries, as typed
            for text in (f"{SCRIPT} checkout button broken", f"{IMG} checkout button broken"):
                shown = page.locator('[data-testid="stMarkdownContainer"] p').filter(has_text=text).first
                shown.wait_for(state="visible", timeout=60_000)
                assert shown.inner_text().strip() == text
        screenshot(page, f"hostile-{path or 'overview'}")
    assert dialogs == []
