"""A date column that mixes German dotted dates with US slash dates leaves
out the slash dates that read both ways, instead of guessing their order."""

from datetime import date

from kpi_core.importing import load_file

# Dotted dates are always day first, and 4/15/2025 only reads month first,
# so the column is day first (2 dates against 1). 04/03/2025 is 4 March day
# first but 3 April month first, like the other slash dates. 05/05/2025 is
# the same date both ways.
DEALS = b"""\
Deal ID;Stage;Created;Closed
1;Won;01.01.2025;03.04.2025
2;Won;01.01.2025;04/03/2025
3;Won;01.01.2025;4/15/2025
4;Won;01.01.2025;05/05/2025
5;Won;01.01.2025;2025-04-03
6;Won;01.01.2025;15.04.2025
"""


def _prepared():
    return load_file("deals.csv", DEALS)


def test_slash_date_both_ways_left_out():
    closed = _prepared().frame["closed_at"].to_list()
    assert closed == [
        date(2025, 4, 3),
        None,
        None,
        date(2025, 5, 5),
        date(2025, 4, 3),
        date(2025, 4, 15),
    ]


def test_slash_date_both_ways_named():
    problems = {problem.lines: problem for problem in _prepared().problems}
    assert problems[(3,)].kind == (
        "a date that reads both ways, while other dates written with '/' in "
        "this column only read month first (write it with the year first, as "
        "2025-04-03)"
    )
    assert problems[(3,)].examples == ("04/03/2025",)
    assert problems[(4,)].kind.startswith("a date that only reads month first")


def test_dotted_only_column_unchanged():
    # Without a date that reads only the other way, nothing is doubted.
    content = b"Deal ID;Stage;Created;Closed\n1;Won;01.01.2025;04.03.2025\n"
    prepared = load_file("deals.csv", content)
    assert prepared.frame["closed_at"].to_list() == [date(2025, 3, 4)]
    assert prepared.problems == ()
