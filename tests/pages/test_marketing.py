import csv

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP
from tests.pages.test_service import TELCO

ORDERS = "needful-things-ecommerce/orders.csv"
SPEND = "needful-things-ecommerce/marketing_spend.csv"


def _import(at: AppTest, path) -> None:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [(path.name, path.read_bytes(), "text/csv")]
    )
    at.run()
    [button] = [b for b in at.button if b.label.startswith("Import")]
    button.click().run()
    assert at.success, [e.value for e in at.error]


def _rows(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_marketing_page_cac_from_orders_and_spend(datasets_dir):
    orders = _rows(datasets_dir / ORDERS)
    spend = _rows(datasets_dir / SPEND)
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import(at, datasets_dir / ORDERS)
    _import(at, datasets_dir / SPEND)
    at.switch_page("pages/marketing.py").run()
    assert not at.exception

    # Over all data every customer is new once: spend / distinct customers,
    # below 100 EUR, so the card keeps the cents.
    customers = {row["customer_key"] for row in orders}
    total_spend = sum(float(row["spend"]) for row in spend)
    shown = {metric.label: metric.value for metric in at.metric}
    assert (
        shown["Customer acquisition cost"] == f"{total_spend / len(customers):,.2f} EUR"
    )
    assert shown["ARR"] == "Not available"
    assert len(at.get("vega_lite_chart")) >= 3


SUBSCRIPTIONS = "ravenstack-saas/ravenstack_subscriptions.csv"


def test_marketing_page_no_channel_cac_sentence(datasets_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import(at, datasets_dir / SUBSCRIPTIONS)
    _import(at, datasets_dir / SPEND)
    at.switch_page("pages/marketing.py").run()
    assert not at.exception

    # Subscriptions carry no channel, so no channel has spend and customers.
    infos = [info.value for info in at.info]
    assert any(text.startswith("No channel has both") for text in infos)
    titles = [str(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    assert not any("CAC by channel" in spec for spec in titles)


def test_marketing_variants_switch_on_sample_data():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    at.sidebar.selectbox(key="period").set_value("last_12_months").run()
    before = {metric.label: metric.value for metric in at.metric}
    at.sidebar.radio(key="marketing_clv_variant").set_value("subscription").run()
    at.sidebar.radio(key="marketing_growth_variant").set_value("unsubscribes_only")
    at.run()
    assert not at.exception
    after = {metric.label: metric.value for metric in at.metric}
    # Both variants use other inputs, so on the sample data both values move;
    # without cleaned addresses as removals the list grows faster.
    assert after["Customer lifetime value"] != before["Customer lifetime value"]
    growth = [float(v["Email-list growth"].removesuffix(" %")) for v in (before, after)]
    assert growth[1] > growth[0]


def test_snapshot_arr_labelled_on_card(datasets_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import(at, datasets_dir / TELCO)
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    captions = [caption.value for caption in at.caption]
    assert (
        "Snapshot of a customer list without dates: the same for every period."
        in captions
    )
