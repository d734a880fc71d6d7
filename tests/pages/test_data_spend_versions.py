"""Data page: a spend file that repeats the rows of a stored spend table
under another file name replaces that table by default, because the pages
add up every spend table. A spend file of another platform or account stays
a table of its own, and one that lacks rows of the stored table leaves the
choice to the user."""

from __future__ import annotations

import hashlib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.workspace import Workspace
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

# Monthly spend as a German spreadsheet saves it: cp1252, ";" and "1.000,00 €".
SPEND = """\
Monat;Kanal;Ausgaben
Januar 2025;Google Ads;1.000,00 €
Januar 2025;Newsletter;200,00 €
Februar 2025;Google Ads;1.100,00 €
Februar 2025;Newsletter;200,00 €
März 2025;Google Ads;1.200,00 €
März 2025;Newsletter;300,00 €
"""
# The same sheet with the Google Ads spend of March corrected.
SPEND_CORRECTED = SPEND.replace(
    "März 2025;Google Ads;1.200,00 €", "März 2025;Google Ads;1.500,00 €"
)
# Four new customers in the three months of the spend.
ORDERS = """\
Order ID,Order date,Customer ID,Total,Currency
O1,2025-01-10,C1,500.00,EUR
O2,2025-02-10,C2,500.00,EUR
O3,2025-03-10,C3,500.00,EUR
O4,2025-03-20,C4,500.00,EUR
"""
GOOGLE = """\
Day,Campaign,Currency code,Cost
2025-01-15,Brand Search,EUR,400.00
2025-01-16,Brand Search,EUR,410.00
2025-01-17,Generic Search,EUR,120.00
"""
META = """\
Day,Campaign,Currency code,Cost
2025-01-15,Meta Winter,EUR,300.00
2025-01-16,Meta Winter,EUR,310.00
2025-01-17,Meta Retargeting,EUR,90.00
"""


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> bytes:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
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


def _upload_and_import(at: AppTest, name: str, data: bytes) -> None:
    _import(at, _upload(at, name, data))


def _spend_tables(root: Path) -> list:
    entries = Workspace(root).list_tables("spend")
    return [entry for entry in entries if not entry.is_sample]


def test_corrected_spend_replaces_by_default(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"orders.csv": (ORDERS, "orders")})
    at = _data_page()
    first = _write(tmp_path, "Werbeausgaben_2025.csv", SPEND, "cp1252")
    _upload_and_import(at, "Werbeausgaben_2025.csv", first)
    [stored] = _spend_tables(fresh_workspace)

    corrected = _write(
        tmp_path, "Werbeausgaben_2025_korrigiert.csv", SPEND_CORRECTED, "cp1252"
    )
    key = _upload(at, "Werbeausgaben_2025_korrigiert.csv", corrected)
    infos = [info.value for info in at.info]
    assert any(
        info.startswith(
            "This file contains the same months and channels as the stored spend "
            "table 'Werbeausgaben_2025' (5 of 6 rows equal, 1 changed). "
            "Importing it as a new table adds its spend to that table's, "
            "counting it twice."
        )
        for info in infos
    ), infos
    target = at.selectbox(key=f"{key}:target")
    assert target.value == stored.id
    # The user can still keep both tables.
    assert "Store as a new table" in target.options
    assert at.text_input(key=f"{key}:name").value == "Werbeausgaben_2025"
    _import(at, key)

    [replaced] = _spend_tables(fresh_workspace)
    assert replaced.id == stored.id
    assert replaced.version == 2
    amounts = Workspace(fresh_workspace).load(replaced.id)["amount"]
    assert amounts.sum() == 4300

    at.switch_page("pages/marketing.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    # (1000 + 200 + 1100 + 200 + 1500 + 300) corrected spend / 4 new
    # customers = 4300 / 4 = 1075. Both tables added up would give
    # (4000 + 4300) / 4 = 2075.
    assert metrics["Customer acquisition cost"] == "1,075 EUR"


def test_corrected_spend_kept_as_second_table(tmp_path, fresh_workspace):
    at = _data_page()
    _upload_and_import(at, "spend.csv", _write(tmp_path, "spend.csv", SPEND, "cp1252"))
    corrected = _write(tmp_path, "spend fixed.csv", SPEND_CORRECTED, "cp1252")
    key = _upload(at, "spend fixed.csv", corrected)
    at.selectbox(key=f"{key}:target").set_value("").run()
    assert "Import 6 rows as new table 'spend fixed'" in [b.label for b in at.button]
    _import(at, key)
    assert len(_spend_tables(fresh_workspace)) == 2


def test_other_platform_spend_stays_new(tmp_path, fresh_workspace):
    # Another platform shares no campaign, so its spend adds to the first.
    at = _data_page()
    _upload_and_import(at, "google.csv", _write(tmp_path, "google.csv", GOOGLE))
    key = _upload(at, "meta.csv", _write(tmp_path, "meta.csv", META))
    assert at.selectbox(key=f"{key}:target").value == ""
    assert not any("contains the same" in info.value for info in at.info)
    assert "Import 3 rows as new table 'meta'" in [b.label for b in at.button]
    _import(at, key)
    names = sorted(entry.name for entry in _spend_tables(fresh_workspace))
    assert names == ["google", "meta"]


def _daily(header: str, label: str | None, base: int) -> str:
    """Return a CSV of the 28 days of February 2025 with ``base`` + day spent
    each day, under the channel ``label`` or without a channel column."""
    lines = [header]
    for day in range(1, 29):
        cells = [f"2025-02-{day:02d}", f"{base + day}.00"]
        if label is not None:
            cells.insert(1, label)
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def test_platforms_without_labels_stay_new(tmp_path, fresh_workspace):
    # Account-level exports of two platforms share every day and nothing else.
    at = _data_page()
    google = _write(tmp_path, "google.csv", _daily("Day,Cost", None, 100))
    _upload_and_import(at, "google.csv", google)
    meta = _write(tmp_path, "meta.csv", _daily("Day,Cost", None, 50))
    key = _upload(at, "meta.csv", meta)
    assert at.selectbox(key=f"{key}:target").value == ""
    # No message claims that the spend is counted twice, but a warning
    # explains that both tables are added up, for a re-export of one account.
    assert not any("contains the same" in info.value for info in at.info)
    warnings = [warning.value for warning in at.warning]
    assert any(
        "with other amounts in 28 of 28 shared rows" in w
        and "another account or platform, keep both" in w
        for w in warnings
    ), warnings
    assert "Import 28 rows as new table 'meta'" in [b.label for b in at.button]
    _import(at, key)
    names = sorted(entry.name for entry in _spend_tables(fresh_workspace))
    assert names == ["google", "meta"]


def test_second_account_same_channel_stays_new(tmp_path, fresh_workspace):
    header = "Day,Channel,Cost"
    at = _data_page()
    first = _write(tmp_path, "account a.csv", _daily(header, "Google Ads", 100))
    _upload_and_import(at, "account a.csv", first)
    second = _write(tmp_path, "account b.csv", _daily(header, "Google Ads", 40))
    key = _upload(at, "account b.csv", second)
    assert at.selectbox(key=f"{key}:target").value == ""
    assert not any("contains the same" in info.value for info in at.info)
    _import(at, key)
    assert len(_spend_tables(fresh_workspace)) == 2


# The spend of February to May 2025, a rolling window that moved on from
# SPEND (January to March): February equal, March corrected, January gone.
SPEND_FEB_MAY = """\
Month,Channel,Spend
2025-02-01,Google Ads,1100.00
2025-02-01,Newsletter,200.00
2025-03-01,Google Ads,1200.00
2025-03-01,Newsletter,350.00
2025-04-01,Google Ads,1300.00
2025-04-01,Newsletter,300.00
2025-05-01,Google Ads,1400.00
2025-05-01,Newsletter,300.00
"""


def test_rolling_window_updates_by_default(tmp_path, fresh_workspace):
    at = _data_page()
    first = _write(tmp_path, "spend_q1.csv", SPEND, "cp1252")
    _upload_and_import(at, "spend_q1.csv", first)
    [stored] = _spend_tables(fresh_workspace)
    window = _write(tmp_path, "spend_feb_may.csv", SPEND_FEB_MAY)
    key = _upload(at, "spend_feb_may.csv", window)
    target = at.selectbox(key=f"{key}:target")
    # Updating keeps January and takes February to May from the file, so
    # no month counts twice and none is lost.
    assert target.value == f"update:{stored.id}"
    warnings = [warning.value for warning in at.warning]
    expected = (
        "This file repeats rows of the stored spend table 'spend_q1' (3 of 8 "
        "rows equal, 1 changed, 4 not in that table) but lacks its 2 rows from "
        "January 2025. Keeping both tables counts the spend of the 4 shared "
        "rows twice, because the spend tables are added up. Replacing "
        "'spend_q1' deletes its 2 rows from January 2025."
    )
    assert any(warning.startswith(expected) for warning in warnings), warnings
    assert not any("contains the same" in info.value for info in at.info)

    # Choosing to replace keeps the warning and replaces the table.
    target.set_value(stored.id).run()
    assert any(warning.value.startswith(expected) for warning in at.warning)
    _import(at, key)
    [replaced] = _spend_tables(fresh_workspace)
    assert replaced.id == stored.id
    assert replaced.rows == 8


# A monthly sheet of 15 months and 3 channels, 45 rows.
MONTHLY = "Month,Channel,Spend\n" + "".join(
    f"{2024 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}-01,{channel},"
    f"{100 * month + offset}.00\n"
    for month in range(1, 16)
    for offset, channel in enumerate(("Google Ads", "Meta", "Newsletter"))
)


def test_corrected_monthly_sheet_replaces(tmp_path, fresh_workspace):
    # Guard: a copy with one of 45 rows corrected still replaces by default.
    at = _data_page()
    _upload_and_import(at, "spend.csv", _write(tmp_path, "spend.csv", MONTHLY))
    [stored] = _spend_tables(fresh_workspace)
    corrected = MONTHLY.replace("2024-05-01,Meta,501.00", "2024-05-01,Meta,555.00")
    assert corrected != MONTHLY
    key = _upload(at, "spend v2.csv", _write(tmp_path, "spend v2.csv", corrected))
    assert at.selectbox(key=f"{key}:target").value == stored.id
    infos = [info.value for info in at.info]
    assert any("(44 of 45 rows equal, 1 changed)" in info for info in infos), infos
    assert not at.warning
