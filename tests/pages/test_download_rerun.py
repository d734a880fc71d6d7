"""Download buttons: a click starts no rerun, and the Excel report built by a
click is offered again as a file whose URL stays the same across reruns.

A rerun that starts on the click, or any rerun that ends before the
button is drawn again, drops the deferred file the browser is fetching,
so the click delivers nothing. AppTest cannot click a deferred download,
so the tests record the file ids that Streamlit's media file manager
registers and run them the way the browser's click does
(``MediaFileManager.execute_deferred``).
"""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

EXCEL_LABEL = "Download Excel report"


@pytest.fixture
def deferred_files(monkeypatch) -> dict[str, MediaFileManager]:
    """Map each deferred file id registered in the test's runs to the media
    file manager of its run. The method still registers the file."""
    registered: dict[str, MediaFileManager] = {}
    register = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, **kwargs):
        file_id = register(self, data_callable, *args, **kwargs)
        registered[file_id] = self
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return registered


def _excel_button(at: AppTest):
    [button] = [b for b in at.sidebar.get("download_button") if b.label == EXCEL_LABEL]
    return button


def _click(deferred_files: dict[str, MediaFileManager], button) -> tuple[str, bytes]:
    """Build a deferred download as the browser's click does; return its URL
    and content."""
    file_id = button.proto.deferred_file_id
    manager = deferred_files[file_id]
    url = manager.execute_deferred(file_id)
    stored = manager.read_file(url.rsplit("/", 1)[-1])
    assert stored is not None
    return url, stored.content


def _settings_sheet(content: bytes) -> dict[str, object]:
    sheet = openpyxl.load_workbook(BytesIO(content))["Settings"]
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row}


@pytest.mark.parametrize(
    "page", ["pages/sales.py", "pages/marketing.py", "pages/service.py"]
)
def test_download_buttons_skip_rerun(page):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page).run()
    assert not at.exception

    buttons = list(at.get("download_button"))
    labels = [button.label for button in buttons]
    assert EXCEL_LABEL in labels
    # The sample data draws charts, so the page offers them as a zip.
    assert any(label.startswith("Download the") for label in labels)
    for button in buttons:
        assert button.proto.ignore_rerun, button.label


def test_excel_report_built_on_click_only(deferred_files):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    assert not at.exception

    button = _excel_button(at)
    assert button.proto.deferred_file_id
    assert button.proto.url == ""


def test_excel_report_url_kept_across_reruns(deferred_files):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    url, content = _click(deferred_files, _excel_button(at))
    assert _settings_sheet(content)["CLV lifespan"] == "from the data"

    at.run()
    again = _excel_button(at)
    assert again.proto.deferred_file_id == ""
    assert again.proto.url == url

    at.run()
    assert _excel_button(at).proto.url == url


def test_excel_report_rebuilt_for_new_settings(deferred_files):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    first_url, _ = _click(deferred_files, _excel_button(at))

    at.sidebar.number_input(key="marketing_lifespan").set_value(3.0).run()
    changed = _excel_button(at)
    assert changed.proto.deferred_file_id
    url, content = _click(deferred_files, changed)
    assert url != first_url
    # The Settings sheet writes the entered lifespan with two decimals.
    assert _settings_sheet(content)["CLV lifespan"] == "3.00 years, entered"

    # Back to the first settings: their report is still kept.
    at.sidebar.number_input(key="marketing_lifespan").set_value(0.0).run()
    assert _excel_button(at).proto.url == first_url
