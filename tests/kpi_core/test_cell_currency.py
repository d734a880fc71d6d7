"""Currencies named in amount cells and headers, through the real import."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from kpi_core.cell_currency import SYMBOL_CURRENCIES
from kpi_core.importing import load_file
from kpi_core.money import convert_amounts
from kpi_core.prepare import PreparedTable
from kpi_core.sales import won_value
from kpi_core.values import currency_in_header
from tests.conftest import PROJECT

DEAL_HEADER = ["Deal ID", "Deal Stage", "Amount", "Create Date", "Close Date"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    lines = [",".join(_quoted(cell) for cell in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def load(path: Path, table: str = "deals") -> PreparedTable:
    return load_file(path.name, path.read_bytes(), table=table)


def _quoted(cell: str) -> str:
    return f'"{cell}"' if "," in cell else cell


def deal(number: int, stage: str, amount: str) -> list[str]:
    return [str(number), stage, amount, "2025-01-02", "2025-01-20"]


def test_all_dollar_deals_are_usd(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [
            DEAL_HEADER,
            deal(1, "Closed won", "$1,000.00"),
            deal(2, "Closed won", "$250.50"),
            deal(3, "Closed lost", "$99"),
        ],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["USD", "USD", "USD"]
    assert prepared.frame["amount"].to_list() == [1000.0, 250.5, 99.0]
    # Won: 1,000.00 + 250.50 = 1,250.50, in USD and not EUR.
    result = won_value(prepared.frame)
    assert result.unit == "USD"
    assert result.value == pytest.approx(1250.5)


def test_all_dollar_note_names_reading(tmp_path):
    path = write_csv(tmp_path / "deals.csv", [DEAL_HEADER, deal(1, "Closed won", "$5")])
    note = load(path).detected["Amount"]
    assert "currency from cells ($ read as USD" in note
    assert "CAD, AUD or another dollar" in note


def test_mixed_marks_give_currency_per_row(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [
            DEAL_HEADER,
            deal(1, "Closed won", "$1,000"),
            deal(2, "Closed won", "€500"),
            deal(3, "Closed won", "200 EUR"),
            deal(4, "Closed lost", ""),
        ],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["USD", "EUR", "EUR", None]
    assert prepared.frame["amount"].to_list() == [1000.0, 500.0, 200.0, None]
    assert "($ read as USD, € read as EUR;" in prepared.detected["Amount"]
    # 1,000 USD x 0.9 + 500 EUR + 200 EUR = 900 + 700 = 1,600 EUR.
    result = won_value(prepared.frame, currency="EUR", fx={"USD": 0.9})
    assert result.value == pytest.approx(1600.0)
    assert result.unit == "EUR"


def test_mixed_marks_xlsx_text_cells(tmp_path):
    path = write_xlsx(
        tmp_path / "deals.xlsx",
        [
            DEAL_HEADER,
            deal(1, "Closed won", "$1,000"),
            deal(2, "Closed won", "€500"),
            deal(3, "Closed lost", "£20"),
        ],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["USD", "EUR", "GBP"]
    assert prepared.frame["amount"].to_list() == [1000.0, 500.0, 20.0]


def test_header_currency_xlsx_numbers(tmp_path):
    # Number cells in a workbook carry no mark; the header names the currency.
    header = ["Deal ID", "Deal Stage", "Amount (USD)", "Create Date", "Close Date"]
    path = write_xlsx(
        tmp_path / "deals.xlsx",
        [
            header,
            [1, "Closed won", 1200.5, "2025-01-02", "2025-01-20"],
            [2, "Closed won", 300, "2025-01-03", "2025-01-21"],
        ],
    )
    prepared = load(path)
    assert prepared.mapping.columns["amount"] == "Amount (USD)"
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["USD", "USD"]
    assert prepared.detected["Amount (USD)"] == (
        "decimal point, currency from header: USD"
    )
    # 1,200.50 + 300 = 1,500.50 USD.
    result = won_value(prepared.frame)
    assert result.unit == "USD"
    assert result.value == pytest.approx(1500.5)


def test_header_currency_meta_spend():
    data = (PROJECT / "tests" / "data" / "meta_ads_utf8_bom.csv").read_bytes()
    prepared = load_file("meta.csv", data, table="spend")
    assert prepared.mapping.columns["amount"] == "Amount spent (EUR)"
    assert set(prepared.frame["currency"].to_list()) == {"EUR"}
    assert "currency from header: EUR" in prepared.detected["Amount spent (EUR)"]


def test_header_and_cell_disagree_emptied(tmp_path):
    header = ["Deal ID", "Deal Stage", "Amount (USD)", "Create Date", "Close Date"]
    path = write_csv(
        tmp_path / "deals.csv",
        [header, deal(1, "Closed won", "$10"), deal(2, "Closed won", "€10")],
    )
    prepared = load(path)
    assert prepared.frame["_line"].to_list() == [2, 3]
    assert prepared.frame["amount"].to_list() == [10.0, None]
    [problem] = prepared.problems
    assert problem.column == "Amount (USD)"
    assert problem.lines == (3,)
    assert "an amount in EUR while the header names USD" in problem.describe()


CURRENCY_HEADER = [*DEAL_HEADER, "Currency"]


def test_mark_against_currency_column_emptied(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [
            CURRENCY_HEADER,
            [*deal(1, "Closed won", "$100"), "USD"],
            [*deal(2, "Closed won", "$100"), "EUR"],
            [*deal(3, "Closed won", "300"), "EUR"],
        ],
    )
    prepared = load(path)
    assert prepared.frame["_line"].to_list() == [2, 3, 4]
    assert prepared.frame["amount"].to_list() == [100.0, None, 300.0]
    assert prepared.rejected.is_empty()
    assert prepared.problem_rows["Deal ID"].to_list() == ["2"]
    [problem] = prepared.problems
    assert problem.column == "Amount"
    assert problem.lines == (3,)
    assert problem.examples == ("$100",)
    message = problem.describe()
    assert "an amount in USD while column 'Currency' says EUR" in message
    assert "in column 'Amount' (line 3;" in message


def test_dollar_fits_other_dollar_currency(tmp_path):
    # "$" is also the mark of CAD and AUD, so the currency column decides.
    path = write_csv(
        tmp_path / "deals.csv",
        [
            CURRENCY_HEADER,
            [*deal(1, "Closed won", "$100"), "CAD"],
            [*deal(2, "Closed won", "$50"), "AUD"],
        ],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["CAD", "AUD"]


def test_marks_fill_empty_currency_cells(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [
            CURRENCY_HEADER,
            [*deal(1, "Closed won", "€100"), ""],
            [*deal(2, "Closed won", "50"), "usd"],
        ],
    )
    prepared = load(path)
    assert prepared.problems == ()
    # The import reads the given code in upper case.
    assert prepared.frame["currency"].to_list() == ["EUR", "USD"]
    assert prepared.detected["Amount"] == (
        "decimal point, currency checked against column 'Currency', and used "
        "where it is empty"
    )


def test_unmarked_rows_among_marked_emptied(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [
            DEAL_HEADER,
            deal(1, "Closed won", "$1,000"),
            deal(2, "Closed won", "700"),
            deal(3, "Closed won", "€300"),
            deal(4, "Closed lost", ""),
        ],
    )
    prepared = load(path)
    assert prepared.frame["_line"].to_list() == [2, 3, 4, 5]
    assert prepared.frame["currency"].to_list() == ["USD", None, "EUR", None]
    assert prepared.frame["amount"].to_list() == [1000.0, None, 300.0, None]
    assert prepared.problem_rows["Amount"].to_list() == ["700"]
    [problem] = prepared.problems
    assert problem.column == "Amount"
    assert problem.lines == (3,)
    message = problem.describe()
    assert "an amount without a currency while other amounts name one" in message
    assert "or add a currency column" in message


def test_unknown_symbol_emptied(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [DEAL_HEADER, deal(1, "Closed won", "₽700"), deal(2, "Closed won", "$5")],
    )
    prepared = load(path)
    assert prepared.frame["currency"].to_list() == [None, "USD"]
    assert prepared.frame["amount"].to_list() == [None, 5.0]
    [problem] = prepared.problems
    assert problem.lines == (2,)
    assert "an unknown currency symbol '₽'" in problem.describe()


def test_unknown_symbol_with_currency_column_kept(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [CURRENCY_HEADER, [*deal(1, "Closed won", "₽700"), "RUB"]],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["RUB"]


def test_two_currencies_in_cell_rejected(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [DEAL_HEADER, deal(1, "Closed won", "€7 USD"), deal(2, "Closed won", "$5")],
    )
    prepared = load(path)
    [problem] = prepared.problems
    assert problem.lines == (2,)
    assert "two different currencies in one cell" in problem.describe()


def test_money_columns_disagree_emptied(tmp_path):
    # Subscriptions have two money columns: a price and a monthly charge.
    header = ["Customer ID", "Start date", "Amount", "Monthly amount"]
    path = write_csv(
        tmp_path / "subscriptions.csv",
        [
            header,
            ["c1", "2025-01-01", "$120", "$10"],
            ["c2", "2025-01-01", "$120", "€10"],
            ["c3", "2025-01-01", "", "€10"],
        ],
    )
    prepared = load(path, table="subscriptions")
    # Line 3 keeps its USD price and loses the EUR monthly charge.
    assert prepared.frame["_line"].to_list() == [2, 3, 4]
    assert prepared.frame["currency"].to_list() == ["USD", "USD", "EUR"]
    assert prepared.frame["amount"].to_list() == [120.0, 120.0, None]
    assert prepared.frame["monthly_charge"].to_list() == [10.0, None, 10.0]
    [problem] = prepared.problems
    assert problem.column == "Monthly amount"
    assert problem.lines == (3,)
    assert "an amount in EUR while column 'Amount' is in USD" in problem.describe()


def test_plain_numbers_unchanged(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [DEAL_HEADER, deal(1, "Closed won", "1000"), deal(2, "Closed won", "1.234,5")],
    )
    prepared = load(path)
    assert "currency" not in prepared.frame.columns
    assert prepared.detected["Amount"] == "decimal comma"
    # Without a currency column every amount stays in the default EUR.
    _, unit, _ = convert_amounts(prepared.frame)
    assert unit == "EUR"


def test_plain_numbers_with_currency_column_unchanged(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [
            CURRENCY_HEADER,
            [*deal(1, "Closed won", "10"), " usd "],
            [*deal(2, "Closed lost", ""), ""],
        ],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["USD", None]
    assert prepared.detected["Amount"] == "decimal point"


def test_plain_amount_without_code_emptied(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [
            CURRENCY_HEADER,
            [*deal(1, "Closed won", "10"), "USD"],
            [*deal(2, "Closed won", "5"), ""],
        ],
    )
    prepared = load(path)
    assert prepared.frame["_line"].to_list() == [2, 3]
    assert prepared.frame["amount"].to_list() == [10.0, None]
    assert prepared.problem_rows["Amount"].to_list() == ["5"]
    [problem] = prepared.problems
    assert problem.column == "Amount"
    assert problem.lines == (3,)
    message = problem.describe()
    assert "an amount without a currency while other rows name one" in message
    assert "fill in column 'Currency'" in message


def test_problem_rows_keep_original_text(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [DEAL_HEADER, deal(1, "Closed won", "$5"), deal(2, "Closed won", "5")],
    )
    problem_rows = load(path).problem_rows
    assert problem_rows.drop("_line").row(0) == (
        "2",
        "Closed won",
        "5",
        "2025-01-02",
        "2025-01-20",
    )
    assert problem_rows.schema["Amount"] == pl.String


def test_codes_only_note(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [DEAL_HEADER, deal(1, "Closed won", "USD 5"), deal(2, "Closed won", "7 EUR")],
    )
    prepared = load(path)
    assert prepared.frame["currency"].to_list() == ["USD", "EUR"]
    assert (
        prepared.detected["Amount"] == "decimal point, currency from cells (EUR, USD)"
    )


@pytest.mark.parametrize("symbol", SYMBOL_CURRENCIES)
def test_symbol_reading_matches_header(symbol):
    # A cell and a header read the same symbol as the same currency.
    assert currency_in_header(f"Amount ({symbol})") == SYMBOL_CURRENCIES[symbol][0]


def test_euro_thousands_comma_file(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [
            DEAL_HEADER,
            deal(1, "Closed won", "€ 2.000"),
            deal(2, "Closed won", "€ 3.500"),
            deal(3, "Closed won", "€ 12.000"),
        ],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [2000.0, 3500.0, 12000.0]
    assert prepared.detected["Amount"].startswith("decimal comma")
    # 2,000 + 3,500 + 12,000 = 17,500 EUR.
    result = won_value(prepared.frame)
    assert result.unit == "EUR"
    assert result.value == pytest.approx(17500.0)


def test_euro_thousands_semicolon_file(tmp_path):
    lines = [
        "Deal ID;Deal Stage;Amount;Create Date;Close Date",
        "1;Closed won;2.000;10.01.2025;01.02.2025",
        "2;Closed won;3.500;12.01.2025;03.02.2025",
        "3;Closed won;12.000;15.01.2025;05.02.2025",
    ]
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [2000.0, 3500.0, 12000.0]


def test_plain_thousands_money_column(tmp_path):
    # "2.000" fits the plain-number path, which money columns skip.
    path = write_csv(
        tmp_path / "deals.csv",
        [
            DEAL_HEADER,
            deal(1, "Closed won", "2.000"),
            deal(2, "Closed won", "750"),
        ],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [2000.0, 750.0]
    # 2,000 + 750 = 2,750.
    assert won_value(prepared.frame).value == pytest.approx(2750.0)


def test_comma_thousands_money_column(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [DEAL_HEADER, deal(1, "Closed won", "1,500"), deal(2, "Closed won", "20")],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [1500.0, 20.0]


def test_other_number_fields_keep_rules(tmp_path):
    # Quantity is no money column, so its "2.000" stays 2 while the amount
    # "1.500" of the same file is 1,500.
    header = ["Customer ID", "Start date", "Amount", "Quantity"]
    path = write_csv(
        tmp_path / "subscriptions.csv",
        [header, ["c1", "2025-01-01", "1.500", "2.000"]],
    )
    prepared = load(path, table="subscriptions")
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [1500.0]
    assert prepared.frame["quantity"].to_list() == [2.0]


def test_three_decimal_column_keeps_decimals(tmp_path):
    # "1234.500" cannot be a thousands group, so the column writes three
    # decimals and "12.500" is 12.5.
    path = write_csv(
        tmp_path / "deals.csv",
        [
            DEAL_HEADER,
            deal(1, "Closed won", "12.500"),
            deal(2, "Closed won", "1234.500"),
        ],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [12.5, 1234.5]


def test_mixed_styles_comma_column_empties_dollar(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [
            CURRENCY_HEADER,
            [*deal(1, "Closed won", "$1,000"), "USD"],
            [*deal(2, "Closed won", "EUR 5"), "EUR"],
            [*deal(3, "Closed won", "1.234,56 €"), "EUR"],
        ],
    )
    prepared = load(path)
    assert prepared.frame["_line"].to_list() == [2, 3, 4]
    assert prepared.frame["amount"].to_list() == [None, 5.0, 1234.56]
    assert prepared.problem_rows["Amount"].to_list() == ["$1,000"]
    [problem] = prepared.problems
    assert problem.column == "Amount"
    assert problem.lines == (2,)
    assert problem.examples == ("$1,000",)
    assert problem.kind == (
        "an amount that reads two ways ('$1,000' could be 1 or 1,000 because "
        "the column uses a decimal comma; write 1000, 1.000,00 or 1,000.00 "
        "consistently)"
    )
    # The rest: 5 + 1,234.56 = 1,239.56 EUR, with the USD deal left out
    # for its amount. The unit is EUR, because the deal without an amount
    # needs no exchange rate.
    result = won_value(prepared.frame)
    assert result.unit == "EUR"
    assert result.value == pytest.approx(1239.56)
    assert result.excluded == {"won deal without an amount": 1}


def test_point_column_empties_dotted_thousand(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [
            CURRENCY_HEADER,
            [*deal(1, "Closed won", "250.50"), "EUR"],
            [*deal(2, "Closed lost", "1.000"), "EUR"],
        ],
    )
    prepared = load(path)
    assert prepared.frame["amount"].to_list() == [250.5, None]
    [problem] = prepared.problems
    assert problem.lines == (3,)
    assert "'1.000' could be 1 or 1,000 because the column uses a decimal point" in (
        problem.describe()
    )


def test_three_decimals_settle_ambiguity(tmp_path):
    # "0.125" has three decimals and no other reading, so "1.000" is 1.
    path = write_csv(
        tmp_path / "deals.csv",
        [
            DEAL_HEADER,
            deal(1, "Closed won", "1.000"),
            deal(2, "Closed won", "0.125"),
        ],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [1.0, 0.125]


SPEND_HEADER = ["Date", "Channel", "Amount", "Currency"]
TABLE_ROWS = {
    "deals": (
        CURRENCY_HEADER,
        lambda n, amount, code: [*deal(n, "Closed won", amount), code],
    ),
    "spend": (
        SPEND_HEADER,
        lambda n, amount, code: ["2025-01-01", f"c{n}", amount, code],
    ),
    "orders": (
        ["Order ID", "Customer ID", "Order date", "Amount", "Currency"],
        lambda n, amount, code: [str(n), f"c{n}", "2025-01-01", amount, code],
    ),
    "subscriptions": (
        ["Customer ID", "Start date", "Amount", "Currency"],
        lambda n, amount, code: [f"c{n}", "2025-01-01", amount, code],
    ),
}


@pytest.mark.parametrize("table", TABLE_ROWS)
def test_empty_code_emptied_every_table(tmp_path, table):
    header, row = TABLE_ROWS[table]
    path = write_csv(
        tmp_path / f"{table}.csv",
        [header, row(1, "100", "EUR"), row(2, "$200", "USD"), row(3, "300", "")],
    )
    prepared = load(path, table=table)
    assert prepared.table == table
    assert prepared.frame["amount"].to_list() == [100.0, 200.0, None]
    [problem] = prepared.problems
    assert problem.column == "Amount"
    assert problem.lines == (4,)
    assert "without a currency while other rows name one" in problem.describe()


def test_spend_empty_code_among_decimal_comma(tmp_path):
    # Line 5 has no currency, the others name one.
    path = write_csv(
        tmp_path / "spend.csv",
        [
            SPEND_HEADER,
            ["2025-01-01", "Google", "100", "EUR"],
            ["2025-02-01", "Google", "1.234,50", "EUR"],
            ["2025-01-01", "Facebook", "$200", "USD"],
            ["2025-02-01", "Facebook", "300", ""],
        ],
    )
    prepared = load(path, table="spend")
    assert prepared.rows_read == 4
    assert prepared.rows_used == 4
    assert prepared.frame["amount"].to_list() == [100.0, 1234.5, 200.0, None]
    assert prepared.frame["currency"].to_list() == ["EUR", "EUR", "USD", None]
    [problem] = prepared.problems
    assert problem.lines == (5,)


def test_plain_amounts_among_euro_marks_read_as_eur(tmp_path):
    text = (
        "Deal ID;Deal Stage;Amount;Create Date;Close Date\n"
        "1;Closed won;1.234,56 €;2025-01-02;2025-01-20\n"
        "2;Closed won;3393,84;2025-01-02;2025-01-20\n"
        "3;Closed won;500,00 €;2025-01-02;2025-01-20\n"
    )
    path = tmp_path / "deals.csv"
    path.write_text(text, encoding="utf-8")
    prepared = load(path)
    # The plain cell is in the only currency the column names, as a whole
    # column of plain numbers would be: 1,234.56 + 3,393.84 + 500 = 5,128.40.
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["EUR", "EUR", "EUR"]
    assert round(prepared.frame["amount"].sum(), 2) == 5128.40
    assert prepared.detected["Amount"].endswith(
        "1 amount without a mark read as EUR, the only currency the marked amounts name"
    )


def test_plain_amounts_among_most_dollar_marks(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [
            DEAL_HEADER,
            deal(1, "Closed won", "$5"),
            deal(2, "Closed won", "$7"),
            deal(3, "Closed won", "9"),
        ],
    )
    prepared = load(path)
    # 2 of 3 amounts are marked, all in USD, so the plain one is USD too.
    assert prepared.frame["currency"].to_list() == ["USD", "USD", "USD"]
    assert prepared.frame["amount"].sum() == 21.0


def test_one_dollar_among_plain_amounts_rejects(tmp_path):
    path = write_csv(
        tmp_path / "deals.csv",
        [
            DEAL_HEADER,
            deal(1, "Closed won", "$5"),
            deal(2, "Closed won", "7"),
            deal(3, "Closed won", "9"),
        ],
    )
    prepared = load(path)
    # One "$" among plain numbers is no evidence for them, so they stay
    # without an amount and are named.
    assert prepared.frame["amount"].to_list() == [5.0, None, None]
    [problem] = prepared.problems
    assert problem.lines == (3, 4)
