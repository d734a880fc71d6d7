"""Column headers and currency codes of an upload must reach the screen as
text.

A header is quoted in notes such as the rare-currency warning, which the
pages repeat while an exchange rate is missing, and a currency code is a
cell value that names the rate to enter. These tests store deals whose
amount header contains an image, HTML and a URL, with one amount in a rare
currency, and check every element that renders Markdown on the pages that
show money.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP
from tests.pages.test_hostile_pages import RAW_MARKUP, _rendered_as_markdown

HEADER = "Amount ![x](http://127.0.0.1:1/x.png) <b>h</b> https://example.org/a"
ESCAPED_HEADER = (
    "Amount !\\[x\\](http\u2060://127.0.0.1:1/x.png) \\<b>h\\</b> "
    "https\u2060://example.org/a"
)
# A currency code is the value of the currency cell, upper-cased, so
# its markup is looked for in any letter case.
HOSTILE_CODE = "<b>x</b> ![x](http://127.0.0.1:1/x.png)"
RAW_MARKUP_ANY_CASE = re.compile(RAW_MARKUP.pattern, re.IGNORECASE)
FORM = "goal_form_new"
PAGES = ("sales", "marketing", "compare", "goals", "whatif")


def _deals_csv(header: str, rare_code: str) -> str:
    """Return ten won deals in EUR, one a month from January 2025, and one
    in ``rare_code``, so the rare-currency warning names the amount
    ``header``."""
    lines = [f'Record ID,Deal Stage,Create Date,Close Date,"{header}",Currency']
    for month in range(1, 11):
        lines.append(
            f"{month},Closed won,2025-{month:02}-03,2025-{month:02}-20,1000,EUR"
        )
    lines.append(f'11,Closed won,2025-05-04,2025-05-25,500,"{rare_code}"')
    return "\n".join(lines) + "\n"


def _store_deals(
    tmp_path: Path,
    workspace_root: Path,
    header: str,
    rare_code: str,
    stored_code: str | None = None,
) -> None:
    """Store the deals of ``_deals_csv``. ``stored_code`` replaces the rare
    code in the stored table, as a table stored before the import read
    currency cells as ISO codes may hold any text there."""
    store = Workspace(workspace_root)
    # The app loads the sample data into a workspace without this marker.
    (workspace_root / ".sample-loaded").touch()
    path = tmp_path / "deals.csv"
    path.write_text(_deals_csv(header, rare_code), encoding="utf-8")
    prepared = load_file(path.name, path.read_bytes(), table="deals")
    frame = prepared.frame
    if stored_code is not None:
        rare = pl.col("currency") == rare_code
        frame = frame.with_columns(
            currency=pl.when(rare).then(pl.lit(stored_code)).otherwise("currency")
        )
    store.save(
        frame,
        name="deals",
        table_type="deals",
        source_file=path.name,
        mapping=prepared.mapping,
    )


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, page
    if page == "compare":
        at.sidebar.date_input(key="compare_date").set_value(date(2025, 6, 1)).run()
    if page == "goals":
        at.text_input(key=f"{FORM}_title").input("Deal size 2025")
        at.selectbox(key=f"{FORM}_metric").set_value("average_deal_size")
        at.number_input(key=f"{FORM}_target").set_value(1200.0)
        at.date_input(key=f"{FORM}_start").set_value(date(2025, 1, 1))
        at.date_input(key=f"{FORM}_deadline").set_value(date(2025, 12, 31))
        save = next(button for button in at.button if button.label == "Save goal")
        save.click().run()
    assert not at.exception, page
    return at


def _raw_markup(at: AppTest) -> list[str]:
    rendered = _rendered_as_markdown(at)
    return [text for text in rendered if RAW_MARKUP_ANY_CASE.search(text)]


@pytest.mark.parametrize("page", PAGES)
def test_hostile_amount_header_escaped(tmp_path, fresh_workspace, page):
    _store_deals(tmp_path, fresh_workspace, HEADER, "USD")
    at = _open(page)
    assert _raw_markup(at) == []
    # The rare-currency warning names the header, escaped, in the money note.
    rendered = "\n".join(_rendered_as_markdown(at))
    assert f"amounts in '{ESCAPED_HEADER}' is in USD" in rendered


@pytest.mark.parametrize("page", PAGES)
def test_hostile_currency_code_escaped(tmp_path, fresh_workspace, page):
    _store_deals(tmp_path, fresh_workspace, "Amount", "USD", stored_code=HOSTILE_CODE)
    at = _open(page)
    assert _raw_markup(at) == []
    # The money note names the rate to enter, with the code escaped.
    rendered = "\n".join(_rendered_as_markdown(at))
    assert "value of 1 \\<B>X\\</B> !\\[X\\](HTTP\u2060://" in rendered
