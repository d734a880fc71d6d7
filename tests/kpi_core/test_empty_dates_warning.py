"""An import warns when many rows have an empty required date."""

from kpi_core.importing import load_file

HEADER = "Id,Status,Created at,Solved at\n"


def _tickets(rows: list[str]):
    return load_file("tickets.csv", (HEADER + "\n".join(rows) + "\n").encode())


def test_empty_creation_dates_warned():
    table = _tickets(
        [
            "1,solved,2025-06-02 09:00,2025-06-02 11:00",
            "2,open,,",
            "3,solved,2025-06-04 09:00,2025-06-04 10:00",
            "4,open,,",
        ]
    )
    # 2 of the 4 rows have no creation date: 50 %.
    assert table.warnings == (
        "2 of 4 rows have an empty 'Created at' (created_at), on lines 3, 5. "
        "They are kept, but KPIs that need this date leave them out, and with "
        "a period chosen no figure placed by this date can count them. Check "
        "that the right column is mapped to created_at.",
    )


def test_few_empty_dates_not_warned():
    rows = [f"{i},open,2025-06-{i:02d} 09:00," for i in range(1, 11)]
    # 1 empty of 11 rows is 9.1 %, under the tenth that is warned about.
    table = _tickets([*rows, "11,open,,"])
    assert table.warnings == ()


def test_unreadable_dates_not_counted_as_empty():
    table = _tickets(
        [
            "1,open,2025-06-02 09:00,",
            "2,open,2025-06-31 09:00,",
            "3,open,2025-06-04 09:00,",
        ]
    )
    # 31 June is named as an invalid date on line 3, not as an empty cell.
    assert [problem.lines for problem in table.problems] == [(3,)]
    assert table.warnings == ()
