"""Segment charts with more than 25 segments name the segments they draw,
and the won value card of a period without wins states why it is 0."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

SALES_CAPTION = (
    "Won value shows the 25 of 30 owners with the highest values. Win rate "
    "shows the 13 highest and the 12 lowest of 30 owners. The table below "
    "lists all 30 owners."
)


def _owner_deals() -> str:
    """Owners O01 to O30, owner k with 30 deals closed in March 2025: k won
    at 100 each and 30 - k lost. So O01 wins 1 / 30 = 3.3 % for 100 and
    O30 wins 30 / 30 = 100 % for 3,000."""
    lines = ["Deal ID,Deal Stage,Amount,Create Date,Close Date,Owner"]
    for k in range(1, 31):
        for i in range(30):
            stage = "Closed Won" if i < k else "Closed Lost"
            lines.append(f"D{k}-{i},{stage},100,2025-02-03,2025-03-04,O{k:02d}")
    return "\n".join(lines) + "\n"


def _store_only(tmp_path: Path, workspace: Path, files: dict[str, tuple]) -> None:
    """Store ``files`` (name to content and table type), each read from a
    real file, in a workspace that never gets the sample data."""
    store = Workspace(workspace)
    (workspace / ".sample-loaded").touch()
    for name, (content, table_type) in files.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        prepared = load_file(name, path.read_bytes(), table=table_type)
        store.save(
            prepared.frame,
            name=name,
            table_type=table_type,
            source_file=name,
            mapping=prepared.mapping,
        )


def _open(page: str, query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(query)
    at.switch_page(page).run()
    assert not at.exception
    return at


def _chart_rows(at: AppTest, title: str) -> list[dict]:
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if spec.get("title") == title:
            [dataset] = chart.proto.datasets
            return pl.read_ipc_stream(dataset.data.data).to_dicts()
    raise AssertionError(f"no chart titled {title!r}")


def _captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.main.caption]


ALL_DATA = {"period": "All data"}


def test_sales_caption_names_cut(tmp_path, fresh_workspace):
    deals = {"deals.csv": (_owner_deals(), "deals")}
    _store_only(tmp_path, fresh_workspace, deals)
    at = _open("pages/sales.py", ALL_DATA)
    assert SALES_CAPTION in _captions(at)


def test_sales_win_rate_keeps_weakest(tmp_path, fresh_workspace):
    deals = {"deals.csv": (_owner_deals(), "deals")}
    _store_only(tmp_path, fresh_workspace, deals)
    at = _open("pages/sales.py", ALL_DATA)
    rates = {row["owner"]: row["win_rate"] for row in _chart_rows(at, "Win rate")}
    # The 13 highest, O30 to O18, and the 12 lowest, O12 to O01.
    kept = [*range(30, 17, -1), *range(12, 0, -1)]
    assert set(rates) == {f"O{k:02d}" for k in kept}
    # O01: 1 won of 30 = 3.33 %.
    assert abs(rates["O01"] - 100 / 30) < 1e-9


def test_sales_won_value_keeps_largest(tmp_path, fresh_workspace):
    deals = {"deals.csv": (_owner_deals(), "deals")}
    _store_only(tmp_path, fresh_workspace, deals)
    at = _open("pages/sales.py", ALL_DATA)
    values = {row["owner"]: row["won_value"] for row in _chart_rows(at, "Won value")}
    # 100 x k: O06 (600) to O30 (3,000) are the 25 largest.
    assert set(values) == {f"O{k:02d}" for k in range(6, 31)}
    assert values["O06"] == 600


def _metric(at: AppTest, label: str):
    return next(metric for metric in at.metric if metric.label == label)


def _card_captions(at: AppTest, label: str) -> list[str]:
    """Return the captions of the card column that shows metric ``label``."""
    for column in at.columns:
        if any(metric.label == label for metric in column.metric):
            return [caption.value for caption in column.caption]
    raise AssertionError(f"no card {label!r}")


# A1 and A2 are open from January, A3 is won in March.
FEW_DEALS = """\
Deal ID,Deal Stage,Amount,Create Date,Close Date
A1,Appointment Scheduled,100,2025-01-05,
A2,Appointment Scheduled,200,2025-01-20,
A3,Closed Won,300,2025-02-01,2025-03-10
"""


def test_won_value_zero_card(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (FEW_DEALS, "deals")})
    query = {"period": "Custom", "dates": ["2025-01-01", "2025-01-31"]}
    at = _open("pages/sales.py", query)
    assert _metric(at, "Won value").value == "0.00 EUR"
    assert _card_captions(at, "Won value") == [
        "n = 0",
        "no deal was won in this period",
    ]


def test_won_value_card_no_deals(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (FEW_DEALS, "deals")})
    query = {"period": "Custom", "dates": ["2024-01-01", "2024-06-30"]}
    at = _open("pages/sales.py", query)
    assert _metric(at, "Won value").value == "Not available"
    assert _card_captions(at, "Won value") == [
        "no deal was created, open or closed in this period"
    ]


def test_won_value_of_one_deal(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (FEW_DEALS, "deals")})
    at = _open("pages/sales.py", ALL_DATA)
    # One won deal of 300: the sum is exact, the mean of 1 is a small sample.
    small = "Small sample: fewer than 30 observations."
    assert _metric(at, "Won value").value == "300 EUR"
    assert _card_captions(at, "Won value") == ["n = 1"]
    assert _metric(at, "Average deal size").value == "300 EUR"
    assert small in _card_captions(at, "Average deal size")


def _campaign_deals() -> str:
    """Campaigns C01 to C30, campaign k with one deal won for 100 x k."""
    lines = ["Deal ID,Deal Stage,Amount,Create Date,Close Date,Campaign"]
    for k in range(1, 31):
        lines.append(f"K{k},Closed Won,{100 * k},2025-02-03,2025-03-04,C{k:02d}")
    return "\n".join(lines) + "\n"


def test_marketing_revenue_caption(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (_campaign_deals(), "deals")})
    at = _open("pages/marketing.py", ALL_DATA)
    captions = _captions(at)
    # A deals export's "Campaign" header maps to the source field.
    assert (
        "Revenue comes from the won deals of the deals table. Revenue is "
        "attributed by the source column." in captions
    )
    assert (
        "Revenue shows the 25 of 30 campaigns with the highest values. The table "
        "below lists all 30 campaigns." in captions
    )
    revenue = {row["campaign"] for row in _chart_rows(at, "Revenue")}
    # 100 x k: C06 to C30 are the 25 largest.
    assert revenue == {f"C{k:02d}" for k in range(6, 31)}


def _agent_tickets() -> str:
    """Agents G01 to G30, agent k with one ticket opened on Monday
    2025-01-06 at 09:00 and solved 10 x k minutes later, inside the working
    hours 09:00 to 17:00: G01 takes 1/6 h and G30 5 h."""
    lines = ["Ticket ID,Created at,Solved at,Status,Agent"]
    for k in range(1, 31):
        minutes = 10 * k
        solved = f"2025-01-06 {9 + minutes // 60:02d}:{minutes % 60:02d}"
        lines.append(f"T{k},2025-01-06 09:00,{solved},Solved,G{k:02d}")
    return "\n".join(lines) + "\n"


def test_service_resolution_caption(tmp_path, fresh_workspace):
    tickets = {"tickets.csv": (_agent_tickets(), "tickets")}
    _store_only(tmp_path, fresh_workspace, tickets)
    at = _open("pages/service.py", ALL_DATA)
    assert (
        "The chart of mean business hours shows the 13 highest and the 12 lowest "
        "of 30 agents. The table below lists all 30 agents." in _captions(at)
    )
    hours = {
        row["agent"]: row["mean_hours"]
        for row in _chart_rows(at, "Slowest agent first")
    }
    # The fastest, G01 at 10 minutes = 1/6 h, is drawn.
    assert abs(hours["G01"] - 1 / 6) < 1e-9
    assert "G15" not in hours
