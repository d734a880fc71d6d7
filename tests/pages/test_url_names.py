"""URLs and e-mail addresses in uploaded names must show as plain text.

GFM, which Streamlit's Markdown follows, turns "https://…", "www.…" and
"name@host" into links in every element that renders Markdown, so an owner
named "www.example.org" would become a link to that site.
"""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP
from tests.pages.test_hostile_pages import _rendered_as_markdown, _shown_as_text

OWNER = "Eve https://example.org/eve"
STAGE = "Won www.example.org"
COMPANY = "eve@example.org"
TABLE = "see https://example.org"
ASSIGNEE = "Bob www.example.org"
CAMPAIGN = "Promo https://example.org/promo"
# What GFM starts a link with. The escaped text keeps each of them, but
# with an invisible word joiner after "https", "www" or "@".
AUTOLINK = re.compile(r"https?://|www\.|@\w", re.IGNORECASE)

DEALS = (
    "Record ID,Deal Stage,Create Date,Close Date,Amount,Deal owner,"
    "Associated Company\n"
    f'1,"{STAGE}",2025-01-05,2025-02-01,1000,"{OWNER}","{COMPANY}"\n'
    f'2,Closed lost,2025-01-06,2025-02-02,2000,"{OWNER}",Acme\n'
    f'3,"{STAGE}",2025-01-07,2025-02-03,500,Anna,"{COMPANY}"\n'
)
TICKETS = (
    "Id,Assignee,Group,Status,Priority,Via,Created at,Solved at\n"
    f'1,"{ASSIGNEE}","{ASSIGNEE}",Solved,Normal,Email,'
    "2025-01-05 09:00,2025-01-06 09:00\n"
    f'2,"{ASSIGNEE}",Support,Solved,Normal,Email,2025-01-07 09:00,'
    "2025-01-07 15:00\n"
)
# Deal 9 is in no deals table, so the Sales page warns that the stage
# history contains none of the deals.
HISTORY = "Record ID,Stage,Entered at\n9,Qualified,2025-01-05 08:00\n"
SPEND = (
    "Day,Campaign,Channel,Currency code,Cost\n"
    f'2025-01-05,"{CAMPAIGN}",Google Ads,EUR,100.00\n'
    f'2025-02-05,"{CAMPAIGN}",Google Ads,EUR,50.00\n'
)


def _store(tmp_path: Path, workspace_root: Path) -> None:
    store = Workspace(workspace_root)
    # The app loads the sample data into a workspace without this marker.
    (workspace_root / ".sample-loaded").touch()
    files = {"deals.csv": (DEALS, "deals"), "tickets.csv": (TICKETS, "tickets")}
    files["spend.csv"] = (SPEND, "spend")
    files["history.csv"] = (HISTORY, "stage_history")
    for file_name, (content, table_type) in files.items():
        path = tmp_path / file_name
        path.write_text(content, encoding="utf-8")
        prepared = load_file(file_name, path.read_bytes(), table=table_type)
        store.save(
            prepared.frame,
            name=f"{TABLE} {table_type}",
            table_type=table_type,
            source_file=file_name,
            mapping=prepared.mapping,
        )


def _links(at: AppTest) -> list[str]:
    return [text for text in _rendered_as_markdown(at) if AUTOLINK.search(text)]


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def test_url_names_sales_page(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace)
    at = _open("pages/sales.py")
    assert _links(at) == []
    captions = [caption.value for caption in at.caption]
    assert any(
        caption.startswith("Deals from see https\u2060://example.org deals")
        for caption in captions
    ), captions
    [warning] = [w.value for w in at.warning if "holds none of" in w.value]
    # The names are quoted as Python would, with the joiner itself and not
    # its escape sequence.
    assert warning.startswith(
        "The stage history 'see https\u2060://example.org stage_history' "
        "holds none of the deals of 'see https\u2060://example.org deals'"
    ), warning
    # The owner breakdown lists the owner in a dataframe, as typed.
    assert OWNER in _shown_as_text(at)


def test_url_names_other_pages(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace)
    pages = ("data", "service", "marketing", "compare", "whatif")
    for page in pages:
        at = _open(f"pages/{page}.py")
        assert _links(at) == [], page


def test_url_goal_title(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace)
    at = _open("pages/goals.py")
    form = "goal_form_new"
    at.text_input(key=f"{form}_title").input(f"Goal {TABLE}")
    at.text_input(key=f"{form}_owner").input(OWNER)
    # A floor of 0 new deals is not saved, and the title shows only on a card.
    at.number_input(key=f"{form}_target").set_value(5.0)
    next(button for button in at.button if button.label == "Save goal").click().run()
    assert not at.exception
    assert _links(at) == []
