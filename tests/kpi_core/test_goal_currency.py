"""Money goals keep the currency of their target: a table in another
currency converts the target with a rate or makes the goal not available."""

import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from kpi_core.errors import InvalidSettingError
from kpi_core.goal_checks import WARN, smart_check
from kpi_core.goal_progress import NOT_AVAILABLE, OFF_TRACK, evaluate_goal
from kpi_core.goal_store import GoalStore
from kpi_core.goals import Goal
from kpi_core.importing import load_file

D = date
# "Deal size H2" runs 184 days (1 July to 31 December 2025), so its
# baseline runs the 184 days from 28 December 2024 to 30 June 2025.
START, DEADLINE = D(2025, 7, 1), D(2025, 12, 31)
HEADER = "Deal ID,Deal Stage,Create Date,Close Date,Amount"
# Won in the baseline: 10,000 and 12,000, mean 11,000. Won in the goal's
# window: 9,000 and 13,000, mean 11,000. The lost deal closes before the
# baseline starts, so the baseline covers its whole window.
ROWS = [
    "0,Closed Lost,2024-11-01,2024-12-01,5000",
    "1,Closed Won,2024-12-01,2025-03-01,10000",
    "2,Closed Won,2025-01-10,2025-05-01,12000",
    "3,Closed Won,2025-06-01,2025-08-01,9000",
    "4,Closed Won,2025-07-01,2025-10-01,13000",
]
# The same kind of deals three years earlier: both won deals are 11,000.
OLD_ROWS = [
    "0,Closed Lost,2020-01-05,2020-02-01,5000",
    "1,Closed Won,2020-06-01,2021-03-01,11000",
    "2,Closed Won,2020-07-01,2021-04-01,11000",
    "3,Closed Lost,2022-01-01,2022-06-30,4000",
]


def _deals(tmp_path: Path, rows: list[str], currency: str | None = None):
    """Write the rows to a real CSV file, with a Currency column when
    ``currency`` is given, and load it as the Data page does."""
    lines = [HEADER + (",Currency" if currency else "")]
    lines += [row + (f",{currency}" if currency else "") for row in rows]
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"deals": load_file(path.name, path.read_bytes()).frame}


def _deal_size_goal(currency: str, kind: str = "absolute", target: float = 12000):
    return Goal(
        "Deal size H2", "average_deal_size", target, START, DEADLINE,
        target_kind=kind, currency=currency,
    )  # fmt: skip


def test_goal_store_keeps_currency(tmp_path):
    store = GoalStore(tmp_path)
    saved = store.save(_deal_size_goal("eur"))
    (listed,) = store.list_goals()
    assert saved.currency == "EUR"
    assert listed.currency == "EUR"
    store.update(replace(listed, currency="USD"))
    assert store.get(listed.id).currency == "USD"


def test_goal_store_reads_old_catalog(tmp_path):
    # A catalog written before goals kept their currency.
    with sqlite3.connect(tmp_path / "catalog.sqlite") as db:
        db.execute(
            "create table goals (id text primary key, title text not null, "
            "metric text not null, segments text not null, target real not null, "
            "target_kind text not null, start text not null, deadline text, "
            "owner text not null, department text not null, "
            "updated_at text not null, table_id text not null default '')"
        )
        db.execute(
            "insert into goals values ('a1', 'Deal size H2', 'average_deal_size', "
            "'[]', 12000, 'absolute', '2025-07-01', '2025-12-31', '', 'sales', "
            "'2025-07-01T00:00:00+00:00', '')"
        )
    store = GoalStore(tmp_path)
    (goal,) = store.list_goals()
    assert goal.currency == ""
    store.save(_deal_size_goal("EUR"))
    assert sorted(g.currency for g in store.list_goals()) == ["", "EUR"]


def test_goal_rejects_invalid_currency():
    with pytest.raises(InvalidSettingError, match="three-letter code"):
        _deal_size_goal("EURO")


def test_same_currency_is_compared(tmp_path):
    # No Currency column, so the amounts are EUR like the target.
    tables = _deals(tmp_path, ROWS)
    status = evaluate_goal(_deal_size_goal("EUR"), tables, DEADLINE)
    assert status.unit == "EUR"
    assert status.target == 12000
    assert status.current == pytest.approx(11000)  # (9,000 + 13,000) / 2
    assert status.baseline == pytest.approx(11000)  # (10,000 + 12,000) / 2
    assert status.status == OFF_TRACK
    assert status.currency_note == ""


def test_other_currency_not_available(tmp_path):
    # The same rows, now marked USD, against a target set in EUR.
    tables = _deals(tmp_path, ROWS, "USD")
    status = evaluate_goal(_deal_size_goal("EUR"), tables, DEADLINE)
    assert status.status == NOT_AVAILABLE
    assert status.current is None
    assert status.target == 12000
    assert status.unit == "EUR"
    assert "12,000 EUR was set in EUR" in status.reason
    assert "amounts of the deals table are in USD" in status.reason
    assert "give an exchange rate between EUR and USD" in status.reason
    assert "give its target in USD" in status.reason


def test_other_currency_converted_with_rate(tmp_path):
    tables = _deals(tmp_path, ROWS, "USD")
    # Report currency EUR, 1 USD = 0.8 EUR, so 1 EUR = 1 / 0.8 = 1.25 USD and
    # the target is 12,000 x 1.25 = 15,000 USD.
    fx = {"EUR": 1.0, "USD": 0.8}
    status = evaluate_goal(_deal_size_goal("EUR"), tables, DEADLINE, fx)
    assert status.unit == "USD"
    assert status.target == pytest.approx(15000)
    assert status.current == pytest.approx(11000)
    assert status.status == OFF_TRACK
    assert "1 EUR = 1.25 USD" in status.currency_note


def test_other_currency_without_its_rate(tmp_path):
    tables = _deals(tmp_path, ROWS, "USD")
    # Rates for EUR and GBP give no rate for USD.
    fx = {"EUR": 1.0, "GBP": 1.2}
    status = evaluate_goal(_deal_size_goal("EUR"), tables, DEADLINE, fx)
    assert status.status == NOT_AVAILABLE
    assert "between EUR and USD" in status.reason


def test_relative_target_needs_no_rate(tmp_path):
    # +10 % on the baseline of 11,000 USD is 11,000 x 1.1 = 12,100 USD.
    tables = _deals(tmp_path, ROWS, "USD")
    goal = _deal_size_goal("EUR", kind="relative", target=10)
    status = evaluate_goal(goal, tables, DEADLINE)
    assert status.unit == "USD"
    assert status.target == pytest.approx(12100)
    assert status.current == pytest.approx(11000)


def test_old_goal_takes_table_currency(tmp_path):
    tables = _deals(tmp_path, ROWS, "USD")
    status = evaluate_goal(_deal_size_goal(""), tables, DEADLINE)
    assert status.unit == "USD"
    assert status.target == 12000
    assert status.current == pytest.approx(11000)
    assert "taken to be in USD" in status.currency_note


def test_empty_window_keeps_unit(tmp_path):
    # The deals lie in 2020 to 2022, so neither the goal's window nor its
    # baseline has a won deal.
    tables = _deals(tmp_path, OLD_ROWS)
    status = evaluate_goal(_deal_size_goal("EUR"), tables, DEADLINE)
    assert status.status == NOT_AVAILABLE
    assert status.target == 12000
    assert status.unit == "EUR"


def test_achievable_names_unit(tmp_path):
    # Every 184-day window with a won deal has a mean of 11,000 EUR.
    tables = _deals(tmp_path, OLD_ROWS)
    check = smart_check(_deal_size_goal("EUR"), tables)["A"]
    assert check.message.endswith(
        "needs 12,000 EUR; the best 184-day window before the start reached 11,000 EUR"
    )


def test_achievable_other_currency_warns(tmp_path):
    tables = _deals(tmp_path, ROWS, "USD")
    check = smart_check(_deal_size_goal("EUR"), tables)["A"]
    assert check.verdict == WARN
    assert check.message.startswith("cannot be judged: the target of 12,000 EUR")
    assert "in USD" in check.message


def test_achievable_converts_with_rate(tmp_path):
    tables = _deals(tmp_path, ROWS, "USD")
    # 12,000 EUR x 1.25 = 15,000 USD against the best window of 11,000 USD.
    fx = {"EUR": 1.0, "USD": 0.8}
    check = smart_check(_deal_size_goal("EUR"), tables, fx=fx)["A"]
    assert "needs 15,000 USD" in check.message
    assert "reached 11,000 USD" in check.message


def test_goal_without_currency_shows_unit(tmp_path):
    # A goal saved before goals kept their currency, on deals of 2020 to
    # 2022 without a Currency column (EUR): the unit still shows.
    tables = _deals(tmp_path, OLD_ROWS)
    goal = Goal("Deal size H2", "average_deal_size", 12000, START, DEADLINE)
    status = evaluate_goal(goal, tables, DEADLINE)
    assert status.unit == "EUR"
    check = smart_check(goal, tables)["A"]
    assert "needs 12,000 EUR" in check.message
