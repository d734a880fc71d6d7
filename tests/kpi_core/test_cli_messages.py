"""Command-line options and messages that German users write."""

from __future__ import annotations

import json

import pytest

from kpi_core.__main__ import main
from kpi_core.errors import InvalidSettingError
from kpi_core.report import parse_fx

AMBIGUOUS = (
    "Record ID,Deal Stage,Create Date,Close Date\n"
    "1,Closed won,03/04/2025,05/06/2025\n"
    "2,Closed lost,04/03/2025,06/05/2025\n"
)


def test_fx_decimal_comma():
    assert parse_fx(["CHF=1,07", "usd=0.92"]) == {"CHF": 1.07, "USD": 0.92}


def test_ambiguous_dates_name_option(tmp_path, capsys):
    path = tmp_path / "deals.csv"
    path.write_text(AMBIGUOUS, encoding="utf-8")
    assert main(["report", str(path)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ")
    assert error.rstrip().endswith("on the command line, add --date-order dmy or mdy")


def test_date_order_option_reads(tmp_path, capsys):
    path = tmp_path / "deals.csv"
    path.write_text(AMBIGUOUS, encoding="utf-8")
    assert main(["report", str(path), "--date-order", "dmy"]) == 0
    report = json.loads(capsys.readouterr().out)
    # Day-first: deal 1 is created on 3 April and won on 5 June, 63 days.
    assert report["kpis"]["sales_cycle_days"]["value"] == pytest.approx(63.0)


def test_fx_grouped_comma_rejected():
    # 1,480 could be 1.48 or 1480: one is a thousand times the other.
    with pytest.raises(InvalidSettingError, match="reads two ways, as 1.480 or 1480"):
        parse_fx(["EUR=1,480"])


def test_left_out_share_warned(tmp_path, capsys):
    # 10 won deals in June, 2 of them without an amount: 20 % left out.
    rows = ["deal_id,stage,created_at,closed_at,amount"]
    rows += [f"D{n},Won,2025-05-01,2025-06-02,100" for n in range(8)]
    rows += [f"E{n},Won,2025-05-01,2025-06-02," for n in range(2)]
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert (
        main(["report", str(path), "--from", "2025-06-01", "--to", "2025-06-30"]) == 0
    )
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert any(
        warning.startswith("won_value leaves out 2 of 10 won deals (20 %)")
        for warning in warnings
    )


def test_fx_leading_zero_comma_read():
    # 0,925 cannot group thousands, so it is the decimal comma.
    assert parse_fx(["USD=0,925"]) == {"USD": 0.925}


def test_fx_infinite_rejected(tmp_path, capsys):
    path = tmp_path / "deals.csv"
    path.write_text(
        "Record ID,Deal Stage,Create Date,Close Date,Amount,Currency\n"
        "1,Closed won,2025-03-01,2025-03-10,100,USD\n",
        encoding="utf-8",
    )
    assert main(["report", str(path), "--fx", "USD=inf"]) == 1
    assert "invalid exchange rate USD=inf" in capsys.readouterr().err
