"""The Portfolio page in a real Chromium: first in the navigation over the demo store (two
backlogs), both backlogs listed worst first, and clicking a row opens that backlog's Overview.

Reuses the server and browser helpers of test_dashboard_browser (Debian's /usr/bin/chromium)."""

from __future__ import annotations

import pytest

from backlog_health import api
from backlog_health.rules import Rules
from tests.conftest import copy_demo
# `browser` (the module-scoped Chromium) and `pytestmark` (the browser mark, skipped without
# chromium or playwright) are used by pytest through this module's names.
from tests.test_dashboard_browser import assert_no_exception, browser, pytestmark, serve, settle  # noqa: F401


@pytest.fixture(scope="module")
def portfolio_url(demo_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("portfolio-browser")
    with serve(copy_demo(demo_db, folder), folder) as url:
        yield url


def test_portfolio_is_first_lists_both_backlogs_and_a_row_opens_its_overview(portfolio_url, browser, demo_db):
    with api.open_store(demo_db, read_only=True) as con:
        worst_first = [e["backlog"] for e in api.portfolio(con, Rules())]
    assert worst_first == ["MOBILE", "CHECKOUT"]
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{portfolio_url}/")
    page.get_by_role("heading", name="Backlog health: CHECKOUT").first.wait_for(timeout=60_000)
    settle(page)
    links = page.locator('[data-testid="stSidebarNav"] a')
    assert links.first.inner_text().split()[-1] == "Portfolio"  # after its icon's ligature

    links.first.click()
    page.get_by_role("heading", name="Portfolio").first.wait_for(timeout=60_000)
    settle(page)
    assert_no_exception(page, "portfolio")
    # the table is drawn on a canvas; the heat map beside it names the backlogs in the same order
    ticks = page.locator('[data-testid="stPlotlyChart"] .ytick text').evaluate_all(
        "ns => ns.map(n => [n.getBoundingClientRect().top, n.textContent])"
    )
    assert [name for _, name in sorted(ticks)] == worst_first  # top to bottom
    grid = page.locator('[data-testid="stDataFrame"] canvas[data-testid="data-grid-canvas"]').first
    box = grid.bounding_box()
    assert box is not None
    # the first row's selection box: left of the row, under the 36-pixel header row (rows are 35 high)
    page.mouse.click(box["x"] + 14, box["y"] + 36 + 17)
    page.get_by_role("heading", name="Backlog health: MOBILE").first.wait_for(timeout=60_000)
    settle(page)
    assert_no_exception(page, "overview of MOBILE")
    assert page.url.rstrip("/") == portfolio_url
    assert not errors, errors
