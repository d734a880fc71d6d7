"""The churn rate's note on customers who paid nothing at the start, whom the
ARR bridge leaves out of its start."""

from datetime import date
from pathlib import Path

import polars as pl

from kpi_core.churn import churn_rate
from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.subscriptions import arr_bridge

HEADER = (
    "id,Customer ID,Customer Email,Status,Created (UTC),Start (UTC),"
    "Canceled At (UTC),Ended At (UTC),Plan,Quantity,Amount,Interval\n"
)
# a pays 50 and c 30 a month from December 2023; b is on a free trial then.
DECEMBER = "2023-12-01 00:00"
ROWS = [
    f"sub_1,cus_a,a@example.com,active,{DECEMBER},{DECEMBER},,,Pro,1,50,month",
    f"sub_2,cus_b,b@example.com,active,{DECEMBER},{DECEMBER},,,Trial,1,0,month",
    f"sub_3,cus_c,c@example.com,active,{DECEMBER},{DECEMBER},,,Pro,1,30,month",
]
YEAR = Period(date(2024, 1, 1), date(2024, 12, 31))


def _load(tmp_path: Path, rows: list[str]) -> pl.DataFrame:
    path = tmp_path / "subscriptions.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table="subscriptions").frame


def test_trial_customer_named(tmp_path):
    subscriptions = _load(tmp_path, ROWS)
    result = churn_rate(subscriptions, YEAR)
    # a, b and c are active on 31 December 2023; none leaves in 2024.
    assert (result.numerator, result.denominator) == (0, 3)
    assert result.note == (
        "The 3 customers at the start include 1 customer who paid nothing then, "
        "such as on a trial. The ARR bridge counts only the 2 who paid."
    )
    start = arr_bridge(subscriptions, YEAR).row(0, named=True)
    assert (start["step"], start["customers"]) == ("start", 2)


def test_paying_customers_get_no_note(tmp_path):
    result = churn_rate(_load(tmp_path, [ROWS[0], ROWS[2]]), YEAR)
    assert result.denominator == 2
    assert result.note == ""


def test_subscriptions_without_amounts_get_no_note(tmp_path):
    path = tmp_path / "subscriptions.csv"
    path.write_text(
        "id,Customer ID,Start (UTC),Ended At (UTC)\n"
        f"sub_1,cus_a,{DECEMBER},\n"
        f"sub_2,cus_b,{DECEMBER},2024-03-01 00:00\n",
        encoding="utf-8",
    )
    subscriptions = load_file(path.name, path.read_bytes(), table="subscriptions")
    result = churn_rate(subscriptions.frame, YEAR)
    # b of the 2 customers at the start leaves in March. Neither has an
    # amount, so neither counts as paying nothing.
    assert (result.numerator, result.denominator) == (1, 2)
    assert result.note == ""
