"""The Sales and Marketing charts leave a month with no days in the data
empty, and do not draw it as 0."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# The deals start on 2025-02-03, so January 2025 has no days in the data.
DEALS = (
    "Deal ID,Deal Name,Deal Stage,Amount,Create Date,Close Date\n"
    "1,Alpha,Closed won,1000,2025-02-03,2025-02-20\n"
    "2,Beta,Closed won,500,2025-02-10,2025-03-05\n"
    "3,Gamma,Closed lost,200,2025-03-01,2025-03-20\n"
)
# The orders start on 2025-02-10.
ORDERS = (
    "Order ID,Order date,Customer ID,Total,Currency,utm_campaign\n"
    "O1,2025-02-10,C1,100.00,EUR,Campaign A\n"
    "O2,2025-03-01,C2,300.00,EUR,Campaign A\n"
)
Q1 = {"period": "Custom", "dates": ["2025-01-01", "2025-03-31"], "grain": "month"}
JANUARY_NOTE = "Jan 2025 has no days in the data: the data starts on"


def _store(tmp_path: Path, root: Path, name: str, text: str, table: str) -> None:
    store = Workspace(root)
    # The app loads the sample data into a workspace without this marker.
    (root / ".sample-loaded").touch()
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    prepared = load_file(name, path.read_bytes(), table=table)
    store.save(
        prepared.frame,
        name=name,
        table_type=table,
        source_file=name,
        mapping=prepared.mapping,
    )


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(Q1)
    at.switch_page(page).run()
    assert not at.exception
    return at


def _chart_rows(at: AppTest, title: str) -> list[dict]:
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        if spec.get("title") == title:
            [dataset] = element.proto.datasets
            return pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
    raise AssertionError(f"no chart titled {title!r}")


def _captions(at: AppTest) -> str:
    return " ".join(caption.value for caption in at.main.caption)


def test_sales_won_value_gap_in_january(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace, "deals.csv", DEALS, "deals")
    at = _open("pages/sales.py")
    rows = _chart_rows(at, "Won value by close date")
    values = {row["period_label"]: row["won_value"] for row in rows}
    # No deal data in January: no value. February: Alpha 1,000. March: Beta 500.
    assert values["Jan 2025 (partial)"] is None
    assert values["Feb 2025 (partial)"] == 1000
    assert values["Mar 2025 (partial)"] == 500
    assert JANUARY_NOTE in _captions(at)


def test_marketing_revenue_gap_in_january(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace, "orders.csv", ORDERS, "orders")
    at = _open("pages/marketing.py")
    rows = _chart_rows(at, "Revenue by campaign and month")
    january = [row for row in rows if row["period_label"] == "Jan 2025 (partial)"]
    # Every campaign's January revenue is unknown, so none is 0.
    assert january
    assert all(row["revenue"] is None for row in january)
    # February: O1 100. March: O2 300.
    revenue = {row["period_label"]: row["revenue"] for row in rows if row["revenue"]}
    assert revenue["Feb 2025 (partial)"] == 100
    assert revenue["Mar 2025 (partial)"] == 300
