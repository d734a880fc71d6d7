"""Marketing, What if and shared links add up every spend table, and warn
about a table stored twice."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.sharing import ViewStore
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

ORDERS = """\
Order ID,Order date,Customer ID,Total,Currency
O1,2025-01-10,C1,1000.00,EUR
O2,2025-02-10,C2,2000.00,EUR
"""
GOOGLE = """\
Day,Campaign,Currency code,Cost
2025-01-15,Brand Search,EUR,400.00
"""
META = """\
Day,Campaign,Currency code,Cost
2025-01-05,Meta Winter,EUR,300.00
2025-02-05,Meta Winter,EUR,200.00
"""
DEALS = """\
Deal ID,Stage,Created,Closed,Amount
D1,Won,2025-01-02,2025-01-20,500
D2,Lost,2025-01-03,2025-01-25,300
"""


def _store(tmp_path, workspace_root, **extra: tuple[str, str]) -> None:
    files = {
        "orders.csv": (ORDERS, "orders"),
        "google.csv": (GOOGLE, "spend"),
        "meta.csv": (META, "spend"),
        **extra,
    }
    _store_only(tmp_path, workspace_root, files)


def _marketing() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    return at


def _texts(at: AppTest) -> list[str]:
    return [element.value for element in [*at.main.caption, *at.main.warning]]


def test_marketing_cac_adds_up_spend(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace)
    at = _marketing()
    metrics = {metric.label: metric.value for metric in at.metric}
    # (400 + 300 + 200) spend / 2 new order customers = 450.
    assert metrics["Customer acquisition cost"] == "450 EUR"
    assert not [box for box in at.sidebar.selectbox if box.key == "table_spend"]
    captions = " ".join(_texts(at))
    assert "Marketing spend from google.csv (1 row)" in captions
    assert "Marketing spend from meta.csv (2 rows)" in captions


def test_marketing_warns_copy(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace, **{"google copy.csv": (GOOGLE, "spend")})
    at = _marketing()
    # The CAC card's warning under the cards names the shared row.
    assert any(
        "“google.csv” and “google copy.csv” share 1 spend row" in text
        or "“google copy.csv” and “google.csv” share 1 spend row" in text
        for text in _texts(at)
    )


def test_whatif_spend_of_all_tables(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace, **{"deals.csv": (DEALS, "deals")})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/whatif.py").run()
    assert not at.exception
    [spend] = [
        text.value
        for text in at.text
        if text.value.startswith("Sales and marketing spend per month")
    ]
    # The baseline is the 12 full months to January 2025: 400 + 300 spent
    # on 15 and 5 January, from both tables.
    assert "the spend tables, added up," in spend
    assert "700.00 EUR spent in" in spend


def test_link_keeps_spend_tables(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace)
    at = _marketing()
    at.sidebar.button(key="share").click().run()
    [view] = ViewStore(fresh_workspace).list()
    assert len(view.settings["pinned_tables"]["spend"]) == 2
    viewer = AppTest.from_file(APP, default_timeout=60)
    viewer.query_params["view"] = view.token
    viewer.run()
    viewer.switch_page("pages/marketing.py").run()
    assert not viewer.exception
    metrics = {metric.label: metric.value for metric in viewer.metric}
    assert metrics["Customer acquisition cost"] == "450 EUR"


def _store_meta_twice(tmp_path, workspace_root) -> None:
    """Store a Meta export broken down by day and a byte copy of it. Every
    row repeats the report's window 2026-01-01 to 2026-04-30, and the day
    of the spend is in "Day"."""
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Reporting starts", "Reporting ends", "Campaign name", "Day"]
        + ["Amount spent (EUR)"]
    )
    for day, amount in (
        ((3, 10), 75.0),
        ((3, 24), 64.6),
        ((4, 7), 50.0),
        ((4, 21), 50.0),
    ):
        spent = date(2026, *day)
        sheet.append(["2026-01-01", "2026-04-30", "meta_spring", spent, amount])
    path = tmp_path / "meta_ads.xlsx"
    book.save(path)
    orders = "Order ID,Order date,Customer ID,Total,Currency\n"
    orders += "O1,2026-04-10,C1,500.00,EUR\nO2,2026-05-10,C2,500.00,EUR\n"
    google = "Day,Campaign,Currency code,Cost\n2026-05-06,brand_search,EUR,20.00\n"
    _store_only(
        tmp_path,
        workspace_root,
        {"orders.csv": (orders, "orders"), "google.csv": (google, "spend")},
    )
    store = Workspace(workspace_root)
    for name in ("meta_ads.xlsx", "meta_ads (1).xlsx"):
        prepared = load_file(name, path.read_bytes())
        store.save(
            prepared.frame,
            name=name,
            table_type="spend",
            source_file=name,
            mapping=prepared.mapping,
        )


def _marketing_in(start: str, end: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["period"] = "Custom"
    at.query_params["dates"] = [start, end]
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    return at


def test_marketing_copy_names_days(tmp_path, fresh_workspace):
    _store_meta_twice(tmp_path, fresh_workspace)
    at = _marketing_in("2026-04-01", "2026-04-30")
    metrics = {metric.label: metric.value for metric in at.metric}
    # April: 50.00 on 04-07 and 04-21 in both tables, (50 + 50) x 2 = 200
    # spend / 1 new customer (C1) = 200.
    assert metrics["Customer acquisition cost"] == "200 EUR"
    shared = [text for text in _texts(at) if " share " in text]
    assert len(shared) == 1
    # The 2 rows of April, by their Day, not the window's start 2026-01-01.
    assert (
        "share 2 spend rows in the period (meta_spring on 2026-04-07, "
        "meta_spring on 2026-04-21)" in shared[0]
    )


def test_marketing_copy_silent_elsewhere(tmp_path, fresh_workspace):
    _store_meta_twice(tmp_path, fresh_workspace)
    at = _marketing_in("2026-05-01", "2026-05-31")
    metrics = {metric.label: metric.value for metric in at.metric}
    # May: Google's 20.00 / 1 new customer (C2) = 20; no Meta spend.
    assert metrics["Customer acquisition cost"] == "20.00 EUR"
    assert not [text for text in _texts(at) if " share " in text]
