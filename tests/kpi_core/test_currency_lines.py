"""The import names the lines of amounts in a currency that is rare in their
column, such as one "1.054,28 $" among euro amounts."""

from __future__ import annotations

from kpi_core.importing import load_file

HEADER = "Deal-ID;Phase;Betrag;Erstellt am;Abgeschlossen am"


def _german_deals(amounts: list[str]) -> bytes:
    """Write a semicolon-separated deals file, one won deal per amount. The
    deal on list index i sits on file line i + 2."""
    lines = [HEADER]
    for index, amount in enumerate(amounts, start=1):
        lines.append(f"{index};Gewonnen;{amount};02.01.2025;10.01.2025")
    return ("\n".join(lines) + "\n").encode()


def _currency_warnings(prepared) -> list[str]:
    return [warning for warning in prepared.warnings if "amounts in" in warning]


def test_one_dollar_amount_named_by_line():
    amounts = ["1.200,00 €"] * 40
    amounts[8] = "1.054,28 $"
    prepared = load_file("deals.csv", _german_deals(amounts))
    assert prepared.frame["currency"].value_counts().sort("currency").rows() == [
        ("EUR", 39),
        ("USD", 1),
    ]
    # List index 8 is deal 9, on line 10.
    assert _currency_warnings(prepared) == [
        "1 of 40 amounts in 'Betrag' is in USD, on line 10, while 39 are in "
        "EUR. If it is a typo, correct it in the file and import it again. "
        "Otherwise the money figures need an exchange rate between USD and EUR."
    ]


def test_few_amounts_listed_with_more():
    # 12 of 300 amounts (4 %) in USD, at list indexes 0, 25, ..., 275.
    amounts = ["100,00 €"] * 300
    for index in range(0, 300, 25):
        amounts[index] = "100,00 $"
    prepared = load_file("deals.csv", _german_deals(amounts))
    [warning] = _currency_warnings(prepared)
    assert warning.startswith(
        "12 of 300 amounts in 'Betrag' are in USD, on lines 2, 27, 52, 77, 102, "
        "127, 152, 177, 202, 227 and 2 more, while 288 are in EUR. If these are "
        "typos, correct them"
    )


def test_rare_share_threshold():
    # 5 of 100 amounts (5 %) in USD are rare, 6 of 100 (6 %) are not.
    for dollars, warned in ((5, True), (6, False)):
        amounts = ["100,00 €"] * (100 - dollars) + ["100,00 $"] * dollars
        prepared = load_file("deals.csv", _german_deals(amounts))
        found = _currency_warnings(prepared)
        assert len(found) == (1 if warned else 0), dollars
    # One amount in each currency: neither is rare.
    prepared = load_file("deals.csv", _german_deals(["100,00 €", "100,00 $"]))
    assert _currency_warnings(prepared) == []


def test_rare_code_in_currency_column():
    rows = ["Deal ID,Deal Stage,Amount,Currency,Create Date"]
    for index in range(1, 31):
        code = "usd " if index == 17 else "EUR"
        rows.append(f"{index},Closed won,100,{code},2025-01-02")
    # Deal 31 has no amount, so no amount is in GBP.
    rows.append("31,Closed won,,GBP,2025-01-02")
    data = ("\n".join(rows) + "\n").encode()
    prepared = load_file("deals.csv", data)
    assert prepared.mapping.columns["currency"] == "Currency"
    # Deal 17 sits on line 18; its code is read trimmed and upper-cased.
    [warning] = _currency_warnings(prepared)
    assert warning.startswith(
        "1 of 30 amounts in 'Amount' is in USD, on line 18, while 29 are in EUR."
    )
