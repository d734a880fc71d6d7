import io

import polars as pl

from kpi_core.exporting import neutralise_formulas, safe_csv


def test_formula_cells_get_apostrophe():
    frame = pl.DataFrame(
        {"owner": ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2", "Anna"]}
    )
    cleaned = neutralise_formulas(frame)["owner"].to_list()
    assert cleaned == [
        '\'=HYPERLINK("http://x","y")',
        "'+1",
        "'@SUM(A1)",
        "'-2",
        "Anna",
    ]


def test_numbers_and_nulls_untouched():
    frame = pl.DataFrame({"amount": [-5.0, 3.0], "name": [None, "x"]})
    assert safe_csv(frame) == b'"amount","name"\n"-5.0",""\n"3.0","x"\n'


def test_pattern_like_headers_kept():
    frame = pl.DataFrame({"*": ["=1"], "^a$": ["ok"]})
    cleaned = neutralise_formulas(frame)
    assert cleaned.columns == ["*", "^a$"]
    assert cleaned.row(0) == ("'=1", "ok")


def test_control_characters_kept_in_csv():
    # CSV has no illegal characters, so the download keeps the values as
    # uploaded; only a formula start gets the apostrophe.
    controls = "".join(chr(code) for code in range(32))
    frame = pl.DataFrame({"campaign": ["Evil\x1bCampaign", controls, "\x1b=1"]})
    read_back = pl.read_csv(io.BytesIO(safe_csv(frame)))
    assert read_back["campaign"].to_list() == ["Evil\x1bCampaign", controls, "\x1b=1"]
