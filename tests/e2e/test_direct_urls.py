"""Browser test: page URLs opened directly, as the first request of a fresh
server and again once app.py has run, open their page.

Uses the server and browser fixtures of the upload test, started anew for
this module, so the first request here is the first the server gets.
"""

from __future__ import annotations

import pytest

from tests.e2e.test_upload_flow import SCREENSHOTS, app_url, browser

pytestmark = pytest.mark.browser

__all__ = ["app_url", "browser"]


def _open(page, url: str, heading: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name=heading, level=1).wait_for(timeout=60_000)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=60_000)


@pytest.mark.parametrize("visit", ["first", "again"])
def test_sales_url_opens_sales(browser, app_url, visit):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    _open(page, f"{app_url}/sales?grain=week", "Sales")
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_role("dialog").count() == 0
    # The parameters reach the page: the week grain is chosen.
    assert page.get_by_text("Week starting").count() > 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"10-sales-url-{visit}.png")
    page.close()


def test_marketing_url_opens_marketing(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    _open(page, f"{app_url}/marketing", "Marketing")
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_role("dialog").count() == 0
    page.close()
