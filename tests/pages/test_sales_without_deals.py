"""Sales page with subscriptions but no deals table: the upsell rate card
from the subscriptions, its explanation, and a note that the other sales
KPIs need deals."""

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# RavenStack's headers. For 2024 (the day before the period is 2023-12-31,
# its last day 2024-12-31):
# - A1 runs 100 all year and adds 50 on 2024-06-01: MRR 100 -> 150, expanded.
# - A2 replaces 200 by an upgrade of 300 on 2024-03-01: expanded (counted once).
# - A3 starts on 2024-02-01 with an upgrade-flagged subscription: expanded,
#   although its MRR on 2023-12-31 was 0.
# - A4 stays at 120 and A5 runs until 2024-12-31: active, not expanded.
# - A6 ended in 2023, so it is not active in 2024.
# - A7 moves from 300 down to 200 on 2024-08-01: active, not expanded.
# The latest date, 2024-12-31, is the anchor of "This year".
SUBSCRIPTIONS = """\
subscription_id,account_id,start_date,end_date,mrr_amount,upgrade_flag
S1,A1,2023-06-01,,100,False
S2,A1,2024-06-01,,50,False
S3,A2,2023-01-01,2024-03-01,200,False
S4,A2,2024-03-01,,300,True
S5,A3,2024-02-01,,80,True
S6,A4,2023-03-01,,120,False
S7,A5,2023-01-01,2024-12-31,90,False
S8,A6,2022-01-01,2023-06-01,70,True
S9,A7,2023-05-01,2024-08-01,300,False
S10,A7,2024-08-01,,200,False
"""


def _store_only_subscriptions(tmp_path: Path, root: Path, content: str) -> None:
    """Store one subscriptions file, read from disk, in a workspace without
    the sample data."""
    root.mkdir(parents=True, exist_ok=True)
    # The app loads the sample data into a workspace without this marker.
    (root / ".sample-loaded").touch()
    path = tmp_path / "subscriptions.csv"
    path.write_text(content, encoding="utf-8")
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "subscriptions"
    Workspace(root).save(
        prepared.frame,
        name=path.name,
        table_type="subscriptions",
        source_file=path.name,
        mapping=prepared.mapping,
    )


def _open_sales() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/sales.py").run()
    assert not at.exception
    return at


def _metric(at: AppTest, label: str):
    return next(metric for metric in at.metric if metric.label == label)


def test_upsell_card_without_deals(tmp_path, fresh_workspace):
    _store_only_subscriptions(tmp_path, fresh_workspace, SUBSCRIPTIONS)
    at = _open_sales()
    at.sidebar.selectbox(key="period").set_value("this_year").run()
    assert not at.exception
    # Expanded A1, A2 and A3 / active A1, A2, A3, A4, A5 and A7 = 3 / 6 = 50 %.
    assert _metric(at, "Upsell rate").value == "50.0 %"
    assert [metric.label for metric in at.metric] == ["Upsell rate"]
    # The formula's decimals follow the shown-rounding rules, so only the
    # counts and the leading digits are checked.
    formula = "3 customers with an expansion / 6 active customers x 100 = 50.0"
    assert any(text.value.startswith(formula) for text in at.text)
    markdown = [block.value for block in at.markdown]
    assert any("customers with an expansion / customers with a" in m for m in markdown)
    notes = [info.value for info in at.info]
    assert any(note.startswith("Close rate, win rate") for note in notes)
    assert not any(note.startswith("No deals table yet") for note in notes)
    links = [link.proto.label for link in at.get("page_link")]
    assert "Go to the Data page" in links


def test_upsell_without_deals_compares(tmp_path, fresh_workspace):
    _store_only_subscriptions(tmp_path, fresh_workspace, SUBSCRIPTIONS)
    at = _open_sales()
    at.sidebar.selectbox(key="period").set_value("this_year").run()
    at.sidebar.selectbox(key="compare_with").set_value("previous").run()
    assert not at.exception
    # 2023: active A1, A2, A4, A5, A6 and A7 (6). On 2022-12-31 only A6 paid
    # (70), and it ended in 2023; no upgrade-flagged subscription started in
    # 2023. 0 / 6 = 0 %, so the change is 50.0 - 0.0 = +50.0 pp.
    card = _metric(at, "Upsell rate")
    assert card.value == "50.0 %"
    assert card.delta == "+50.0 pp"


def test_no_deals_no_subscriptions(tmp_path, fresh_workspace):
    fresh_workspace.mkdir(parents=True)
    (fresh_workspace / ".sample-loaded").touch()
    at = _open_sales()
    assert not at.metric
    notes = [info.value for info in at.info]
    assert notes == ["No deals table yet. Upload a deals export on the Data page."]


def test_ravenstack_upsell_without_deals(tmp_path, fresh_workspace, datasets_dir):
    source = datasets_dir / "ravenstack-saas" / "ravenstack_subscriptions.csv"
    _store_only_subscriptions(
        tmp_path, fresh_workspace, source.read_text(encoding="utf-8")
    )
    at = _open_sales()
    at.sidebar.selectbox(key="period").set_value("custom").run()
    at.sidebar.date_input(key="dates").set_value(
        (date(2024, 1, 1), date(2024, 12, 31))
    ).run()
    assert not at.exception
    # Counted day by day outside the app: 495 of the 500 accounts active in
    # 2024 pay more at the close of a day of 2024 than at the close of the
    # day before, when they already paid then. They include all 278 accounts
    # with an upgrade-flagged subscription started in 2024. Six of them end
    # 2024 at or below their MRR of 2023-12-31 or of their first paid day,
    # because other subscriptions ended. The only rise of A-3b37d9 is undone
    # within a month: it pays 1127 + 3 x 4577 = 14,858 a month, adds a
    # fourth 4577 Enterprise plan on 17 November and is back at 14,858 on
    # 27 November, when an older one ends. 494 / 500 = 98.8 %.
    assert _metric(at, "Upsell rate").value == "98.8 %"
    formula = "494 customers with an expansion / 500 active customers x 100 = 98.8"
    assert any(text.value.startswith(formula) for text in at.text)
