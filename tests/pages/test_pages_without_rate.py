"""Sales and Marketing while an exchange rate is missing: the KPIs without
money show their values, and each money figure names the rate to enter.

The tests replace the sample data by hand-made tables in EUR and USD, so
every expected figure is worked out by hand from the CSV text.
"""

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

DEALS = b"""\
Deal ID,Deal Name,Deal Owner,Deal Stage,Amount,Currency,Create Date,Close Date
1,Alpha,Ana,Closed won,1000,EUR,2025-01-02,2025-01-10
2,Beta,Ben,Closed won,500,USD,2025-01-03,2025-01-12
3,Gamma,Ana,Closed lost,200,EUR,2025-01-04,2025-01-15
4,Delta,Ben,Appointment scheduled,300,USD,2025-01-05,
"""
ORDERS = b"""\
Order ID,Customer ID,Order Date,Amount,Currency,Campaign,Channel
1,c1,2025-01-05,100,EUR,Spring,Ads
2,c2,2025-01-20,200,USD,Spring,Email
3,c1,2025-02-10,50,EUR,Autumn,Ads
4,c3,2025-03-01,300,USD,Autumn,Ads
"""
SPEND = b"""\
Date,Campaign,Channel,Amount,Currency
2025-01-01,Spring,Ads,100,EUR
2025-02-01,Autumn,Ads,200,USD
"""
EMAIL_EVENTS = b"""\
Email,Event,Date
a@example.com,subscribe,2024-12-01
b@example.com,subscribe,2024-12-02
c@example.com,subscribe,2024-12-03
d@example.com,subscribe,2024-12-04
e@example.com,subscribe,2025-01-10
f@example.com,subscribe,2025-02-15
a@example.com,unsubscribe,2025-02-01
"""
RATE_KEY = "fx_USD_EUR"
NOTE = "Money figures need the value of 1 USD in EUR"
# What the cards and charts left out for the rate show in place of NOTE.
POINTER = "It needs the exchange rate named at the top of the page."


def _workspace_with(root, *tables: tuple[str, bytes]) -> None:
    """Replace the sample data by the given tables (type, CSV text)."""
    AppTest.from_file(APP, default_timeout=60).run()
    store = Workspace(root)
    for entry in store.list_tables():
        store.delete(entry.id)
    for table_type, data in tables:
        prepared = load_file(f"{table_type}.csv", data, table=table_type)
        store.save(
            prepared.frame,
            name=table_type,
            table_type=table_type,
            source_file=f"{table_type}.csv",
            mapping=prepared.mapping,
        )


def _texts_with(at: AppTest, part: str) -> list[str]:
    """Return every text on the page that contains ``part``."""
    kinds = ("caption", "info", "warning", "markdown", "text")
    texts = [str(element.value) for kind in kinds for element in at.get(kind)]
    return [text for text in texts if part in text]


def _rate_note(at: AppTest) -> str:
    """Return the missing-rate note, after checking that the page shows it
    once and as a warning."""
    notes = _texts_with(at, NOTE)
    assert len(notes) == 1
    warnings = [warning.value for warning in at.warning]
    assert notes[0] in warnings
    return notes[0]


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _chart_titles(at: AppTest) -> str:
    return " ".join(chart.proto.spec for chart in at.get("vega_lite_chart"))


def _open(page: str, period: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page).run()
    at.sidebar.selectbox(key="period").set_value(period).run()
    assert not at.exception
    return at


def test_sales_without_rate_shows_counts(fresh_workspace):
    _workspace_with(fresh_workspace, ("deals", DEALS))
    at = _open("pages/sales.py", "all")
    assert not at.error
    assert at.sidebar.selectbox(key="currency").value == "EUR"
    metrics = _metrics(at)
    # Close rate: 2 won (deals 1 and 2) of 4 created = 50 %.
    assert metrics["Close rate"] == "50.0 %"
    # Win rate: 2 won of 3 won or lost = 66.7 %.
    assert metrics["Win rate"] == "66.7 %"
    # Cycles of the won deals: 8 days (1) and 9 days (2), mean 8.5.
    assert metrics["Sales cycle (mean)"] == "8.5 days"
    assert metrics["Won value"] == "Not available"
    assert metrics["Average deal size"] == "Not available"
    # The note is shown once, and each money card points to it.
    note = _rate_note(at)
    assert "under Currencies in the sidebar" in note
    captions = [caption.value for caption in at.caption]
    assert captions.count(POINTER) == 2

    # Each money chart is replaced by a pointer to the note, never a sum of
    # EUR and USD.
    infos = [info.value for info in at.info]
    for title in (
        "Won value by close date",
        "Average deal size",
        "The pipeline value",
        "Won value",
    ):
        assert f"{title} is not shown. {POINTER}" in infos
    titles = _chart_titles(at)
    assert "Close rate and win rate" in titles
    assert "Won value" not in titles
    assert "sum of amounts" not in titles
    # The owner breakdown keeps its counts and rates, without money columns.
    table = at.dataframe[0].value
    assert "won_value" not in table.columns
    assert "average_deal_size" not in table.columns
    win_rates = dict(zip(table["owner"], table["win_rate"], strict=True))
    # Ana: 1 won of 2 decided; Ben: 1 won of 1 decided (deal 4 is open).
    assert win_rates == {"Ana": 50.0, "Ben": 100.0}


def test_sales_with_rate_converts(fresh_workspace):
    _workspace_with(fresh_workspace, ("deals", DEALS))
    at = _open("pages/sales.py", "all")
    at.sidebar.number_input(key=RATE_KEY).set_value(0.9).run()
    assert not at.exception
    assert not at.error
    metrics = _metrics(at)
    # Won: 1000 EUR + 500 USD x 0.9 = 1,450 EUR over 2 won deals = 725 EUR.
    assert metrics["Won value"] == "1,450 EUR"
    assert metrics["Average deal size"] == "725 EUR"
    assert metrics["Close rate"] == "50.0 %"
    assert _texts_with(at, NOTE) == []
    assert _texts_with(at, POINTER) == []
    assert "Won value" in _chart_titles(at)
    table = at.dataframe[0].value
    won = dict(zip(table["owner"], table["won_value"], strict=True))
    # Ana: deal 1, 1000 EUR; Ben: deal 2, 500 USD x 0.9 = 450 EUR.
    assert won == {"Ana": 1000.0, "Ben": 450.0}


def _marketing_workspace(root) -> AppTest:
    _workspace_with(
        root, ("orders", ORDERS), ("spend", SPEND), ("email_events", EMAIL_EVENTS)
    )
    # The period runs from 2025-01-01 to the last order, 2025-03-01.
    at = _open("pages/marketing.py", "this_year")
    at.sidebar.number_input(key="marketing_lifespan").set_value(2.0).run()
    assert not at.exception
    return at


def test_marketing_without_rate_shows_counts(fresh_workspace):
    at = _marketing_workspace(fresh_workspace)
    assert not at.error
    metrics = _metrics(at)
    # On the list at 2025-01-01: a, b, c and d. Since then e and f joined
    # and a left: (2 - 1) / 4 = 25 %.
    assert metrics["Email-list growth"] == "25.0 %"
    assert metrics["Customer lifetime value"] == "Not available"
    assert metrics["Customer acquisition cost"] == "Not available"
    assert metrics["ARR"] == "Not available"
    note = _rate_note(at)
    assert "under Currencies in the sidebar" in note
    captions = [caption.value for caption in at.caption]
    # The CLV and CAC cards point to the note; ARR needs a subscriptions
    # table.
    assert captions.count(POINTER) == 2
    infos = [info.value for info in at.info]
    # Revenue by campaign and the cost per channel give way to the pointer,
    # each saying what is not shown.
    assert f"Revenue by campaign is not shown. {POINTER}" in infos
    assert POINTER not in infos
    assert f"The cost per channel is not shown. {POINTER}" in infos
    titles = _chart_titles(at)
    assert "List growth" in titles
    assert "CAC by channel" not in titles
    assert "Revenue" not in titles
    # New customers per channel stay: c1 and c3 first ordered via Ads, c2
    # via Email.
    [table] = [t.value for t in at.dataframe if "new_customers" in t.value.columns]
    assert list(table.columns) == ["channel", "new_customers"]
    counts = dict(zip(table["channel"], table["new_customers"], strict=True))
    assert counts == {"Ads": 2, "Email": 1}


def test_marketing_with_rate_converts(fresh_workspace):
    at = _marketing_workspace(fresh_workspace)
    at.sidebar.number_input(key=RATE_KEY).set_value(0.9).run()
    assert not at.exception
    assert not at.error
    metrics = _metrics(at)
    # Revenue: 100 + 200 x 0.9 + 50 + 300 x 0.9 = 600 EUR in 4 orders of 3
    # customers in under a year: 150 per order x 4/3 orders a year x 2
    # years = 400 EUR.
    assert metrics["Customer lifetime value"] == "400 EUR"
    # Spend: 100 + 200 x 0.9 = 280 EUR for 3 new customers = 93.33 EUR.
    assert metrics["Customer acquisition cost"] == "93.33 EUR"
    assert metrics["Email-list growth"] == "25.0 %"
    captions = " ".join(caption.value for caption in at.caption)
    # CLV : CAC = 400 / 93.33 = 4.29.
    assert "CLV : CAC = 4.3." in captions
    assert _texts_with(at, NOTE) == []
    [campaigns] = [t.value for t in at.dataframe if "campaign" in t.value.columns]
    revenue = dict(zip(campaigns["campaign"], campaigns["revenue"], strict=True))
    # Spring: 100 + 200 x 0.9 = 280; Autumn: 50 + 300 x 0.9 = 320.
    assert revenue == {"Autumn": 320.0, "Spring": 280.0}
    roi = dict(zip(campaigns["campaign"], campaigns["roi_percent"], strict=True))
    # Spring: (280 - 100) / 100; Autumn: (320 - 180) / 180.
    assert round(roi["Spring"], 2) == 180.0
    assert round(roi["Autumn"], 2) == 77.78


def test_rare_currency_line_named(fresh_workspace):
    deals = b"""\
Deal ID,Deal Stage,Amount,Currency,Create Date,Close Date
1,Closed won,1000,EUR,2025-01-02,2025-01-10
2,Closed won,500,EUR,2025-01-03,2025-01-12
3,Closed won,700,USD,2025-01-04,2025-01-15
4,Closed lost,200,EUR,2025-01-05,2025-01-16
"""
    _workspace_with(fresh_workspace, ("deals", deals))
    at = _open("pages/sales.py", "all")
    # One USD amount among three in EUR, on file line 4, is likely a typo,
    # so the note that requests the rate also names its line, once.
    note = _rate_note(at)
    assert "1 of 4 amounts in 'Amount' is in USD, on line 4" in note
    captions = [caption.value for caption in at.caption]
    # The won value and average deal size cards point to the note.
    assert captions.count(POINTER) == 2


# An MRR export: a monthly charge and its currency, no amount column.
MRR = b"""\
Customer ID,Start date,End date,MRR,Currency
M1,2024-11-01,,100,USD
M2,2024-11-01,2025-01-10,50,EUR
M3,2024-12-01,,80,EUR
M4,2025-03-01,,80,EUR
"""


def test_marketing_mrr_export_asks_for_rate(fresh_workspace):
    _workspace_with(fresh_workspace, ("subscriptions", MRR))
    at = _open("pages/marketing.py", "all")
    assert _metrics(at)["ARR"] == "Not available"
    _rate_note(at)
    captions = " ".join(caption.value for caption in at.caption)
    assert "no currency column" not in captions

    at.sidebar.number_input(key=RATE_KEY).set_value(0.9).run()
    assert not at.exception
    # Running on 2025-03-01, the last day of the data: M1 at 100 x 0.9 = 90,
    # M3 and M4 at 80 each, so MRR 250 EUR and ARR 3,000 EUR.
    assert _metrics(at)["ARR"] == "3,000 EUR"
