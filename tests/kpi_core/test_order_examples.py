import polars as pl
import pytest

from kpi_core.date_values import order_examples
from kpi_core.errors import AmbiguousDateError
from kpi_core.importing import load_file
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


def test_import_names_mixed_orders():
    # 13/04 reads only day-first and 04/13 only month-first, so the import
    # error names both instead of claiming every date fits both orders.
    data = (
        b"Deal ID,Stage,Created,Amount\n"
        b"B1,Won,13/04/2025,10\n"
        b"B2,Won,04/13/2025,20\n"
        b"B3,Lost,04/05/2025,30\n"
    )
    with pytest.raises(AmbiguousDateError) as caught:
        load_file("mixed.csv", data)
    message = str(caught.value)
    assert "mixes day-first dates such as '13/04/2025'" in message
    assert "month-first dates such as '04/13/2025'" in message
    assert "fits both" not in message
    assert caught.value.column == "Created"


def test_import_dates_fitting_both_orders():
    data = b"Deal ID,Stage,Created,Amount\nB1,Won,04/05/2025,10\n"
    with pytest.raises(AmbiguousDateError, match="every date fits both"):
        load_file("both.csv", data)


def test_date_of_other_order_named_apart():
    # Month first by majority (03/15, 04/16); 14/03/2025 only reads day
    # first and 13/13/2025 in neither order.
    data = (
        b"Deal ID,Stage,Created\n"
        b"1,Won,14/03/2025\n2,Won,03/15/2025\n3,Lost,04/16/2025\n4,Won,13/13/2025\n"
    )
    prepared = load_file("orders.csv", data)
    # Both dates are read as empty and their deals kept.
    assert prepared.rows_used == 4
    assert prepared.frame["created_at"].null_count() == 2
    other, invalid = prepared.problems
    assert other.describe() == (
        "1 row with a date that only reads day first while the column is month "
        "first (correct it in the file, or choose the other order) in column "
        "'Created' (line 2; for example '14/03/2025')"
    )
    assert invalid.describe() == (
        "1 row with an invalid date in column 'Created' (line 5; for example "
        "'13/13/2025')"
    )
