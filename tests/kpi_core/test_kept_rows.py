"""Unreadable cells are read as empty and keep their rows, through the real
import, KPIs and command line."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kpi_core.errors import InvalidValueError
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.period import Period
from kpi_core.prepare import PreparedTable
from tests.conftest import PROJECT

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))

# Ten deals: 3 won, 2 lost, 5 open. Deal 2 is won, but its amount is written
# in German style in a column whose other amounts use a decimal point.
DEALS = """\
Deal ID,Stage,Created,Closed,Amount
1,Closed won,2025-01-02,2025-02-01,1000.50
2,Closed won,2025-01-03,2025-02-02,"1.234,56 €"
3,Closed won,2025-01-04,2025-02-03,250.25
4,Closed lost,2025-01-05,2025-02-04,300.00
5,Closed lost,2025-01-06,2025-02-05,400.00
6,Open,2025-01-07,,500.00
7,Open,2025-01-08,,600.00
8,Open,2025-01-09,,700.00
9,Open,2025-01-10,,800.00
10,Open,2025-01-11,,900.00
"""


def load_csv(tmp_path: Path, name: str, text: str, **options) -> PreparedTable:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes(), **options)


def test_unreadable_amount_keeps_won_deal(tmp_path):
    prepared = load_csv(tmp_path, "deals.csv", DEALS)
    assert prepared.rows_read == 10
    assert prepared.rows_used == 10
    assert prepared.rejected.is_empty()
    assert prepared.frame["amount"][1] is None
    [problem] = prepared.problems
    assert problem.describe() == (
        "1 row with an invalid number in column 'Amount' (line 3; for example "
        "'1.234,56 €')"
    )
    assert problem.outcome() == (
        "read as empty; the row is kept, so KPIs that need 'Amount' leave it out"
    )
    assert prepared.problem_rows["Deal ID"].to_list() == ["2"]

    kpis = compute_kpis({"deals": prepared.frame}, KpiSettings(period=YEAR))
    # Close rate: 3 won / 10 created = 30 %, not 2 / 9 without deal 2.
    assert kpis["close_rate"].numerator == 3
    assert kpis["close_rate"].denominator == 10
    assert kpis["close_rate"].value == pytest.approx(30.0)
    # Win rate: 3 won / (3 won + 2 lost) = 60 %, not 2 / 4.
    assert kpis["win_rate"].value == pytest.approx(60.0)
    # Won value: 1,000.50 + 250.25 = 1,250.75, deal 2 left out and counted.
    assert kpis["won_value"].value == pytest.approx(1250.75)
    assert kpis["won_value"].excluded == {"won deal without an amount": 1}
    # Deal size: 1,250.75 / 2 = 625.375.
    assert kpis["average_deal_size"].value == pytest.approx(625.375)
    assert kpis["average_deal_size"].n == 2


PIPEDRIVE = """\
Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Status,Deal - Stage,\
Deal - Deal created,Deal - Won time,Deal - Lost time
1,A,100,EUR,won,Won,2025-01-02 10:00:00,2025-02-01 09:00:00,
2,B,200,USD,won,Won,2025-01-03 10:00:00,2025-02-02 09:00:00,
3,C,300,,won,Won,2025-01-04 10:00:00,2025-02-03 09:00:00,
4,D,400,EUR,lost,Negotiation,2025-01-05 10:00:00,,2025-02-15 12:00:00
5,E,500,USD,open,Proposal,2025-01-06 10:00:00,,
"""


def test_pipedrive_empty_currency_keeps_deal(tmp_path):
    prepared = load_csv(tmp_path, "deals.csv", PIPEDRIVE)
    assert prepared.mapping.columns["currency"] == "Deal - Currency"
    assert prepared.rows_used == 5
    assert prepared.frame["amount"].to_list() == [100.0, 200.0, None, 400.0, 500.0]
    [problem] = prepared.problems
    assert problem.column == "Deal - Value"
    assert problem.lines == (4,)
    assert "an amount without a currency while other rows name one" in (
        problem.describe()
    )
    assert problem.row_kept

    settings = KpiSettings(currency="EUR", fx={"USD": 0.5})
    kpis = compute_kpis({"deals": prepared.frame}, settings)
    # Win rate: 3 won / (3 won + 1 lost) = 75 %, not 2 / 3 without deal C.
    assert kpis["win_rate"].value == pytest.approx(75.0)
    # Close rate: 3 won / 5 created = 60 %.
    assert kpis["close_rate"].value == pytest.approx(60.0)
    # Won value: 100 EUR + 200 USD x 0.5 = 200 EUR, without deal C.
    assert kpis["won_value"].unit == "EUR"
    assert kpis["won_value"].value == pytest.approx(200.0)
    assert kpis["won_value"].excluded == {"won deal without an amount": 1}


def test_invalid_date_keeps_deal(tmp_path):
    # Deal 1 has 30 February as its creation date.
    text = DEALS.replace("1,Closed won,2025-01-02", "1,Closed won,2025-02-30")
    prepared = load_csv(tmp_path, "deals.csv", text)
    assert prepared.rows_used == 10
    assert prepared.frame["created_at"][0] is None
    created, amount = prepared.problems
    assert created.describe() == (
        "1 row with an invalid date in column 'Created' (line 2; for example "
        "'2025-02-30')"
    )
    assert created.row_kept
    assert amount.column == "Amount"

    everything = compute_kpis({"deals": prepared.frame}, KpiSettings())
    # All data: the undated deal belongs to the cohort, 3 won / 10 = 30 %.
    assert everything["close_rate"].value == pytest.approx(30.0)
    year = compute_kpis({"deals": prepared.frame}, KpiSettings(period=YEAR))
    # 2025: the undated deal is left out and counted, 2 won / 9 created.
    assert year["close_rate"].numerator == 2
    assert year["close_rate"].denominator == 9
    assert year["close_rate"].excluded == {"deal without a creation date": 1}
    # Its close date still counts: 3 won / (3 won + 2 lost) = 60 %.
    assert year["win_rate"].value == pytest.approx(60.0)
    # Cycle: deals 2 and 3 took 30 days each (3 Jan to 2 Feb, 4 Jan to
    # 3 Feb); deal 1 has no creation date.
    assert year["sales_cycle_days"].value == pytest.approx(30.0)
    excluded = year["sales_cycle_days"].excluded
    assert excluded["won deal without a creation date"] == 1


def test_column_of_invalid_dates_stops_import(tmp_path):
    text = "Deal ID,Stage,Created\n1,Won,soon\n2,Lost,later\n3,Open,\n4,Open,never\n"
    with pytest.raises(InvalidValueError) as caught:
        load_csv(tmp_path, "deals.csv", text)
    assert caught.value.file == "deals.csv"
    assert caught.value.column == "Created"
    message = str(caught.value)
    assert message.startswith(
        "deals.csv, column 'Created': no filled cell of this column can be used "
        "as Created date: 3 rows with an invalid date in column 'Created' (lines "
        "2, 3, 5; for example 'soon', 'later', 'never')."
    )
    assert "map another column to Created date in the column mapping" in message


def test_optional_column_of_bad_amounts_stops_import(tmp_path):
    text = (
        "Deal ID,Stage,Created,Amount\n"
        "1,Won,2025-01-02,ten\n2,Lost,2025-01-03,?\n3,Lost,2025-01-04,x1\n"
    )
    with pytest.raises(InvalidValueError) as caught:
        load_csv(tmp_path, "deals.csv", text)
    assert caught.value.column == "Amount"
    assert "map another column, or none, to Amount" in str(caught.value)


def test_one_readable_cell_lets_import_go_on(tmp_path):
    text = "Deal ID,Stage,Created,Amount\n1,Won,2025-01-02,ten\n2,Lost,2025-01-03,5\n"
    prepared = load_csv(tmp_path, "deals.csv", text)
    assert prepared.frame["amount"].to_list() == [None, 5.0]


def test_unreadable_solve_date_leaves_ticket_out(tmp_path):
    # An empty solve date means an open ticket, so an unreadable one cannot
    # be read as empty: the row is left out.
    text = (
        "Ticket ID,Created at,Solved at\n"
        "1,2025-01-02 09:00,2025-01-02 11:00\n"
        "2,2025-01-03 09:00,yesterday\n"
        "3,2025-01-04 09:00,\n"
    )
    prepared = load_csv(tmp_path, "tickets.csv", text)
    assert prepared.table == "tickets"
    assert prepared.frame["ticket_id"].to_list() == ["1", "3"]
    [problem] = prepared.problems
    assert not problem.row_kept
    assert problem.outcome() == "this row is left out"
    assert prepared.rejected["Ticket ID"].to_list() == ["2"]
    assert prepared.excluded_summary() == {"an invalid date in 'Solved at'": 1}
    assert prepared.emptied_summary() == {}


def test_unreadable_end_date_leaves_subscription_out(tmp_path):
    text = (
        "Customer ID,Start date,End date,Amount\n"
        "c1,2025-01-01,2025-03-01,10\n"
        "c2,2025-01-01,soon,20\n"
        "c3,2025-01-01,,30\n"
    )
    prepared = load_csv(tmp_path, "subscriptions.csv", text, table="subscriptions")
    assert prepared.frame["customer_id"].to_list() == ["c1", "c3"]
    [problem] = prepared.problems
    assert problem.lines == (3,)
    assert not problem.row_kept


def test_report_counts_emptied_cells(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(DEALS, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [table] = report["inputs"]
    assert table["rows_used"] == 10
    assert table["excluded"] == {}
    assert table["emptied"] == {"an invalid number in 'Amount'": 1}
    assert report["warnings"][0] == (
        "deals.csv: 1 row with an invalid number in column 'Amount' (line 3; for "
        "example '1.234,56 €'); read as empty; the row is kept, so KPIs that need "
        "'Amount' leave it out"
    )
    # As under the cards: the amount is missing for 1 of the 3 won deals.
    assert report["warnings"][1].startswith(
        "average_deal_size leaves out 1 of 3 won deals (33 %)"
    )
    # 3 won of 10 created.
    assert report["kpis"]["close_rate"]["value"] == 30.0


def test_mark_on_invalid_amount_gives_no_note(tmp_path):
    # The only currency mark is on the amount that cannot be read, so no
    # amount names a currency and the note gives only the decimal mark.
    prepared = load_csv(tmp_path, "deals.csv", DEALS)
    assert prepared.detected["Amount"] == "decimal point"


def test_sparse_column_with_one_unreadable_cell_is_emptied(tmp_path):
    # One filled amount, and it is a typo: too few cells to call the column
    # a wrong mapping, so the cell is read as empty and the import goes on.
    text = "Deal ID,Stage,Created,Amount\n1,Won,2025-01-02,ten\n2,Lost,2025-01-03,\n"
    prepared = load_csv(tmp_path, "deals.csv", text)
    assert prepared.frame["amount"].to_list() == [None, None]
    assert prepared.emptied_summary() == {"an invalid number in 'Amount'": 1}
