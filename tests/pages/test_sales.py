import csv
import itertools
import json
import statistics
from collections import defaultdict
from datetime import datetime

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from pages.ui.workspace_access import SAMPLE_FILES
from tests.conftest import PROJECT
from tests.pages.conftest import APP

SAMPLE_DEALS = PROJECT / "sample_data" / "deals.csv"


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_sales_page_sample_data_renders():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    metrics = _metrics(at)
    assert set(metrics) == {
        "Close rate",
        "Win rate",
        "Average deal size",
        "Won value",
        "Sales cycle (mean)",
        "Upsell rate",
    }
    assert "Not available" not in metrics.values()
    assert len(at.get("vega_lite_chart")) >= 6


def test_sales_page_sample_figures_match_csv():
    # Count the sample file by a separate route: the csv module.
    with SAMPLE_DEALS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    won = [r for r in rows if r["Deal Stage"] == "Closed won"]
    lost = [r for r in rows if r["Deal Stage"] == "Closed lost"]
    at = AppTest.from_file(APP, default_timeout=60).run()
    metrics = _metrics(at)
    assert metrics["Close rate"] == f"{len(won) / len(rows) * 100:.1f} %"
    assert metrics["Win rate"] == f"{len(won) / (len(won) + len(lost)) * 100:.1f} %"
    won_value = sum(float(r["Amount"]) for r in won)
    # The card shows money from one million on in millions with one decimal.
    assert metrics["Won value"] == f"{won_value / 1_000_000:,.1f}M EUR"


def test_sales_page_period_change_keeps_charts():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.selectbox(key="period").set_value("last_quarter").run()
    assert not at.exception
    at.sidebar.segmented_control(key="grain").set_value("quarter").run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) >= 6


def test_sales_page_segment_breakdown():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.selectbox(key="segment").set_value("product").run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert sorted(table["product"].tolist()) == [
        "CRM Enterprise",
        "CRM Professional",
        "CRM Starter",
    ]


def test_segment_table_readable_headers():
    at = AppTest.from_file(APP, default_timeout=60).run()
    columns = json.loads(at.dataframe[-1].proto.columns)
    assert columns["owner"]["label"] == "Owner"
    assert columns["close_rate"]["label"] == "Close rate (%)"
    assert columns["close_rate"]["type_config"]["format"] == "%.1f"
    assert columns["won_value"]["label"] == "Won value"
    # The header of the Excel report's average deal table, without currency.
    assert columns["average_deal_size"]["label"] == "Average won deal"
    assert columns["cycle_median_days"]["label"] == "Cycle, median days"


def test_sales_page_without_deals_points_to_data(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    for _ in SAMPLE_FILES:
        at.button(key="stored:delete").click().run()
        at.button(key="stored:delete_confirm").click().run()
    at.switch_page("pages/sales.py").run()
    assert not at.exception
    assert "No deals table yet" in at.info[0].value


def test_sales_page_names_bottleneck_stage():
    # Recompute the time in each stage from the sample CSV with plain Python:
    # a visit lasts until the deal's next stage entry; revisits add up.
    history = PROJECT / "sample_data" / "stage_history.csv"
    visits: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    with history.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            moment = datetime.strptime(row["Entered at"], "%Y-%m-%d %H:%M")
            visits[row["Record ID"]].append((moment, row["Stage"]))
    days: dict[str, list[float]] = defaultdict(list)
    for entries in visits.values():
        entries.sort()
        per_stage: dict[str, float] = defaultdict(float)
        for (entered, stage), (left, _) in itertools.pairwise(entries):
            per_stage[stage] += (left - entered).total_seconds() / 86400
        for stage, total in per_stage.items():
            days[stage].append(total)
    medians = {stage: statistics.median(values) for stage, values in days.items()}
    bottleneck = max(medians, key=medians.__getitem__)

    at = AppTest.from_file(APP, default_timeout=60).run()
    captions = " ".join(c.value for c in at.caption)
    assert f"longest median, is {bottleneck}." in captions


def test_sales_page_compares_previous_period():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.selectbox(key="period").set_value("last_quarter").run()
    at.sidebar.selectbox(key="compare_with").set_value("previous").run()
    assert not at.exception
    win_rate = next(m for m in at.metric if m.label == "Win rate")
    assert win_rate.delta.endswith(" pp")
    assert any("Changes are against" in c.value for c in at.caption)


def test_sales_page_variant_switch():
    at = AppTest.from_file(APP, default_timeout=60).run()
    win_rate = next(m for m in at.metric if m.label == "Win rate").value
    at.sidebar.radio(key="sales_close_rate_variant").set_value("closed").run()
    assert not at.exception
    # The closed variant of the close rate is the win rate.
    assert next(m for m in at.metric if m.label == "Close rate").value == win_rate


def test_sales_page_offers_rows_behind_each_kpi():
    at = AppTest.from_file(APP, default_timeout=60).run()
    keys = {button.key for button in at.get("download_button")}
    assert {"rows:close_rate", "rows:win_rate", "rows:sales_cycle_days"} <= keys


def test_sales_page_offers_chart_images():
    at = AppTest.from_file(APP, default_timeout=60).run()
    [button] = [b for b in at.get("download_button") if b.key == "charts_zip"]
    assert button.proto.label == (
        f"Download the {len(at.get('vega_lite_chart'))} charts (SVG and PNG, zip)"
    )


MIXED_CURRENCY_DEALS = b"""\
Deal ID,Deal Name,Deal Stage,Amount,Currency,Create Date,Close Date
1,Alpha,Closed won,1000,EUR,2025-01-02,2025-01-10
2,Beta,Closed won,500,USD,2025-01-03,2025-01-12
3,Gamma,Closed lost,200,EUR,2025-01-04,2025-01-15
"""


def test_sales_page_converts_currencies_with_sidebar_rate(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    prepared = load_file("mixed.csv", MIXED_CURRENCY_DEALS, table="deals")
    Workspace(fresh_workspace).save(
        prepared.frame,
        name="Mixed currencies",
        table_type="deals",
        source_file="mixed.csv",
        mapping=prepared.mapping,
    )
    at.run()
    at.sidebar.selectbox(key="table_deals").set_value(
        Workspace(fresh_workspace).list_tables("deals")[0].id
    ).run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    # Without a rate the money KPIs cannot add EUR and USD, so the page
    # names the rate once; 2 won of 3 won or lost still gives the win rate.
    assert not at.error
    assert _metrics(at)["Won value"] == "Not available"
    notes = [warning.value for warning in at.warning if "1 USD in EUR" in warning.value]
    assert len(notes) == 1
    assert not any("1 USD in EUR" in caption.value for caption in at.caption)
    assert _metrics(at)["Win rate"] == "66.7 %"
    assert at.sidebar.selectbox(key="currency").value == "EUR"

    at.sidebar.number_input(key="fx_USD_EUR").set_value(0.9).run()
    assert not at.exception
    metrics = _metrics(at)
    # Won: 1000 EUR + 500 USD x 0.9 = 1450 EUR over 2 won deals.
    assert metrics["Won value"] == "1,450 EUR"
    assert metrics["Average deal size"] == "725 EUR"
    assert metrics["Win rate"] == "66.7 %"


def test_sales_caption_follows_close_rate_variant():
    at = AppTest.from_file(APP, default_timeout=60).run()
    captions = " ".join(caption.value for caption in at.main.caption)
    assert "Close rate: deals won out of the deals created in the period." in captions
    at.sidebar.radio(key="sales_close_rate_variant").set_value("closed").run()
    assert not at.exception
    captions = " ".join(caption.value for caption in at.main.caption)
    assert (
        "Close rate: deals won out of the deals won or lost in the period." in captions
    )
