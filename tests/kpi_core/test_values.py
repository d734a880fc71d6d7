"""Parsing text cells into dates and numbers, one format per column."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from kpi_core.errors import AmbiguousDateError, InvalidSettingError, InvalidValueError
from kpi_core.values import (
    DateFormat,
    currency_in_header,
    describe_ambiguous_amount,
    detect_and_parse_dates,
    detect_date_format,
    detect_decimal_mark,
    parse_dates,
    parse_money,
    parse_numbers,
    parse_numbers_detecting_mark,
)


def text(*values: str | None) -> pl.Series:
    return pl.Series("value", list(values), dtype=pl.String)


# (values of one column, expected datetimes), worked out by hand.
DATE_CASES = {
    "iso date": (["2024-03-01"], [datetime(2024, 3, 1)]),
    "iso minutes": (["2024-03-01 14:05"], [datetime(2024, 3, 1, 14, 5)]),
    "iso seconds": (["2024-03-01 14:05:07"], [datetime(2024, 3, 1, 14, 5, 7)]),
    "iso with T": (["2024-03-01T14:05:07"], [datetime(2024, 3, 1, 14, 5, 7)]),
    "iso fraction": (
        ["2024-03-01T14:05:07.250"],
        [datetime(2024, 3, 1, 14, 5, 7, 250_000)],
    ),
    "iso Z": (["2024-03-01T14:05:07Z"], [datetime(2024, 3, 1, 14, 5, 7)]),
    "iso Z fraction": (
        ["2024-03-01T14:05:07.000Z"],
        [datetime(2024, 3, 1, 14, 5, 7)],
    ),
    # 14:05 at +01:00 is 13:05 UTC; 23:30 at -05:00 is 04:30 UTC next day.
    "iso plus offset": (
        ["2024-03-01T14:05:07+01:00"],
        [datetime(2024, 3, 1, 13, 5, 7)],
    ),
    "iso minus offset": (["2024-03-01 23:30:00-0500"], [datetime(2024, 3, 2, 4, 30)]),
    "iso UTC word": (["2024-03-01 14:05 UTC"], [datetime(2024, 3, 1, 14, 5)]),
    "year first slashes": (["2024/03/01"], [datetime(2024, 3, 1)]),
    "dotted german": (["31.12.2024"], [datetime(2024, 12, 31)]),
    "dotted single digits": (["1.2.2024"], [datetime(2024, 2, 1)]),
    "dotted with time": (["31.12.2024 14:05"], [datetime(2024, 12, 31, 14, 5)]),
    "dotted with seconds": (
        ["31.12.2024 14:05:09"],
        [datetime(2024, 12, 31, 14, 5, 9)],
    ),
    "dotted two digit year": (["31.12.24"], [datetime(2024, 12, 31)]),
    "dmy slashes": (
        ["31/12/2024", "01/02/2024"],
        [datetime(2024, 12, 31), datetime(2024, 2, 1)],
    ),
    "dmy dashes": (["31-12-2024"], [datetime(2024, 12, 31)]),
    "dmy with time": (["31/12/2024 08:15"], [datetime(2024, 12, 31, 8, 15)]),
    "mdy slashes": (
        ["12/31/2024", "02/01/2024"],
        [datetime(2024, 12, 31), datetime(2024, 2, 1)],
    ),
    "mdy excel short": (
        ["7/27/2023", "1/5/2024"],
        [datetime(2023, 7, 27), datetime(2024, 1, 5)],
    ),
    "mdy pm": (["12/31/2024 2:05 PM"], [datetime(2024, 12, 31, 14, 5)]),
    "mdy am midnight": (["12/31/2024 12:00 AM"], [datetime(2024, 12, 31, 0, 0)]),
    "mdy pm seconds": (["12/31/2024 02:05:09 pm"], [datetime(2024, 12, 31, 14, 5, 9)]),
    "mdy two digit year": (
        ["7/27/23", "12/31/99"],
        [datetime(2023, 7, 27), datetime(1999, 12, 31)],
    ),
    # Excel day 45000 is 2023-03-15; .5 adds twelve hours.
    "excel serial": (
        ["45000", "45292.5"],
        [datetime(2023, 3, 15), datetime(2024, 1, 1, 12)],
    ),
    # 1_700_000_000 s after 1970-01-01 is 2023-11-14 22:13:20 UTC.
    "epoch seconds": (["1700000000"], [datetime(2023, 11, 14, 22, 13, 20)]),
    "epoch milliseconds": (
        ["1700000000500"],
        [datetime(2023, 11, 14, 22, 13, 20, 500_000)],
    ),
    "spaces around": (["  2024-03-01  "], [datetime(2024, 3, 1)]),
}


@pytest.mark.parametrize(
    ("values", "expected"), DATE_CASES.values(), ids=DATE_CASES.keys()
)
def test_parse_dates_forms(values: list[str], expected: list[datetime]) -> None:
    result = parse_dates(text(*values))
    assert result.dtype == pl.Datetime("us")
    assert result.to_list() == expected


ORDER_CASES = {
    "iso dates": (["2024-03-01", "2024-03-02"], DateFormat("iso", False)),
    "iso times": (["2024-03-01 14:05"], DateFormat("iso", True)),
    "iso midnight": (["2024-03-01 00:00:00"], DateFormat("iso", False)),
    "dotted fits both": (["01.02.2024", "03.04.2024"], DateFormat("dmy", False)),
    "one day above 12": (["05/03/2024", "13/01/2024"], DateFormat("dmy", False)),
    "one month above 12": (["05/03/2024", "01/13/2024 9:00"], DateFormat("mdy", True)),
    "all fit both": (["05/03/2024", "06/03/2024"], DateFormat("ambiguous", False)),
    "even contradiction": (
        ["13/01/2024", "01/13/2024"],
        DateFormat("ambiguous", False),
    ),
    "iso beside slashes": (["2024-03-01", "13/01/2024"], DateFormat("dmy", False)),
    "excel serials": (["45000", "45001"], DateFormat("excel_serial", False)),
    "epoch seconds": (["1700000000"], DateFormat("epoch_s", True)),
    "epoch milliseconds": (["1700000000000"], DateFormat("epoch_ms", True)),
    "small counts": (["3", "12"], DateFormat("unknown", False)),
    "words": (["Acme", "Globex"], DateFormat("unknown", False)),
    "only empty": (["", None, "  "], DateFormat("empty", False)),
}


@pytest.mark.parametrize(
    ("values", "expected"), ORDER_CASES.values(), ids=ORDER_CASES.keys()
)
def test_detect_date_format_cases(
    values: list[str | None], expected: DateFormat
) -> None:
    assert detect_date_format(text(*values)) == expected


def test_one_value_decides_column() -> None:
    # 99 values fit both orders; "13/01/2024" is only day-first, so all are.
    values = text(*(["05/03/2024"] * 99 + ["13/01/2024"]))
    result = parse_dates(values)
    assert result[0] == datetime(2024, 3, 5)
    assert result[99] == datetime(2024, 1, 13)


def test_mixed_evidence_majority_order() -> None:
    # Two values need day-first, one needs month-first: day-first wins and
    # the month-first value becomes null for the caller to report.
    values = text("13/01/2024", "14/01/2024", "01/13/2024")
    assert detect_date_format(values).order == "dmy"
    assert parse_dates(values).to_list() == [
        datetime(2024, 1, 13),
        datetime(2024, 1, 14),
        None,
    ]


def test_parse_dates_ambiguous_raises() -> None:
    with pytest.raises(AmbiguousDateError) as caught:
        parse_dates(text("05/03/2024", "06/03/2024"))
    assert str(caught.value) == (
        "column 'value': the dates such as '05/03/2024' fit both day/month/year "
        "and month/day/year order, and no value in the column settles it (a "
        "first or second part above 12 would); choose the date order for this "
        "column: dmy or mdy"
    )


def test_ambiguous_error_is_invalid_value() -> None:
    assert issubclass(AmbiguousDateError, InvalidValueError)


@pytest.mark.parametrize(
    ("order", "expected"),
    [("dmy", datetime(2024, 3, 5)), ("mdy", datetime(2024, 5, 3))],
    ids=["day first", "month first"],
)
def test_parse_dates_given_order(order: str, expected: datetime) -> None:
    assert parse_dates(text("05/03/2024"), order).to_list() == [expected]


def test_given_order_keeps_iso_values() -> None:
    result = parse_dates(text("2024-03-01", "05/03/2024"), "mdy")
    assert result.to_list() == [datetime(2024, 3, 1), datetime(2024, 5, 3)]


def test_dotted_dates_never_month_first() -> None:
    assert parse_dates(text("05.03.2024"), "mdy").to_list() == [None]


def test_unparseable_dates_become_null() -> None:
    result = parse_dates(text("2024-02-30", "2024-03-01", "soon", None, ""))
    assert result.to_list() == [None, datetime(2024, 3, 1), None, None, None]


def test_parse_dates_keeps_name() -> None:
    assert parse_dates(pl.Series("Close Date", ["2024-03-01"])).name == "Close Date"


def test_parse_dates_unknown_order() -> None:
    with pytest.raises(InvalidSettingError) as caught:
        parse_dates(text("2024-03-01"), "ymd")
    assert "unknown date order 'ymd'" in str(caught.value)


def test_parse_dates_empty_series() -> None:
    result = parse_dates(text())
    assert result.dtype == pl.Datetime("us")
    assert result.len() == 0


def test_parse_dates_million_values() -> None:
    # Speed is measured by benchmarks/run.py; this checks the values.
    stamps = pl.datetime_range(
        datetime(2010, 1, 1), datetime(2030, 1, 1), "7m", eager=True
    ).head(1_000_000)
    values = stamps.dt.strftime("%d.%m.%Y %H:%M")
    result = parse_dates(values)
    assert result.null_count() == 0
    assert result[999_999] == stamps[999_999]


NUMBER_CASES = {
    "german decimals": (["1.234,56", "2,5"], [1234.56, 2.5]),
    "german thousands only": (["2.000", "1.234,56"], [2000.0, 1234.56]),
    "english decimals": (["1,234.56", "2.5"], [1234.56, 2.5]),
    "english thousands only": (["2,000", "1,234.56"], [2000.0, 1234.56]),
    "euro before": (["€ 1.234,00", "€ 5,50"], [1234.0, 5.5]),
    "euro after": (["1.234,56 €"], [1234.56]),
    "code after": (["1,234.56 USD"], [1234.56]),
    "code before": (["EUR 5", "EUR 12.50"], [5.0, 12.5]),
    "dollar sign": (["$1,234.50", "-$20.00"], [1234.5, -20.0]),
    "parentheses negative": (["(100,00)", "50,25"], [-100.0, 50.25]),
    "trailing minus": (["100,00-", "5,10"], [-100.0, 5.1]),
    "unicode minus": (["−12,5"], [-12.5]),
    "percent comma": (["12,5 %", "3,0%"], [12.5, 3.0]),
    "percent point": (["12.5%"], [12.5]),
    "space thousands": (["1 234 567,89"], [1234567.89]),
    "no-break space thousands": (["1\u00a0234,50"], [1234.5]),
    "apostrophe thousands": (["1'234.50"], [1234.5]),
    "plain integers": (["1054", "0"], [1054.0, 0.0]),
    "scientific": (["1.5E+03"], [1500.0]),
    "blank and text": (["", " ", "n/a", "12"], [None, None, None, 12.0]),
    "bad grouping": (["1.2.3,4", "12,5"], [None, 12.5]),
}


@pytest.mark.parametrize(
    ("values", "expected"), NUMBER_CASES.values(), ids=NUMBER_CASES.keys()
)
def test_parse_numbers_forms(values: list[str], expected: list[float | None]) -> None:
    result = parse_numbers(text(*values))
    assert result.dtype == pl.Float64
    assert result.to_list() == pytest.approx(expected, nan_ok=False)


MARK_CASES = {
    "decimal comma": (["12,5", "3"], ","),
    "both marks german": (["1.234,56"], ","),
    "repeated dots": (["1.234.567"], ","),
    "decimal point": (["12.5"], "."),
    "both marks english": (["1,234.56"], "."),
    "repeated commas": (["1,234,567"], "."),
    "zero comma": (["0,500"], ","),
    "only ambiguous": (["1.234", "2.000"], "."),
    "integers": (["12", "7"], "."),
    "majority wins": (["1,5", "2,5", "3.5"], ","),
}


@pytest.mark.parametrize(
    ("values", "expected"), MARK_CASES.values(), ids=MARK_CASES.keys()
)
def test_detect_decimal_mark_cases(values: list[str], expected: str) -> None:
    assert detect_decimal_mark(text(*values)) == expected


def test_ambiguous_mark_uses_default() -> None:
    assert detect_decimal_mark(text("1.234", "2.000"), default=",") == ","


def test_given_mark_overrides_detection() -> None:
    # "1.234" alone reads as 1.234; with the comma given it is 1234.
    assert parse_numbers(text("1.234"), ",").to_list() == [1234.0]


def test_parse_numbers_unknown_mark() -> None:
    with pytest.raises(InvalidSettingError) as caught:
        parse_numbers(text("1"), ";")
    assert "unknown decimal mark ';'" in str(caught.value)


def test_parse_numbers_repeated_values() -> None:
    # Many repeats take the per-distinct-value path; results stay per row.
    values = text(*(["1.234,56", "7,00", None] * 2_000))
    result = parse_numbers(values)
    assert result.to_list()[:3] == [1234.56, 7.0, None]
    assert result.sum() == pytest.approx((1234.56 + 7.0) * 2_000)


HEADER_CASES = {
    "meta spend": ("Amount spent (EUR)", "EUR"),
    "meta cpm": ("CPM (cost per 1,000 impressions) (EUR)", "EUR"),
    "brackets": ("Betrag [CHF]", "CHF"),
    "euro sign": ("Umsatz in €", "EUR"),
    "dollar sign": ("Revenue ($)", "USD"),
    "code at end": ("Amount USD", "USD"),
    "acronym not currency": ("Annual recurring revenue (ARR)", None),
    "no currency": ("Close Date", None),
    "lower case word": ("Country", None),
}


@pytest.mark.parametrize(
    ("header", "expected"), HEADER_CASES.values(), ids=HEADER_CASES.keys()
)
def test_currency_in_header_cases(header: str, expected: str | None) -> None:
    assert currency_in_header(header) == expected


def test_special_column_names() -> None:
    # Series methods go through pl.col(name), where "*" is a wildcard.
    dates = parse_dates(pl.Series("*", ["2024-03-01"]))
    numbers = parse_numbers(pl.Series("^a$", ["1,5"]))
    assert dates.to_list() == [datetime(2024, 3, 1)]
    assert dates.name == "*"
    assert numbers.to_list() == [1.5]
    assert numbers.name == "^a$"


def test_plain_numbers_point_default() -> None:
    numbers, mark = parse_numbers_detecting_mark(text("12.5", "-3", None, "007"))
    assert numbers.to_list() == [12.5, -3.0, None, 7.0]
    assert mark == "."


def test_plain_numbers_comma_default_with_evidence() -> None:
    # "12.5" can only be a decimal point, so the comma default is overruled.
    numbers, mark = parse_numbers_detecting_mark(text("12.5", "1.234"), ",")
    assert numbers.to_list() == [12.5, 1.234]
    assert mark == "."


def test_plain_numbers_comma_default_thousands() -> None:
    # Without evidence the comma default reads "1.234" as thousands.
    numbers, mark = parse_numbers_detecting_mark(text("1.234", "2.000"), ",")
    assert numbers.to_list() == [1234.0, 2000.0]
    assert mark == ","


MONEY_MARK_CASES = {
    "dollar before": ("$1,000", "$"),
    "negative dollar": ("-$20.00", "$"),
    "euro after with space": ("1.234,56 €", "€"),
    "code after": ("1,234.56 USD", "USD"),
    "code before": ("EUR 5", "EUR"),
    "symbol and code": ("$100 USD", "$ USD"),
    "two currencies": ("€7 USD", "€ USD"),
    "two symbols": ("$€7", "$€"),
    "unknown symbol": ("₽700", "₽"),
    "no mark": ("1.000", None),
    "percent is no currency": ("12,5 %", None),
    "empty": (None, None),
}


@pytest.mark.parametrize(
    ("cell", "expected"), MONEY_MARK_CASES.values(), ids=MONEY_MARK_CASES.keys()
)
def test_parse_money_marks(cell: str | None, expected: str | None) -> None:
    # A second marked cell keeps the column off the plain-number path.
    marks = parse_money(text(cell, "$1")).marks
    assert marks is not None
    assert marks[0] == expected


def test_parse_money_numbers_match_parse_numbers() -> None:
    # Without values such as "2.000" the money rules change nothing. The
    # dollar and euro cells write the same decimal mark, because cells of
    # two currencies in two styles are read per currency.
    values = text("$1.000,50", "€ 1.234,00", "100 EUR", "(5.00)", "12", None, "x")
    parsed = parse_money(values, ",")
    expected, expected_mark = parse_numbers_detecting_mark(values, ",")
    assert parsed.numbers.to_list() == expected.to_list()
    assert parsed.mark == expected_mark
    assert parsed.ambiguous is None


def test_parse_money_plain_column_no_marks() -> None:
    numbers, mark, marks, ambiguous, *_ = parse_money(text("12.5", "-3", None))
    assert numbers.to_list() == [12.5, -3.0, None]
    assert ambiguous is None
    assert mark == "."
    assert marks is None


def test_parse_money_unmarked_text_no_marks() -> None:
    # German numbers leave the plain path but carry no currency.
    numbers, mark, marks, *_ = parse_money(text("1.234,56", "2,5", "n/a"))
    assert numbers.to_list() == [1234.56, 2.5, None]
    assert mark == ","
    assert marks is None


def test_parse_money_repeated_values() -> None:
    # Many repeats take the per-distinct-value path; marks stay per row.
    numbers, _, marks, *_ = parse_money(text(*(["$5", "7 EUR", None] * 2_000)))
    assert marks is not None
    assert marks.to_list()[:3] == ["$", "EUR", None]
    assert numbers.to_list()[:3] == [5.0, 7.0, None]
    assert marks.null_count() == 2_000


def test_stripped_dates_with_utc_marks() -> None:
    values = text("2024-01-31T10:00:00Z", "2024-02-01 08:30:00 UTC", None)
    found, parsed = detect_and_parse_dates(values, stripped=True)
    assert found == DateFormat("iso", True)
    assert parsed.to_list() == [
        datetime(2024, 1, 31, 10, 0),
        datetime(2024, 2, 1, 8, 30),
        None,
    ]


def test_stripped_dates_day_first_after_iso() -> None:
    values = text("2024-01-31", "13.02.2024", "x")
    assert parse_dates(values, "dmy", stripped=True).to_list() == [
        datetime(2024, 1, 31),
        datetime(2024, 2, 13),
        None,
    ]


def test_year_first_rewrites_only_unparsed() -> None:
    # "%Y-%m-%d %H:%M" parses the sample, and the two values it cannot parse
    # as they are still get the "T", "Z" and " UTC" rewrites.
    values = text(
        *["2024-05-06 07:08"] * 400, "2024-05-06T09:10Z", "2024-05-06 11:12 UTC"
    )
    found, parsed = detect_and_parse_dates(values, stripped=True)
    assert found == DateFormat("iso", True)
    assert parsed[0] == datetime(2024, 5, 6, 7, 8)
    assert parsed[400] == datetime(2024, 5, 6, 9, 10)
    assert parsed[401] == datetime(2024, 5, 6, 11, 12)


def test_year_first_rejects_signed_year() -> None:
    # Polars reads "+2024" as a year, but the column is year-first only
    # where a value starts with four digits.
    values = text(*["2024-05-06 07:08"] * 400, "+2024-05-06 07:08", " 2024-05-06")
    parsed = parse_dates(values, "iso", stripped=True)
    assert parsed[0] == datetime(2024, 5, 6, 7, 8)
    assert parsed[400] is None
    assert parsed[401] is None


def test_later_formats_parse_pending_values() -> None:
    # Dates alone lead the ranking; the value with seconds falls through to
    # "%Y-%m-%d %H:%M:%S" and the one with a slash to "%Y/%m/%d".
    values = text(*["2024-05-06"] * 400, "2024-05-07 08:09:10", "2024/05/08")
    found, parsed = detect_and_parse_dates(values)
    assert found == DateFormat("iso", True)
    assert parsed[0] == datetime(2024, 5, 6)
    assert parsed[400] == datetime(2024, 5, 7, 8, 9, 10)
    assert parsed[401] == datetime(2024, 5, 8)


def test_day_first_lead_with_pending() -> None:
    # "%d/%m/%Y" parses the sample, and the dotted value with a time needs
    # a later format of the same family.
    values = text(*["13/05/2024"] * 400, "14.05.2024 10:30")
    found, parsed = detect_and_parse_dates(values)
    assert found == DateFormat("dmy", True)
    assert parsed[0] == datetime(2024, 5, 13)
    assert parsed[400] == datetime(2024, 5, 14, 10, 30)


def test_has_time_before_1970() -> None:
    assert detect_date_format(text("1969-12-31 23:00")).has_time
    assert not detect_date_format(text("1969-12-31", "1950-01-01")).has_time


MONEY_RULE_CASES = {
    # No evidence: "2.000"-like values are thousands groups.
    "euro thousands": (
        ["€ 2.000", "€ 3.500", "€ 12.000"],
        ".",
        [2000.0, 3500.0, 12000.0],
        ",",
    ),
    "plain thousands": (["2.000", "-3.500"], ".", [2000.0, -3500.0], ","),
    "comma thousands": (["1,500", "20"], ",", [1500.0, 20.0], "."),
    # Both kinds: the default stays and its own kind is ambiguous.
    "both kinds": (["2.000", "1,500"], ".", [None, 1500.0], "."),
    "long three decimals": (["12.500", "1234.500"], ".", [12.5, 1234.5], "."),
    # Evidence decides the comma, so "$1,000" reads two ways.
    "mixed styles": (["$1,000", "EUR 5", "1.234,56 €"], ".", [None, 5.0, 1234.56], ","),
    "three decimals exempt": (["1.000", "0.125"], ".", [1.0, 0.125], "."),
    "zero integer": (["0.500", "2.50"], ".", [0.5, 2.5], "."),
}


@pytest.mark.parametrize(
    ("values", "default", "expected", "mark"),
    MONEY_RULE_CASES.values(),
    ids=MONEY_RULE_CASES.keys(),
)
def test_parse_money_rules(
    values: list[str], default: str, expected: list[float | None], mark: str
) -> None:
    parsed = parse_money(text(*values), default)
    assert parsed.numbers.to_list() == pytest.approx(expected)
    assert parsed.mark == mark


def test_parse_money_ambiguous_mask() -> None:
    parsed = parse_money(text("250.50", "1.000", None, "$2,000"))
    assert parsed.ambiguous is not None
    assert parsed.ambiguous.to_list() == [False, True, False, False]
    assert parsed.numbers.to_list() == [250.5, None, None, 2000.0]


def test_parse_money_sum_of_thousands() -> None:
    parsed = parse_money(text("€ 2.000", "€ 3.500", "€ 12.000"))
    # 2,000 + 3,500 + 12,000 = 17,500.
    assert parsed.numbers.sum() == 17500.0


def test_other_numbers_keep_thousands_rule() -> None:
    # Outside money columns "2.000" still follows the default mark.
    numbers, mark = parse_numbers_detecting_mark(text("2.000", "3.500"))
    assert numbers.to_list() == [2.0, 3.5]
    assert mark == "."


DESCRIBE_CASES = {
    "dollar with comma": (
        "$1,000",
        ",",
        "'$1,000' could be 1 or 1,000 because the column uses a decimal comma; "
        "write 1000, 1.000,00 or 1,000.00 consistently",
    ),
    "euro with point": (
        "€ 12.500",
        ".",
        "'€ 12.500' could be 12.5 or 12,500 because the column uses a decimal "
        "point; write 12500, 12.500,00 or 12,500.00 consistently",
    ),
}


@pytest.mark.parametrize(
    ("cell", "mark", "expected"), DESCRIBE_CASES.values(), ids=DESCRIBE_CASES.keys()
)
def test_describe_ambiguous_amount(cell: str, mark: str, expected: str) -> None:
    assert describe_ambiguous_amount(cell, mark) == expected


@pytest.mark.parametrize(
    ("cells", "default", "expected"),
    [
        # A dash for the cents, as on German price tags.
        (["750,-", "1.234,56 €"], ",", [750.0, 1234.56]),
        (["€ 1.500,--", "12,50"], ",", [1500.0, 12.5]),
        (["750.-", "1,234.56"], ".", [750.0, 1234.56]),
        # The zero of Excel's accounting format.
        (["-   €", "1.234,56 €"], ",", [0.0, 1234.56]),
        (["$ -", "$1,234.56"], ".", [0.0, 1234.56]),
        # The German zero, with or without a currency.
        (["-,-", "€ -,-", "12,50"], ",", [0.0, 0.0, 12.5]),
        (["EUR -", "12,50"], ",", [0.0, 12.5]),
        # A dash alone, or beside a mark that is no currency, is no amount.
        (["-", "12,50"], ",", [None, 12.5]),
        (["\u2212", "- %", "12,50"], ",", [None, None, 12.5]),
    ],
)
def test_parse_money_dashes(cells, default, expected) -> None:
    parsed = parse_money(pl.Series(cells, dtype=pl.String), default)
    assert parsed.numbers.to_list() == expected
