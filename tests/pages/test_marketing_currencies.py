"""Marketing with tables in different currencies, stored as the Data page
stores them: a table left at its default currency, EUR, has no currency
code, and a table stored as USD or GBP has one.

CLV : CAC, the CAC payback and the return on campaign cost set the money
of one table against another's. So a table read as EUR beside a table in
USD needs a rate, and a report currency other than EUR converts it from
EUR. Every expected figure is worked out by hand from the CSV text below,
over all data (2024-06-01 to 2025-03-01) with a CLV lifespan of 2 years.
"""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP
from tests.pages.test_whatif_currencies import _store as store_tables

# 650 in 4 orders of 3 customers: 162.50 per purchase and 4 / 3 purchases
# a customer, so CLV = 162.50 x 4/3 x 2 years = 433.33 and the revenue per
# customer and month is 162.50 x 4/3 / 12 = 18.0556. The first orders of
# c1, c2 and c3 make 3 new customers. Spring earns 100 + 200 = 300 and
# Autumn 50 + 300 = 350.
ORDERS = b"""\
Order ID,Customer ID,Order Date,Amount,Campaign,Channel
1,c1,2025-01-05,100,Spring,Ads
2,c2,2025-01-20,200,Spring,Email
3,c1,2025-02-10,50,Autumn,Ads
4,c3,2025-03-01,300,Autumn,Ads
"""
# On 2025-03-01 c1 and c2 pay 100 + 200 a month: ARR = 300 x 12 = 3,600.
SUBSCRIPTIONS = b"""\
Subscription ID,Customer ID,Start Date,End Date,Monthly charge
s1,c1,2024-06-01,,100
s2,c2,2025-01-10,,200
"""
# Spring costs 100 and Autumn 200: 300 in all, so CAC = 300 / 3 = 100.
SPEND = b"""\
Date,Campaign,Channel,Amount
2025-01-01,Spring,Ads,100
2025-02-01,Autumn,Ads,200
"""
EXCEL_PREFIX = "crm-kpis-"
KPI_STATUSES = ("available", "not available")
# Columns of a KPI row of the Excel report: KPI, Status, Value, Unit, n, the
# two ends of the interval, Variant, How it is calculated (or the reason it
# is not available), Rows left out, Notes and warnings, Key.
STATUS, VALUE, UNIT, REASON = 1, 2, 3, 8


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """Record the callables of deferred downloads by file name, which the
    server calls when the user clicks."""
    recorded = {}
    register = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        recorded[file_name] = data_callable
        return register(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return recorded


def _open_marketing(root, *tables: tuple[str, bytes, str | None]) -> AppTest:
    """Replace the sample data by tables (type, CSV text, currency chosen on
    the Data page, or None for its default) and open Marketing over all
    data."""
    store_tables(root, *tables)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    at.sidebar.number_input(key="marketing_lifespan").set_value(2.0).run()
    assert not at.exception
    return at


def _eur_beside_usd_spend(root) -> AppTest:
    return _open_marketing(
        root,
        ("orders", ORDERS, None),
        ("subscriptions", SUBSCRIPTIONS, None),
        ("spend", SPEND, "USD"),
    )


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _captions(at: AppTest) -> str:
    return " ".join(caption.value for caption in at.caption)


def _rate_notes(at: AppTest) -> list[str]:
    """Return every text on the page that contains the missing-rate note."""
    kinds = ("caption", "info", "warning", "markdown", "text")
    texts = [str(element.value) for kind in kinds for element in at.get(kind)]
    return [text for text in texts if "Money figures need" in text]


def _assert_rate_note_once(at: AppTest, needed: str) -> None:
    """Check that the page shows the note once, as a warning, with the
    rate it needs and where to enter it."""
    notes = _rate_notes(at)
    assert len(notes) == 1
    assert [w.value for w in at.warning if "Money figures need" in w.value] == notes
    assert f"Money figures need the value of {needed}" in notes[0]
    assert "enter it under Currencies in the sidebar" in notes[0]


def _infos(at: AppTest) -> str:
    return " ".join(info.value for info in at.info)


def _campaigns(at: AppTest) -> dict[str, dict[str, float]]:
    [table] = [t.value for t in at.dataframe if "campaign" in t.value.columns]
    return {
        column: dict(zip(table["campaign"], table[column], strict=True))
        for column in table.columns
        if column != "campaign"
    }


def _set_rate(at: AppTest, key: str, rate: float) -> None:
    at.sidebar.number_input(key=key).set_value(rate).run()
    assert not at.exception
    assert not at.error


def _marketing_sheet(downloads: dict) -> dict[str, tuple]:
    """Return the KPI rows of the Excel report's Marketing sheet by key."""
    names = [name for name in downloads if name.startswith(EXCEL_PREFIX)]
    workbook = load_workbook(BytesIO(downloads[names[-1]]()))
    rows = workbook["Marketing"].iter_rows(values_only=True)
    return {row[-1]: row for row in rows if row and row[1] in KPI_STATUSES}


def test_eur_tables_ask_usd_rate(fresh_workspace):
    at = _eur_beside_usd_spend(fresh_workspace)
    assert not at.error
    # The orders and subscriptions count as EUR beside the spend in USD.
    currency = at.sidebar.selectbox(key="currency")
    assert currency.options == ["EUR", "USD"]
    assert currency.value == "EUR"
    metrics = _metrics(at)
    assert metrics["Customer lifetime value"] == "433 EUR"
    assert metrics["ARR"] == "3,600 EUR"
    # CAC in EUR needs the spend's rate.
    assert metrics["Customer acquisition cost"] == "Not available"
    captions = _captions(at)
    _assert_rate_note_once(at, "1 USD in EUR")
    assert "CLV : CAC" not in captions
    assert "CAC payback" not in captions
    assert "marketing spend “spend export” in USD" in captions
    assert "orders “orders export” in EUR" in captions
    # The revenue by campaign comes from the orders alone, so it stays in
    # EUR, and its return on the spend in USD needs the rate.
    campaigns = _campaigns(at)
    assert campaigns["revenue"] == {"Autumn": 350.0, "Spring": 300.0}
    assert "roi_percent" not in campaigns
    assert (
        "the marketing spend has amounts in USD and the revenue of the orders is in EUR"
    ) in _infos(at)


def test_usd_spend_converted_with_rate(fresh_workspace):
    at = _eur_beside_usd_spend(fresh_workspace)
    _set_rate(at, "fx_USD_EUR", 0.8)
    metrics = _metrics(at)
    # Spend: 300 USD x 0.8 = 240 EUR for 3 new customers = 80 EUR.
    assert metrics["Customer acquisition cost"] == "80.00 EUR"
    assert metrics["Customer lifetime value"] == "433 EUR"
    assert metrics["ARR"] == "3,600 EUR"
    captions = _captions(at)
    # CLV : CAC = 433.33 / 80 = 5.42.
    assert "CLV : CAC = 5.4." in captions
    # Payback: 80 / 18.0556 EUR a month = 4.43 months.
    assert "CAC payback: 4.4 months." in captions
    assert _rate_notes(at) == []
    roi = _campaigns(at)["roi_percent"]
    # Spring: (300 - 100 x 0.8) / 80 = 275 %; Autumn: (350 - 160) / 160.
    assert roi["Spring"] == pytest.approx(275.0)
    assert roi["Autumn"] == pytest.approx(118.75)


def test_report_usd_converts_eur_tables(fresh_workspace):
    at = _eur_beside_usd_spend(fresh_workspace)
    at.sidebar.selectbox(key="currency").set_value("USD").run()
    captions = _captions(at)
    # The tables without a code are in EUR, not in the chosen USD.
    _assert_rate_note_once(at, "1 EUR in USD")
    metrics = _metrics(at)
    assert metrics["Customer lifetime value"] == "Not available"
    assert metrics["ARR"] == "Not available"
    # CAC comes from the spend in USD alone: 300 / 3 = 100 USD.
    assert metrics["Customer acquisition cost"] == "100 USD"

    _set_rate(at, "fx_EUR_USD", 1.25)
    metrics = _metrics(at)
    # CLV: 433.33 EUR x 1.25 = 541.67 USD; ARR: 3,600 EUR x 1.25.
    assert metrics["Customer lifetime value"] == "542 USD"
    assert metrics["ARR"] == "4,500 USD"
    assert metrics["Customer acquisition cost"] == "100 USD"
    captions = _captions(at)
    # CLV : CAC = 541.67 / 100 = 5.42; payback 100 / (18.0556 x 1.25) =
    # 100 / 22.57 = 4.43 months.
    assert "CLV : CAC = 5.4." in captions
    assert "CAC payback: 4.4 months." in captions
    campaigns = _campaigns(at)
    # Spring: 300 EUR x 1.25 = 375 USD; Autumn: 350 x 1.25 = 437.50 USD.
    assert campaigns["revenue"] == {"Autumn": 437.5, "Spring": 375.0}
    # Spring: (375 - 100) / 100 = 275 %; Autumn: (437.50 - 200) / 200.
    assert campaigns["roi_percent"]["Spring"] == pytest.approx(275.0)
    assert campaigns["roi_percent"]["Autumn"] == pytest.approx(118.75)


def test_usd_orders_beside_eur_spend(fresh_workspace):
    at = _open_marketing(
        fresh_workspace,
        ("orders", ORDERS, "USD"),
        ("subscriptions", SUBSCRIPTIONS, None),
        ("spend", SPEND, None),
    )
    assert at.sidebar.selectbox(key="currency").options == ["EUR", "USD"]
    metrics = _metrics(at)
    # CAC: 300 EUR / 3 = 100 EUR; the CLV of the orders in USD needs a rate.
    assert metrics["Customer acquisition cost"] == "100 EUR"
    assert metrics["Customer lifetime value"] == "Not available"
    _assert_rate_note_once(at, "1 USD in EUR")

    _set_rate(at, "fx_USD_EUR", 0.8)
    metrics = _metrics(at)
    # CLV: 433.33 USD x 0.8 = 346.67 EUR.
    assert metrics["Customer lifetime value"] == "347 EUR"
    assert metrics["Customer acquisition cost"] == "100 EUR"
    captions = _captions(at)
    # CLV : CAC = 346.67 / 100 = 3.47; payback: 100 / (18.0556 x 0.8) =
    # 100 / 14.44 = 6.92 months.
    assert "CLV : CAC = 3.5." in captions
    assert "CAC payback: 6.9 months." in captions
    campaigns = _campaigns(at)
    # Spring: 300 USD x 0.8 = 240 EUR; Autumn: 350 x 0.8 = 280 EUR.
    assert campaigns["revenue"] == {"Autumn": 280.0, "Spring": 240.0}
    # Spring: (240 - 100) / 100 = 140 %; Autumn: (280 - 200) / 200 = 40 %.
    assert campaigns["roi_percent"]["Spring"] == pytest.approx(140.0)
    assert campaigns["roi_percent"]["Autumn"] == pytest.approx(40.0)


def test_report_currency_offers_eur_rate(fresh_workspace):
    # Orders in USD and spend in GBP show the Currencies section on their
    # own. The subscriptions without a code are in EUR, not in USD.
    at = _open_marketing(
        fresh_workspace,
        ("orders", ORDERS, "USD"),
        ("subscriptions", SUBSCRIPTIONS, None),
        ("spend", SPEND, "GBP"),
    )
    currency = at.sidebar.selectbox(key="currency")
    assert currency.options == ["EUR", "GBP", "USD"]
    currency.set_value("USD").run()
    _set_rate(at, "fx_GBP_USD", 1.5)
    metrics = _metrics(at)
    assert metrics["ARR"] == "Not available"
    _assert_rate_note_once(at, "1 EUR in USD")
    # Spend: 300 GBP x 1.5 = 450 USD for 3 new customers = 150 USD.
    assert metrics["Customer acquisition cost"] == "150 USD"

    _set_rate(at, "fx_EUR_USD", 1.1)
    # ARR: 3,600 EUR x 1.1 = 3,960 USD.
    assert _metrics(at)["ARR"] == "3,960 USD"


def test_excel_marketing_sheet_converts(fresh_workspace, downloads):
    at = _eur_beside_usd_spend(fresh_workspace)
    rows = _marketing_sheet(downloads)
    assert rows["cac"][STATUS] == "not available"
    assert "no exchange rate for USD" in rows["cac"][REASON]
    assert rows["clv_to_cac"][STATUS] == "not available"
    assert rows["clv_to_cac"][REASON].startswith("CAC is not available")
    assert rows["campaign_revenue"][UNIT] == "EUR"
    assert rows["arr"][VALUE] == 3600
    assert rows["arr"][UNIT] == "EUR"

    downloads.clear()
    at.sidebar.selectbox(key="currency").set_value("USD").run()
    _set_rate(at, "fx_EUR_USD", 1.25)
    rows = _marketing_sheet(downloads)
    # As on the page: CLV 433.33 EUR x 1.25 = 541.67 USD, CAC 100 USD.
    assert rows["clv"][VALUE] == pytest.approx(541.6667, abs=0.001)
    assert rows["clv"][UNIT] == "USD"
    assert rows["cac"][VALUE] == pytest.approx(100.0)
    assert rows["cac"][UNIT] == "USD"
    # 541.67 / 100 = 5.4167.
    assert rows["clv_to_cac"][VALUE] == pytest.approx(5.4167, abs=0.0001)
    # 100 / (18.0556 x 1.25) = 4.4308 months.
    assert rows["payback_months"][VALUE] == pytest.approx(4.4308, abs=0.0001)
    # ARR: 3,600 EUR x 1.25 = 4,500 USD.
    assert rows["arr"][VALUE] == pytest.approx(4500.0)
    assert rows["arr"][UNIT] == "USD"
    assert rows["campaign_revenue"][UNIT] == "USD"
