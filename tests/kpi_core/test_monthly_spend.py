"""Spend rows of a monthly report cover their whole month."""

from datetime import date as D

from kpi_core.importing import load_file
from kpi_core.marketing_data import spend_dates, spend_in_period
from kpi_core.period import Period
from kpi_core.spend_tables import combine_spend

MONTHLY = (
    "month_begin,channel,spend\n"
    "2025-01-01,Ads,310\n2025-02-01,Ads,280\n2025-03-01,Ads,310\n"
)
DAILY = "Day,Campaign,Cost\n2025-01-20,Brand,100\n2025-02-01,Brand,50\n"
# 17 January to 14 February: 15 of January's 31 days, 14 of February's 28.
PERIOD = Period(D(2025, 1, 17), D(2025, 2, 14))


def _spend(text: str):
    return load_file("spend.csv", text.encode()).frame


def test_monthly_rows_shared_over_their_days():
    rows = spend_in_period(_spend(MONTHLY), PERIOD, None, None).frame
    # 310 x 15/31 + 280 x 14/28 = 150 + 140 = 290.
    assert round(rows["amount"].sum(), 6) == 290.0


def test_monthly_rows_run_to_the_month_end():
    assert spend_dates(_spend(MONTHLY)) == (D(2025, 1, 1), D(2025, 3, 31))


def test_daily_table_beside_monthly_keeps_days():
    spend = combine_spend({"monthly": _spend(MONTHLY), "daily": _spend(DAILY)})
    rows = spend_in_period(spend, PERIOD, None, None).frame
    # The daily table has a row off the first of the month, so its rows are
    # days, also the one on 1 February: 290 + 100 + 50 = 440.
    assert round(rows["amount"].sum(), 6) == 440.0


def test_one_month_on_the_first_is_a_day():
    single = "Day,Campaign,Cost\n2025-02-01,Brand,280\n"
    rows = spend_in_period(_spend(single), PERIOD, None, None).frame
    # A single first of the month could be a day's spend: all 280 counts.
    assert rows["amount"].sum() == 280.0


def test_quarterly_rows_cover_their_quarter():
    quarterly = (
        "Day,Campaign,Cost\n"
        "2025-01-01,Brand,900\n2025-04-01,Brand,910\n"
        "2025-07-01,Brand,920\n2025-10-01,Brand,920\n"
    )
    spend = _spend(quarterly)
    # Rows three months apart each cover a quarter, so the last one runs to
    # 31 December.
    assert spend_dates(spend) == (D(2025, 1, 1), D(2025, 12, 31))
    may_june = Period(D(2025, 5, 1), D(2025, 6, 30))
    rows = spend_in_period(spend, may_june, None, None).frame
    # The second quarter has 30 + 31 + 30 = 91 days, 61 of them in May and
    # June: 910 x 61 / 91 = 610.
    assert round(rows["amount"].sum(), 6) == 610.0


def test_one_day_off_month_start_warned():
    text = (
        "Month,Campaign,Cost\n"
        "2025-01-01,A,100\n2025-02-01,A,100\n2025-03-01,A,100\n"
        "2025-03-17,A,20\n2025-04-01,A,100\n2025-05-01,A,100\n"
    )
    table = load_file("spend.csv", text.encode())
    [warning] = table.warnings
    assert warning.startswith(
        "5 of 6 spend rows have a 'Month' on the first of a month, but the row "
        "on line 5 does not, so every row counts as the spend of its own day"
    )
    # Read day by day, the row of 1 March counts on its first day only:
    # 100 (1 March) + 20 (17 March) for March.
    march = Period(D(2025, 3, 1), D(2025, 3, 31))
    assert spend_in_period(table.frame, march, None, None).frame["amount"].sum() == 120


def test_daily_and_monthly_tables_not_warned():
    assert load_file("spend.csv", MONTHLY.encode()).warnings == ()
    assert load_file("spend.csv", DAILY.encode()).warnings == ()


def test_month_labels_cover_their_month():
    # A German spreadsheet of spend per month, the months without a day.
    labels = (
        "Monat;Kanal;Kosten\n"
        "Januar 2025;Google;310,00\nFebruar 2025;Google;280,00\n"
        "März 2025;Google;310,00\n"
    )
    spend = _spend(labels)
    assert spend_dates(spend) == (D(2025, 1, 1), D(2025, 3, 31))
    rows = spend_in_period(spend, PERIOD, None, None).frame
    # As for the monthly report: 310 x 15/31 + 280 x 14/28 = 290.
    assert round(rows["amount"].sum(), 6) == 290.0


def test_numeric_month_labels_read():
    labels = "Monat;Kanal;Kosten\n01.2025;Google;310\n02.2025;Google;280\n"
    assert spend_dates(_spend(labels)) == (D(2025, 1, 1), D(2025, 2, 28))


def test_month_labels_with_gap_stay_months():
    # January and April: as days on the first, three months apart, they
    # would read as quarters. Written as months they stay months.
    labels = "Monat;Kanal;Kosten\nJanuar 2025;Brand;300\nApril 2025;Brand;300\n"
    spend = _spend(labels)
    february = Period(D(2025, 2, 1), D(2025, 2, 28))
    assert spend_in_period(spend, february, None, None).frame["amount"].sum() == 0
    january = Period(D(2025, 1, 1), D(2025, 1, 31))
    assert spend_in_period(spend, january, None, None).frame["amount"].sum() == 300


def test_single_month_label_covers_month():
    spend = _spend("Monat;Kanal;Kosten\n02.2025;Brand;280\n")
    # 14 of February's 28 days lie in the period: 280 x 14 / 28 = 140.
    rows = spend_in_period(spend, PERIOD, None, None).frame
    assert round(rows["amount"].sum(), 6) == 140.0


def test_month_labels_named_at_import():
    labels = "Monat;Kanal;Kosten\n01.2025;Google;310\n02.2025;Google;280\n"
    prepared = load_file("spend.csv", labels.encode())
    assert prepared.detected["Monat"] == "months without a day, each covering its month"
