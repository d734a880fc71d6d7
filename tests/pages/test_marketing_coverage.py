"""The Marketing page warns under the cards when the spend and the new
customers of the CAC cover different months."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

# Spend on the first of January to June, one order a month all year.
SPEND = "spent_at,channel,amount\n" + "".join(
    f"2021-{month:02d}-01,Ads,100.00\n" for month in range(1, 7)
)
ORDERS = "order_id,customer_id,ordered_at,channel,amount\n" + "".join(
    f"o{month},c{month},2021-{month:02d}-15,Ads,40.00\n" for month in range(1, 13)
)
WHOLE_YEAR_SPEND = "spent_at,channel,amount\n" + "".join(
    f"2021-{month:02d}-01,Ads,100.00\n" for month in range(1, 13)
)


def _marketing(tmp_path, workspace, spend: str) -> AppTest:
    _store_only(
        tmp_path,
        workspace,
        {"spend.csv": (spend, "spend"), "orders.csv": (ORDERS, "orders")},
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    return at


def test_marketing_card_warns_half_year_spend(tmp_path, fresh_workspace):
    at = _marketing(tmp_path, fresh_workspace, SPEND)
    metrics = {metric.label: metric.value for metric in at.metric}
    # 6 x 100 spend / 12 new customers = 50 EUR, kept as the value.
    assert metrics["Customer acquisition cost"] == "50.00 EUR"
    warnings = [warning.value for warning in at.warning]
    assert (
        "Customer acquisition cost: Spend is recorded 2021-01-01 to 2021-06-30, "
        "new customers 2021-01-15 to 2021-12-15. 6 of the 12 new customers "
        "(50 %) were acquired in months without recorded spend, so the CAC "
        "reads lower than it is. Upload the missing spend or pick a period "
        "both cover." in warnings
    )
    captions = [caption.value for caption in at.caption]
    assert any("cost per channel is off too" in text for text in captions)


def test_marketing_card_no_warning_whole_year(tmp_path, fresh_workspace):
    at = _marketing(tmp_path, fresh_workspace, WHOLE_YEAR_SPEND)
    metrics = {metric.label: metric.value for metric in at.metric}
    # 12 x 100 spend / 12 new customers = 100 EUR; from 100 up the card
    # drops the cents.
    assert metrics["Customer acquisition cost"] == "100 EUR"
    assert not any("Spend is recorded" in warning.value for warning in at.warning)
    captions = [caption.value for caption in at.caption]
    assert not any("cost per channel is off too" in text for text in captions)
