import polars as pl
import pytest

from kpi_core.errors import InvalidSettingError, InvalidValueError
from kpi_core.money import (
    convert_amounts,
    currency_codes,
    in_one_currency,
    with_default_currency,
)


def amounts(values, codes=None) -> pl.DataFrame:
    columns = {"amount": pl.Series(values, dtype=pl.Float64)}
    if codes is not None:
        columns["currency"] = pl.Series(codes, dtype=pl.String)
    return pl.DataFrame(columns)


def test_convert_amounts_no_column_defaults_eur():
    frame, unit, without_code = convert_amounts(amounts([10.0, None]))
    assert unit == "EUR"
    assert frame["amount"].to_list() == [10.0, None]
    assert without_code == 0


def test_convert_amounts_no_column_given_currency():
    _frame, unit, _without_code = convert_amounts(amounts([10.0]), " usd ")
    assert unit == "USD"


def test_convert_amounts_single_code_is_unit():
    _frame, unit, _without_code = convert_amounts(amounts([1.0, 2.0], ["chf", "CHF"]))
    assert unit == "CHF"


def test_convert_amounts_empty_column_defaults_eur():
    _frame, unit, _without_code = convert_amounts(amounts([1.0], [None]))
    assert unit == "EUR"


def test_convert_amounts_mixed_without_rates():
    with pytest.raises(InvalidValueError) as caught:
        convert_amounts(amounts([1.0, 2.0], ["EUR", "USD"]))
    message = str(caught.value)
    assert "several currencies (EUR, USD)" in message
    assert "--fx USD=0.92" in message


def test_convert_amounts_mixed_with_rates():
    # 100 EUR + 200 USD at 0.9 EUR per USD = 100 + 180 EUR.
    frame, unit, _without_code = convert_amounts(
        amounts([100.0, 200.0], ["EUR", "USD"]), "EUR", {"usd": 0.9}
    )
    assert unit == "EUR"
    assert frame["amount"].to_list() == pytest.approx([100.0, 180.0])


def test_convert_amounts_rates_without_currency():
    _frame, unit, _without_code = convert_amounts(
        amounts([100.0, 200.0], ["EUR", "USD"]), fx={"USD": 0.9}
    )
    assert unit == "EUR"


def test_convert_amounts_missing_one_rate():
    with pytest.raises(InvalidValueError) as caught:
        convert_amounts(
            amounts([1.0, 2.0, 3.0], ["EUR", "USD", "GBP"]), "EUR", {"USD": 0.9}
        )
    message = str(caught.value)
    assert "no exchange rate for GBP" in message
    assert "--fx GBP=<rate>" in message


def test_convert_amounts_foreign_single_code():
    with pytest.raises(InvalidValueError, match="no exchange rate for USD"):
        convert_amounts(amounts([1.0], ["USD"]), "EUR")


def test_convert_amounts_code_ignored_without_amount():
    # The USD row has no amount, so only EUR amounts are summed.
    _frame, unit, _without_code = convert_amounts(amounts([1.0, None], ["EUR", "USD"]))
    assert unit == "EUR"


def test_convert_amounts_counts_missing_codes():
    frame, unit, without_code = convert_amounts(amounts([5.0, 7.0], ["EUR", ""]))
    assert unit == "EUR"
    assert without_code == 1
    assert frame["amount"].to_list() == [5.0, None]


def test_convert_amounts_rejects_zero_rate():
    with pytest.raises(InvalidSettingError, match="USD=0"):
        convert_amounts(amounts([1.0, 2.0], ["EUR", "USD"]), "EUR", {"USD": 0})


def test_currency_codes_of_priced_rows():
    frame = amounts([1.0, 2.0, None, 4.0], [" usd", "EUR", "GBP", ""])
    # GBP has no amount and the empty cell is no code.
    assert currency_codes(frame) == ["EUR", "USD"]


def test_currency_codes_without_column():
    assert currency_codes(amounts([1.0])) == []
    assert currency_codes(None) == []


def test_in_one_currency_converts_every_money_column():
    frame = pl.DataFrame(
        {
            "amount": [100.0, 200.0, None, 50.0],
            "monthly_charge": [10.0, None, 30.0, 5.0],
            "currency": ["EUR", "usd", "USD", None],
        }
    )
    converted = in_one_currency(frame, "EUR", {"USD": 0.9})
    # USD rows x 0.9; the row without a code loses its money values.
    assert converted["amount"].to_list() == pytest.approx([100.0, 180.0, None, None])
    assert converted["monthly_charge"].to_list() == pytest.approx(
        [10.0, None, 27.0, None]
    )
    assert converted["currency"].to_list() == ["EUR", "EUR", "EUR", None]


def test_in_one_currency_single_code_unchanged():
    frame = amounts([1.0, 2.0], ["CHF", "CHF"])
    assert in_one_currency(frame)["amount"].to_list() == [1.0, 2.0]


def test_in_one_currency_missing_rate_rejected():
    with pytest.raises(InvalidValueError, match="no exchange rate for USD"):
        in_one_currency(amounts([1.0, 2.0], ["EUR", "USD"]), "EUR")


def test_default_currency_only_without_codes():
    plain = with_default_currency(amounts([10.0, 20.0]))
    assert plain["currency"].to_list() == ["EUR", "EUR"]
    coded = amounts([10.0, 20.0], ["USD", None])
    assert with_default_currency(coded).equals(coded)
    # Empty codes beside every amount are no codes, so the amounts are EUR.
    empty = with_default_currency(amounts([10.0], [None]))
    assert empty["currency"].to_list() == ["EUR"]
    without_money = pl.DataFrame({"email": ["a@example.com"]})
    assert "currency" not in with_default_currency(without_money).columns


def test_default_currency_converted_from_eur():
    frame = with_default_currency(amounts([10.0]))
    # Without the code the 10 would be taken to be USD already.
    with pytest.raises(InvalidValueError, match="no exchange rate for EUR"):
        in_one_currency(frame, "USD", {})
    # 10 EUR x 1.1 = 11 USD.
    converted = in_one_currency(frame, "USD", {"EUR": 1.1})
    assert converted["amount"].to_list() == [pytest.approx(11.0)]
    assert converted["currency"].to_list() == ["USD"]
