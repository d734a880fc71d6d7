"""Browser test: a real Chromium uploads an export to a running app.

Needs Debian's chromium at /usr/bin/chromium. Skipped locally without it,
but in CI (``CI`` set) a missing browser fails the run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PROJECT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT / "test-artifacts" / "screenshots"

pytestmark = pytest.mark.browser


PlaywrightTimeout = pytest.importorskip("playwright.sync_api").TimeoutError


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {CHROMIUM} is missing; install chromium")
        pytest.skip(f"{CHROMIUM} not installed")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    workspace = tmp_path_factory.mktemp("workspace")
    port = _free_port()
    env = {**os.environ, "CRM_KPI_WORKSPACE": str(workspace)}
    log = (workspace.parent / "streamlit.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server, Path(log.name))
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_upload_maven_then_see_sales(browser, app_url, datasets_dir):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = _collect_errors(page)

    page.goto(app_url)
    page.get_by_text("Close rate", exact=True).first.wait_for(timeout=30_000)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
    page.screenshot(path=SCREENSHOTS / "01-sales-sample.png", full_page=True)

    page.get_by_role("link", name="Data").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(datasets_dir / "maven-crm-sales" / "sales_pipeline.csv")
    )
    page.get_by_text("8,800 rows read, 8,800 kept.").wait_for(timeout=30_000)
    # Correct one mapping: the product column is not wanted as a segment.
    _choose(page, "Product", "(not in the file)")
    page.screenshot(path=SCREENSHOTS / "02-data-mapping.png", full_page=True)
    page.get_by_role("button", name="Import 8,800 rows").click()
    page.get_by_text("Imported 8,800 rows").wait_for(timeout=30_000)

    page.get_by_role("link", name="Sales").first.click()
    page.get_by_text("sales_pipeline (8,800 rows)").first.wait_for(timeout=30_000)
    page.get_by_text(f"{4238 / 6711 * 100:.1f} %").first.wait_for(timeout=30_000)
    page.locator('[data-testid="stVegaLiteChart"]').nth(5).wait_for(timeout=30_000)
    page.screenshot(path=SCREENSHOTS / "03-sales-maven.png", full_page=True)

    _choose(page, "Period", "This year")
    page.get_by_text("counted back from 2017-12-31").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # the bound widget writes the URL asynchronously
    assert "period=This+year" in page.url
    page.screenshot(path=SCREENSHOTS / "04-sales-this-year.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download Excel report").click()
    report = SCREENSHOTS / "crm-kpis.xlsx"
    download_info.value.save_as(report)
    assert report.stat().st_size > 5_000

    page.get_by_role("button", name="Share this view").click()
    code = page.locator('[data-testid="stSidebar"] code').filter(has_text="?view=")
    code.first.wait_for(timeout=30_000)
    shared_link = code.first.inner_text().strip()
    assert "?view=" in shared_link

    for number, (nav_label, heading) in enumerate(
        [
            ("Marketing", "Marketing"),
            ("Service", "Customer service"),
            ("Before and after", "Before and after"),
            ("What if", "What if"),
        ],
        start=5,
    ):
        page.get_by_role("link", name=nav_label).click()
        page.get_by_role("heading", name=heading).first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        slug = nav_label.lower().replace(" ", "-")
        page.screenshot(path=SCREENSHOTS / f"{number:02d}-{slug}.png", full_page=True)

    page.get_by_role("link", name="Goals").click()
    page.get_by_role("heading", name="Goals").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    if not page.get_by_label("Title").is_visible():
        page.get_by_text("New goal").first.click()
    page.get_by_label("Title").fill("30 new deals in the first quarter of 2017")
    target = page.get_by_label("Target (a value, or the change in %, such as -25)")
    target.fill("300")
    target.press("Tab")
    page.get_by_role("button", name="Save goal").click()
    page.get_by_text("Saved the goal").wait_for(timeout=30_000)
    page.get_by_role("heading", name="30 new deals in the first quarter").wait_for(
        timeout=30_000
    )
    page.screenshot(path=SCREENSHOTS / "09-goals.png", full_page=True)

    manager = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    manager_errors = _collect_errors(manager)
    manager.goto(shared_link)
    manager.get_by_text("Read-only view shared on").wait_for(timeout=30_000)
    manager.get_by_text("counted back from 2017-12-31").wait_for(timeout=30_000)
    manager.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
    assert manager.get_by_role("link", name="Data").count() == 0
    manager.screenshot(path=SCREENSHOTS / "10-shared-view.png", full_page=True)

    for each in (page, manager):
        assert each.locator('[data-testid="stException"]').count() == 0
    assert errors == []
    assert manager_errors == []
    print(f"screenshots in {SCREENSHOTS}")


def _collect_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _choose(page, label: str, option: str) -> None:
    # A rerun can replace the select box while its list is open, which
    # closes the list, so the click is tried again a few times.
    for _ in range(4):
        page.get_by_label(label, exact=True).click()
        choice = page.get_by_role("option", name=option, exact=True)
        try:
            choice.click(timeout=5_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            page.wait_for_timeout(1_000)
    raise AssertionError(f"could not choose {option!r} in {label!r}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = log.read_text(errors="replace")
            raise RuntimeError(f"streamlit exited early:\n{output}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit at {url} did not become healthy in 60 s")
