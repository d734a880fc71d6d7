"""Updating a stored spend table with a re-export that covers part of its
days: the file's rows take the place of the stored rows of the days it
covers, and the stored rows of other days stay."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kpi_core.importing import load_file
from kpi_core.marketing import cac, new_customers_from_orders
from kpi_core.period import Period
from kpi_core.spend_repeats import overlap_warning
from kpi_core.spend_tables import combine_spend
from kpi_core.spend_updates import spend_file_range, spend_update

# A Google Ads campaign report of January to March with two title lines and
# a total row.
GOOGLE_Q1 = """\
Campaign performance report
"January 1, 2025 - March 31, 2025"
Campaign,Day,Currency code,Cost,Impr.,Clicks
Winter Sale,2025-01-10,CHF,100.00,1000,50
Brand Search,2025-01-15,CHF,50.00,500,30
Winter Sale,2025-02-05,CHF,80.00,900,40
Brand Search,2025-02-20,CHF,40.00,400,20
Spring Launch,2025-03-10,CHF,200.00,3000,90
Brand Search,2025-03-12,CHF,30.00,300,10
Total: Account,,CHF,500.00,6100,240
"""
# The re-export of February to April: three rows equal, Spring Launch on
# 2025-03-10 corrected from 200.00 to 210.00, and one new April row.
GOOGLE_FEB_APR = """\
Campaign performance report
"February 1, 2025 - April 30, 2025"
Campaign,Day,Currency code,Cost,Impr.,Clicks
Winter Sale,2025-02-05,CHF,80.00,900,40
Brand Search,2025-02-20,CHF,40.00,400,20
Spring Launch,2025-03-10,CHF,210.00,3000,90
Brand Search,2025-03-12,CHF,30.00,300,10
Spring Launch,2025-04-02,CHF,70.00,800,20
"""
META_Q1 = """\
Reporting starts,Reporting ends,Campaign name,Day,Amount spent (EUR),Impressions
2025-01-01,2025-03-31,Winter Sale,2025-01-20,60.00,2000
2025-01-01,2025-03-31,Winter Sale,2025-02-10,40.00,1500
2025-01-01,2025-03-31,Spring Launch,2025-03-20,100.00,4000
"""
# Five new customers in the first quarter of 2025.
ORDERS = """\
Order ID,Order date,Customer ID,Total,Currency
O1,2025-01-05,C1,120.00,CHF
O2,2025-01-12,C2,80.00,CHF
O3,2025-02-14,C3,300.00,CHF
O4,2025-03-01,C4,60.00,CHF
O5,2025-03-15,C5,45.00,CHF
"""
Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))


def _load(tmp_path: Path, name: str, text: str, table: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(name, path.read_bytes(), table=table).frame


def test_update_keeps_days_outside_file(tmp_path):
    stored = _load(tmp_path, "google_ads.csv", GOOGLE_Q1, "spend")
    new = _load(tmp_path, "google_ads_reexport.csv", GOOGLE_FEB_APR, "spend")
    update = spend_update(stored, new)
    assert update is not None
    assert update.first_day == date(2025, 2, 5)
    assert update.last_day == date(2025, 4, 2)
    # The 2 January rows stay, the 4 stored rows of 2025-02-05 to 2025-03-12
    # give way to the file's 5 rows: 3 equal, 1 changed and 1 new.
    assert update.kept == 2
    assert update.replaced == 4
    assert update.file_rows == 5
    assert update.equal == 3
    assert update.changed == ("2025-03-10 Spring Launch 200.00 -> 210.00",)
    assert update.added == 1
    assert update.dropped == ()
    assert update.frame.height == 7
    # 100 + 50 (January) + 80 + 40 + 210 + 30 + 70 (the file) = 580.
    assert update.frame["amount"].sum() == pytest.approx(580.0)
    assert update.updates_by_default


def test_update_gives_q1_cac(tmp_path):
    stored = _load(tmp_path, "google_ads.csv", GOOGLE_Q1, "spend")
    new = _load(tmp_path, "google_ads_reexport.csv", GOOGLE_FEB_APR, "spend")
    meta = _load(tmp_path, "meta_ads.csv", META_Q1, "spend")
    orders = _load(tmp_path, "orders.csv", ORDERS, "orders")
    update = spend_update(stored, new)
    spend = combine_spend({"google_ads": update.frame, "meta_ads": meta})
    customers = new_customers_from_orders(orders)
    result = cac(spend, customers, Q1, currency="CHF", fx={"EUR": 0.94})
    # Google Q1 after the update: 100 + 50 + 80 + 40 + 210 + 30 = 510 CHF
    # (the April row of 70 is outside Q1). Meta: (60 + 40 + 100) EUR x 0.94
    # = 188 CHF. CAC = (510 + 188) / 5 = 698 / 5 = 139.60 CHF. With the old
    # 200 for 2025-03-10 it would be 688 / 5 = 137.60, and both tables
    # stored side by side gave (688 + 80 + 40 + 210 + 30) / 5 = 209.60.
    assert result.value == pytest.approx(139.60)
    assert result.numerator == pytest.approx(698.0)
    assert overlap_warning({"google_ads": update.frame, "meta_ads": meta}) is None


def test_update_names_dropped_rows(tmp_path):
    stored = _load(tmp_path, "google_ads.csv", GOOGLE_Q1, "spend")
    # Brand Search on 2025-02-20 is missing from a file that covers its day.
    without = GOOGLE_FEB_APR.replace("Brand Search,2025-02-20,CHF,40.00,400,20\n", "")
    new = _load(tmp_path, "cut.csv", without, "spend")
    update = spend_update(stored, new)
    assert update.dropped == ("2025-02-20 Brand Search 40.00",)
    # The update deletes stored spend, so it is offered but not the default.
    assert not update.updates_by_default
    text = update.describe("google_ads")
    assert "1 stored row of those days is not in this file" in text, text


def test_update_description(tmp_path):
    stored = _load(tmp_path, "google_ads.csv", GOOGLE_Q1, "spend")
    new = _load(tmp_path, "google_ads_reexport.csv", GOOGLE_FEB_APR, "spend")
    text = spend_update(stored, new).describe("google_ads")
    assert text == (
        "Updating 'google_ads' keeps its 2 rows of days before 2025-02-05 or "
        "after 2025-04-02 and replaces its 4 rows from 2025-02-05 to "
        "2025-04-02 with the 5 rows of this file (3 equal, 1 changed, 1 new), "
        "7 rows in all. 1 row changed: 2025-03-10 Spring Launch 200.00 -> "
        "210.00."
    )


def test_file_range_covers_all_campaigns(tmp_path):
    # Guard: the range is the whole file's, not per campaign, so a stored
    # Winter Sale row inside it goes although the file has no Winter Sale
    # row on that day.
    new = _load(tmp_path, "google_ads_reexport.csv", GOOGLE_FEB_APR, "spend")
    assert spend_file_range(new) == (date(2025, 2, 5), date(2025, 4, 2))


def test_overlap_names_changed_amounts(tmp_path):
    stored = _load(tmp_path, "google_ads.csv", GOOGLE_Q1, "spend")
    new = _load(tmp_path, "google_ads_reexport.csv", GOOGLE_FEB_APR, "spend")
    warning = overlap_warning({"google_ads": stored, "google_ads_reexport": new})
    assert warning is not None
    # 3 equal rows, and Spring Launch on 2025-03-10 with 200.00 in one table
    # and 210.00 in the other: 4 rows, 80 + 40 + 210 + 30 = 360 CHF, count
    # twice.
    assert warning.startswith(
        "“google_ads” and “google_ads_reexport” share 3 spend rows (Winter "
        "Sale on 2025-02-05, Brand Search on 2025-02-20 and 1 more) and "
        "1 spend row of the same day and campaign with another amount "
        "(Spring Launch on 2025-03-10: 200.00 and 210.00)"
    ), warning


def test_overlap_ignores_unlabelled_rows(tmp_path):
    # Guard: two account-level exports without a campaign or channel share
    # every day, but a day alone does not make them the same spend.
    first = _load(
        tmp_path, "a.csv", "Day,Cost\n2025-01-01,10\n2025-01-02,11\n", "spend"
    )
    second = _load(
        tmp_path, "b.csv", "Day,Cost\n2025-01-01,20\n2025-01-02,21\n", "spend"
    )
    assert overlap_warning({"a": first, "b": second}) is None
