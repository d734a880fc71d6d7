"""Data page: a spend re-export of a later date range updates its stored
table by default, so that no day counts twice and no stored day is lost."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kpi_core.workspace import Workspace
from tests.kpi_core.test_spend_updates import GOOGLE_FEB_APR, GOOGLE_Q1, META_Q1
from tests.pages.test_data_spend_versions import (
    _data_page,
    _import,
    _spend_tables,
    _upload,
    _upload_and_import,
    _write,
)

# Five new customers in the first quarter of 2025, in CHF.
ORDERS = """\
Order ID,Order date,Customer ID,Total,Currency
O1,2025-01-05,C1,120.00,CHF
O2,2025-01-12,C2,80.00,CHF
O3,2025-02-14,C3,300.00,CHF
O4,2025-03-01,C4,60.00,CHF
O5,2025-03-15,C5,45.00,CHF
"""


def _stored(root: Path, name: str):
    return next(e for e in _spend_tables(root) if e.name == name)


def test_reexport_updates_by_default(tmp_path, fresh_workspace):
    at = _data_page()
    _upload_and_import(at, "orders.csv", _write(tmp_path, "orders.csv", ORDERS))
    google = _write(tmp_path, "google_ads.csv", GOOGLE_Q1)
    _upload_and_import(at, "google_ads.csv", google)
    _upload_and_import(at, "meta_ads.csv", _write(tmp_path, "meta_ads.csv", META_Q1))
    stored = _stored(fresh_workspace, "google_ads")

    reexport = _write(tmp_path, "google_ads_reexport.csv", GOOGLE_FEB_APR)
    key = _upload(at, "google_ads_reexport.csv", reexport)
    target = at.selectbox(key=f"{key}:target")
    assert target.value == f"update:{stored.id}"
    # Replacing and a new table stay on offer.
    assert "Store as a new table" in target.options
    assert "Replace google_ads" in target.options
    assert (
        "Update google_ads: take this file's rows for the days it covers "
        "(2025-02-05 to 2025-04-02) and keep the stored rows of other days"
    ) in target.options
    assert at.text_input(key=f"{key}:name").value == "google_ads"
    infos = [info.value for info in at.info]
    expected = (
        "Updating 'google_ads' keeps its 2 rows of days before 2025-02-05 or "
        "after 2025-04-02 and replaces its 4 rows from 2025-02-05 to "
        "2025-04-02 with the 5 rows of this file (3 equal, 1 changed, 1 new), "
        "7 rows in all. 1 row changed: 2025-03-10 Spring Launch 200.00 -> 210.00."
    )
    assert any(info.startswith(expected) for info in infos), infos
    labels = [button.label for button in at.button]
    assert "Import 5 rows into 'google_ads' (7 rows in all)" in labels, labels
    _import(at, key)

    # The table keeps its id and gets a second version, and no table is added.
    names = sorted(entry.name for entry in _spend_tables(fresh_workspace))
    assert names == ["google_ads", "meta_ads"]
    updated = _stored(fresh_workspace, "google_ads")
    assert updated.id == stored.id
    assert updated.version == 2
    assert updated.rows == 7
    amounts = Workspace(fresh_workspace).load(updated.id)["amount"]
    # 100 + 50 (January, kept) + 80 + 40 + 210 + 30 + 70 (the file) = 580.
    assert amounts.sum() == 580

    at.switch_page("pages/marketing.py").run()
    at.sidebar.selectbox(key="period").set_value("custom").run()
    at.sidebar.date_input(key="dates").set_value(
        (date(2025, 1, 1), date(2025, 3, 31))
    ).run()
    at.sidebar.selectbox(key="currency").set_value("CHF").run()
    at.sidebar.number_input(key="fx_EUR_CHF").set_value(0.94).run()
    assert not at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    # Google Q1: 100 + 50 + 80 + 40 + 210 + 30 = 510 CHF. Meta: (60 + 40 +
    # 100) EUR x 0.94 = 188 CHF. (510 + 188) / 5 new customers = 139.60 CHF.
    # Two tables side by side gave (500 + 188 + 80 + 40 + 210 + 30) / 5
    # = 209.60 CHF.
    # The card rounds 139.60 to whole francs, and its help shows cents.
    assert metrics["Customer acquisition cost"] == "140 CHF"
    [card] = [m for m in at.metric if m.label == "Customer acquisition cost"]
    assert "139\\.60 CHF" in card.help, card.help
    warnings = " ".join(warning.value for warning in at.warning)
    assert "share" not in warnings, warnings


def test_update_dropping_rows_not_default(tmp_path, fresh_workspace):
    # Guard: an update that deletes a stored row of the days it covers is
    # offered but not preset.
    at = _data_page()
    _upload_and_import(
        at, "google_ads.csv", _write(tmp_path, "google_ads.csv", GOOGLE_Q1)
    )
    stored = _stored(fresh_workspace, "google_ads")
    cut = GOOGLE_FEB_APR.replace("Brand Search,2025-02-20,CHF,40.00,400,20\n", "")
    key = _upload(at, "cut.csv", _write(tmp_path, "cut.csv", cut))
    target = at.selectbox(key=f"{key}:target")
    assert target.value != f"update:{stored.id}"
    target.set_value(f"update:{stored.id}").run()
    infos = " ".join(info.value for info in at.info)
    assert "1 stored row of those days is not in this file and is deleted: " in infos
    assert "2025-02-20 Brand Search 40.00" in infos
