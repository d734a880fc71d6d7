"""A file whose last line ends without a line break and is shorter than the
header, or ends in a value cut in the middle of a word, was likely cut off
during a download or copy. That line is named and left out. A complete last
line without a line break stays, as many exports end that way."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kpi_core.importing import load_file
from kpi_core.sales import sales_cycle_days
from tests.conftest import PROJECT

HEADER = (
    "Record ID,Deal Name,Deal Stage,Pipeline,Amount,Deal owner,Create Date,"
    "Close Date,Deal Type"
)
ROWS = [
    "101,Acme web shop,Closed Won,Sales Pipeline,1000,Anna Muster,2025-01-05,"
    "2025-01-25,newbusiness",
    "102,Beta GmbH,Closed Lost,Sales Pipeline,500,Ben Meier,2025-01-10,"
    "2025-02-01,newbusiness",
    "103,Gamma AG,Closed Won,Sales Pipeline,2000,Anna Muster,2025-01-15,"
    "2025-02-14,newbusiness",
    "104,Delta SA,Appointment Scheduled,Sales Pipeline,800,Ben Meier,2025-02-01,,"
    "newbusiness",
    "105,Epsilon,Closed Won,Sales Pipeline,1500,Ben Meier,2025-02-03,"
    "2025-02-10,existingbusiness",
    "106,Zeta,Closed Lost,Sales Pipeline,700,Anna Muster,2025-02-20,"
    "2025-03-05,newbusiness",
]
LAST = (
    "107,Eta,Closed Won,Sales Pipeline,3000,Anna Muster,2025-03-01,2025-03-31,"
    "newbusiness"
)
# Line 8 cut in its close date: 8 of 9 fields.
CUT_IN_DATE = LAST[: LAST.index("2025-03-31") + len("2025-03-3")]
# Line 8 cut in its deal type: 9 fields, the last "newbus".
CUT_IN_TYPE = LAST[: LAST.index("newbusiness") + len("newbus")]

# Won deals, days from create to close date:
#   101: 2025-01-05 -> 2025-01-25 = 20
#   103: 2025-01-15 -> 2025-02-14 = 16 + 14 = 30
#   105: 2025-02-03 -> 2025-02-10 = 7
#   107: 2025-03-01 -> 2025-03-31 = 30
FULL_CYCLE = (20 + 30 + 7 + 30) / 4  # 21.75
WITHOUT_LAST_CYCLE = (20 + 30 + 7) / 3  # 19.0


def _write(tmp_path: Path, last: str, *, line_break: bool = False) -> Path:
    path = tmp_path / "hubspot_deals.csv"
    text = "\n".join([HEADER, *ROWS, last]) + ("\n" if line_break else "")
    path.write_bytes(text.encode("utf-8"))
    return path


def _load(path: Path):
    return load_file(path.name, path.read_bytes())


def test_cut_last_line_left_out(tmp_path):
    table = _load(_write(tmp_path, CUT_IN_DATE))
    assert table.rows_read == 7
    assert table.rows_used == 6
    assert table.frame["_line"].to_list() == [2, 3, 4, 5, 6, 7]
    [problem] = table.problems
    assert problem.lines == (8,)
    assert not problem.row_kept
    assert "line 8 has 8 fields, the header has 9" in problem.kind
    assert "no line break" in problem.kind
    assert "the file may be cut off: export it again" in problem.outcome()
    assert sales_cycle_days(table.frame).value == pytest.approx(WITHOUT_LAST_CYCLE)


def test_cut_last_line_any_column(tmp_path):
    # Line 8 has 2 of 9 fields and lacks the required create date too, but
    # it is named once, as a cut end of the file.
    table = _load(_write(tmp_path, "107,Eta"))
    assert table.rows_used == 6
    [problem] = table.problems
    assert problem.lines == (8,)
    assert "line 8 has 2 fields, the header has 9" in problem.kind
    assert "no line break" in problem.kind


def test_cut_last_line_in_fixed_width_file(tmp_path):
    # Line 7 writes its empty last field, so the file writes every field.
    # Line 8 keeps every required column but is still left out as the cut
    # end of the file, not kept with its missing cells read as empty.
    rows = [*ROWS[:-1], ROWS[-1].removesuffix("newbusiness")]
    path = tmp_path / "deals.csv"
    path.write_bytes("\n".join([HEADER, *rows, CUT_IN_DATE]).encode("utf-8"))
    table = _load(path)
    assert table.rows_used == 6
    [problem] = table.problems
    assert problem.lines == (8,)
    assert not problem.row_kept
    assert "the file may be cut off" in problem.outcome()


def test_cut_last_value_named_and_kept(tmp_path):
    # "newbus" stops inside "newbusiness", a value of the same column. It
    # may also be whole, as "Dan" beside "Daniel", so the row stays: the
    # cycle keeps deal 107's 30 days.
    table = _load(_write(tmp_path, CUT_IN_TYPE))
    assert table.rows_used == 7
    [problem] = table.problems
    assert problem.lines == (8,)
    assert problem.row_kept
    assert "'newbus'" in problem.kind
    assert "'Deal Type'" in problem.kind
    assert "'newbusiness'" in problem.kind
    assert problem.outcome() == (
        "the row is kept as it is, because the value may be whole; if it is "
        "cut, the file may be cut off: export it again"
    )
    assert sales_cycle_days(table.frame).value == pytest.approx(FULL_CYCLE)


def test_whole_name_prefix_kept(tmp_path):
    # Guard: "Dan" on the last line beside "Daniel" above is a whole name;
    # the row counts, with a note only.
    rows = [row.rsplit(",", 1)[0] + ",Daniel" for row in ROWS]
    last = LAST.replace("newbusiness", "Dan")
    path = tmp_path / "deals.csv"
    path.write_bytes("\n".join([HEADER, *rows, last]).encode("utf-8"))
    table = _load(path)
    assert table.rows_used == 7
    assert [problem.row_kept for problem in table.problems] == [True]


def test_complete_last_line_kept(tmp_path):
    # Guard: a whole last line without a line break stays.
    table = _load(_write(tmp_path, LAST))
    assert table.problems == ()
    assert table.rows_used == 7
    assert sales_cycle_days(table.frame).value == pytest.approx(FULL_CYCLE)


@pytest.mark.parametrize(
    ("value", "other"),
    [
        # A value that other rows have as well.
        ("existingbusiness", "newbusiness"),
        # A number that starts another row's number, but ends in a digit.
        ("10", "100"),
        # A value that ends where a word of another row's value ends.
        ("new", "new business"),
        # A quoted value, whose closing quote shows that it is whole.
        ('"newbus"', "newbusiness"),
    ],
)
def test_whole_last_value_kept(tmp_path, value, other):
    # Guard: line 8, the last, has every field and no line break after it,
    # and its last value does not look cut. Lines 2 to 7 end in ``other``.
    rows = [row.rsplit(",", 1)[0] + f",{other}" for row in ROWS]
    last = LAST.replace("newbusiness", value)
    path = tmp_path / "deals.csv"
    path.write_bytes("\n".join([HEADER, *rows, last]).encode("utf-8"))
    table = _load(path)
    assert table.problems == ()
    assert table.rows_used == 7


def test_short_last_line_with_line_break(tmp_path):
    # Guard: with a line break after it, line 8 follows the rules for short
    # lines: the file never writes an empty last field, and the close date,
    # the column line 8 ends in, is optional, so the line is kept unnamed.
    table = _load(_write(tmp_path, CUT_IN_DATE, line_break=True))
    assert table.problems == ()
    assert table.rows_used == 7


def test_report_names_cut_last_line(tmp_path):
    path = _write(tmp_path, CUT_IN_DATE)
    result = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [deals] = report["inputs"]
    assert deals["rows_used"] == 6
    [warning] = [w for w in report["warnings"] if "line 8 has 8 fields" in w]
    assert warning.startswith(f"{path}: ") or warning.startswith(f"{path.name}: ")
    assert "the header has 9" in warning
    assert "the file may be cut off: export it again" in warning
    cycle = report["kpis"]["sales_cycle_days"]["value"]
    assert cycle == pytest.approx(WITHOUT_LAST_CYCLE)
