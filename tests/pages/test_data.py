import hashlib

import pytest
import streamlit as st
from streamlit import config
from streamlit.testing.v1 import AppTest

from pages.ui.workspace_access import SAMPLE_FILES
from tests.pages.conftest import APP

MAVEN = "maven-crm-sales/sales_pipeline.csv"
SAMPLE_NAMES = sorted(
    f"Sample {table.replace('_', ' ')}" for table in SAMPLE_FILES.values()
)


def _upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> str:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(name, data, mime)]).run()
    return hashlib.sha256(data).hexdigest()[:16]


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_data_page_lists_sample_tables():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    stored = at.dataframe[0].value
    assert sorted(stored["Name"].tolist()) == SAMPLE_NAMES


def test_maven_upload_shows_mapping_and_imports(datasets_dir):
    data = (datasets_dir / MAVEN).read_bytes()
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "sales_pipeline.csv", data)
    assert not at.exception
    assert at.selectbox(key=f"{key}:table").value == "deals"
    assert at.selectbox(key=f"{key}:deals:created_at").value == "engage_date"
    assert at.selectbox(key=f"{key}:deals:amount").value == "close_value"
    assert "8,800 rows read, 8,800 kept." in [m.value for m in at.markdown]
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    assert at.success[0].value == "Imported 8,800 rows as 'sales_pipeline'."

    at.switch_page("pages/sales.py").run()
    assert not at.exception
    metrics = _metrics(at)
    # Maven's SOURCE.md counts: 4,238 won, 2,473 lost, 8,800 deals.
    assert metrics["Win rate"] == f"{4238 / (4238 + 2473) * 100:.1f} %"
    assert metrics["Close rate"] == f"{4238 / 8800 * 100:.1f} %"
    assert len(at.get("vega_lite_chart")) >= 6


def test_mapping_correction_changes_figures(datasets_dir):
    data = (datasets_dir / MAVEN).read_bytes()
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "sales_pipeline.csv", data)
    # Without an owner column the deals still import; owner becomes empty.
    at.selectbox(key=f"{key}:deals:owner").set_value("(not in the file)").run()
    assert not at.exception
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    assert at.success


def test_bad_values_reported_with_lines():
    data = (
        b"Record ID,Deal Stage,Create Date,Close Date,Amount\n"
        b"1,Closed won,2025-01-05,2025-02-01,1000\n"
        b"2,Closed won,2025-01-06,not a date,2000\n"
        b"3,Closed lost,2025-01-07,2025-02-03,abc\n"
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    _upload(at, "deals.csv", data)
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any(
        "'Close Date'" in w and "line 3" in w and "'not a date'" in w for w in warnings
    )
    assert any("'Amount'" in w and "line 4" in w for w in warnings)
    # Both cells, on lines 3 and 4, are read as empty and their rows kept.
    assert "3 rows read, 3 kept, 2 of them with cells read as empty (see below)." in [
        m.value for m in at.markdown
    ]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        pytest.param("empty.csv", b"", id="empty"),
        pytest.param("junk.csv", b"\x00\x01\x02\xff\xfe" * 50, id="binary"),
        pytest.param("other.csv", b"colour,size\nred,3\n", id="unknown-columns"),
        pytest.param("fake.xlsx", b"PK\x03\x04 not really a zip", id="broken-xlsx"),
    ],
)
def test_unusable_upload_shows_message_not_traceback(name, data):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _upload(at, name, data)
    assert not at.exception
    assert at.error or at.info


def test_failed_upload_keeps_stored_tables():
    at = AppTest.from_file(APP, default_timeout=60).run()
    _upload(at, "junk.csv", b"\x00\x01" * 100)
    stored = at.dataframe[-1].value
    assert sorted(stored["Name"].tolist()) == SAMPLE_NAMES


def test_own_import_replaces_sample_data(datasets_dir):
    data = (datasets_dir / MAVEN).read_bytes()
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "sales_pipeline.csv", data)
    at.button(key=f"{key}:import").click().run()
    # The rerun after the import also shows that the file is stored now.
    infos = [info.value for info in at.info]
    assert any("sample data was removed" in info for info in infos), infos
    stored = at.dataframe[-1].value
    assert stored["Name"].tolist() == ["sales_pipeline"]
    at.button(key="stored:samples").click().run()
    assert not at.exception
    assert len(at.dataframe[-1].value) == len(SAMPLE_FILES) + 1


def test_ambiguous_dates_wait_for_choice():
    data = b"Record ID,Deal Stage,Create Date\n1,Won,01/02/2025\n2,Lost,03/04/2025\n"
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "deals.csv", data)
    assert not at.exception
    assert "Choose the date order of 'Create Date'" in at.info[-1].value
    assert not [b for b in at.button if b.key == f"{key}:import"]
    at.radio(key=f"{key}:order:created_at").set_value("mdy").run()
    assert "2 rows read, 2 kept." in [m.value for m in at.markdown]


def test_no_usable_rows_cannot_replace_table():
    data = b"Record ID,Deal Stage,Create Date\n1,Won,soon\n2,Lost,later\n3,Lost,never\n"
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "deals.csv", data)
    assert not at.exception
    assert "no filled cell of this column can be used" in at.error[-1].value
    assert not [b for b in at.button if b.key == f"{key}:import"]


def test_data_page_upload_limit_follows_server_setting():
    # With the limit set to 1 MB, a 1.2 MB file is rejected by the reader
    # with a message naming that limit.
    data = b"Deal ID,Deal Stage,Create Date\n" + b"1,Won,2025-01-01\n" * 70_000
    assert 2**20 < len(data) < 2 * 2**20
    previous = st.get_option("server.maxUploadSize")
    # st.set_option rejects server options, which a server reads at start.
    config.set_option("server.maxUploadSize", 1)
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
        _upload(at, "big.csv", data)
    finally:
        config.set_option("server.maxUploadSize", previous)
    assert not at.exception
    assert "more than the limit of 1 MB" in at.error[0].value
