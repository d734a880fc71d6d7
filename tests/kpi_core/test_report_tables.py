"""The Excel report contains the tables the pages show, with the same figures."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))
SPRING = "=Spring Sale"
ORDERS = (
    "Order ID,Order date,Customer ID,Total,Currency,Channel,utm_campaign\n"
    "O1,2025-01-10,C1,1000.00,EUR,Google Ads,Campaign A\n"
    "O2,2025-02-10,C2,2000.00,EUR,Google Ads,Campaign A\n"
    f"O3,2025-02-15,C3,500.00,EUR,Email,{SPRING}\n"
    "O4,2025-03-01,C1,300.00,EUR,Google Ads,\n"
)
SPEND = (
    "Day,Campaign,Channel,Currency code,Cost\n"
    "2025-01-05,Campaign A,Google Ads,EUR,1500.00\n"
    f"2025-02-05,{SPRING},Email,EUR,1000.00\n"
    "2025-02-06,Campaign C,Meta Ads,EUR,400.00\n"
)
SUBSCRIPTIONS = (
    "id,Customer ID,Status,Start Date (UTC),Ended At (UTC),Amount,Currency,Interval\n"
    "s1,K1,active,2024-06-01 00:00,,100.00,EUR,month\n"
    "s2,K2,canceled,2024-07-01 00:00,2025-02-01 00:00,50.00,EUR,month\n"
    "s3,K3,active,2025-02-10 00:00,,1200.00,EUR,year\n"
)
EMAIL_EVENTS = (
    "Email Address,Event,Timestamp\n"
    "a@x.example,subscribe,2024-12-01 10:00:00\n"
    "b@x.example,subscribe,2024-12-02 10:00:00\n"
    "c@x.example,subscribe,2025-01-05 10:00:00\n"
    "d@x.example,subscribe,2025-02-05 10:00:00\n"
    "a@x.example,unsubscribe,2025-02-10 10:00:00\n"
    "e@x.example,subscribe,2025-03-03 10:00:00\n"
    "f@x.example,subscribe,2025-03-05 10:00:00\n"
    "b@x.example,cleaned,2025-03-06 10:00:00\n"
)


def _load(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes()).frame


def _tables(tmp_path, **texts: str) -> dict:
    files = {
        "orders": ORDERS,
        "spend": SPEND,
        "subscriptions": SUBSCRIPTIONS,
        "email_events": EMAIL_EVENTS,
    }
    files.update(texts)
    return {kind: _load(tmp_path, f"{kind}.csv", text) for kind, text in files.items()}


def _report(tables: dict, currency=None, fx=None):
    data = excel_report_bytes(
        tables, KpiSettings(period=Q1, currency=currency, fx=fx or {}), "month"
    )
    return load_workbook(io.BytesIO(data))


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def _block(sheet, title: str) -> list[tuple]:
    """Return the rows under ``title`` up to the next empty row, trimmed to
    the cells written."""
    rows = _rows(sheet)
    start = next(i for i, row in enumerate(rows) if row[0] == title) + 1
    block = []
    for row in rows[start:]:
        if row[0] is None:
            break
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        block.append(tuple(_day(cell) for cell in cells))
    return block


def _day(cell):
    return cell.date() if hasattr(cell, "date") else cell


def test_campaign_revenue_and_roi(tmp_path):
    block = _block(_report(_tables(tmp_path))["Marketing"], "Revenue by campaign")
    # The note names the table the revenue comes from.
    assert block[0] == ("Revenue comes from the orders table.",)
    assert block[1] == ("Campaign", "Revenue (EUR)", "ROI (%)")
    # Campaign A: 1,000 + 2,000 = 3,000 revenue, 1,500 spend:
    # (3,000 - 1,500) / 1,500 x 100 = 100 %.
    assert block[2] == ("Campaign A", 3000, 100)
    # =Spring Sale: 500 revenue, 1,000 spend: (500 - 1,000) / 1,000 = -50 %.
    assert block[3] == (SPRING, 500, -50)
    # O4 has no campaign: 300, and no cost to give an ROI.
    assert block[4] == ("unattributed", 300)
    # Campaign C has 400 spend and no revenue: (0 - 400) / 400 = -100 %.
    assert block[5] == ("Campaign C", 0, -100)
    assert len(block) == 6


def test_campaign_name_stays_text(tmp_path):
    sheet = _report(_tables(tmp_path))["Marketing"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == SPRING]
    # A row of the campaign table and a header of the revenue by month.
    assert len(cells) == 2
    assert [cell.data_type for cell in cells] == ["s", "s"]


def test_cac_by_channel(tmp_path):
    sheet = _report(_tables(tmp_path))["Marketing"]
    block = _block(sheet, "Acquisition cost by channel")
    assert block[0] == ("The new customers come from the orders table.",)
    assert block[1] == (
        "Channel",
        "Spend (EUR)",
        "New customers",
        "CAC (EUR per new customer)",
    )
    # First orders: C1 and C2 by Google Ads, C3 by Email.
    # Email: 1,000 spend / 1 new customer = 1,000.
    assert block[2] == ("Email", 1000, 1, 1000)
    # Google Ads: 1,500 spend / 2 new customers = 750.
    assert block[3] == ("Google Ads", 1500, 2, 750)
    # Meta Ads: 400 spend and no new customer, so no CAC.
    assert block[4] == ("Meta Ads", 400, 0)


def test_arr_bridge(tmp_path):
    block = _block(_report(_tables(tmp_path))["Marketing"], "ARR bridge")
    assert block[1] == (
        "Step",
        "Amount (EUR per year)",
        "Signed amount (EUR per year)",
        "Customers",
    )
    # Start: K1 100 + K2 50 a month = 150 x 12 = 1,800.
    # New: K3 1,200 a year. Churn: K2 ended on 1 Feb, 50 x 12 = 600.
    # End: 1,800 + 1,200 - 600 = 2,400 (K1 1,200 + K3 1,200).
    assert block[2:] == [
        ("Start ARR", 1800, 1800, 2),
        ("New", 1200, 1200, 1),
        ("Expansion", 0, 0, 0),
        ("Contraction", 0, 0, 0),
        ("Churn", 600, -600, 1),
        ("Reactivation", 0, 0, 0),
        ("End ARR", 2400, 2400, 2),
    ]


def test_email_list_growth(tmp_path):
    block = _block(_report(_tables(tmp_path))["Marketing"], "Email list by month")
    assert block[0][0] == "Period start"
    assert block[0][-2:] == ("Growth (%)", "Partial period")
    # January: a and b on the list, c joins: (1 - 0 - 0) / 2 = 50 %.
    # February: a, b and c on the list, d joins, a leaves: (1 - 1 - 0) / 3 = 0 %.
    # March: b, c and d on the list, e and f join, b is cleaned:
    # (2 - 0 - 1) / 3 = 33.3 %.
    assert block[1] == (date(2025, 1, 1), date(2025, 1, 31), 2, 1, 0, 0, 50)
    assert block[2] == (date(2025, 2, 1), date(2025, 2, 28), 3, 1, 1, 0, 0)
    assert block[3][:6] == (date(2025, 3, 1), date(2025, 3, 31), 3, 2, 0, 1)
    assert block[3][6] == pytest.approx(100 / 3)
    # The last event is on 6 March, so March is covered from 1 to 6 March.
    assert block[3][7] == "2025-03-01 to 2025-03-06 only"


def test_marketing_charts(tmp_path):
    sheet = _report(_tables(tmp_path))["Marketing"]
    kinds = [(type(chart), len(chart.series)) for chart in sheet._charts]
    # In the order of the page: revenue and ROI by campaign, bars; revenue
    # by month, a line per campaign (Campaign A, =Spring Sale and
    # unattributed); CAC by month, a line; CAC by channel and the bridge,
    # bars; ARR and list growth by month, a line each.
    assert kinds == [
        (BarChart, 1),
        (BarChart, 1),
        (LineChart, 3),
        (LineChart, 1),
        (BarChart, 1),
        (BarChart, 1),
        (LineChart, 1),
        (LineChart, 1),
    ]


def test_missing_rate_gives_reason(tmp_path):
    usd = SPEND.replace("2025-02-06,Campaign C,Meta Ads,EUR", "2025-02-06,C,Meta,USD")
    usd_subscriptions = SUBSCRIPTIONS.replace("1200.00,EUR", "1200.00,USD")
    tables = _tables(tmp_path, spend=usd, subscriptions=usd_subscriptions)
    sheet = _report(tables, "EUR", {})["Marketing"]
    cac = _block(sheet, "Acquisition cost by channel")
    assert cac[0][0].startswith("The cost per channel is blank.")
    assert "no exchange rate for USD" in cac[0][0]
    # Without the rate only the new customers per channel are shown.
    assert cac[1] == ("Channel", "New customers")
    assert ("Google Ads", 2) in cac
    # The list growth, and the revenue by campaign and by month, which the
    # orders in EUR give alone.
    assert len(sheet._charts) == 3
    [arr] = _block(sheet, "ARR bridge")
    assert arr[0].startswith("Not available: ")
    assert "no exchange rate for USD" in arr[0]
    # Only the return on the cost needs the spend's rate.
    campaigns = _block(sheet, "Revenue by campaign")
    assert (
        "Return on campaign cost is not shown: the marketing spend has amounts "
        "in USD and the revenue of the orders is in EUR"
    ) in campaigns[0][0]
    assert campaigns[1] == ("Campaign", "Revenue (EUR)")


def test_rate_given_converts_tables(tmp_path):
    usd_subscriptions = SUBSCRIPTIONS.replace("1200.00,EUR", "1200.00,USD")
    tables = _tables(tmp_path, subscriptions=usd_subscriptions)
    block = _block(_report(tables, "EUR", {"USD": 0.5})["Marketing"], "ARR bridge")
    # K3 pays 1,200 USD a year x 0.5 = 600 EUR: end 1,800 + 600 - 600 = 1,800.
    assert block[1][1] == "Amount (EUR per year)"
    assert ("New", 600, 600, 1) in block
    assert ("End ARR", 1800, 1800, 2) in block


def test_missing_tables_named(tmp_path):
    sheet = _report({"orders": _load(tmp_path, "orders.csv", ORDERS)})["Marketing"]
    assert _block(sheet, "Acquisition cost by channel") == [
        (
            "Not available: needs a marketing spend table and new customers from "
            "a subscriptions or orders table, or from deals with an account column.",
        )
    ]
    assert _block(sheet, "ARR bridge") == [
        ("Not available: needs a subscriptions table.",)
    ]
    assert _block(sheet, "Email list by month") == [
        ("Not available: needs an email list events table.",)
    ]
    # Without a spend table there is no ROI column.
    assert _block(sheet, "Revenue by campaign")[1] == ("Campaign", "Revenue (EUR)")


DEALS = (
    "Deal ID,Stage,Created,Close date,Amount,Owner\n"
    "D1,Won,2025-01-10,2025-02-01,1000,Anna\n"
    "D2,Won,2025-01-12,2025-02-03,240,Anna\n"
    "D3,Lost,2025-01-20,2025-02-10,500,Ben\n"
    "D4,Open,2025-02-01,,,Ben\n"
)


def test_pipeline_by_stage(tmp_path):
    sheet = _report({"deals": _load(tmp_path, "deals.csv", DEALS)})["Sales"]
    block = _block(sheet, "Pipeline by stage")
    assert block[0] == (
        "Stage",
        "Status",
        "Deals",
        "Value (EUR)",
        "Deals without amount",
    )
    # Open stages first, then by deal count. Won: D1 + D2 = 1,000 + 240.
    # The open D4 has no amount, so its stage has no value.
    assert block[1:] == [
        ("Open", "open", 1, None, 1),
        ("Won", "won", 2, 1240, 0),
        ("Lost", "lost", 1, 500, 0),
    ]


def test_owner_money_and_rate_charts_apart(tmp_path):
    sheet = _report({"deals": _load(tmp_path, "deals.csv", DEALS)})["Sales"]
    block = _block(sheet, "By owner")
    assert block[0] == ("Owner", "Won value (EUR)", "Win rate (%)")
    # Anna: D1 + D2 = 1,240 won, 2 won / 2 decided = 100 %.
    assert ("Anna", 1240, 100) in block
    titles = [chart.title.tx.rich.p[0].r[0].t for chart in sheet._charts]
    assert "Won value by owner (EUR)" in titles
    assert "Win rate by owner (%)" in titles


def test_churn_by_month(tmp_path):
    tables = {"subscriptions": _load(tmp_path, "subs.csv", SUBSCRIPTIONS)}
    block = _block(_report(tables)["Service"], "Churn by month")
    assert block[0][-2:] == ("Churn (%)", "Partial period")
    # K2 runs to 31 Jan and is gone in February: 1 of the 2 customers at the
    # start of February = 50 %. March has no days in the data (see below),
    # so its counts and rate are unknown and left blank.
    assert [(row[0], row[2], row[3], row[6]) for row in block[1:]] == [
        (date(2025, 1, 1), 2, 0, 0),
        (date(2025, 2, 1), 2, 1, 50),
        (date(2025, 3, 1), None, None, None),
    ]
    # The last date recorded is K3's start on 10 Feb, so February is covered
    # from 1 to 10 Feb and March not at all. January is whole, and ``_block``
    # trims its empty "Partial period" cell.
    assert len(block[1]) == 7
    assert block[2][7] == "2025-02-01 to 2025-02-10 only"
    assert block[3][7] == "no days in the data"


def test_no_deals_named(tmp_path):
    sheet = _report(_tables(tmp_path))["Sales"]
    assert _block(sheet, "Deals") == [
        ("No deals table. Upload a deals export on the Data page.",)
    ]


def test_report_uses_page_settings(tmp_path):
    tables = _tables(tmp_path)
    tables["tickets"] = _load(
        tmp_path,
        "tickets.csv",
        "Id,Created at,Solved at\n"
        # Friday 16:00 to Monday 10:00: 1 business hour + 1 = 2, or 66
        # calendar hours.
        "1,2025-01-10 16:00,2025-01-13 10:00\n",
    )
    settings = KpiSettings(
        period=Q1,
        lifespan_years=3,
        variants={"resolution_hours": "calendar"},
    )

    workbook = load_workbook(io.BytesIO(excel_report_bytes(tables, settings)))
    clv = next(
        row
        for row in _rows(workbook["Marketing"])
        if row[0] == "Customer lifetime value"
    )
    # 1,000 + 2,000 + 500 + 300 = 3,800 EUR over 4 orders of 3 customers in
    # one quarter: 950 per purchase x 4 / 3 a year x 3 years = 3,800.
    assert clv[1] == "available"
    assert clv[2] == pytest.approx(3800.0)

    resolution = _block(workbook["Service"], "Resolution hours by month")
    assert resolution[0][:4] == (
        "Period start",
        "Tickets",
        "Mean calendar hours",
        "Median calendar hours",
    )
    assert resolution[1][1] == 1
    assert resolution[1][2] == pytest.approx(66.0)

    recorded = {row[0]: row[1] for row in _rows(workbook["Settings"]) if row[0]}
    assert recorded["CLV lifespan"] == "3.00 years, entered"
    assert recorded["Variant of Time to resolution"] == (
        "calendar hours (Europe/Berlin) (chosen on the page)"
    )
    assert recorded["Working time"] == "Mon-Fri 09:00-17:00 Europe/Berlin, holidays DE"


def test_report_lifespan_from_data(tmp_path):
    # C9 bought in January and June 2023 and not since, so the orders give a
    # lifespan (of one lapsed customer).
    orders = ORDERS + (
        "O8,2023-01-10,C9,100.00,EUR,Email,\nO9,2023-06-10,C9,100.00,EUR,Email,\n"
    )
    tables = _tables(tmp_path, orders=orders)
    workbook = load_workbook(
        io.BytesIO(excel_report_bytes(tables, KpiSettings(period=Q1)))
    )
    recorded = {row[0]: row[1] for row in _rows(workbook["Settings"]) if row[0]}
    assert recorded["CLV lifespan"] == "from the data"
    assert recorded["Variant of Customer lifetime value"] == "purchases (default)"


def test_rates_by_period_say_they_count_by_creation(tmp_path):
    settings = KpiSettings(period=Q1, variants={"close_rate": "closed"})
    tables = {"deals": _load(tmp_path, "deals.csv", DEALS)}
    sheet = load_workbook(io.BytesIO(excel_report_bytes(tables, settings)))["Sales"]
    # The KPI row follows the variant, the series by period do not.
    assert _block(sheet, "Rates by month")[0][1] == "Close rate by creation (%)"
    cycle = _block(sheet, "Sales cycle of won deals by month")
    assert cycle[0][1:3] == ("Mean days (won deals)", "Median days (won deals)")


def test_marketing_lists_kpis_without_their_table(tmp_path):
    tables = {"deals": _load(tmp_path, "deals.csv", DEALS)}
    rows = _rows(_report(tables)["Marketing"])
    kpis = {row[-1]: row for row in rows if row[1] in ("available", "not available")}
    assert kpis["list_growth_rate"][1] == "not available"
    assert kpis["list_growth_rate"][8] == "needs an email list events table"
    assert kpis["arr"][8] == "needs a subscriptions table"


def test_latest_nps_without_customer_ids_says_so(tmp_path):
    responses = _load(
        tmp_path,
        "nps.csv",
        "Response ID,Score,Date\nr1,9,2025-01-10\nr2,3,2025-02-10\n",
    )
    settings = KpiSettings(period=Q1, variants={"nps": "latest_per_customer"})
    sheet = load_workbook(io.BytesIO(excel_report_bytes({"nps": responses}, settings)))[
        "Service"
    ]
    assert _block(sheet, "NPS") == [
        (
            "The NPS trend and scores are not shown: the responses have no "
            "customer id column, so the latest response per customer cannot be "
            "chosen.",
        )
    ]
