"""What if page: a deals export that ends months before the subscriptions
keeps its own baseline window, and the page names each table's window."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.kpi_core.test_whatif_windows import _weekly_deals
from tests.pages.conftest import APP

# s16 cancels on 2026-02-21, the subscriptions' last date, months after the
# last deal. Both customers pay on 2026-01-31.
SUBSCRIPTIONS = """\
id,Customer ID,Status,Start (UTC),Canceled At (UTC),Amount,Interval
sub_01,s01,active,2024-07-01 00:00,,50,month
sub_16,s16,canceled,2025-02-26 00:00,2026-02-21 00:00,60,month
"""


def _open(tmp_path: Path, workspace_root: Path) -> AppTest:
    """Store the deals and subscriptions, read from real files, in a
    workspace without the sample data and open the What if page."""
    store = Workspace(workspace_root)
    (workspace_root / ".sample-loaded").touch()
    files = {
        "hubspot_deals.csv": (_weekly_deals(), "deals"),
        "stripe_subs.csv": (SUBSCRIPTIONS, "subscriptions"),
    }
    for name, (text, table) in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        prepared = load_file(name, path.read_bytes(), table=table)
        store.save(
            prepared.frame,
            name=name,
            table_type=table,
            source_file=name,
            mapping=prepared.mapping,
        )
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/whatif.py").run()
    assert not at.exception
    return at


def _texts(at: AppTest) -> list[str]:
    return [text.value for text in at.text]


def test_caption_names_each_window(tmp_path, fresh_workspace):
    at = _open(tmp_path, fresh_workspace)
    captions = [caption.value for caption in at.main.caption]
    # Deals: last date 2025-11-28, so 12 full months to October 2025, from
    # the first deal of 2025-01-03 on. Subscriptions: last date 2026-02-21.
    assert (
        "Each table's baseline is its last 12 full months, starting no earlier "
        "than its first date: deals 2025-01-03 to 2025-10-31 (data from "
        "2025-01-03 to 2025-11-28); subscriptions 2025-02-01 to 2026-01-31 "
        "(data from 2024-07-01 to 2026-02-21)."
    ) in captions


def test_leads_from_deals_window(tmp_path, fresh_workspace):
    at = _open(tmp_path, fresh_workspace)
    # Deals 0 to 43 are created up to 2025-10-31: 44 in 302 days (29 in
    # January + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31), so
    # 44 / (302 / 30.4375) = 4.43. The one window of both tables,
    # 2025-02-01 to 2026-01-31, gave 43 / 11.99 = 3.59.
    assert (
        "Leads per month: 4.43, from the deals table “hubspot_deals.csv”: 44 "
        "deals created in 2025-01-03 to 2025-10-31 / (302 days / 30.4375 days "
        "a month) = 4.43 a month"
    ) in _texts(at)
    # The subscriptions' inputs keep their own window.
    assert (
        "Paying customers now: 2, from the subscriptions table "
        "“stripe_subs.csv”: 2 paying customers on 2026-01-31"
    ) in _texts(at)


def test_won_revenue_from_deals_window(tmp_path, fresh_workspace):
    at = _open(tmp_path, fresh_workspace)
    # Leads 1,339.25 / 302 = 4.43460 x close rate 15 / 44 = 34.0909 % gives
    # 1.51180 won deals a month. Cycle 224 days / 14 won = 16 days, so
    # 12 - 16 / 30.4375 = 11.47433 selling months. Deal size 18,200 / 14 =
    # 1,300. 1.5118 x 11.4743 x 1,300 = 17.34685 x 1,300 = 22,550.9.
    assert (
        "won deals a month = 4.4346 leads a month x 34.0909 % close rate "
        "= 1.5118\n"
        "selling months = 12 - 16.00 days sales cycle / 30.4375 days a month "
        "= 11.4743\n"
        "won revenue = 1.5118 won deals a month x 11.4743 selling months x "
        "1,300.00 EUR deal size = 22,551 EUR"
    ) in _texts(at)
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Won revenue in 12 months"] == "22,551 EUR"


def test_subscriptions_alone_give_levers(tmp_path, fresh_workspace):
    store = Workspace(fresh_workspace)
    (fresh_workspace / ".sample-loaded").touch()
    prepared = load_file(
        "stripe_subs.csv", SUBSCRIPTIONS.encode(), table="subscriptions"
    )
    store.save(
        prepared.frame,
        name="stripe_subs.csv",
        table_type="subscriptions",
        source_file="stripe_subs.csv",
        mapping=prepared.mapping,
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/whatif.py").run()
    assert not at.exception
    assert not any(info.value.startswith("No deals") for info in at.info)
    metrics = {metric.label: metric.value for metric in at.metric}
    # s01 and s16 pay 50 + 60 on 2026-01-31: ARPA 55. No customer leaves in the
    # window, and s16 joined in it: 1 in 365 days = 365.25 / 365 in 12
    # months. ARR = (2 + 1.0007) x 55 x 12 = 1,980.45.
    assert metrics["ARR in 12 months"] == "1,980 EUR"
    # The deals' levers wait for typed values.
    assert metrics["Won revenue in 12 months"] == "–"
    assert "Leads per month: missing, not in the data: there is no deals table" in (
        _texts(at)
    )
