"""Spend tables of several ad platforms are added up, and rows two tables
share are named."""

import io
from datetime import date

import polars as pl
from openpyxl import load_workbook

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.period import Period
from kpi_core.report import ReportOptions, build_report
from kpi_core.report_tables import excel_report_bytes
from kpi_core.spend_repeats import overlap_warning
from kpi_core.spend_tables import (
    SOURCE_COLUMN,
    SpendMatch,
    combine_spend,
    matching_spend_table,
)

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))

GOOGLE = """\
Day,Campaign,Currency code,Cost
2025-01-15,Brand Search,EUR,400.00
2025-03-20,Spring Promo,EUR,250.00
"""
# Meta's export has no currency column, so its amounts are in EUR.
META = """\
Day,Campaign,Amount spent
2025-01-05,Meta Winter,300.00
2025-02-05,Meta Winter,200.00
2025-03-05,Meta Winter,100.00
"""
ORDERS = """\
Order ID,Order date,Customer ID,Total,Currency,utm_campaign
O1,2025-01-20,C1,100.00,EUR,Brand Search
O2,2025-02-01,C2,100.00,EUR,Meta Winter
O3,2025-02-10,C3,100.00,EUR,Spring Promo
O4,2025-02-20,C4,100.00,EUR,
O5,2025-03-01,C5,100.00,EUR,Meta Winter
"""


def _frame(text: str, table: str):
    return load_file(f"{table}.csv", text.encode(), table=table).frame


def _combined():
    return combine_spend(
        {"google.csv": _frame(GOOGLE, "spend"), "meta.csv": _frame(META, "spend")}
    )


def test_combined_spend_keeps_every_row():
    combined = _combined()
    assert combined.height == 5
    assert combined[SOURCE_COLUMN].to_list() == ["google.csv"] * 2 + ["meta.csv"] * 3
    # The table without a currency column counts in EUR, as alone.
    assert combined["currency"].to_list() == ["EUR"] * 5


def test_cac_over_all_platforms():
    tables = {"spend": _combined(), "orders": _frame(ORDERS, "orders")}
    result = compute_kpis(tables, KpiSettings(period=Q1))["cac"]
    # (400 + 250) + (300 + 200 + 100) = 1,250 spend / 5 new customers = 250.
    assert result.value == 250.0


def test_one_table_unchanged():
    google = _frame(GOOGLE, "spend")
    assert combine_spend({"google.csv": google}).equals(google)


def test_copy_of_table_named():
    google = _frame(GOOGLE, "spend")
    copy = load_file("google (2).csv", GOOGLE.encode(), table="spend").frame
    warning = overlap_warning({"google.csv": google, "google (2).csv": copy})
    assert warning == (
        "“google.csv” and “google (2).csv” share 2 spend rows (Brand Search on "
        "2025-01-15, Spring Promo on 2025-03-20). The spend tables are added "
        "up, so that spend is counted twice. If one table is a copy of another, "
        "delete it on the Data page."
    )


def test_platforms_share_no_row():
    meta = _frame(META, "spend")
    assert overlap_warning({"google.csv": _frame(GOOGLE, "spend"), "m": meta}) is None


def test_excel_report_over_combined_spend():
    tables = {"spend": _combined(), "orders": _frame(ORDERS, "orders")}
    data = excel_report_bytes(tables, KpiSettings(period=Q1), "month")
    sheet = load_workbook(io.BytesIO(data))["Marketing"]
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    # 1,250 spend / 5 new customers = 250, as the CAC above.
    assert 250 in values
    # Meta Winter's ROI over Meta's whole spend: (200 - 600) / 600 x 100.
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row[0]}
    assert rows["Meta Winter"][2] == (200 - 600) / 600 * 100


def test_report_adds_up_spend_files(tmp_path):
    paths = []
    for name, text in (
        ("orders.csv", ORDERS),
        ("google.csv", GOOGLE),
        ("meta.csv", META),
        ("google copy.csv", GOOGLE),
    ):
        (tmp_path / name).write_text(text)
        paths.append(tmp_path / name)
    report = build_report(paths, ReportOptions(period=Q1))
    # Google counts twice through its copy: 650 x 2 + 600 = 1,900 spend
    # over 5 new customers = 380, and a warning names the copy.
    assert report["kpis"]["cac"]["value"] == 380.0
    assert any(
        warning.startswith("cac: “google.csv” and “google copy.csv” share 2 spend rows")
        for warning in report["warnings"]
    )
    assert not any("several spend files" in w for w in report["warnings"])


def test_copy_of_three_rows_names_two():
    meta = _frame(META, "spend")
    warning = overlap_warning({"meta.csv": meta, "meta copy.csv": meta})
    # 3 shared rows: the first two by day are named, and "1 more".
    assert warning.startswith(
        "“meta.csv” and “meta copy.csv” share 3 spend rows (Meta Winter on "
        "2025-01-05, Meta Winter on 2025-02-05 and 1 more)."
    )


def test_linkedin_export_is_spend():
    # LinkedIn Campaign Manager names its columns "Start Date (in UTC)" and
    # "Total Spent": 500 in January and 300 in February, 800 in Q1.
    text = (
        "Start Date (in UTC),End Date (in UTC),Account Name,Campaign Name,"
        "Currency,Total Spent,Impressions,Clicks\n"
        "2025-01-01,2025-01-31,Acme,B2B Leads,EUR,500.00,10000,120\n"
        "2025-02-01,2025-02-28,Acme,B2B Leads,EUR,300.00,8000,90\n"
    )
    prepared = load_file("linkedin.csv", text.encode())
    assert prepared.table == "spend"
    assert prepared.mapping.columns["amount"] == "Total Spent"
    assert prepared.mapping.columns["period_start"] == "Start Date (in UTC)"
    tables = {"spend": prepared.frame, "orders": _frame(ORDERS, "orders")}
    result = compute_kpis(tables, KpiSettings(period=Q1))["cac"]
    # 800 spend / 5 new customers = 160.
    assert result.value == 160.0


def test_cac_of_copied_table_warns():
    google = _frame(GOOGLE, "spend")
    spend = combine_spend({"google.csv": google, "google copy.csv": google})
    tables = {"spend": spend, "orders": _frame(ORDERS, "orders")}
    result = compute_kpis(tables, KpiSettings(period=Q1))["cac"]
    # The copy doubles Google's 650: 1,300 / 5 = 260, with the warning.
    assert result.value == 260.0
    assert result.warnings[-1].startswith(
        "“google.csv” and “google copy.csv” share 2 spend rows"
    )


def test_excel_report_warns_copied_spend():
    google = _frame(GOOGLE, "spend")
    spend = combine_spend({"google.csv": google, "google copy.csv": google})
    tables = {"spend": spend, "orders": _frame(ORDERS, "orders")}
    data = excel_report_bytes(tables, KpiSettings(period=Q1), "month")
    sheet = load_workbook(io.BytesIO(data))["Marketing"]
    [cac] = [
        row
        for row in sheet.iter_rows(values_only=True)
        if row[0] == "Customer acquisition cost"
    ]
    notes = " ".join(str(cell) for cell in cac if cell)
    assert "“google.csv” and “google copy.csv” share 2 spend rows" in notes


def _spend(rows: list[tuple[str, str, float]]) -> pl.DataFrame:
    """Return a spend table of (day, channel, amount) rows."""
    days, channels, amounts = zip(*rows, strict=True)
    return pl.DataFrame(
        {
            "spent_at": [date.fromisoformat(day) for day in days],
            "channel": list(channels),
            "amount": list(amounts),
        }
    )


MONTHS = [
    ("2025-01-01", "Google Ads", 1000.0),
    ("2025-01-01", "Newsletter", 200.0),
    ("2025-02-01", "Google Ads", 1100.0),
    ("2025-02-01", "Newsletter", 200.0),
]


def test_matching_spend_corrected_month():
    corrected = [*MONTHS[:3], ("2025-02-01", "Newsletter", 250.0)]
    stored = {"meta": _spend([("2025-01-01", "Meta Ads", 50.0)]), "t1": _spend(MONTHS)}
    match = matching_spend_table(_spend(corrected), stored)
    assert match == SpendMatch("t1", 4, 3, 1, "months", "channels")
    assert match.describe("ads") == (
        "This file contains the same months and channels as the stored spend "
        "table 'ads' (3 of 4 rows equal, 1 changed). Importing it as a new "
        "table adds its spend to that table's, counting it twice."
    )


def test_matching_spend_half_the_keys():
    # An export that adds as many months as it repeats is still the sheet.
    later = [
        ("2025-03-01", "Google Ads", 900.0),
        ("2025-03-01", "Newsletter", 100.0),
        ("2025-04-01", "Google Ads", 900.0),
        ("2025-04-01", "Newsletter", 100.0),
    ]
    match = matching_spend_table(_spend(MONTHS + later), {"t1": _spend(MONTHS)})
    assert match is not None
    assert (match.rows, match.equal, match.changed) == (8, 4, 0)
    assert "(4 of 8 rows equal, 4 not in that table)" in match.describe("a")
    # Less than half is spend to add up, such as the next months.
    first_month = MONTHS[:1]
    new = _spend(first_month + later)
    assert matching_spend_table(new, {"t1": _spend(MONTHS)}) is None


def test_matching_spend_other_platform():
    meta = [("2025-01-01", "Meta Ads", 1000.0), ("2025-02-01", "Meta Ads", 1100.0)]
    assert matching_spend_table(_spend(meta), {"t1": _spend(MONTHS)}) is None
    assert matching_spend_table(_spend(meta), {}) is None


def test_matching_spend_days_and_campaigns():
    frame = pl.DataFrame(
        {
            "spent_at": [date(2025, 1, 15), date(2025, 1, 16)],
            "campaign": ["Brand", "Brand"],
            "amount": [10.0, 20.0],
        }
    )
    match = matching_spend_table(frame, {"t1": frame})
    assert match == SpendMatch("t1", 2, 2, 0, "days", "campaigns")


def test_matching_spend_other_account_amounts():
    # Another account books other amounts under the same days and channels.
    other = [(day, channel, amount / 2) for day, channel, amount in MONTHS]
    match = matching_spend_table(_spend(other), {"t1": _spend(MONTHS)})
    assert match is not None
    assert (match.equal, match.changed) == (0, 4)
    assert match.other_amounts
    assert not match.replaces_table


def test_matching_spend_without_labels():
    # Account-level daily exports without a channel key every row to (day, "").
    def daily(base: float) -> pl.DataFrame:
        days = [date(2025, 1, day) for day in range(1, 29)]
        amounts = [base + day for day in range(1, 29)]
        return pl.DataFrame({"spent_at": days, "amount": amounts})

    match = matching_spend_table(daily(50.0), {"google": daily(100.0)})
    assert match is not None
    assert match.other_amounts
    assert not match.replaces_table
    assert "another account or platform, keep both" in match.describe("google")


def test_matching_spend_half_equal_is_version():
    # Two of four shared keys equal is still a corrected copy.
    corrected = [*MONTHS[:2], ("2025-02-01", "Google Ads", 1.0), MONTHS[3][:2] + (2.0,)]
    match = matching_spend_table(_spend(corrected), {"t1": _spend(MONTHS)})
    assert match is not None
    assert (match.equal, match.changed) == (2, 2)
    assert match.replaces_table
    # One of four equal is another account.
    other = [MONTHS[0], *[(d, c, a + 1) for d, c, a in MONTHS[1:]]]
    match = matching_spend_table(_spend(other), {"t1": _spend(MONTHS)})
    assert match is not None
    assert match.other_amounts
    assert not match.replaces_table


def test_matching_spend_prefers_equal_table():
    # Google shares every key with other amounts and comes first, but the
    # upload is a copy of the second table.
    other = [(day, channel, amount + 5) for day, channel, amount in MONTHS]
    stored = {"google": _spend(other), "t1": _spend(MONTHS)}
    match = matching_spend_table(_spend(MONTHS), stored)
    assert match is not None
    assert match.table == "t1"


def test_matching_spend_rolling_window():
    later = [("2025-03-01", "Google Ads", 900.0), ("2025-03-01", "Newsletter", 100.0)]
    match = matching_spend_table(_spend(MONTHS[2:] + later), {"t1": _spend(MONTHS)})
    assert match is not None
    assert (match.rows, match.equal, match.changed) == (4, 2, 0)
    assert match.dropped == 2
    assert match.dropped_months == ("January 2025",)
    assert not match.replaces_table
    assert match.describe("q1") == (
        "This file repeats rows of the stored spend table 'q1' (2 of 4 rows "
        "equal, 2 not in that table) but lacks its 2 rows from January 2025. "
        "Keeping both tables counts the spend of the 2 shared rows twice, "
        "because the spend tables are added up. Replacing 'q1' deletes its 2 "
        "rows from January 2025. Updating 'q1' keeps the rows of the days "
        "this file does not cover and takes this file's rows for the days it "
        "covers. Choose under Store."
    )


def test_matching_spend_dropped_zero_row():
    # A stored row without spend that the file lacks loses nothing.
    stored = [*MONTHS, ("2025-03-01", "Newsletter", 0.0)]
    match = matching_spend_table(_spend(MONTHS), {"t1": _spend(stored)})
    assert match is not None
    assert match.dropped == 0
    assert match.replaces_table


def test_matching_spend_names_dropped_months():
    stored = [
        (f"2025-{month:02d}-01", "Google Ads", 100.0 * month) for month in range(1, 11)
    ]
    one_more = matching_spend_table(_spend(stored[4:]), {"t1": _spend(stored)})
    assert one_more is not None
    assert one_more.dropped == 4
    named = "January 2025, February 2025, March 2025 and"
    assert f"lacks its 4 rows from {named} 1 more month." in one_more.describe("t1")
    two_more = matching_spend_table(_spend(stored[5:]), {"t1": _spend(stored)})
    assert two_more is not None
    assert f"{named} 2 more months." in two_more.describe("t1")
    two = matching_spend_table(_spend(stored[2:]), {"t1": _spend(stored)})
    assert two is not None
    assert "lacks its 2 rows from January 2025 and February 2025." in two.describe("t1")
