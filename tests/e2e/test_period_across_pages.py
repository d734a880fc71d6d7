"""Browser test: the period of a bookmark or a reloaded page stays when the
user opens another page in the sidebar navigation.

Uses the server and browser fixtures of the upload test, started anew for
this module, with the sample data of a fresh workspace.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_upload_flow import SCREENSHOTS, app_url, browser

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

__all__ = ["app_url", "browser"]


def _wait_page(page, heading: str, period: str) -> None:
    page.get_by_role("heading", name=heading, level=1).wait_for(timeout=60_000)
    expect(_period_box(page)).to_have_value(period, timeout=60_000)


def _period_box(page):
    sidebar = page.locator('[data-testid="stSidebar"]')
    return sidebar.get_by_role("combobox", name="Period")


def test_bookmarked_period_kept_on_switch(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{app_url}/?period=Custom&dates=2024-04-01&dates=2024-06-30")
    _wait_page(page, "Sales", "Custom")
    page.get_by_role("link", name="Service").click()
    page.get_by_role("heading", name="Customer service", level=1).wait_for(
        timeout=60_000
    )
    page.wait_for_url(
        re.compile(r"/service\?period=Custom&dates=2024-04-01&dates=2024-06-30$"),
        timeout=60_000,
    )
    # The line that names the tables ends with the period the figures cover.
    page.get_by_text(re.compile(r"2024-04-01 to 2024-06-30\.$")).wait_for(
        timeout=60_000
    )
    expect(_period_box(page)).to_have_value("Custom")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "20-service-bookmarked-period.png")
    page.close()


def test_reloaded_period_kept_on_switch(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{app_url}/?period=Last+full+quarter&grain=week")
    _wait_page(page, "Sales", "Last full quarter")
    page.reload()
    _wait_page(page, "Sales", "Last full quarter")
    page.get_by_role("link", name="Marketing").click()
    page.get_by_role("heading", name="Marketing", level=1).wait_for(timeout=60_000)
    page.wait_for_url(
        re.compile(r"/marketing\?period=Last\+full\+quarter&grain=week$"),
        timeout=60_000,
    )
    expect(_period_box(page)).to_have_value("Last full quarter")
    # The sidebar names the weeks that the quarter cuts short.
    page.get_by_text(re.compile(r"the first week \(from ")).wait_for(timeout=60_000)
    page.close()


def test_period_key_in_url_becomes_label(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{app_url}/service?period=custom&dates=2024-04-01&dates=2024-06-30")
    _wait_page(page, "Customer service", "Custom")
    page.wait_for_url(
        re.compile(r"/service\?period=Custom&dates=2024-04-01&dates=2024-06-30$"),
        timeout=60_000,
    )
    page.get_by_text(re.compile(r"2024-04-01 to 2024-06-30\.$")).wait_for(
        timeout=60_000
    )
    page.close()


def test_period_kept_after_reload_on_goals(browser, app_url):
    # Goals has no period widgets, so after a reload there the period comes
    # only from its address.
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{app_url}/goals?period=Last+full+quarter&grain=week")
    page.get_by_role("heading", name="Goals", level=1).wait_for(timeout=60_000)
    page.reload()
    page.get_by_role("heading", name="Goals", level=1).wait_for(timeout=60_000)
    page.get_by_role("link", name="Sales").click()
    _wait_page(page, "Sales", "Last full quarter")
    page.wait_for_url(
        re.compile(r"\?period=Last\+full\+quarter&grain=week$"), timeout=60_000
    )
    page.close()
