"""Deals without a stage column whose status, or won and closed flags, give
the outcome: the status stands in for the stage, and other tables with a
Status column keep their type."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kpi_core.errors import MissingColumnError
from kpi_core.importing import load_file, preview_file
from kpi_core.sales_tables import pipeline_by_stage
from tests.conftest import PROJECT

# A German Pipedrive deals export without the "Deal - Phase" column, with
# the byte order mark, semicolons and decimal commas that Pipedrive writes.
PIPEDRIVE_DE = (
    "\ufeffDeal - Titel;Deal - Wert;Deal - Währung;Deal - Status;Deal - Besitzer;"
    "Deal - Deal erstellt am;Deal - Gewonnen am;Deal - Verloren am\n"
    "Müller AG;1.234,50;CHF;gewonnen;Lea;01.02.2025;15.02.2025;\n"
    "Schmidt GmbH;2.000,00;EUR;gewonnen;Lea;05.02.2025;05.03.2025;\n"
    "Keller KG;500,00;CHF;verloren;Tim;10.02.2025;;20.02.2025\n"
    "Weber OHG;750,00;EUR;offen;Tim;01.03.2025;;\n"
).encode()
NOTE = (
    "no stage column: the status 'Deal - Status' stands in for the stage; "
    "pipeline by stage shows won, lost and open"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_status_stands_in_for_stage(tmp_path):
    path = tmp_path / "pipedrive_deals_de.csv"
    path.write_bytes(PIPEDRIVE_DE)
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "deals"
    assert prepared.mapping.columns["stage"] is None
    assert prepared.mapping.columns["status"] == "Deal - Status"
    assert prepared.mapping.missing_required == []
    assert prepared.rows_used == 4
    assert prepared.problems == ()
    assert prepared.detected["Deal - Status"] == NOTE
    # The stage is the status in the app's words, as the chart colours are.
    assert prepared.frame["stage"].to_list() == ["won", "won", "lost", "open"]
    assert prepared.frame["status"].to_list() == ["won", "won", "lost", "open"]


def test_pipeline_groups_by_status():
    prepared = load_file("deals.csv", PIPEDRIVE_DE)
    pipeline = pipeline_by_stage(prepared.frame, currency="CHF", fx={"EUR": 0.94})
    rows = {row["stage"]: row for row in pipeline.to_dicts()}
    assert set(rows) == {"won", "lost", "open"}
    assert rows["won"]["deals"] == 2
    # Won: 1,234.50 CHF + 2,000.00 EUR * 0.94 = 1,234.50 + 1,880.00 CHF.
    assert rows["won"]["value"] == pytest.approx(3114.50)
    # Open: 750.00 EUR * 0.94 = 705.00 CHF.
    assert rows["open"]["value"] == pytest.approx(705.00)
    assert rows["lost"]["value"] == pytest.approx(500.00)


def test_cli_figures_without_stage(tmp_path):
    path = tmp_path / "pipedrive_deals_de.csv"
    path.write_bytes(PIPEDRIVE_DE)
    result = _run(str(path), "--currency", "CHF", "--fx", "EUR=0.94")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [table] = report["inputs"]
    assert table["table"] == "deals"
    assert "stage" not in table["columns"]
    assert table["detected"]["Deal - Status"] == NOTE
    kpis = report["kpis"]
    # Close rate: 2 won (Müller, Schmidt) of 4 deals created = 50 %.
    assert kpis["close_rate"]["value"] == pytest.approx(50.0)
    # Win rate: 2 won of 2 won + 1 lost (Keller) = 66.67 %.
    assert kpis["win_rate"]["value"] == pytest.approx(200 / 3, abs=1e-4)
    # Won value: 1,234.50 CHF + 2,000.00 EUR * 0.94 = 3,114.50 CHF.
    assert kpis["won_value"]["value"] == pytest.approx(3114.50)
    assert kpis["won_value"]["unit"] == "CHF"
    # Average deal size: 3,114.50 / 2 won deals = 1,557.25 CHF.
    assert kpis["average_deal_size"]["value"] == pytest.approx(1557.25)
    # Sales cycle of the won deals: 1 Feb -> 15 Feb = 14 days and
    # 5 Feb -> 5 Mar 2025 = 28 days (February 2025 has 28), mean 21 days.
    assert kpis["sales_cycle_days"]["value"] == pytest.approx(21.0)
    assert kpis["sales_cycle_days"]["n"] == 2


def test_empty_status_cell_named(tmp_path):
    data = PIPEDRIVE_DE.replace(b";offen;", b";;")
    prepared = load_file("deals.csv", data)
    # Weber OHG, on line 5, has no status and no stage, so it is left out.
    assert prepared.rows_used == 3
    [problem] = prepared.problems
    assert problem.lines == (5,)
    assert problem.kind == (
        "an empty 'Deal - Status' cell and no stage column, so the deal could "
        "be open, won or lost (fill in the status and import the file again)"
    )


def test_won_and_closed_flags_stand_in():
    data = (
        b"Deal ID,Created Date,Close Date,Amount,Is Won,Is Closed\n"
        b"1,2025-01-02,2025-01-12,100,yes,yes\n"
        b"2,2025-01-03,2025-01-08,200,no,yes\n"
        b"3,2025-01-04,,300,no,no\n"
    )
    prepared = load_file("flags.csv", data)
    assert prepared.table == "deals"
    assert prepared.rows_used == 3
    # Deal 1 is won, deal 2 closed and not won (lost), deal 3 not closed.
    assert prepared.frame["stage"].to_list() == ["won", "lost", "open"]
    assert prepared.detected["Is Closed"] == (
        "no stage column: the won and closed flags 'Is Won' and 'Is Closed' "
        "stand in for the stage; pipeline by stage shows won, lost and open"
    )


def test_won_flag_alone_needs_stage():
    # Guard: a won flag that reads no does not tell lost from open, so the
    # stage stays required.
    data = (
        b"Deal ID,Deal Owner,Created Date,Close Date,Amount,Is Won\n"
        b"1,Lea,2025-01-02,2025-01-09,100,yes\n"
        b"2,Tim,2025-01-03,,200,no\n"
    )
    with pytest.raises(MissingColumnError, match="no column found for Stage"):
        load_file("won_only.csv", data)


def test_no_stage_or_status_needs_stage():
    # Guard: without a stage, a status or the flags nothing gives the outcome.
    data = (
        b"Deal ID,Deal Owner,Created Date,Close Date,Amount\n"
        b"1,Lea,2025-01-02,2025-01-09,100\n"
    )
    with pytest.raises(MissingColumnError, match="no column found for Stage"):
        load_file("plain.csv", data)


@pytest.mark.parametrize(
    ("name", "data", "table"),
    [
        (
            "tickets.csv",
            b"Ticket ID,Status,Priority,Created at,Solved at\n"
            b"1,open,high,2025-01-02 10:00,\n"
            b"2,solved,low,2025-01-03 09:00,2025-01-03 11:00\n",
            "tickets",
        ),
        (
            "orders.csv",
            b"Order ID,Customer ID,Order Date,Total,Currency,Status\n"
            b"1,C1,2025-01-02,100.00,EUR,paid\n"
            b"2,C2,2025-01-03,50.00,EUR,refunded\n",
            "orders",
        ),
    ],
)
def test_status_file_keeps_type(name, data, table):
    # Guard: a Status column does not make another table a deals table.
    assert preview_file(name, data).table == table
    assert load_file(name, data).table == table
