"""Screenshot of the Agenda page with the real browser (Debian chromium via Playwright) for docs/agenda.png.

Usage: python docs/screenshot_agenda.py STORE.duckdb docs/agenda.png (a demo store: backlog-health demo --db STORE)."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
db, out = sys.argv[1], sys.argv[2]
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
env = {**os.environ, "BACKLOG_HEALTH_DB": db}
proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard/app.py"),
    "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
    "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    "--client.disableDataExport", "true"], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(180):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            break
        except Exception:
            time.sleep(0.5)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        page.on("console", lambda m: print("console:", m.type, m.text[:300]) if m.type in ("error", "warning") else None)
        page.goto(f"http://127.0.0.1:{port}/agenda")
        page.get_by_role("heading", name="Refinement agenda").first.wait_for(timeout=60_000)
        page.wait_for_timeout(6000)
        page.screenshot(path=out)
        browser.close()
finally:
    proc.terminate(); proc.wait(timeout=15)
