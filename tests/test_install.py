"""A regular install from a wheel: one import package of ours, and the installed commands work.

The wheel is built from the repository (`pip wheel`, not editable) and installed into a
folder of its own; the commands then run from a folder outside the repository with only
that install (and the test environment's dependencies) on the path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_dashboard_browser import free_port, wait_healthy

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(folder), str(REPO)],
                   check=True, capture_output=True)
    (wheel,) = folder.glob("backlog_health-*.whl")
    target = folder / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    return wheel


def site(wheel: Path) -> Path:
    return wheel.parent / "site"


def run(wheel: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site(wheel))}
    env.pop("BACKLOG_HEALTH_DB", None)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_wheel_holds_one_import_package(installed):
    names = zipfile.ZipFile(installed).namelist()
    top = {name.split("/")[0] for name in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"backlog_health"}
    for expected in ("backlog_health/ingest/jira_csv.py", "backlog_health/dashboard/app.py",
                     "backlog_health/dashboard/app_pages/overview.py", "backlog_health/ingest/locales/en.toml"):
        assert expected in names
    assert any(n.startswith("backlog_health/") and n.endswith(".sql") for n in names)


def test_installed_library_imports_without_streamlit(installed, tmp_path):
    code = ("import sys, backlog_health.api, backlog_health.cli; "
            "print(backlog_health.api.__file__); print('streamlit' in sys.modules)")
    result = run(installed, "-c", code, cwd=tmp_path)
    where, streamlit_loaded = result.stdout.split()
    assert Path(where).is_relative_to(site(installed)) and streamlit_loaded == "False", result.stderr


def test_installed_demo_and_dashboard_work(installed, tmp_path):
    db = tmp_path / "demo.duckdb"
    demo = run(installed, "-m", "backlog_health.cli", "demo", "--db", str(db), "--quiet", cwd=tmp_path)
    assert demo.returncode == 0 and "26 snapshots added" in demo.stdout, demo.stderr
    listing = run(installed, "-m", "backlog_health.cli", "snapshots", "--db", str(db), "--json", cwd=tmp_path)
    assert listing.returncode == 0 and listing.stdout.count('"backlog"') == 26

    port = free_port()
    log = tmp_path / "dashboard.log"
    env = {**os.environ, "PYTHONPATH": str(site(installed))}
    command = [sys.executable, "-m", "backlog_health.cli", "dashboard", "--db", str(db), "--port", str(port)]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, log)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert f"dashboard on http://127.0.0.1:{port}" in log.read_text()
    # The command became the server: stopping it stopped Streamlit, nothing is left listening.
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=5)


def test_installed_pages_render_from_the_installed_package(installed, tmp_path):
    """The installed entry file runs its pages against the installed modules (AppTest)."""
    db = tmp_path / "demo.duckdb"
    assert run(installed, "-m", "backlog_health.cli", "demo", "--db", str(db), "--quiet", cwd=tmp_path).returncode == 0
    code = (
        "import sys; from streamlit.testing.v1 import AppTest; import backlog_health.dashboard as d, pathlib;"
        "app = AppTest.from_file(str(pathlib.Path(d.__file__).parent / 'app.py'), default_timeout=120).run();"
        "print(len(app.exception), len(app.metric), sorted({m for m in sys.modules if m.startswith('backlog_health')"
        " and not (getattr(sys.modules[m], '__file__', None) or '').startswith(sys.argv[1])}))"
    )
    env_db = {"BACKLOG_HEALTH_DB": str(db)}
    result = subprocess.run([sys.executable, "-c", code, str(site(installed))], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300,
                            env={**os.environ, **env_db, "PYTHONPATH": str(site(installed))})
    exceptions, metrics, outside = result.stdout.split(" ", 2)
    assert exceptions == "0" and int(metrics) > 0, result.stderr
    assert outside.strip() == "[]"
