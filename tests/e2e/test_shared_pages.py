"""Browser test: another page of a shared view keeps the link's token in its
address, so a reload stays in the read-only view.

Uses the server and browser fixtures of the upload test, started anew for
this module.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_upload_flow import SCREENSHOTS, app_url, browser

pytestmark = pytest.mark.browser

__all__ = ["app_url", "browser"]


def test_shared_page_survives_reload(browser, app_url):
    sender = browser.new_page(viewport={"width": 1400, "height": 1000})
    sender.goto(app_url)
    sender.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=60_000)
    sender.get_by_role("button", name="Share this view").click()
    code = sender.locator('[data-testid="stSidebar"] code').filter(has_text="?view=")
    code.first.wait_for(timeout=30_000)
    link = code.first.inner_text().strip()
    token = link.split("?view=", 1)[1]

    viewer = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    viewer.goto(link)
    viewer.get_by_text("Read-only view shared on").wait_for(timeout=60_000)
    viewer.get_by_role("link", name="Marketing").click()
    viewer.get_by_role("heading", name="Marketing", level=1).wait_for(timeout=30_000)
    # The app writes the token back into the address after the navigation
    # drops it, which reaches the browser asynchronously.
    viewer.wait_for_url(re.compile(rf"/marketing\?(.*&)?view={token}"), timeout=10_000)

    viewer.reload()
    viewer.get_by_role("heading", name="Marketing", level=1).wait_for(timeout=60_000)
    viewer.get_by_text("Read-only view shared on").wait_for(timeout=30_000)
    viewer.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
    assert viewer.get_by_role("link", name="Data").count() == 0
    assert viewer.get_by_role("button", name="Share this view").count() == 0
    assert f"view={token}" in viewer.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewer.screenshot(path=SCREENSHOTS / "11-shared-marketing-reloaded.png")
    assert viewer.locator('[data-testid="stException"]').count() == 0
    sender.close()
    viewer.close()
