"""The Service page's churn card and chart under both churn variants, for a
customer list without dates and for dated subscriptions."""

import csv

import pyarrow as pa
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

# 4 customers, 2 churned. Customers lost: 2 / 4 = 50.0 %. Revenue lost:
# (30.00 + 20.00) / (30.00 + 50.00 + 20.00 + 100.00) = 50 / 200 = 25.0 %.
CUSTOMER_LIST = (
    "customerID,Churn,MonthlyCharges\n"
    "a,Yes,30.00\n"
    "b,No,50.00\n"
    "c,Yes,20.00\n"
    "d,No,100.00\n"
)
TELCO = "ibm-telco-churn/Telco-Customer-Churn.csv"


def _import(at: AppTest, path) -> None:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [(path.name, path.read_bytes(), "text/csv")]
    )
    at.run()
    [button] = [b for b in at.button if b.label.startswith("Import")]
    button.click().run()
    assert at.success, [e.value for e in at.error]


def _service_page(path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import(at, path)
    at.switch_page("pages/service.py").run()
    assert not at.exception
    return at


def _churn_card(at: AppTest) -> str:
    [value] = [metric.value for metric in at.metric if metric.label == "Churn rate"]
    return value


def _captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.caption]


def test_snapshot_customers_variant(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMER_LIST, encoding="utf-8")
    at = _service_page(path)

    assert _churn_card(at) == "50.0 %"
    captions = _captions(at)
    assert (
        "Customers, snapshot: a customer list without dates gives the same "
        "figure for every period."
    ) in captions
    assert (
        "Snapshot of a customer list without dates: churned customers / all "
        "customers in the list. Retention 50.0 %."
    ) in captions


def test_snapshot_revenue_variant(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMER_LIST, encoding="utf-8")
    at = _service_page(path)
    at.sidebar.radio(key="service_churn_variant").set_value("revenue").run()
    assert not at.exception

    assert _churn_card(at) == "25.0 %"
    captions = _captions(at)
    assert (
        "Revenue, snapshot: a customer list without dates gives the same "
        "figure for every period."
    ) in captions
    assert (
        "Snapshot of a customer list without dates: monthly charges flagged "
        "churned / all monthly charges in the list. Retention 75.0 %."
    ) in captions
    texts = [text.value for text in at.text]
    assert (
        "50.00 EUR monthly charges flagged churned / 200.00 EUR monthly charges "
        "in the list x 100 = 25.0 %"
    ) in texts


def test_snapshot_churn_chart_explained(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMER_LIST, encoding="utf-8")
    at = _service_page(path)
    expected = (
        "Churn by month is not shown. The customer list has no dates, so there "
        "is one figure for the whole list and no churn over time. Map a start "
        "date column on the Data page to see it."
    )
    assert expected in [info.value for info in at.info]

    at.sidebar.radio(key="service_churn_variant").set_value("revenue").run()
    assert expected in [info.value for info in at.info]


def test_snapshot_revenue_from_url(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMER_LIST, encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import(at, path)
    at.query_params["service_churn_variant"] = "recurring revenue lost"
    at.switch_page("pages/service.py").run()
    assert not at.exception

    assert _churn_card(at) == "25.0 %"


def test_telco_revenue_variant(datasets_dir):
    with (datasets_dir / TELCO).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = sum(float(row["MonthlyCharges"]) for row in rows)
    lost = sum(float(row["MonthlyCharges"]) for row in rows if row["Churn"] == "Yes")
    # 139,130.85 / 456,116.60 x 100 = 30.50 %.
    assert round(lost, 2) == 139130.85
    assert round(total, 2) == 456116.60

    at = _service_page(datasets_dir / TELCO)
    assert _churn_card(at) == "26.5 %"
    at.sidebar.radio(key="service_churn_variant").set_value("revenue").run()
    assert not at.exception

    assert _churn_card(at) == f"{lost / total * 100:.1f} %"
    assert _churn_card(at) == "30.5 %"
    texts = [text.value for text in at.text]
    assert (
        "139,130.85 EUR monthly charges flagged churned / 456,116.60 EUR monthly "
        "charges in the list x 100 = 30.5 %"
    ) in texts


# K1 pays 100.00 a month from June 2024, K2 50.00 a month until 1 February
# 2025 and K3 1,200.00 a year (100.00 a month) from 10 February 2025.
DATED = (
    "id,Customer ID,Status,Start Date (UTC),Ended At (UTC),Amount,Currency,Interval\n"
    "s1,K1,active,2024-06-01 00:00,,100.00,EUR,month\n"
    "s2,K2,canceled,2024-07-01 00:00,2025-02-01 00:00,50.00,EUR,month\n"
    "s3,K3,active,2025-02-10 00:00,,1200.00,EUR,year\n"
)


def _chart_rows(at: AppTest) -> dict[str, list]:
    [chart] = at.get("vega_lite_chart")
    [dataset] = chart.proto.datasets
    return pa.ipc.open_stream(dataset.data.data).read_all().to_pydict()


def test_dated_chart_follows_variant(tmp_path):
    path = tmp_path / "subs.csv"
    path.write_text(DATED, encoding="utf-8")
    at = _service_page(path)
    customers = _chart_rows(at)
    # February starts with K1 and K2 and loses K2: 1 / 2 = 50.0 %.
    assert set(customers["measure"]) == {"Churn rate"}
    assert customers["value_text"][-1] == "50.0"

    at.sidebar.radio(key="service_churn_variant").set_value("revenue").run()
    assert not at.exception
    revenue = _chart_rows(at)
    # February starts with 100.00 + 50.00 and loses K2's 50.00:
    # 50 / 150 = 33.3 %.
    assert set(revenue["measure"]) == {"Revenue churn rate"}
    assert revenue["value_text"][-1] == "33.3"
