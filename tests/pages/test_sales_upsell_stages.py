"""Sales page: the upsell rate card, the stage table and the rows behind
each KPI, against hand-counted figures and the CLI report."""

import io
import json
import math
import subprocess
import sys
from datetime import date

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from kpi_core.excel_report import KEY_COLUMN
from kpi_core.formatting import format_value
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.report_tables import excel_report_bytes
from kpi_core.sharing import ViewStore
from kpi_core.workspace import Workspace
from tests.conftest import PROJECT
from tests.pages.conftest import APP

# HubSpot deals with "Deal Type". Existing Business is an upsell. Customers:
# Acme (won upsells 2 and 6), Beta (new business only), Gamma (its upsell
# deal 4 was lost) and Delta (open new business).
UPSELL_DEALS = b"""\
Record ID,Deal Name,Deal Stage,Create Date,Close Date,Amount,Deal Type,\
Associated Company
1,a1,Closed Won,2025-01-05,2025-01-20,100,New Business,Acme
2,a2,Closed Won,2025-02-05,2025-02-20,50,Existing Business,Acme
3,b1,Closed Won,2025-01-07,2025-01-22,200,New Business,Beta
4,c1,Closed Lost,2025-02-01,2025-02-10,70,Existing Business,Gamma
5,d1,Appointment Scheduled,2025-02-11,,90,New Business,Delta
6,a3,Closed Won,2025-03-01,2025-03-05,30,Existing Business,Acme
"""

# HubSpot's wide "Date entered" columns. Deal 2 goes from Appointment
# straight to Closed Lost; deal 3 is still in Qualified To Buy.
_ENTERED = 'Date entered ""{} (Sales Pipeline)""'
WIDE_HISTORY = "\n".join(
    [
        "Record ID,Deal Name,Deal Stage,Create Date,Close Date,Amount,"
        + ",".join(
            f'"{_ENTERED.format(stage)}"'
            for stage in (
                "Appointment Scheduled",
                "Qualified To Buy",
                "Closed Won",
                "Closed Lost",
            )
        ),
        "1,A,Closed Won,2025-01-01,2025-01-31,100,2025-01-01,2025-01-11,2025-01-31,",
        "2,B,Closed Lost,2025-01-05,2025-01-25,200,2025-01-05,,,2025-01-25",
        "3,C,Qualified To Buy,2025-02-01,,300,2025-02-01,2025-02-04,,",
        "4,D,Closed Won,2025-02-10,2025-03-02,400,2025-02-10,2025-02-20,2025-03-02,",
    ]
).encode()

# Deal 2 has no amount, deal 5 closed before it was created and deal 6 is
# open.
GAPPY_DEALS = b"""\
Deal ID,Deal Name,Deal Stage,Amount,Create Date,Close Date
1,A,Closed won,100,2025-01-02,2025-01-10
2,B,Closed won,,2025-01-03,2025-01-12
3,C,Closed won,300,2025-01-04,2025-01-15
4,D,Closed lost,50,2025-01-05,2025-01-20
5,E,Closed won,80,2025-01-10,2025-01-05
6,F,Proposal,40,2025-01-11,
"""


def _store(root, name: str, content: bytes, table_type: str) -> None:
    prepared = load_file(name, content, table=table_type)
    Workspace(root).save(
        prepared.frame,
        name=name,
        table_type=table_type,
        source_file=name,
        mapping=prepared.mapping,
    )


def _open_with(root, table_type: str, name: str, content: bytes) -> AppTest:
    """Open the Sales page on a new stored table of ``table_type`` over all
    data. The sample data is loaded on the first run."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    _store(root, name, content, table_type)
    at.run()
    newest = Workspace(root).list_tables(table_type)[0]
    assert newest.name == name
    at.sidebar.selectbox(key=f"table_{table_type}").set_value(newest.id).run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    return at


def _metric(at: AppTest, label: str):
    return next(metric for metric in at.metric if metric.label == label)


def _cli(*paths) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", *map(str, paths)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)["kpis"]


def test_upsell_card_counts_customers(fresh_workspace):
    at = _open_with(fresh_workspace, "deals", "upsell.csv", UPSELL_DEALS)
    # 1 customer with a won upsell (Acme) / 4 customers = 25 %.
    assert _metric(at, "Upsell rate").value == "25.0 %"
    captions = [caption.value for caption in at.caption]
    assert any(text.startswith("n = 4, 95 % interval") for text in captions)
    texts = [text.value for text in at.text]
    expected = "1 customer with an upsell / 4 active customers x 100 = 25.00 %"
    assert expected in texts
    [rows] = [b for b in at.get("download_button") if b.key == "rows:upsell_rate"]
    assert rows.proto.label == "Rows behind upsell rate (4, CSV)"


def test_upsell_card_matches_cli_and_excel(fresh_workspace, tmp_path):
    path = tmp_path / "upsell.csv"
    path.write_bytes(UPSELL_DEALS)
    cli = _cli(path)["upsell_rate"]
    assert cli["value"] == 25.0
    deals = load_file("upsell.csv", UPSELL_DEALS).frame
    workbook = load_workbook(
        io.BytesIO(excel_report_bytes({"deals": deals}, KpiSettings()))
    )
    rows = {
        row[KEY_COLUMN]: row
        for row in workbook["Sales"].iter_rows(
            min_row=5, max_col=KEY_COLUMN + 1, values_only=True
        )
        if row[0]
    }
    assert rows["upsell_rate"][2] == 25.0
    at = _open_with(fresh_workspace, "deals", "upsell.csv", UPSELL_DEALS)
    card_value = _metric(at, "Upsell rate").value
    assert card_value == format_value(cli["value"], cli["unit"])


def test_upsell_card_compares_periods(fresh_workspace):
    at = _open_with(fresh_workspace, "deals", "upsell.csv", UPSELL_DEALS)
    at.sidebar.selectbox(key="period").set_value("custom").run()
    at.sidebar.date_input(key="dates").set_value(
        (date(2025, 2, 1), date(2025, 2, 28))
    ).run()
    at.sidebar.selectbox(key="compare_with").set_value("previous").run()
    assert not at.exception
    card = _metric(at, "Upsell rate")
    # February: active Acme (deal 2), Gamma (deal 4), Delta (deal 5, open);
    # Acme won upsell 2, so 1 / 3 = 33.3 %.
    assert card.value == "33.3 %"
    # January: active Acme (deal 1) and Beta (deal 3), no upsell: 0 / 2 = 0 %.
    # Change: 33.3 - 0 = +33.3 pp.
    assert card.delta == "+33.3 pp"


def test_upsell_card_in_shared_view(fresh_workspace):
    at = _open_with(fresh_workspace, "deals", "upsell.csv", UPSELL_DEALS)
    at.sidebar.selectbox(key="period").set_value("custom").run()
    at.sidebar.date_input(key="dates").set_value(
        (date(2025, 2, 1), date(2025, 2, 28))
    ).run()
    at.sidebar.button(key="share").click().run()
    assert not at.exception
    [view] = ViewStore(fresh_workspace).list()
    # A newer deals table must not change what the link shows.
    _store(fresh_workspace, "other.csv", GAPPY_DEALS, "deals")
    manager = AppTest.from_file(APP, default_timeout=60)
    manager.query_params["view"] = view.token
    manager.run()
    assert not manager.exception
    # February as above: 1 / 3 customers.
    assert _metric(manager, "Upsell rate").value == "33.3 %"


def test_upsell_card_falls_back_to_subscriptions(fresh_workspace, tmp_path):
    # These deals have no account or deal type, so the CLI takes the upsell
    # rate from the subscriptions; the page must show the same figure.
    path = tmp_path / "gappy.csv"
    path.write_bytes(GAPPY_DEALS)
    cli = _cli(path, PROJECT / "sample_data" / "subscriptions.csv")["upsell_rate"]
    at = _open_with(fresh_workspace, "deals", "gappy.csv", GAPPY_DEALS)
    assert _metric(at, "Upsell rate").value == format_value(cli["value"], "percent")
    texts = [text.value for text in at.text]
    assert any("customers with an expansion" in text for text in texts)


def test_stage_table_readable(fresh_workspace):
    at = _open_with(fresh_workspace, "stage_history", "wide.csv", WIDE_HISTORY)
    [table] = [frame.value for frame in at.dataframe if "Stage" in frame.value.columns]
    assert list(table.columns) == [
        "Stage",
        "Deals that reached it",
        "Deals that left it",
        "Mean days",
        "Median days",
        "Deals still in it",
        "Went on to a later stage (%)",
    ]
    rows = {row[0]: list(row[1:]) for row in table.itertuples(index=False)}
    # Appointment: deals 1-4 spent 10, 20, 3 and 10 days; mean 43 / 4 =
    # 10.75, median 10. Deals 1, 3 and 4 went on to Qualified, deal 2 was
    # lost: 3 / 4 = 75 %.
    assert rows["Appointment Scheduled"] == [4, 4, 10.75, 10.0, 0, 75.0]
    # Qualified: deal 1 spent 20 days, deal 4 10 days, deal 3 is still in it;
    # mean and median 15. Deals 1 and 4 were won: 2 / 3 = 66.7 %.
    assert rows["Qualified To Buy"][:5] == [3, 2, 15.0, 15.0, 1]
    assert rows["Qualified To Buy"][5] == pytest.approx(200 / 3)
    # Won and lost are final stages: no time and no next stage.
    for stage in ("Closed Won", "Closed Lost"):
        assert all(math.isnan(value) for value in rows[stage][2:4]), stage
        assert math.isnan(rows[stage][5]), stage
    # Missing values show as a dash, the days and rates with one decimal.
    [frame] = [e for e in at.dataframe if "Stage" in e.value.columns]
    assert frame.proto.placeholder == "-"
    columns = json.loads(frame.proto.columns)
    assert columns["Mean days"]["type_config"]["format"] == "%.1f"


def test_rows_behind_match_card_n(fresh_workspace):
    at = _open_with(fresh_workspace, "deals", "gappy.csv", GAPPY_DEALS)
    labels = {b.key: b.proto.label for b in at.get("download_button")}
    # Won amounts: 100, 300, 80 (deal 2 has none): n = 3, mean 480 / 3 = 160.
    assert _metric(at, "Average deal size").value == "160 EUR"
    assert labels["rows:average_deal_size"] == "Rows behind average deal size (3, CSV)"
    assert labels["rows:won_value"] == "Rows behind won value (3, CSV)"
    # Cycles of won deals: 8, 9 and 11 days; deal 5 closed before it was
    # created: n = 3, mean 28 / 3 = 9.3 days.
    assert labels["rows:sales_cycle_days"] == "Rows behind sales cycle (mean) (3, CSV)"
    # Variant "closed": deals 1-4 closed with a valid cycle (8, 9, 11, 15).
    at.sidebar.radio(key="sales_cycle_variant").set_value("closed").run()
    labels = {b.key: b.proto.label for b in at.get("download_button")}
    assert labels["rows:sales_cycle_days"] == "Rows behind sales cycle (mean) (4, CSV)"
    # The close rate counts the 6 deals created, its variant "closed" the 5
    # won or lost ones.
    assert labels["rows:close_rate"] == "Rows behind close rate (6, CSV)"
    at.sidebar.radio(key="sales_close_rate_variant").set_value("closed").run()
    labels = {b.key: b.proto.label for b in at.get("download_button")}
    assert labels["rows:close_rate"] == "Rows behind close rate (5, CSV)"
