"""What if page: written-out formulas, the won-deals choice and the
sensitivity start, with small deals and subscriptions tables."""

import polars as pl
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# 24 deals created in 2025, two a month. The 6 created on the 1st of
# January, March, May, July, August and October are won on the 31st, 30 days
# later, at 1,000 each, so the close rate is 6 / 24 = 25 %. The open deal of
# 5 January 2026 puts the baseline at 2025, the last 12 full months.
DEALS = b"""\
Deal ID,Deal Stage,Amount,Create Date,Close Date
w1,Closed won,1000,2025-01-01,2025-01-31
l1b,Closed lost,1000,2025-01-15,2025-01-16
l2a,Closed lost,1000,2025-02-01,2025-02-02
l2b,Closed lost,1000,2025-02-15,2025-02-16
w3,Closed won,1000,2025-03-01,2025-03-31
l3b,Closed lost,1000,2025-03-15,2025-03-16
l4a,Closed lost,1000,2025-04-01,2025-04-02
l4b,Closed lost,1000,2025-04-15,2025-04-16
w5,Closed won,1000,2025-05-01,2025-05-31
l5b,Closed lost,1000,2025-05-15,2025-05-16
l6a,Closed lost,1000,2025-06-01,2025-06-02
l6b,Closed lost,1000,2025-06-15,2025-06-16
w7,Closed won,1000,2025-07-01,2025-07-31
l7b,Closed lost,1000,2025-07-15,2025-07-16
w8,Closed won,1000,2025-08-01,2025-08-31
l8b,Closed lost,1000,2025-08-15,2025-08-16
l9a,Closed lost,1000,2025-09-01,2025-09-02
l9b,Closed lost,1000,2025-09-15,2025-09-16
w10,Closed won,1000,2025-10-01,2025-10-31
l10b,Closed lost,1000,2025-10-15,2025-10-16
l11a,Closed lost,1000,2025-11-01,2025-11-02
l11b,Closed lost,1000,2025-11-15,2025-11-16
l12a,Closed lost,1000,2025-12-01,2025-12-02
l12b,Closed lost,1000,2025-12-15,2025-12-16
open,Qualified,,2026-01-05,
"""
# a, b and c pay 100 a month since 2024, and a leaves on 1 July 2025; d
# starts paying on 1 March 2025.
SUBSCRIPTIONS = b"""\
Customer ID,Start Date (UTC),Ended At (UTC),Amount,Currency,Interval
a,2024-01-01,2025-07-01,100,EUR,month
b,2024-01-01,,100,EUR,month
c,2024-01-01,,100,EUR,month
d,2025-03-01,,100,EUR,month
"""


def _open_with(fresh_workspace, files: dict[str, tuple[bytes, str]]) -> AppTest:
    """Replace the sample data by ``files`` (name to content and table type)
    and open the What if page."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    store = Workspace(fresh_workspace)
    for entry in store.list_tables():
        store.delete(entry.id)
    for name, (data, table) in files.items():
        prepared = load_file(name, data, table=table)
        store.save(
            prepared.frame,
            name=name,
            table_type=table,
            source_file=name,
            mapping=prepared.mapping,
        )
    at.switch_page("pages/whatif.py").run()
    assert not at.exception
    return at


def _texts(at: AppTest) -> list[str]:
    return [text.value for text in at.text]


def _apply(at: AppTest) -> None:
    next(button for button in at.button if button.label == "Apply").click().run()
    assert not at.exception


def _tables() -> dict[str, tuple[bytes, str]]:
    return {
        "deals.csv": (DEALS, "deals"),
        "subs.csv": (SUBSCRIPTIONS, "subscriptions"),
    }


def test_whatif_formulas_name_sources(fresh_workspace):
    at = _open_with(fresh_workspace, _tables())
    texts = _texts(at)
    # 24 / (365 / 30.4375) = 730.5 / 365 = 2.0014 leads a month.
    assert (
        "Leads per month: 2.00, from the deals table “deals.csv”: 24 deals "
        "created in 2025-01-01 to 2025-12-31 / (365 days / 30.4375 days a "
        "month) = 2.00 a month"
    ) in texts
    # The subscriptions' last date is a's end on 2025-07-01, so their window
    # is the 12 full months to June 2025. Only d started paying in it:
    # 1 / (365 / 30.4375) = 0.0834 a month.
    assert (
        "New subscribers per month: 0.08, from the subscriptions table "
        "“subs.csv”: 1 customer whose first paid subscription started in "
        "2024-07-01 to 2025-06-30 / (365 days / 30.4375 days a month) = "
        "0.08 a month"
    ) in texts


def test_whatif_formula_won_revenue(fresh_workspace):
    at = _open_with(fresh_workspace, _tables())
    # Won deals a month: 2.0014 x 25 % = 0.5003. Every cycle is 30 days, so
    # 12 - 30 / 30.4375 = 11.0144 selling months.
    # 0.5003425 x 11.0143737 x 1,000 = 5,510.96, so 5,511. Each step is
    # written with the decimals that make it check: 2.001 x 0.25 = 0.50025
    # (0.5003), 12 - 30 / 30.4375 = 11.01437 (11.0144) and 0.5003 x 11.0144
    # x 1,000 = 5,510.50 (5,511), where 0.50 x 11.01 x 1,000 gives 5,505.
    assert (
        "won deals a month = 2.001 leads a month x 25.00 % close rate "
        "= 0.5003\n"
        "selling months = 12 - 30.00 days sales cycle / 30.4375 days a month "
        "= 11.0144\n"
        "won revenue = 0.5003 won deals a month x 11.0144 selling months x "
        "1,000.00 EUR deal size = 5,511 EUR"
    ) in _texts(at)
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Won revenue in 12 months"] == "5,511 EUR"


def test_whatif_won_deals_stay_apart_by_default(fresh_workspace):
    at = _open_with(fresh_workspace, _tables())
    assert at.toggle(key="whatif_deals_are_subscribers").value is False
    arr = [text for text in _texts(at) if text.startswith("customers kept")]
    # New subscribers: 1 started in 2025, so 0.0834 a month. The churn rate
    # is 0 %, so all stay: S = 12 and 0.0834 x 12 = 1.0008, written 1.001 as
    # the ARR line uses it.
    assert arr[0].splitlines()[2] == (
        "new subscribers kept = 0.0834 a month x 12.00 = 1.001; won deals are "
        "not counted as subscribers"
    )
    assert any("not from the won deals" in caption.value for caption in at.caption)


def test_whatif_won_deals_become_subscribers(fresh_workspace):
    at = _open_with(fresh_workspace, _tables())
    before = _arr(at)
    at.toggle(key="whatif_deals_are_subscribers").set_value(True)
    _apply(at)
    arr = [text for text in _texts(at) if text.startswith("customers kept")]
    # At 0 % churn S is the 11.0144 selling months, and 0.5003 won deals a
    # month x 11.0144 = 5.5105, written 5.511 as the ARR line uses it;
    # 0.50 x 11.01 = 5.505 would not check.
    assert arr[0].splitlines()[4] == (
        "new subscribers kept = 0.5003 won deals a month x 11.0144 = 5.511, "
        "because won deals become subscribers"
    )
    # ARPA is 100 (b, c and d pay 100 on 31 December), so ARR grows by
    # (5.5110 - 1.0007) x 100 x 12 = 5,412.33; the cards round to whole
    # units, hence the tolerance of 1.
    assert abs(_arr(at) - before - 5412.33) <= 1


def test_whatif_telco_list_needs_new_subscribers(fresh_workspace):
    telco = b"customerID,MonthlyCharges,Churn\nc1,10,No\nc2,20,Yes\nc3,30,No\n"
    files = {**_tables(), "subs.csv": (telco, "subscriptions")}
    at = _open_with(fresh_workspace, files)
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["ARR in 12 months"] == "–"
    assert (
        "New subscribers per month: missing, not in the subscriptions table "
        "“subs.csv”: the subscriptions are a list without dates, so their "
        "starts are unknown"
    ) in _texts(at)

    at.number_input(key="whatif_base_churn_rate").set_value(20.0)
    at.number_input(key="whatif_base_new_subscribers_per_month").set_value(1.0)
    _apply(at)
    # c1 and c3 pay 10 and 30, so ARPA is 20. 20 % a year is
    # m = 1 - 0.8^(1/12) = 1.8423 % a month, and the new subscriber of month
    # k keeps 0.981577^(13 - k): S = 0.981577 x 0.2 / 0.018423 = 10.6557.
    # (2 x 0.8 + 1 x 10.6557) x 20 x 12 = 12.2557 x 240 = 2,941.4.
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["ARR in 12 months"] == "2,941 EUR"
    assert (
        "Annual churn rate (%): 20.00 %, entered here; not in the subscriptions "
        "table “subs.csv”: the subscriptions are a list without dates, so their "
        "churned share (33.3 %) has no time base; enter an annual churn rate"
    ) in _texts(at)


def test_whatif_scenario_formula_shown(fresh_workspace):
    at = _open_with(fresh_workspace, _tables())
    at.slider(key="whatif_close_rate").set_value(20)
    _apply(at)
    texts = _texts(at)
    # 25 % + 20 % = 30 %; 2.0014 x 30 % = 0.60042 (0.6004) won deals a month.
    assert any(
        text.startswith(
            "Scenario:\nwon deals a month = 2.0014 leads a month x 30.00 % close "
            "rate = 0.6004\n"
        )
        for text in texts
    )
    assert any(
        text.startswith("Close rate (%): 25.00 %")
        and text.endswith("\nScenario: +20 % = 30.00 %")
        for text in texts
    )


def test_whatif_sensitivity_from_current_levers(fresh_workspace):
    at = _open_with(fresh_workspace, _tables())
    at.slider(key="whatif_close_rate").set_value(20)
    _apply(at)
    assert any(
        caption.value.startswith(
            "Each lever moved alone by 10 % up and down from the current levers"
        )
        for caption in at.caption
    )
    # The chart's rows travel as an Arrow stream beside the spec.
    [dataset] = at.get("vega_lite_chart")[0].proto.datasets
    rows = pl.from_arrow(pa.ipc.open_stream(dataset.data.data).read_all())
    leads_up = rows.filter(
        (pl.col("label") == "Leads per month") & (pl.col("change_percent") > 0)
    ).row(0, named=True)
    # From the scenario's 5,510.96 x 1.2 = 6,613.15 won revenue, 10 % more
    # leads add 661.32; from the baseline they would add 551.10.
    assert abs(leads_up["won_revenue_change"] - 661.32) < 0.01


def _arr(at: AppTest) -> float:
    metrics = {metric.label: metric.value for metric in at.metric}
    return float(metrics["ARR in 12 months"].removesuffix(" EUR").replace(",", ""))


def test_whatif_change_of_shown_figures(fresh_workspace):
    at = _open_with(fresh_workspace, _tables())
    at.slider(key="whatif_close_rate").set_value(-50)
    _apply(at)
    metrics = {metric.label: metric for metric in at.metric}
    revenue = metrics["Won revenue in 12 months"]
    # Baseline 5,510.96 shows as 5,511 and the scenario, 12.5 % close rate,
    # 2,755.48 as 2,755: 2,755 - 5,511 = -2,756, where the unrounded change
    # -2,755.48 would read -2,755.
    assert revenue.value == "2,755 EUR"
    assert revenue.delta == "-2,756 EUR"


def test_baseline_from_own_data_beside_sample(fresh_workspace):
    # The first run loads the sample data, whose subscriptions run to
    # 2026-11-30. The own deals stored beside it end with the open deal of
    # 5 January 2026, so their baseline is 2025, as without the sample. The
    # sample's dates would give 2025-12-01 to 2026-11-30.
    at = AppTest.from_file(APP, default_timeout=60).run()
    store = Workspace(fresh_workspace)
    prepared = load_file("deals.csv", DEALS, table="deals")
    store.save(
        prepared.frame,
        name="deals.csv",
        table_type="deals",
        source_file="deals.csv",
        mapping=prepared.mapping,
    )
    at.switch_page("pages/whatif.py").run()
    assert not at.exception
    captions = [caption.value for caption in at.caption]
    assert any(
        "deals 2025-01-01 to 2025-12-31 (data from 2025-01-01 to 2026-01-05)" in text
        for text in captions
    )


def test_whatif_rate_cap_stated(fresh_workspace):
    # 3 of the 4 deals created in 2025 are won: a close rate of 75 %.
    deals = (
        b"Deal ID,Deal Stage,Amount,Create Date,Close Date\n"
        b"a,Closed Won,100,2025-02-01,2025-03-01\n"
        b"b,Closed Won,100,2025-04-01,2025-05-01\n"
        b"c,Closed Won,100,2025-06-01,2025-07-01\n"
        b"d,Closed Lost,100,2025-08-01,2025-09-01\n"
        b"e,Qualified,,2026-01-05,\n"
    )
    at = _open_with(fresh_workspace, {"deals.csv": (deals, "deals")})
    at.slider(key="whatif_close_rate").set_value(50)
    _apply(at)
    # 75 % x 1.5 = 112.5 %, which the projection takes as 100 %.
    assert any(
        text.endswith(
            "\nScenario: +50 % = 100.00 % (112.50 %, but a rate stops at 100 %)"
        )
        for text in _texts(at)
    )
