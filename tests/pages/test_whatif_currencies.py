"""What if with tables in different currencies: deals and spend stored as
USD on the Data page, subscriptions stored with its default, EUR.

The page sets the subscriptions' money against the deals' and the spend's,
so it requests a rate and converts, and while the rate is missing it shows
the inputs that are not amounts of money. Every expected figure is worked
out by hand from the CSV text below.

Each table's baseline is 2024-01-01 to 2024-12-31 (366 days), the last 12
full months before its last date in January 2025, and one month is
365.25 / 12 = 30.4375 days, so a count in the baseline is a count per
366 / 30.4375 months.
"""

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.prepare import with_currency
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# Created in 2024: deals 1 to 3; won: 1 (30 days, 1000 USD) and 2 (60 days,
# 2000 USD). Deal 4 only places the baseline window.
DEALS = b"""\
Deal ID,Deal Name,Deal Stage,Amount,Create Date,Close Date
1,Alpha,Closed won,1000,2024-01-01,2024-01-31
2,Beta,Closed won,2000,2024-03-01,2024-04-30
3,Gamma,Closed lost,500,2024-05-01,2024-05-20
4,Delta,Qualified,800,2025-01-05,
"""
# On 2024-12-31 c1 (since 2023) and c2 (new in 2024) pay 100 + 200 EUR a
# month. No customer leaves. c3 starts in 2025 and only places the window.
SUBSCRIPTIONS = b"""\
Subscription ID,Customer ID,Start Date,End Date,Monthly charge
s1,c1,2023-06-01,,100
s2,c2,2024-07-01,,200
s3,c3,2025-01-10,,50
"""
# 1830 + 1830 = 3660 USD in 2024; the 2025 row only places the window.
SPEND = b"""\
Date,Campaign,Channel,Amount
2024-01-01,Spring,Ads,1830
2024-07-01,Autumn,Ads,1830
2025-01-02,Winter,Ads,999
"""


def _store(root, *tables: tuple[str, bytes, str | None]) -> None:
    """Replace the sample data by tables (type, CSV text, currency chosen on
    the Data page, or None for its default)."""
    AppTest.from_file(APP, default_timeout=60).run()
    store = Workspace(root)
    for entry in store.list_tables():
        store.delete(entry.id)
    for table_type, data, currency in tables:
        prepared = load_file(f"{table_type}.csv", data, table=table_type)
        if currency is not None:
            prepared = with_currency(prepared, currency)
        store.save(
            prepared.frame,
            name=f"{table_type} export",
            table_type=table_type,
            source_file=f"{table_type}.csv",
            mapping=prepared.mapping,
        )


def _open_whatif(root) -> AppTest:
    _store(
        root,
        ("deals", DEALS, "USD"),
        ("subscriptions", SUBSCRIPTIONS, None),
        ("spend", SPEND, "USD"),
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/whatif.py").run()
    assert not at.exception
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _figures(at: AppTest) -> dict[str, str]:
    table = at.dataframe[0].value
    return dict(zip(table["Figure"], table["Baseline"], strict=True))


def _slider_label(at: AppTest, lever: str) -> str:
    return at.slider(key=f"whatif_{lever}").label


def _captions(at: AppTest) -> str:
    return " ".join(caption.value for caption in at.caption)


def test_whatif_eur_subscriptions_ask_rate(fresh_workspace):
    at = _open_whatif(fresh_workspace)
    assert not at.error
    # The subscriptions count as EUR beside the USD deals and spend.
    assert at.sidebar.selectbox(key="currency").value == "EUR"
    assert at.sidebar.selectbox(key="currency").options == ["EUR", "USD"]
    warnings = [warning.value for warning in at.main.warning]
    assert any("Money figures need the value of 1 USD in EUR" in w for w in warnings)
    captions = _captions(at)
    assert (
        "Amounts by table: deals “deals export” in USD, subscriptions "
        "“subscriptions export” in EUR, marketing spend “spend export” in USD."
    ) in captions
    assert "'subscriptions export' has no currency column" in captions
    assert not at.slider
    assert not at.metric
    assert "Money is in" not in captions


def test_whatif_without_rate_shows_counts(fresh_workspace):
    at = _open_whatif(fresh_workspace)
    table = at.dataframe[0].value
    inputs = dict(zip(table["Input"], table["Baseline"], strict=True))
    # 3 deals created / (366 / 30.4375 months) = 0.2495 a month.
    assert inputs["Leads per month"] == "0.25"
    # 2 won of 3 created = 66.67 %.
    assert inputs["Close rate (%)"] == "66.67 %"
    # (30 + 60 days) / 2 won deals = 45 days.
    assert inputs["Sales cycle (days)"] == "45.00"
    # No customer left in 2024.
    assert inputs["Annual churn rate (%)"] == "0.00 %"
    # c1 and c2 pay on 2024-12-31.
    assert inputs["Paying customers now"] == "2"
    # c2 started in 2024: 1 / (366 / 30.4375) = 0.0832 a month.
    assert inputs["New subscribers per month"] == "0.08"
    assert set(inputs) == {
        "Leads per month",
        "Close rate (%)",
        "Sales cycle (days)",
        "Annual churn rate (%)",
        "Paying customers now",
        "New subscribers per month",
    }
    assert "appear once the rate is entered" in _captions(at)
    buttons = [button.key for button in at.get("download_button")]
    assert "excel_whatif" not in buttons


def test_whatif_converts_usd_with_rate(fresh_workspace):
    at = _open_whatif(fresh_workspace)
    at.sidebar.number_input(key="fx_USD_EUR").set_value(0.8).run()
    assert not at.exception
    assert not at.error
    assert not any("Money figures need" in w.value for w in at.main.warning)
    # (1000 + 2000 USD) / 2 won deals = 1500 USD x 0.8 = 1200 EUR.
    assert _slider_label(at, "average_deal_size") == (
        "Average deal size (baseline 1,200.0 EUR)"
    )
    # (100 + 200 EUR) / 2 paying customers = 150 EUR, not converted.
    assert _slider_label(at, "arpa") == (
        "Revenue per account per month (ARPA) (baseline 150.0 EUR)"
    )
    # 3660 USD x 0.8 = 2928 EUR / (366 / 30.4375 months) = 243.5 EUR.
    assert _slider_label(at, "monthly_spend") == (
        "Sales and marketing spend per month (baseline 243.5 EUR)"
    )

    metrics = _metrics(at)
    # Won deals a month = 0.2495 leads x 66.67 % = 2 x 30.4375 / 366; selling
    # months = 12 - 45 / 30.4375 = (365.25 - 45) / 30.4375; their product is
    # 2 x 320.25 / 366 = 1.75 won deals, x 1200 EUR = 2100 EUR.
    assert metrics["Won revenue in 12 months"] == "2,100 EUR"
    # (2 paying x (1 - 0 % churn) + 12 x 30.4375 / 366 new) x 150 EUR x 12
    # = 2.99795 x 1800 = 5396.31 EUR.
    assert metrics["ARR in 12 months"] == "5,396 EUR"

    figures = _figures(at)
    # CAC = 243.5 EUR a month / (30.4375 / 366) new a month = 2928 EUR.
    assert figures["Customer acquisition cost (CAC)"] == "2,928 EUR"
    # Payback = 2928 EUR / 150 EUR = 19.52 months.
    assert figures["CAC payback (months)"] == "19.5"
    assert "Money is in EUR." in _captions(at)


def test_whatif_report_usd_converts_eur(fresh_workspace):
    at = _open_whatif(fresh_workspace)
    at.sidebar.selectbox(key="currency").set_value("USD").run()
    assert not at.exception
    # The subscriptions' EUR now needs a rate, which is not entered yet.
    warnings = [warning.value for warning in at.main.warning]
    assert any("Money figures need the value of 1 EUR in USD" in w for w in warnings)
    assert not at.slider

    at.sidebar.number_input(key="fx_EUR_USD").set_value(1.25).run()
    assert not at.exception
    assert not at.error
    # 1500 USD, not converted.
    assert _slider_label(at, "average_deal_size") == (
        "Average deal size (baseline 1,500.0 USD)"
    )
    # 150 EUR x 1.25 = 187.5 USD.
    assert _slider_label(at, "arpa") == (
        "Revenue per account per month (ARPA) (baseline 187.5 USD)"
    )
    # 3660 USD / (366 / 30.4375 months) = 304.375 USD.
    assert _slider_label(at, "monthly_spend") == (
        "Sales and marketing spend per month (baseline 304.4 USD)"
    )

    metrics = _metrics(at)
    # 1.75 won deals x 1500 USD = 2625 USD.
    assert metrics["Won revenue in 12 months"] == "2,625 USD"
    # 2.99795 customers x 187.5 USD x 12 = 6745.39 USD.
    assert metrics["ARR in 12 months"] == "6,745 USD"

    figures = _figures(at)
    # CAC = 3660 USD spend / 1 new subscriber; payback = 3660 / 187.5 = 19.52.
    assert figures["Customer acquisition cost (CAC)"] == "3,660 USD"
    assert figures["CAC payback (months)"] == "19.5"
    assert "Money is in USD." in _captions(at)


# Deals in EUR and spend in USD; the subscriptions mix EUR and USD rows.
MIXED_SUBSCRIPTIONS = b"""\
Subscription ID,Customer ID,Start Date,End Date,Monthly charge,Currency
s1,c1,2023-06-01,,100,EUR
s2,c2,2024-07-01,,200,USD
s3,c3,2025-01-10,,50,EUR
"""


def test_whatif_mixed_subscriptions_keep_deal_counts(fresh_workspace):
    _store(
        fresh_workspace,
        ("deals", DEALS, None),
        ("subscriptions", MIXED_SUBSCRIPTIONS, None),
        ("spend", SPEND, "USD"),
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/whatif.py").run()
    assert not at.exception
    assert not at.error
    warnings = [warning.value for warning in at.main.warning]
    assert any("Money figures need the value of 1 USD in EUR" in w for w in warnings)
    table = at.dataframe[0].value
    inputs = dict(zip(table["Input"], table["Baseline"], strict=True))
    # The deals' counts need no rate, so they match the tests above.
    assert inputs["Leads per month"] == "0.25"
    assert inputs["Close rate (%)"] == "66.67 %"
    assert inputs["Sales cycle (days)"] == "45.00"
    assert inputs["Annual churn rate (%)"] == "0.00 %"
    # A paying customer is one whose MRR is above 0, which the mixed
    # subscriptions cannot give without the rate.
    assert inputs["Paying customers now"] == "missing"
    assert inputs["New subscribers per month"] == "missing"
    sources = " ".join(text.value for text in at.text)
    assert "several currencies without an exchange rate" in sources
