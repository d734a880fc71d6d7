"""Data page: a spend file stored as a new table names its rows that stored
spend tables already contain, whose spend the pages would count twice, and
offers to leave them out."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from kpi_core.workspace import Workspace
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

# Google Ads as a German account exports it: cp1252, ";", two title lines
# and "60,00 €". The header is line 3, so the first row is line 4.
GOOGLE_DE = """\
Kampagnenbericht
1. Januar 2026 - 30. April 2026
Kampagne;Tag;Währungscode;Kosten
brand_search;05.01.2026;EUR;12,50 €
generic_search;17.03.2026;EUR;99,99 €
brand_search;01.04.2026;EUR;60,00 €
generic_search;22.04.2026;EUR;150,10 €
"""
# A re-export of April and May: lines 4 and 5 equal stored April rows, the
# three May rows are new. 2 of 5 shared rows is too few for a new version
# of the stored table.
GOOGLE_APR_MAY = """\
Kampagnenbericht
1. April 2026 - 31. Mai 2026
Kampagne;Tag;Währungscode;Kosten
brand_search;01.04.2026;EUR;60,00 €
generic_search;22.04.2026;EUR;150,10 €
brand_search;06.05.2026;EUR;11,00 €
brand_search;13.05.2026;EUR;12,00 €
generic_search;20.05.2026;EUR;13,00 €
"""
# One new customer in April.
ORDERS = """\
Order ID,Order date,Customer ID,Total,Currency
O1,2026-04-10,C1,500.00,EUR
"""
REPEATS = (
    "2 of 5 rows in this file repeat spend rows that are already stored, with "
    "the same day, campaign and amount (and the same channel and currency "
    "where both tables name them): lines 4 and 5 repeat rows of "
    "'google_ads_de' (brand_search on 2026-04-01, 60.00; generic_search on "
    "2026-04-22, 150.10). The spend tables are added up, so if you import "
    "these rows too, their spend counts twice."
)


def _write(tmp_path: Path, name: str, text: str) -> bytes:
    path = tmp_path / name
    path.write_text(text, encoding="cp1252")
    return path.read_bytes()


def _data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at


def _upload(at: AppTest, name: str, data: bytes) -> str:
    """Put one file in the upload box and return its content key."""
    at.file_uploader(key="uploads").set_value([(name, data, "text/csv")]).run()
    assert not at.exception
    return hashlib.sha256(data).hexdigest()[:16]


def _import(at: AppTest, key: str) -> None:
    at.button(key=f"{key}:import").click().run()
    assert not at.exception


def _stored_google(tmp_path: Path, workspace_root: Path) -> AppTest:
    _store_only(tmp_path, workspace_root, {"orders.csv": (ORDERS, "orders")})
    at = _data_page()
    key = _upload(at, "google_ads_de.csv", _write(tmp_path, "de.csv", GOOGLE_DE))
    _import(at, key)
    return at


def _spend_tables(root: Path) -> dict[str, list[float]]:
    store = Workspace(root)
    return {
        entry.name: store.load(entry.id)["amount"].to_list()
        for entry in store.list_tables("spend")
    }


def test_repeated_rows_left_out(tmp_path, fresh_workspace):
    at = _stored_google(tmp_path, fresh_workspace)
    data = _write(tmp_path, "apr_mai.csv", GOOGLE_APR_MAY)
    key = _upload(at, "google_ads_apr_mai.csv", data)
    warnings = [warning.value for warning in at.warning]
    assert REPEATS in warnings
    # Each repeated row equals its stored row, so leaving them out is the
    # default: 5 - 2 = 3 rows to import.
    assert at.radio(key=f"{key}:repeats").value == "leave_out"
    labels = [button.label for button in at.button]
    assert "Import 3 rows as new table 'google_ads_apr_mai'" in labels
    _import(at, key)

    tables = _spend_tables(fresh_workspace)
    # The stored table keeps its 4 rows, the new one has the May rows.
    assert tables["google_ads_de"] == [12.5, 99.99, 60.0, 150.1]
    assert tables["google_ads_apr_mai"] == [11.0, 12.0, 13.0]
    successes = [success.value for success in at.success]
    assert any(
        "Left out 2 rows already stored (file lines 4, 5)" in s for s in successes
    )

    at.switch_page("pages/marketing.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    # All spend: 12.50 + 99.99 + 60.00 + 150.10 + 11 + 12 + 13 = 358.59 over
    # 1 new customer. With the April rows twice it would be 358.59 + 210.10
    # = 568.69.
    assert metrics["Customer acquisition cost"] == "359 EUR"
    assert not [w.value for w in at.warning if "share" in w.value]


def test_repeated_rows_stored_on_request(tmp_path, fresh_workspace):
    at = _stored_google(tmp_path, fresh_workspace)
    data = _write(tmp_path, "apr_mai.csv", GOOGLE_APR_MAY)
    key = _upload(at, "google_ads_apr_mai.csv", data)
    at.radio(key=f"{key}:repeats").set_value("keep").run()
    labels = [button.label for button in at.button]
    assert "Import 5 rows as new table 'google_ads_apr_mai'" in labels
    _import(at, key)
    tables = _spend_tables(fresh_workspace)
    assert tables["google_ads_de"] == [12.5, 99.99, 60.0, 150.1]
    assert tables["google_ads_apr_mai"] == [60.0, 150.1, 11.0, 12.0, 13.0]


def test_repeats_with_other_spelling_ask(tmp_path, fresh_workspace):
    at = _stored_google(tmp_path, fresh_workspace)
    # "Brand_Search" is the stored brand_search in other letter case.
    respelled = GOOGLE_APR_MAY.replace(
        "brand_search;01.04.2026", "Brand_Search;01.04.2026"
    )
    key = _upload(at, "apr_mai.csv", _write(tmp_path, "apr_mai.csv", respelled))
    warnings = [warning.value for warning in at.warning]
    assert any(
        w.startswith("2 of 5 rows in this file repeat spend rows")
        and "differ from the stored rows in the campaign column" in w
        for w in warnings
    ), warnings
    # No default: the user has to choose before any Import button shows.
    assert at.radio(key=f"{key}:repeats").value is None
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert "Choose whether to leave out the repeated rows to go on." in [
        info.value for info in at.info
    ]


def test_other_campaigns_no_repeats(tmp_path, fresh_workspace):
    # Guard: Meta's campaigns spend the same on the same days as Google's,
    # but no row repeats a stored row.
    at = _stored_google(tmp_path, fresh_workspace)
    book = Workbook()
    sheet = book.active
    sheet.append(["Campaign name", "Day", "Amount spent (EUR)"])
    sheet.append(["meta_spring", datetime(2026, 4, 1), 60.0])
    sheet.append(["meta_spring", datetime(2026, 4, 22), 150.1])
    path = tmp_path / "meta.xlsx"
    book.save(path)
    key = _upload(at, "meta.xlsx", path.read_bytes())
    assert not [w.value for w in at.warning if "repeat" in w.value]
    assert not [r for r in at.radio if r.key == f"{key}:repeats"]
    assert "Import 2 rows as new table 'meta'" in [b.label for b in at.button]
