"""The Settings sheet of the Excel report names the variant in use of every
KPI in the report, also of the KPIs of other pages than the one the report
was downloaded from."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from kpi_core.importing import load_file
from kpi_core.kpi_names import kpi_name
from kpi_core.kpis import VARIANTS, KpiSettings
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes, page_tables

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))
DEALS = (
    "Deal ID,Stage,Created,Close date,Amount,Owner\n"
    "D1,Won,2025-01-10,2025-02-01,1000,Anna\n"
    "D2,Lost,2025-01-20,2025-02-10,500,Ben\n"
)
TICKETS = "Id,Created at,Solved at\n1,2025-01-10 16:00,2025-01-13 10:00\n"
ORDERS = (
    "Order ID,Order date,Customer ID,Total,Currency\n"
    "O1,2025-01-10,C1,1000.00,EUR\n"
    "O2,2025-02-10,C2,2000.00,EUR\n"
)


def _load(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes()).frame


def _settings_rows(tmp_path, variants: dict[str, str]) -> dict[str, str]:
    tables = {
        "deals": _load(tmp_path, "deals.csv", DEALS),
        "tickets": _load(tmp_path, "tickets.csv", TICKETS),
        "orders": _load(tmp_path, "orders.csv", ORDERS),
    }
    # An entered lifespan gives CLV a figure from two single-order customers.
    settings = KpiSettings(period=Q1, variants=variants, lifespan_years=3)
    workbook = load_workbook(io.BytesIO(excel_report_bytes(tables, settings)))
    rows = workbook["Settings"].iter_rows(values_only=True)
    return {row[0]: row[1] for row in rows if row[0]}


def test_settings_name_every_kpi_variant(tmp_path):
    # The variants the Sales page passes; the other pages' KPIs use defaults.
    recorded = _settings_rows(
        tmp_path, {"close_rate": "closed", "sales_cycle_days": "won"}
    )

    for key in VARIANTS:
        assert f"Variant of {kpi_name(key)}" in recorded
    assert recorded["Variant of Close rate"] == (
        "won / (won + lost) by close date (chosen on the page)"
    )
    assert recorded["Variant of Sales cycle"] == "won deals (chosen on the page)"
    # Orders only, so CLV is read from purchases.
    assert recorded["Variant of Customer lifetime value"] == "purchases (default)"
    assert recorded["Variant of Time to resolution"] == (
        "business hours (Mon-Fri 09:00-17:00 Europe/Berlin, holidays DE) (default)"
    )
    # No NPS, email or subscription table, so these KPIs have no figure.
    for key in ("nps", "churn_rate", "list_growth_rate"):
        assert (
            recorded[f"Variant of {kpi_name(key)}"]
            == "none, because the KPI has no figure"
        )


def test_settings_variant_of_service_page(tmp_path):
    recorded = _settings_rows(tmp_path, {"resolution_hours": "calendar"})

    assert recorded["Variant of Time to resolution"] == (
        "calendar hours (Europe/Berlin) (chosen on the page)"
    )
    assert recorded["Variant of Close rate"] == (
        "won / deals created in the period (default)"
    )
    assert recorded["Variant of Sales cycle"] == "won deals (default)"


def test_list_series_follows_variant():
    # 4 on the list at the start of January; in January e joins, a
    # unsubscribes and b's address is cleaned.
    events = load_file(
        "list.csv",
        b"Email,Event,Date\n"
        b"a@x.de,subscribe,2024-12-01\nb@x.de,subscribe,2024-12-02\n"
        b"c@x.de,subscribe,2024-12-03\nd@x.de,subscribe,2024-12-04\n"
        b"e@x.de,subscribe,2025-01-10\na@x.de,unsubscribe,2025-01-15\n"
        b"b@x.de,cleaned,2025-01-20\n",
        table="email_events",
    ).frame
    january = Period(date(2025, 1, 1), date(2025, 1, 31))
    growth = {}
    for variant in ("with_cleaned", "unsubscribes_only"):
        settings = KpiSettings(period=january, variants={"list_growth_rate": variant})
        tables = page_tables({"email_events": events}, settings, "month", {})
        [table] = [t for name, t in tables["Marketing"].items() if "list" in name]
        growth[variant] = table.frame["growth_rate"].to_list()
    # (1 - 1 - 1) / 4 = -25 %, and without the cleaned address (1 - 1) / 4.
    assert growth == {"with_cleaned": [-25.0], "unsubscribes_only": [0.0]}


def test_report_hides_zero_bridge_and_names_undated_scores():
    # The only subscription starts after the period, and the responses
    # have no dates: the page shows neither table, and nor does the report.
    subscriptions = load_file(
        "subs.csv",
        b"Customer ID,Start date,MRR\nc1,2025-06-01,100\n",
        table="subscriptions",
    ).frame
    responses = load_file(
        "nps.csv", b"Response ID,Score\nr1,9\nr2,3\n", table="nps"
    ).frame
    settings = KpiSettings(period=Q1)
    tables = page_tables(
        {"subscriptions": subscriptions, "nps": responses}, settings, "month", {}
    )
    bridge = tables["Marketing"]["ARR bridge"]
    assert bridge.frame is None
    assert bridge.note.startswith("The ARR bridge is not shown.")
    scores = tables["Service"]["NPS scores"]
    assert scores.frame is None
    assert "The responses have no dates" in scores.note
