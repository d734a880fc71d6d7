"""Subscriptions canceled before they started are named at import by the
rule the subscription KPIs use to leave them out."""

from __future__ import annotations

import json

from kpi_core.__main__ import main
from kpi_core.importing import load_file
from kpi_core.subscription_data import prepare_dated

# s1 (line 2) and s5 (line 6) were canceled before they started and have
# no end date, so the cancel date ends them. s2 is still active, canceled
# for the end of its term, so its cancel date is not its end. s4 has an end
# date, which comes first. So 3 subscriptions end on their cancel date (s1,
# s3, s5), and 2 of them conflict.
CANCELED = """Subscription ID,Customer ID,Status,Start Date,Canceled At,Ended At,MRR
s1,c1,canceled,2024-03-01,2024-02-01,,50
s2,c2,active,2024-03-01,2024-02-01,,50
s3,c3,canceled,2024-01-01,2024-02-01,,50
s4,c4,canceled,2024-05-01,2024-04-01,2024-06-01,50
s5,c5,canceled,2024-02-01,2024-01-15,,50
s6,c6,active,2024-01-01,,,50
"""


def _load(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return load_file(name, path.read_bytes())


def test_canceled_before_started_named(tmp_path):
    prepared = _load(tmp_path, "subscriptions.csv", CANCELED)
    assert prepared.table == "subscriptions"
    assert prepared.rows_used == 6
    [conflict] = prepared.date_conflicts
    assert conflict.end == "canceled_at"
    assert conflict.lines == (2, 6)
    # 2 of the 3 subscriptions that end on their cancel date = 67 %.
    assert conflict.describe().startswith(
        "Subscriptions canceled before they started: 2 of the 3 subscriptions "
        "that end on their cancel date (67 %), on lines 2, 6. In these rows "
        "'Canceled At' (canceled_at) is before 'Start Date' (started_at)."
    )


def test_canceled_conflict_matches_kpi_rule(tmp_path):
    prepared = _load(tmp_path, "subscriptions.csv", CANCELED)
    kpi_rows = prepare_dated(prepared.frame.drop("_line"))
    # The KPIs leave out the same two rows, s1 and s5.
    assert kpi_rows.excluded == {"end date before start date": 2}
    assert sorted(kpi_rows.frame["customer_id"]) == ["c2", "c3", "c4", "c6"]


def test_ended_and_canceled_named_apart(tmp_path):
    content = CANCELED + "s7,c7,canceled,2024-04-01,2024-03-01,2024-03-15,50\n"
    prepared = _load(tmp_path, "subscriptions.csv", content)
    wordings = [conflict.wording for conflict in prepared.date_conflicts]
    assert wordings == [
        "Subscriptions that ended before they started",
        "Subscriptions canceled before they started",
    ]
    # s7's end date (line 8) comes before its start; its cancel date is
    # not its end, so it is named once.
    assert prepared.date_conflicts[0].lines == (8,)
    assert prepared.date_conflicts[1].lines == (2, 6)


def test_same_day_end_not_a_conflict(tmp_path):
    # The KPIs compare days, so an end at 09:00 on the start day at 10:00
    # is not before the start.
    content = (
        "Subscription ID,Customer ID,Start Date,Ended At,MRR\n"
        "s1,c1,2024-01-05 10:00,2024-01-05 09:00,50\n"
        "s2,c2,2024-01-05 10:00,,50\n"
    )
    prepared = _load(tmp_path, "subscriptions.csv", content)
    assert prepared.date_conflicts == ()
    assert (
        "end date before start date"
        not in prepare_dated(prepared.frame.drop("_line")).excluded
    )


def test_cli_warns_of_canceled_conflict(tmp_path, capsys):
    path = tmp_path / "subscriptions.csv"
    path.write_text(CANCELED, encoding="utf-8")
    assert main(["report", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    [warning] = report["warnings"]
    assert warning.startswith(
        "subscriptions.csv: Subscriptions canceled before they started: 2 of "
        "the 3 subscriptions that end on their cancel date (67 %), on lines 2, 6."
    )
