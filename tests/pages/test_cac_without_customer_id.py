"""CAC counts the orders without a customer id that its new customers leave
out, and the Marketing page, the command line and the Excel report name
them alike."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from kpi_core.__main__ import main
from kpi_core.excel_report import KEY_COLUMN
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.report_tables import excel_report_bytes
from tests.pages.test_period_span import _open, _store_only

# Orders 2 and 4 have no customer id, so CAC's new customers leave them out:
# a (first order 10 Jan) and b (10 Feb) are the 2 new customers, and the
# spend is 90 + 30 = 120, so CAC = 120 / 2 = 60. The 2 orders without an id
# are counted as left out.
ORDERS_CSV = """order_id,customer_id,order_date,amount
1,a,2025-01-10,100.00
2,,2025-01-15,80.00
3,b,2025-02-10,60.00
4,,2025-02-20,40.00
5,a,2025-03-10,50.00
"""
SPEND_CSV = """date,channel,spend
2025-01-01,Ads,90.00
2025-02-01,Ads,30.00
"""
REASON = "order without a customer id"


def test_cac_card_counts_orders_without_id(tmp_path, fresh_workspace):
    files = {
        "orders.csv": (ORDERS_CSV, "orders"),
        "spend.csv": (SPEND_CSV, "spend"),
    }
    _store_only(tmp_path, fresh_workspace, files)
    at = _open("pages/marketing.py")
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown["Customer acquisition cost"].startswith("60.00")
    texts = [text.value for text in at.text]
    assert f"2 rows left out of customer acquisition cost: {REASON}" in texts


def test_cli_counts_orders_without_id(tmp_path, capsys):
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS_CSV, encoding="utf-8")
    spend = tmp_path / "spend.csv"
    spend.write_text(SPEND_CSV, encoding="utf-8")
    assert main(["report", str(orders), str(spend)]) == 0
    result = json.loads(capsys.readouterr().out)["kpis"]["cac"]
    assert result["value"] == 60.0
    assert result["n"] == 2
    assert result["excluded"] == {REASON: 2}


def test_excel_counts_orders_without_id(tmp_path):
    tables = {}
    for name, text, table in (
        ("orders.csv", ORDERS_CSV, "orders"),
        ("spend.csv", SPEND_CSV, "spend"),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        tables[table] = load_file(name, path.read_bytes(), table=table).frame
    workbook = load_workbook(io.BytesIO(excel_report_bytes(tables, KpiSettings())))
    [row] = [
        row
        for row in workbook["Marketing"].iter_rows(values_only=True)
        if len(row) > KEY_COLUMN and row[KEY_COLUMN] == "cac"
    ]
    assert row[2] == 60.0
    # "Rows left out" is the column before "Notes and warnings".
    assert row[KEY_COLUMN - 2] == f"2 rows: {REASON}"
