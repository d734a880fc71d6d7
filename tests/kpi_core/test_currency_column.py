"""The currency column is read as ISO 4217 codes at import: symbols and
names of one currency become its code, other text is named as a problem."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kpi_core.currency_column import read_currency_codes
from kpi_core.errors import InvalidValueError
from kpi_core.importing import load_file
from kpi_core.marketing import campaign_revenue
from kpi_core.money import convert_amounts
from kpi_core.prepare import PreparedTable

# A German shop export: ";" between fields, "," as decimal mark.
GERMAN_ORDERS = """Bestellnummer;Kunden-ID;Bestelldatum;Gesamtbetrag;Währung;Kanal
1001;k1;15.01.2025;1.200,50;€;Ads
1002;k2;16.01.2025;300,00;Euro;Ads
1003;k3;20.01.2025;99,50;EUR;Newsletter
1004;k4;21.01.2025;400,00; eur ;Newsletter
"""
GERMAN_SPEND = """Datum;Kanal;Kosten;Währung
15.01.2025;Ads;500,00;EURO
15.01.2025;Newsletter;100,00;€
"""
ORDERS_HEADER = "Order ID,Customer ID,Created at,Total,Currency\n"


def _load(tmp_path: Path, name: str, text: str, table: str) -> PreparedTable:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(name, path.read_bytes(), table=table)


def _orders(tmp_path: Path, rows: list[str]) -> PreparedTable:
    text = ORDERS_HEADER + "".join(f"{row}\n" for row in rows)
    return _load(tmp_path, "orders.csv", text, "orders")


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("EUR", "EUR"),
        ("eur", "EUR"),
        ("Chf", "CHF"),
        ("kwd", "KWD"),
        ("€", "EUR"),
        ("£", "GBP"),
        ("₹", "INR"),
        ("Euro", "EUR"),
        ("EURO", "EUR"),
        ("Euros", "EUR"),
        ("US-Dollar", "USD"),
        ("US  Dollar", "USD"),
        ("us dollars", "USD"),
        ("Britisches Pfund", "GBP"),
        ("Pfund", "GBP"),
        ("Pound sterling", "GBP"),
        ("Schweizer Franken", "CHF"),
        ("Swiss franc", "CHF"),
        ("EUR €", "EUR"),
        ("€ EUR", "EUR"),
        ("USD $", "USD"),
        ("EUR (€)", "EUR"),
        ("Euro (EUR)", "EUR"),
        ("USD - US Dollar", "USD"),
        ("eur - Euro", "EUR"),
        ("CAD $", "CAD"),
        ("CHF Fr.", "CHF"),
        ("₽ RUB", "RUB"),
        ("zł", "PLN"),
        ("MRO", "MRO"),
        ("vef", "VEF"),
        ("LTL", "LTL"),
        ("CUC", "CUC"),
    ],
)
def test_read_codes_of_one_currency(cell, code):
    read = read_currency_codes(pl.Series([cell]))
    assert read.codes.to_list() == [code]
    assert read.shared.to_list() == [False]
    assert read.unknown.to_list() == [False]


@pytest.mark.parametrize(("cell", "code"), [("$", "USD"), ("¥", "JPY")])
def test_read_codes_shared_symbol_as_amounts(cell, code):
    read = read_currency_codes(pl.Series([cell]))
    assert read.codes.to_list() == [code]
    assert read.shared.to_list() == [False]
    assert read.unknown.to_list() == [False]


def test_read_codes_shared_symbol_note():
    read = read_currency_codes(pl.Series(["$", "€", "¥", "$"]))
    assert read.note == (
        "symbols and names read as ISO codes: $ as USD, € as EUR, ¥ as JPY; "
        "if a $ is CAD, AUD or another dollar, write its ISO code; "
        "if a ¥ is CNY, write its ISO code"
    )


@pytest.mark.parametrize("cell", ["kr", "Fr", "Dollar", "Franken", "Krone"])
def test_read_codes_shared_words(cell):
    read = read_currency_codes(pl.Series([cell]))
    assert read.codes.to_list() == [None]
    assert read.shared.to_list() == [True]
    assert read.unknown.to_list() == [False]


@pytest.mark.parametrize(
    "cell",
    [
        "XYZ",
        "hello world",
        "EU",
        "Euro2",
        "EUR USD",
        "€ USD",
        "USD - Euro",
        "CHF kr",
        "EUR hello",
        "AR$",
        "US$ EUR",
        "DEM",
        "BTC",
    ],
)
def test_read_codes_unknown_text(cell):
    read = read_currency_codes(pl.Series([cell]))
    assert read.codes.to_list() == [None]
    assert read.shared.to_list() == [False]
    assert read.unknown.to_list() == [True]


def test_read_codes_note_lists_symbols_and_names():
    read = read_currency_codes(
        pl.Series(["EUR", "€", "usd", "Euro", None, "€", "Schweizer Franken"])
    )
    assert read.codes.to_list() == ["EUR", "EUR", "USD", "EUR", None, "EUR", "CHF"]
    assert read.note == (
        "symbols and names read as ISO codes: € as EUR, Euro as EUR, "
        "Schweizer Franken as CHF"
    )


def test_read_codes_note_shortened():
    cells = ["€", "Euro", "EURO", "euro", "Euros", "US-Dollar", "Pfund", "£"]
    read = read_currency_codes(pl.Series(cells))
    # Eight distinct cells: the first six are listed.
    assert read.note == (
        "symbols and names read as ISO codes: € as EUR, Euro as EUR, EURO as "
        "EUR, euro as EUR, Euros as EUR, US-Dollar as USD, and 2 more"
    )


def test_german_orders_give_one_eur_revenue(tmp_path):
    orders = _load(tmp_path, "bestellungen.csv", GERMAN_ORDERS, "orders")
    spend = _load(tmp_path, "kosten.csv", GERMAN_SPEND, "spend")
    assert orders.problems == ()
    assert orders.warnings == ()
    assert orders.frame["currency"].to_list() == ["EUR"] * 4
    assert orders.detected["Währung"] == (
        "symbols and names read as ISO codes: € as EUR, Euro as EUR"
    )
    assert spend.frame["currency"].to_list() == ["EUR", "EUR"]

    result = campaign_revenue(orders.frame, spend=spend.frame)
    assert result.available
    assert result.unit == "EUR"
    # Ads: 1,200.50 + 300.00 = 1,500.50; Newsletter: 99.50 + 400.00 = 499.50.
    assert result.value == {
        "Ads": pytest.approx(1500.50),
        "Newsletter": pytest.approx(499.50),
    }
    # ROI: Ads (1,500.50 - 500) / 500 x 100 = 200.1 %; Newsletter
    # (499.50 - 100) / 100 x 100 = 399.5 %.
    assert result.extra["roi"] == {
        "Ads": pytest.approx(200.1),
        "Newsletter": pytest.approx(399.5),
    }


def test_unknown_currency_named_and_emptied(tmp_path):
    prepared = _orders(
        tmp_path,
        [
            "1,c1,2025-01-02,100,EUR",
            "2,c2,2025-01-03,200,Euro",
            "3,c3,2025-01-04,300,€",
            "4,c4,2025-01-05,50,eur",
            "5,c5,2025-01-06,70,XYZ",
            "6,c6,2025-01-06,80,hello world",
        ],
    )

    [problem] = prepared.problems
    assert problem.column == "Currency"
    assert problem.lines == (6, 7)
    assert problem.row_kept
    assert problem.describe() == (
        "2 rows with an unknown currency in column 'Currency' (lines 6, 7; for "
        "example 'XYZ', 'hello world')"
    )
    assert problem.outcome() == (
        "read as empty, and so are the amounts in these rows; the rows are kept, "
        "so only the KPIs that need the amounts leave them out; write the "
        "currency as its three-letter ISO 4217 code, such as EUR, USD or CHF, "
        "and import the file again"
    )

    assert prepared.rows_used == 6
    assert prepared.frame["amount"].to_list() == [100.0, 200.0, 300.0, 50.0, None, None]
    assert prepared.frame["currency"].to_list() == ["EUR"] * 4 + [None, None]
    # The rows read as empty are no rare currencies any more.
    assert prepared.warnings == ()
    # 100 + 200 + 300 + 50 = 650 EUR, with no exchange rate asked for.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "EUR"
    assert frame["amount"].sum() == pytest.approx(650.0)


def test_shared_word_named_apart(tmp_path):
    prepared = _orders(
        tmp_path,
        [
            "1,c1,2025-01-02,100,USD",
            "2,c2,2025-01-03,200,$",
            "3,c3,2025-01-04,300,kr",
            "4,c4,2025-01-05,50,Fr",
        ],
    )
    [problem] = prepared.problems
    assert problem.describe() == (
        "2 rows with a currency symbol or name of several currencies in column "
        "'Currency' (lines 4, 5; for example 'kr', 'Fr')"
    )
    # The "$" is read as USD, as in an amount cell.
    assert prepared.frame["amount"].to_list() == [100.0, 200.0, None, None]
    assert prepared.frame["currency"].to_list() == ["USD", "USD", None, None]


def test_cell_marks_checked_against_read_codes(tmp_path):
    prepared = _orders(
        tmp_path,
        [
            '1,c1,2025-01-02,"100,00 €",€',
            '2,c2,2025-01-03,"1.000,00 €",Euro',
            "3,c3,2025-01-04,$300,Euro",
            '4,c4,2025-01-05,"50,00 €",XYZ',
        ],
    )
    problems = {problem.column: problem for problem in prepared.problems}
    assert set(problems) == {"Total", "Currency"}
    # The "$" amount contradicts the "Euro" of its row.
    assert problems["Total"].lines == (4,)
    assert problems["Total"].kind == (
        "an amount in USD while column 'Currency' says EUR (correct one of them)"
    )
    # The amount beside "XYZ" is named once, for its currency cell.
    assert problems["Currency"].lines == (5,)
    assert problems["Currency"].kind == "an unknown currency"
    assert prepared.frame["amount"].to_list() == [100.0, 1000.0, None, None]
    assert prepared.frame["currency"].to_list() == ["EUR", "EUR", "EUR", None]


def test_unknown_currency_column_stops_import(tmp_path):
    rows = [f"{n},c{n},2025-01-0{n},{n}00,Dollar" for n in range(1, 6)]
    with pytest.raises(InvalidValueError) as raised:
        _orders(tmp_path, rows)
    message = str(raised.value)
    assert message.startswith("orders.csv, column 'Currency': no filled cell")
    assert "5 rows with a currency symbol or name of several currencies" in message
    assert "(lines 2, 3, 4, 5, 6; for example 'Dollar')" in message
    assert message.endswith(
        "write the currency as its three-letter ISO 4217 code, such as EUR, USD "
        "or CHF, and import the file again"
    )


def test_codes_upper_cased_at_import(tmp_path):
    prepared = _orders(
        tmp_path,
        [
            "1,c1,2025-01-02,100, eur ",
            "2,c2,2025-01-03,200,Usd",
            "3,c3,2025-01-04,300,kwd",
            "4,c4,2025-01-05,50,",
        ],
    )
    assert prepared.frame["currency"].to_list() == ["EUR", "USD", "KWD", None]


def test_plain_codes_read_as_before(tmp_path):
    """Guard: codes in any case import without problems or notes, and the
    money figures convert them as before."""
    prepared = _orders(
        tmp_path,
        [
            "1,c1,2025-01-02,100,EUR",
            "2,c2,2025-01-03,200,usd",
            "3,c3,2025-01-04,300, EUR ",
            "4,c4,2025-01-05,50,USD",
            "5,c5,2025-01-06,70,ARS",
        ],
    )
    assert prepared.problems == ()
    assert "Currency" not in prepared.detected
    assert prepared.frame["amount"].to_list() == [100.0, 200.0, 300.0, 50.0, 70.0]
    frame, unit, _ = convert_amounts(prepared.frame, "EUR", {"USD": 0.5, "ARS": 0.001})
    assert unit == "EUR"
    # 100 + 300 EUR, (200 + 50) x 0.5 = 125 EUR, 70 x 0.001 = 0.07 EUR.
    assert frame["amount"].sum() == pytest.approx(525.07)


def test_dollar_column_imports_as_usd(tmp_path):
    prepared = _orders(
        tmp_path,
        [
            "1,c1,2025-01-02,100,$",
            "2,c2,2025-01-03,200,$",
            "3,c3,2025-01-04,$300,$",
        ],
    )
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["USD"] * 3
    assert prepared.frame["amount"].to_list() == [100.0, 200.0, 300.0]
    assert prepared.detected["Currency"] == (
        "symbols and names read as ISO codes: $ as USD; if a $ is CAD, AUD or "
        "another dollar, write its ISO code"
    )
    # 100 + 200 + 300 = 600 USD, with no exchange rate asked for.
    frame, unit, _ = convert_amounts(prepared.frame)
    assert unit == "USD"
    assert frame["amount"].sum() == pytest.approx(600.0)


def test_dollar_amount_fits_dollar_cell(tmp_path):
    prepared = _orders(
        tmp_path,
        [
            '1,c1,2025-01-02,"100 €",EUR',
            "2,c2,2025-01-03,$300,USD",
            "3,c3,2025-01-04,$700,$",
        ],
    )
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [100.0, 300.0, 700.0]
    assert prepared.frame["currency"].to_list() == ["EUR", "USD", "USD"]


def test_code_beside_marks_keeps_amounts(tmp_path):
    prepared = _orders(
        tmp_path,
        [
            "1,c1,2025-01-02,100,EUR €",
            "2,c2,2025-01-03,200,€ EUR",
            "3,c3,2025-01-04,300,EUR (€)",
            "4,c4,2025-01-05,400,Euro (EUR)",
            "5,c5,2025-01-06,500,USD - US Dollar",
            "6,c6,2025-01-07,600,USD $",
            "7,c7,2025-01-08,700,zł",
            "8,c8,2025-01-09,800,MRO",
        ],
    )
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == (
        ["EUR"] * 4 + ["USD", "USD", "PLN", "MRO"]
    )
    assert prepared.frame["amount"].to_list() == [
        100.0,
        200.0,
        300.0,
        400.0,
        500.0,
        600.0,
        700.0,
        800.0,
    ]
    # 100 + 200 + 300 + 400 = 1,000 EUR; 500 + 600 = 1,100 USD x 0.5 = 550
    # EUR; 700 PLN x 0.25 = 175 EUR; 800 MRO x 0.01 = 8 EUR; 1,733 EUR.
    rates = {"USD": 0.5, "PLN": 0.25, "MRO": 0.01}
    frame, unit, _ = convert_amounts(prepared.frame, "EUR", rates)
    assert unit == "EUR"
    assert frame["amount"].sum() == pytest.approx(1733.0)


def test_unknown_text_still_empties_amounts(tmp_path):
    """Guard: text that names no readable currency stays a problem."""
    prepared = _orders(
        tmp_path,
        [
            "1,c1,2025-01-02,100,$",
            "2,c2,2025-01-03,200,hello world",
            "3,c3,2025-01-04,300,XYZ",
            "4,c4,2025-01-05,400,EUR USD",
        ],
    )
    [problem] = prepared.problems
    assert problem.kind == "an unknown currency"
    assert problem.lines == (3, 4, 5)
    assert prepared.frame["amount"].to_list() == [100.0, None, None, None]


def test_unreadable_column_still_stops_import(tmp_path):
    """Guard: a column without one readable currency still stops the import."""
    rows = [
        "1,c1,2025-01-02,100,hello world",
        "2,c2,2025-01-03,200,XYZ",
        "3,c3,2025-01-04,300,kr",
    ]
    with pytest.raises(InvalidValueError) as raised:
        _orders(tmp_path, rows)
    message = str(raised.value)
    assert message.startswith("orders.csv, column 'Currency': no filled cell")
    assert "(line 4; for example 'kr')" in message
    assert "(lines 2, 3; for example 'hello world', 'XYZ')" in message
