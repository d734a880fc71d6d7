"""The Before and after and What if pages offer their tables as Excel
workbooks that hold what the page shows."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP


@pytest.fixture
def added_files(monkeypatch) -> dict[str, bytes]:
    """Map the URL of each file the test's runs offer to its bytes."""
    added: dict[str, bytes] = {}
    add = MediaFileManager.add

    def record(self, data, *args, **kwargs):
        url = add(self, data, *args, **kwargs)
        added[url] = data
        return url

    monkeypatch.setattr(MediaFileManager, "add", record)
    return added


def _workbook(at: AppTest, key: str, added: dict[str, bytes]):
    [button] = [b for b in at.get("download_button") if b.key == key]
    assert button.proto.ignore_rerun
    return openpyxl.load_workbook(BytesIO(added[button.proto.url]))


def _shown_percent(text: str) -> float:
    return float(text.removesuffix(" %"))


def test_compare_workbook_matches_page(added_files):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    page_table = at.dataframe[0].value
    workbook = _workbook(at, "excel_compare", added_files)
    sheet = workbook["Before and after"]
    rows = [row for row in sheet.iter_rows(values_only=True)]
    header = rows.index(next(row for row in rows if row[0] == "KPI"))
    written = {row[0]: row for row in rows[header + 1 :] if row[0]}
    assert list(written) == page_table["KPI"].tolist()
    close_rate = page_table[page_table["KPI"] == "Close rate"].iloc[0]
    assert written["Close rate"][2] == pytest.approx(
        _shown_percent(close_rate["Before"]), abs=0.05
    )
    assert written["Close rate"][8] == close_rate["n before"]


def test_whatif_workbook_follows_levers(added_files):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/whatif.py").run()
    at.slider(key="whatif_close_rate").set_value(20)
    at.button[0].click().run()
    assert not at.exception
    workbook = _workbook(at, "excel_whatif", added_files)
    settings = {
        row[0]: row[1]
        for row in workbook["Settings"].iter_rows(values_only=True)
        if row[0]
    }
    assert settings["Levers moved"] == "Close rate (%) +20 %"
    sheet = workbook["What if"]
    inputs = {row[0]: row for row in sheet.iter_rows(values_only=True) if row[0]}
    baseline, moved = inputs["Close rate (%)"][2], inputs["Close rate (%)"][4]
    assert moved == pytest.approx(baseline * 1.2)
