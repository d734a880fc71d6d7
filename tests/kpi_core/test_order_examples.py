import polars as pl

from kpi_core.date_values import order_examples
from kpi_core.values import detect_date_format


def test_mixed_orders_give_one_example_each():
    # 13/04 only reads day-first, 04/13 only month-first, 04/05 both ways:
    # one deciding value each, so the column is "ambiguous" but mixed.
    values = pl.Series("Created", ["13/04/2025", "04/13/2025", "04/05/2025"])
    assert detect_date_format(values).order == "ambiguous"
    assert order_examples(values) == ("13/04/2025", "04/13/2025")


def test_dates_fitting_both_orders_give_none():
    values = pl.Series("Closed", ["05/06/2025", "02/03/2025", None, " "])
    assert order_examples(values) == (None, None)


def test_dotted_date_reads_day_first():
    values = pl.Series(["01.02.2025", "2025-04-13", "02/13/2025"])
    assert order_examples(values) == ("01.02.2025", "02/13/2025")
