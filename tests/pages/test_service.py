import csv
from datetime import datetime

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

TICKETS = "ravenstack-saas/ravenstack_support_tickets.csv"
REVIEWS = "needful-things-ecommerce/reviews.csv"


def _import(at: AppTest, path) -> None:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [(path.name, path.read_bytes(), "text/csv")]
    )
    at.run()
    [button] = [b for b in at.button if b.label.startswith("Import")]
    button.click().run()
    assert at.success, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_service_page_real_tickets_and_reviews(datasets_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import(at, datasets_dir / TICKETS)
    _import(at, datasets_dir / REVIEWS)
    at.switch_page("pages/service.py").run()
    assert not at.exception

    with (datasets_dir / REVIEWS).open(encoding="utf-8") as handle:
        scores = [int(r["nps_score"]) for r in csv.DictReader(handle)]
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    metrics = _metrics(at)
    assert (
        metrics["Net Promoter Score"]
        == f"{(promoters - detractors) / len(scores) * 100:,.0f}"
    )
    assert metrics["Follow-ups per ticket"] == "Not available"
    assert len(at.get("vega_lite_chart")) >= 3


def test_service_page_calendar_variant(datasets_dir):
    with (datasets_dir / TICKETS).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    spans = [
        (
            datetime.fromisoformat(r["closed_at"])
            - datetime.fromisoformat(r["submitted_at"])
        ).total_seconds()
        / 3600
        for r in rows
        if r["closed_at"]
    ]
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import(at, datasets_dir / TICKETS)
    at.switch_page("pages/service.py").run()
    at.sidebar.radio(key="service_resolution_variant").set_value("calendar").run()
    assert not at.exception
    # Naive times are wall-clock Berlin time, so a span across a DST change
    # differs from the naive difference by an hour; the mean stays within 0.05 h.
    shown = float(_metrics(at)["Time to resolution"].removesuffix(" h"))
    assert abs(shown - sum(spans) / len(spans)) < 0.05


def test_service_page_bad_working_hours_message(datasets_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import(at, datasets_dir / TICKETS)
    at.switch_page("pages/service.py").run()
    at.sidebar.text_input(key="service_hours").input("9 to 5").run()
    assert not at.exception
    assert "09:00-17:00" in at.error[0].value


TELCO = "ibm-telco-churn/Telco-Customer-Churn.csv"


def test_service_page_telco_snapshot_caption(datasets_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import(at, datasets_dir / TELCO)
    at.switch_page("pages/service.py").run()
    assert not at.exception

    captions = [caption.value for caption in at.caption]
    [churn] = [text for text in captions if text.startswith("Snapshot")]
    assert "Annualised" not in churn
    with (datasets_dir / TELCO).open(encoding="utf-8", newline="") as handle:
        flags = [row["Churn"] for row in csv.DictReader(handle)]
    retention = flags.count("No") / len(flags) * 100
    assert f"Retention {retention:.1f} %." in churn
