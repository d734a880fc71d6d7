"""Time a large upload through the app in a real browser.

Starts ``streamlit run app.py`` on 127.0.0.1 with an empty workspace and
the upload limit raised to fit the file, then drives Debian's Chromium with
Playwright: upload the file on the Data page, wait for the checked preview,
import it, open the Sales page and change the period. It prints the time of
each step and the server's peak resident memory (``VmHWM``).

    python benchmarks/browser_upload.py /tmp/crm-bench/deals.csv

Needs /usr/bin/chromium and the playwright package (requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

PROJECT = Path(__file__).resolve().parents[1]
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
# Reading and storing a large file can take minutes; a click should not.
STEP_TIMEOUT_MS = 30 * 60 * 1000
UI_TIMEOUT_MS = 60 * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="a deals export (CSV or XLSX)")
    parser.add_argument(
        "--screenshots", type=Path, help="save a screenshot of each step here"
    )
    args = parser.parse_args(argv)
    # Streamlit 1.67's uploader counts maxUploadSize in units of 1,000,000
    # bytes in Chromium on Linux; its frontend uses 1,024-based units on some
    # other platforms.
    limit_mb = max(50, math.ceil(args.file.stat().st_size / 1e6) + 1)
    with tempfile.TemporaryDirectory(prefix="crm-upload-") as folder:
        workspace = Path(folder) / "workspace"
        workspace.mkdir()
        # Without this marker the app loads its demo tables first.
        (workspace / ".sample-loaded").touch()
        server, url = _start_server(workspace, limit_mb, Path(folder) / "server.log")
        try:
            timings = _drive_browser(url, args.file, args.screenshots)
            peak_mb = _peak_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    size_mb = args.file.stat().st_size / 2**20
    print(f"file: {args.file} ({size_mb:,.1f} MB), upload limit {limit_mb} MB")
    for step, seconds in timings.items():
        print(f"{step:32} {seconds:8.2f} s")
    print(f"{'server peak memory':32} {peak_mb:8,.0f} MB")


def _start_server(
    workspace: Path, limit_mb: int, log_path: Path
) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [
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
        "--server.maxUploadSize",
        str(limit_mb),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    env = {**os.environ, "CRM_KPI_WORKSPACE": str(workspace)}
    log = log_path.open("wb")
    server = subprocess.Popen(
        command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return server, url
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError(f"streamlit at {url} did not become healthy in 60 s")


def _drive_browser(url: str, file: Path, screenshots: Path | None) -> dict[str, float]:
    timings: dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.goto(f"{url}/data")
        page.get_by_role("heading", name="Data").first.wait_for()

        started = time.perf_counter()
        uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
        uploader.set_input_files(str(file))
        page.get_by_text(
            re.compile(r"^[\d,]+ rows read, [\d,]+ kept\b.*\.$")
        ).wait_for()
        timings["upload, read and check"] = time.perf_counter() - started
        _screenshot(page, screenshots, "1-preview")

        _wait_idle(page)
        button = page.get_by_role("button", name=re.compile(r"^Import [\d,]+ rows\b"))
        started = time.perf_counter()
        button.click(timeout=UI_TIMEOUT_MS)
        page.get_by_text(re.compile(r"^Imported [\d,]+ rows")).wait_for()
        timings["store"] = time.perf_counter() - started

        started = time.perf_counter()
        page.get_by_role("link", name="Sales").first.click()
        page.get_by_text("Close rate", exact=True).first.wait_for()
        page.locator('[data-testid="stVegaLiteChart"]').nth(3).wait_for()
        _wait_idle(page)
        timings["first view of Sales"] = time.perf_counter() - started
        _screenshot(page, screenshots, "2-sales")

        started = time.perf_counter()
        _choose(page, "Period", "Last full quarter")
        # Only a quick pick other than "All data" shows this caption.
        page.get_by_text(re.compile("counted back from")).first.wait_for()
        _wait_idle(page)
        timings["period change on Sales"] = time.perf_counter() - started
        _screenshot(page, screenshots, "3-sales-quarter")
        exceptions = page.locator('[data-testid="stException"]').count()
        browser.close()
    if exceptions:
        raise RuntimeError(f"the app showed {exceptions} exception boxes")
    return timings


def _wait_idle(page: Page) -> None:
    """Wait until Streamlit reports that the script run has finished."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    )


def _choose(page: Page, label: str, option: str) -> None:
    # A rerun can replace the select box while its list is open, which
    # closes the list, so the click is tried again a few times.
    for _ in range(4):
        page.get_by_label(label, exact=True).click(timeout=UI_TIMEOUT_MS)
        choice = page.get_by_role("option", name=option, exact=True)
        try:
            choice.click(timeout=5_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            page.wait_for_timeout(1_000)
    raise RuntimeError(f"could not choose {option!r} in {label!r}")


def _screenshot(page: Page, folder: Path | None, name: str) -> None:
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / f"{name}.png", full_page=True)


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    main()
