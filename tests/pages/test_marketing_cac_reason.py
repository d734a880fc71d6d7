"""The CAC card names what the period lacks: spend, new customers or both."""

from tests.pages.test_period_span import _open, _store_only

ORDERS_CSV = """order_id,customer_id,order_date,amount
1,a,2025-01-10,100.00
2,b,2025-02-10,60.00
3,a,2025-07-10,50.00
"""
SPEND_CSV = """date,channel,spend
2025-01-01,Ads,90.00
2025-02-01,Ads,30.00
"""


def test_cac_card_names_missing_spend(tmp_path, fresh_workspace):
    files = {
        "orders.csv": (ORDERS_CSV, "orders"),
        "spend.csv": (SPEND_CSV, "spend"),
    }
    _store_only(tmp_path, fresh_workspace, files)
    # July 2025 has a repeat order of a, no first order and no spend. The
    # spend rows on the first of January and February cover those months.
    query = {"period": "Custom", "dates": ["2025-07-01", "2025-07-31"]}
    at = _open("pages/marketing.py", query)
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown["Customer acquisition cost"] == "Not available"
    captions = [caption.value for caption in at.caption]
    assert (
        "no marketing spend is recorded in this period (the spend rows run from "
        "2025-01-01 to 2025-02-28), and the orders table has no customer whose "
        "first order falls in this period"
    ) in captions
