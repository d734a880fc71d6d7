"""Rows that two spend tables share: their count and days on the KPI pages,
and the rows of an upload that stored tables already contain."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
from openpyxl import Workbook

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.period import Period
from kpi_core.spend_repeats import find_spend_repeats, overlap_warning
from kpi_core.spend_tables import combine_spend

# A Meta export broken down by day: every row repeats the report's window
# (2026-01-01 to 2026-04-30) in "Reporting starts" and "Reporting ends", and
# the day of the spend is in "Day". meta_spring spends 50.00 on two days.
META_ROWS = [
    ("meta_winter", datetime(2026, 1, 8), 310.40),
    ("meta_winter", datetime(2026, 1, 22), 120.00),
    ("meta_winter", datetime(2026, 2, 5), 88.88),
    ("meta_winter", datetime(2026, 2, 19), 141.12),
    ("meta_spring", datetime(2026, 3, 10), 75.00),
    ("meta_spring", datetime(2026, 3, 24), 64.60),
    ("meta_spring", datetime(2026, 4, 7), 50.00),
    ("meta_spring", datetime(2026, 4, 21), 50.00),
]
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
# A re-export of April and May: its two April rows (lines 4 and 5) equal
# stored rows, the three May rows are new.
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
ORDERS = """\
Order ID,Order date,Customer ID,Total,Currency
O1,2026-04-10,C1,500.00,EUR
O2,2026-05-10,C2,500.00,EUR
"""


def _meta_workbook(tmp_path: Path, name: str) -> pl.DataFrame:
    book = Workbook()
    sheet = book.active
    sheet.title = "Raw Data Report"
    sheet.append(
        ["Reporting starts", "Reporting ends", "Campaign name", "Day"]
        + ["Impressions", "Amount spent (EUR)"]
    )
    for campaign, day, amount in META_ROWS:
        sheet.append(["2026-01-01", "2026-04-30", campaign, day, 2000, amount])
    path = tmp_path / name
    book.save(path)
    return load_file(name, path.read_bytes()).frame


def _csv(tmp_path: Path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return load_file(name, path.read_bytes()).frame


def test_copy_names_days_not_window(tmp_path):
    meta = _meta_workbook(tmp_path, "meta_ads.xlsx")
    copy = _meta_workbook(tmp_path, "meta_ads (1).xlsx")
    warning = overlap_warning({"meta_ads (1)": copy, "meta_ads": meta})
    # All 8 rows are shared. The first two by day are named from the Day
    # column, not the window's start 2026-01-01, and 8 - 2 = 6 more.
    assert warning is not None
    assert warning.startswith(
        "“meta_ads (1)” and “meta_ads” share 8 spend rows (meta_winter on "
        "2026-01-08, meta_winter on 2026-01-22 and 6 more)."
    )


def test_copy_counts_equal_rows_each():
    # A table with the same row twice shares both rows with its copy.
    frame = pl.DataFrame(
        {
            "spent_at": [date(2026, 4, 7), date(2026, 4, 7)],
            "campaign": ["meta_spring", "meta_spring"],
            "amount": [50.0, 50.0],
        }
    )
    warning = overlap_warning({"a": frame, "b": frame})
    assert warning is not None
    assert warning.startswith("“a” and “b” share 2 spend rows (")


def test_copy_warns_only_in_its_period(tmp_path):
    meta = _meta_workbook(tmp_path, "meta_ads.xlsx")
    google = _csv(tmp_path, "google.csv", "Day,Campaign,Cost\n2026-05-06,brand,20.00\n")
    spend = combine_spend({"meta_ads (1)": meta, "meta_ads": meta, "google": google})
    tables = {"spend": spend, "orders": _csv(tmp_path, "orders.csv", ORDERS)}
    april = Period(date(2026, 4, 1), date(2026, 4, 30))
    may = Period(date(2026, 5, 1), date(2026, 5, 31))

    cac = compute_kpis(tables, KpiSettings(period=april))["cac"]
    # April: meta_spring 50.00 on 04-07 and 04-21, in both tables:
    # (50 + 50) x 2 = 200 spend / 1 new customer (C1) = 200.
    assert cac.value == 200.0
    shared = [w for w in cac.warnings if "share" in w]
    assert shared == [
        "“meta_ads (1)” and “meta_ads” share 2 spend rows in the period "
        "(meta_spring on 2026-04-07, meta_spring on 2026-04-21). The spend "
        "tables are added up, so that spend is counted twice. If one table is "
        "a copy of another, delete it on the Data page."
    ]

    cac = compute_kpis(tables, KpiSettings(period=may))["cac"]
    # May has Google's 20.00 and no Meta spend, so no shared row adds to its
    # CAC of 20 / 1 new customer (C2) = 20.
    assert cac.value == 20.0
    assert not [w for w in cac.warnings if "share" in w]


def test_upload_repeating_april_rows(tmp_path):
    stored = _csv(tmp_path, "google_ads_de.csv", GOOGLE_DE, "cp1252")
    upload = _csv(tmp_path, "google_ads_apr_mai.csv", GOOGLE_APR_MAY, "cp1252")
    repeats = find_spend_repeats(upload, {"t1": stored})
    assert repeats is not None
    assert repeats.rows == (0, 1)
    [table] = repeats.tables
    assert table.table == "t1"
    assert table.lines == (4, 5)
    assert repeats.exact
    assert repeats.describe({"t1": "google_ads_de"}) == (
        "2 of 5 rows in this file repeat spend rows that are already stored, "
        "with the same day, campaign and amount (and the same channel and "
        "currency where both tables name them): lines 4 and 5 repeat rows of "
        "'google_ads_de' (brand_search on 2026-04-01, 60.00; generic_search on "
        "2026-04-22, 150.10). The spend tables are added up, so if you import "
        "these rows too, their spend counts twice."
    )
    kept = repeats.without_repeats(upload)
    # The three May rows: 11.00 + 12.00 + 13.00 = 36.00.
    assert kept.height == 3
    assert kept["amount"].sum() == 36.0


def test_repeat_across_two_tables_counts_once():
    day = date(2026, 4, 1)
    row = {"spent_at": [day], "campaign": ["brand_search"], "amount": [60.0]}
    upload = pl.DataFrame(
        {
            "spent_at": [day, day],
            "campaign": ["brand_search", "brand_search"],
            "amount": [60.0, 60.0],
        }
    )
    # Each stored table contains the row once, so both upload rows repeat
    # one: the first that of "a", the second that of "b".
    stored = {"a": pl.DataFrame(row), "b": pl.DataFrame(row)}
    repeats = find_spend_repeats(upload, stored)
    assert repeats is not None
    assert [(t.table, t.rows) for t in repeats.tables] == [("a", (0,)), ("b", (1,))]


def test_repeat_with_other_spelling_not_exact():
    stored = pl.DataFrame(
        {"spent_at": [date(2026, 4, 1)], "campaign": ["Brand Search"], "amount": [60.0]}
    )
    upload = stored.with_columns(pl.lit("brand search ").alias("campaign"))
    repeats = find_spend_repeats(upload, {"t1": stored})
    assert repeats is not None
    assert repeats.tables[0].differing == ("campaign",)
    assert not repeats.exact
    assert "differ from the stored rows in the campaign column" in (
        repeats.describe({"t1": "google"})
    )


def test_other_campaigns_same_day_amount():
    # Guard: two platforms' campaigns that spend the same on the same day
    # are no repeats.
    google = pl.DataFrame(
        {"spent_at": [date(2026, 4, 1)], "campaign": ["brand_search"], "amount": [50.0]}
    )
    meta = google.with_columns(pl.lit("meta_spring").alias("campaign"))
    assert find_spend_repeats(meta, {"google": google}) is None
    assert overlap_warning({"google": google, "meta": meta}) is None


def test_other_channel_or_currency():
    # Guard: the same campaign, day and amount on another platform or in
    # another currency is other spend when both tables name them.
    google = pl.DataFrame(
        {
            "spent_at": [date(2026, 4, 1)],
            "campaign": ["spring"],
            "channel": ["Google Ads"],
            "currency": ["EUR"],
            "amount": [50.0],
        }
    )
    meta = google.with_columns(pl.lit("Meta").alias("channel"))
    dollars = google.with_columns(pl.lit("USD").alias("currency"))
    assert find_spend_repeats(meta, {"google": google}) is None
    assert find_spend_repeats(dollars, {"google": google}) is None
    assert overlap_warning({"google": google, "meta": meta}) is None


def test_zero_spend_rows_no_repeat():
    # Guard: a row without spend adds nothing when counted twice.
    frame = pl.DataFrame(
        {"spent_at": [date(2026, 4, 1)], "campaign": ["paused"], "amount": [0.0]}
    )
    assert find_spend_repeats(frame, {"t1": frame}) is None
    assert overlap_warning({"a": frame, "b": frame}) is None
