"""The Data page keeps rows whose cells cannot be read, names those cells,
and still stops an upload whose mapped column has no readable cell."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from kpi_core.workspace import Workspace
from tests.kpi_core.test_kept_rows import DEALS
from tests.pages.conftest import APP


def _upload(at: AppTest, name: str, data: bytes) -> str:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(name, data, "text/csv")]).run()
    return hashlib.sha256(data).hexdigest()[:16]


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_unreadable_amount_named_and_row_kept():
    data = DEALS.encode()
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "deals.csv", data)
    assert not at.exception
    assert "10 rows read, 10 kept, 1 of them with cells read as empty (see below)." in [
        m.value for m in at.markdown
    ]
    warnings = [w.value for w in at.warning]
    assert (
        "1 row with an invalid number in column 'Amount' (line 3; for example "
        "'1.234,56 €'). Read as empty; the row is kept, so KPIs that need "
        "'Amount' leave it out."
    ) in warnings
    labels = [button.label for button in at.get("download_button")]
    assert "Download the 1 row with problems (CSV)" in labels

    at.button(key=f"{key}:import").click().run()
    assert "Imported 10 rows" in at.success[0].value
    at.switch_page("pages/sales.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    metrics = _metrics(at)
    # 3 won of 10 created, and 3 won of 3 won + 2 lost.
    assert metrics["Close rate"] == "30.0 %"
    assert metrics["Win rate"] == "60.0 %"
    # Won value without deal 2: 1,000.50 + 250.25 = 1,250.75, shown as 1,251.
    assert metrics["Won value"] == "1,251 EUR"
    # 1 of 3 won deals has no amount: 33 %, over the 10 % threshold.
    assert any(
        w.value.startswith(
            "Won value leaves out 1 of 3 won deals (33 %): won deal without an amount."
        )
        for w in at.warning
    )


def test_unreadable_column_keeps_stored_table(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "deals.csv", DEALS.encode())
    at.button(key=f"{key}:import").click().run()
    [stored] = Workspace(fresh_workspace).list_tables("deals")
    assert stored.rows == 10

    # The same file name, with every creation date unreadable.
    broken = b"Deal ID,Stage,Created\n1,Closed won,soon\n2,Open,later\n3,Open,never\n"
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "deals.csv", broken)
    assert not at.exception
    [error] = at.error
    assert error.value.startswith(
        "deals.csv, column 'Created': no filled cell of this column can be used "
        "as Created date"
    )
    assert not [b for b in at.button if b.key == f"{key}:import"]
    [kept] = Workspace(fresh_workspace).list_tables("deals")
    assert kept.id == stored.id
    assert kept.rows == 10
