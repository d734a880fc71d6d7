"""Counts in import messages have thousands separators, and the message
about a wrongly mapped column reads right on the Data page."""

from dataclasses import replace

import pytest

from kpi_core.errors import InvalidValueError
from kpi_core.importing import preview_file
from kpi_core.prepare import prepare_table


def _month_as_order_date(name: str, data: bytes) -> str:
    preview = preview_file(name, data, table="orders")
    columns = {
        **preview.mapping.columns,
        "customer_id": "job",
        "ordered_at": "month",
        "amount": "duration",
    }
    with pytest.raises(InvalidValueError) as caught:
        prepare_table(preview.raw, replace(preview.mapping, columns=columns))
    return str(caught.value)


def test_month_column_count_has_separator(tmp_path):
    path = tmp_path / "calls.csv"
    lines = ["job,month,duration"] + [f"admin,may,{n}" for n in range(1200)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = _month_as_order_date(path.name, path.read_bytes())
    # 1,200 rows on lines 2 to 1,201: ten are listed, 1,200 - 10 = 1,190 more.
    assert "1,200 rows with an invalid date in column 'month'" in message
    assert "lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 1,190 more" in message


def test_month_column_message_names_mapping(tmp_path):
    path = tmp_path / "calls.csv"
    lines = ["job,month,duration"] + [f"admin,may,{n}" for n in range(5)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = _month_as_order_date(path.name, path.read_bytes())
    assert "map another column to Order date in the column mapping" in message
    assert "on the Data page" not in message


def test_tester_bank_file_message(datasets_dir):
    path = datasets_dir / "uci-bank-marketing" / "bank-additional_excel-mangled.csv"
    message = _month_as_order_date(path.name, path.read_bytes())
    # The file has 4,119 data rows: 4,119 - 10 listed = 4,109 more.
    assert "4,119 rows with an invalid date in column 'month'" in message
    assert "and 4,109 more" in message
