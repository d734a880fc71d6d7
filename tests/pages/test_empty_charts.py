"""A chart with nothing to draw is replaced by a sentence saying why."""

from __future__ import annotations

import json

import polars as pl
from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# No column maps to closed_at: "Deal date" is no close-date header.
DEALS_WITHOUT_CLOSE = (
    b"Deal ID,Stage,Created,Deal date,Amount,Owner\n"
    b"D1,Won,2025-01-10,2025-02-01,1000,Anna\n"
    b"D2,Won,2025-01-12,2025-02-03,240,Anna\n"
    b"D3,Lost,2025-01-20,2025-02-10,500,Ben\n"
    b"D4,Open,2025-02-01,,,Ben\n"
)
DEALS_WITH_CLOSE = DEALS_WITHOUT_CLOSE.replace(b"Deal date", b"Close date")


def _only_tables(at: AppTest, folder, files: dict[str, tuple[bytes, str]]) -> None:
    """Replace the sample data of the workspace by ``files`` (name to content
    and table type) and rerun the page."""
    store = Workspace(folder)
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
    at.run()


def _chart_titles(at: AppTest) -> list[str]:
    titles = []
    for chart in at.get("vega_lite_chart"):
        title = json.loads(chart.proto.spec).get("title", "")
        titles.append(title["text"] if isinstance(title, dict) else title)
    return titles


def _chart_rows(at: AppTest, title: str) -> list[dict]:
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if spec.get("title") == title:
            # Streamlit sends the chart data apart from the spec, as Arrow.
            [dataset] = chart.proto.datasets
            return pl.read_ipc_stream(dataset.data.data).to_dicts()
    raise AssertionError(f"no chart titled {title!r}")


def test_sales_without_close_dates_explains(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _only_tables(at, fresh_workspace, {"deals.csv": (DEALS_WITHOUT_CLOSE, "deals")})
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    # All data counts the won deals without a close date: 1000 + 240.
    assert {m.label: m.value for m in at.metric}["Won value"] == "1,240 EUR"
    infos = [info.value for info in at.info]
    for title, label in [
        ("Won value by close date", "won value"),
        ("Average deal size", "average deal size"),
        ("Sales cycle of won deals", "sales cycle"),
    ]:
        expected = (
            f"{title} is not shown. No won deal has a close date, so the "
            f"{label} cannot be placed by close date."
        )
        assert any(info.startswith(expected) for info in infos), title
    titles = _chart_titles(at)
    assert "Won value by close date" not in titles
    assert "Sales cycle of won deals" not in titles
    # The close rate needs only creation dates, so its chart stays, with a
    # note on the missing win rate.
    assert "Close rate and win rate" in titles
    captions = [caption.value for caption in at.caption]
    assert any(c.startswith("No won or lost deal has a close date") for c in captions)


def test_sales_with_close_dates_draws_all(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _only_tables(at, fresh_workspace, {"deals.csv": (DEALS_WITH_CLOSE, "deals")})
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    titles = _chart_titles(at)
    for title in ("Won value by close date", "Sales cycle of won deals"):
        assert title in titles
    assert not [i.value for i in at.info if "is not shown" in i.value]


def test_marketing_roi_of_unattributed_revenue(fresh_workspace):
    # The won deals have no campaign, so their revenue is unattributed and
    # names no campaign of the spend: whether Google earned anything is
    # unknown, so no ROI (-100 %) is shown.
    spend = b"Date,Channel,Amount,Currency\n2025-02-01,Google,100,EUR\n"
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    _only_tables(
        at,
        fresh_workspace,
        {"deals.csv": (DEALS_WITH_CLOSE, "deals"), "spend.csv": (spend, "spend")},
    )
    assert not at.exception
    assert "Return on campaign cost" not in _chart_titles(at)
    assert any(
        info.value.startswith(
            "Return on campaign cost is not shown: no channel of the spend "
            "(“Google”) is a campaign of the revenue (none)"
        )
        for info in at.info
    )


def test_marketing_roi_without_cost_explains(fresh_workspace):
    spend = b"Date,Channel,Amount,Currency\n2025-02-01,Google,0,EUR\n"
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    _only_tables(
        at,
        fresh_workspace,
        {"deals.csv": (DEALS_WITH_CLOSE, "deals"), "spend.csv": (spend, "spend")},
    )
    assert not at.exception
    assert "Return on campaign cost" not in _chart_titles(at)
    assert any(
        info.value.startswith("Return on campaign cost is not shown.")
        for info in at.info
    )


def test_service_empty_churn_and_resolution_explain(fresh_workspace):
    # Both customers start in March, so no month starts with an active
    # customer; no ticket has a solve time.
    subscriptions = (
        b"Customer ID,Start date,End date,MRR\nc1,2025-03-05,,10\nc2,2025-03-10,,20\n"
    )
    tickets = b"Ticket ID,Created at,Status\nT1,2025-03-06 10:00,open\n"
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/service.py").run()
    _only_tables(
        at,
        fresh_workspace,
        {
            "subscriptions.csv": (subscriptions, "subscriptions"),
            "tickets.csv": (tickets, "tickets"),
        },
    )
    assert not at.exception
    infos = [info.value for info in at.info]
    assert any(i.startswith("Churn by month is not shown.") for i in infos)
    assert any(i.startswith("Time to resolution is not shown.") for i in infos)
    assert _chart_titles(at) == []


def test_compare_chart_ticks_months():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    at.sidebar.number_input(key="compare_months").set_value(1).run()
    assert not at.exception
    [chart] = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    x = spec["layer"][0]["encoding"]["x"]
    assert "by month" in spec["layer"][0]["title"]
    assert x["axis"]["format"] == "%b %Y"
    # Every tick is the first day of a month.
    assert {tick["date"] for tick in x["axis"]["values"]} == {1}


def test_marketing_arr_of_customer_list_explains(fresh_workspace):
    # A customer list without start dates has no ARR bridge to draw.
    customers = b"customerID,MonthlyCharges,Churn\nc1,10,No\nc2,20,Yes\n"
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    _only_tables(at, fresh_workspace, {"customers.csv": (customers, "subscriptions")})
    assert not at.exception
    assert "ARR bridge" not in _chart_titles(at)
    assert any(
        info.value.startswith("The ARR bridge is not shown.") for info in at.info
    )
