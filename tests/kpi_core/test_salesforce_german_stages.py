"""Salesforce in German names its closing stages "Geschlossen und
gewonnen" and "Geschlossen und verloren"."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from kpi_core.importing import load_file
from kpi_core.sales import sales_kpis
from kpi_core.schema import deal_status_expr
from kpi_core.stages import stage_summary

# Five opportunities: two won, one lost and two open.
DEALS = """Opportunity-Name;Geschäftsart;Phase;Betrag;Schlusstermin;Erstelldatum
A1;Neukunde;Geschlossen und gewonnen;1.000,00;01.03.2025;01.02.2025
A2;Bestandskunde;Geschlossen und gewonnen;3.000,00;10.03.2025;01.02.2025
A3;Neukunde;Geschlossen und verloren;500,00;15.03.2025;01.02.2025
A4;Neukunde;Qualifiziert;700,00;30.06.2025;01.02.2025
A5;Neukunde;Termin vereinbart;900,00;30.06.2025;01.02.2025
"""
# O1 is won after three days in "Qualifiziert", O2 lost after two.
HISTORY = """Opportunity-ID;Phase;Betrag;Erstellt am
O1;Qualifiziert;1.000,00;03.03.2025 10:00
O1;Geschlossen und gewonnen;1.000,00;06.03.2025 10:00
O2;Qualifiziert;500,00;03.03.2025 10:00
O2;Geschlossen und verloren;500,00;05.03.2025 10:00
"""


def test_german_closing_stages_counted():
    prepared = load_file("opportunities.csv", DEALS.encode("cp1252"))
    assert prepared.mapping.columns["deal_type"] == "Geschäftsart"
    kpis = sales_kpis(prepared.frame)
    # 2 of 5 created deals won; 2 of the 3 decided.
    assert kpis["close_rate"].value == pytest.approx(2 / 5 * 100)
    assert kpis["win_rate"].value == pytest.approx(2 / 3 * 100)
    assert kpis["won_value"].value == pytest.approx(4000.0)


def test_german_closing_stages_end_history():
    history = load_file("history.csv", HISTORY.encode("cp1252")).frame
    summary = stage_summary(history, as_of=datetime(2025, 4, 1))
    row = summary.filter(summary["stage"] == "Qualifiziert").row(0, named=True)
    # Both left "Qualifiziert" for a closing stage, after 3 and 2 days.
    assert row["deals"] == 2
    assert row["median_days"] == pytest.approx(2.5)
    # One of the two went on to the won stage; a lost stage is no step on.
    assert row["conversion_to_next"] == pytest.approx(50.0)
    # No deal still waits in a closing stage.
    assert summary["ongoing_deals"].to_list() == [0, 0, 0]


def test_unknown_closing_stages_warned():
    # Closing stages in words the app does not know leave every deal open.
    text = DEALS.replace("Geschlossen und gewonnen", "Vertrag unterschrieben")
    text = text.replace("Geschlossen und verloren", "Kein Bedarf")
    deals = load_file("opportunities.csv", text.encode("cp1252")).frame
    close_rate = sales_kpis(deals)["close_rate"]
    assert close_rate.value == 0.0
    assert any("No deal in the whole table is won or lost" in warning
               for warning in close_rate.warnings)  # fmt: skip
    assert not sales_kpis(load_file("d.csv", DEALS.encode("cp1252")).frame)[
        "close_rate"
    ].warnings


@pytest.mark.parametrize(
    "lost", ["Geschlossen/Verloren", "Geschlossen  und verloren", "Closed-Lost"]
)
def test_closing_stage_punctuation_read(lost):
    text = DEALS.replace("Geschlossen und verloren", lost)
    deals = load_file("opportunities.csv", text.encode("cp1252")).frame
    # Still 2 won of the 3 decided.
    assert sales_kpis(deals)["win_rate"].value == pytest.approx(2 / 3 * 100)


def test_open_label_naming_missing_side_warned():
    text = DEALS.replace("Geschlossen und verloren", "Verloren - kein Budget")
    prepared = load_file("opportunities.csv", text.encode("cp1252"))
    # The lost deal reads as open, so 2 won of 2 decided.
    assert sales_kpis(prepared.frame)["win_rate"].value == pytest.approx(100.0)
    [warning] = [w for w in prepared.warnings if "no deal reads as lost" in w]
    assert "'Verloren - kein Budget'" in warning


def test_note_in_parentheses_ignored():
    # "Geschlossen und gewonnen (Verlängerung)" is a won stage with a note.
    text = DEALS.replace(
        "A2;Bestandskunde;Geschlossen und gewonnen",
        "A2;Bestandskunde;Geschlossen und gewonnen (Verlängerung)",
    )
    deals = load_file("opportunities.csv", text.encode("cp1252")).frame
    # Still 2 won of the 3 decided.
    assert sales_kpis(deals)["win_rate"].value == pytest.approx(2 / 3 * 100)


def test_won_deals_only_not_warned():
    # An export of won deals only names no outcome among open deals.
    text = DEALS.replace("Geschlossen und verloren", "Verhandlung")
    prepared = load_file("opportunities.csv", text.encode("cp1252"))
    assert not any("no deal reads as" in w for w in prepared.warnings)


@pytest.mark.parametrize(
    ("label", "status"),
    [
        ("Closed (Won)", "won"),
        ("Closed (Lost)", "lost"),
        ("Closed Won [Renewal]", "won"),
        ("Closed Won\uff08Renewal\uff09", "won"),
        ("Closed Won\uff3bRenewal\uff3d", "won"),
        ("Closed \uff3bWon\uff3d", "won"),
        # A note that restates the outcome or gives a reason is dropped.
        ("Closed Lost (Lost to competitor)", "lost"),
        ("Closed Won (Non-cancellable)", "won"),
        ("Qualified (lost contact)", "open"),
    ],
)
def test_bracketed_stage_labels(label, status):
    frame = pl.DataFrame({"stage": [label]})
    assert frame.select(deal_status_expr(pl.col("stage"))).item() == status
