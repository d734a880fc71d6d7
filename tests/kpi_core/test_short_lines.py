"""Text lines with fewer fields than the header are named. A line cut before
a required column is left out, and a shorter line that keeps every required
column is kept with its missing cells read as empty."""

from __future__ import annotations

from pathlib import Path

from kpi_core.importing import load_file
from kpi_core.reading import read_table
from kpi_core.sales import close_rate

HEADER = "Deal-ID;Deal-Phase;Erstelldatum;Betrag;Abschlussdatum;Deal-Inhaber"
ROWS = [
    "1;Abgeschlossen und gewonnen;10.01.2025;1.000,00;15.02.2025;Anna",
    "2;Abgeschlossen und verloren;12.01.2025;500,00;20.02.2025;Anna",
    "3;Abgeschlossen und gewonnen;20.01.2025;2.000,00;01.03.2025;Jürgen",
    "4;Abgeschlossen und verloren;25.01.2025;700,00;05.03.2025;Jürgen",
]


def _load(tmp_path: Path, lines: list[str]):
    path = tmp_path / "deals.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return load_file(path.name, path.read_bytes())


def test_cut_line_left_out(tmp_path):
    # Line 6 has 2 of 6 fields and lacks the required "Erstelldatum".
    table = _load(tmp_path, [*ROWS, "5;Abgeschlossen und gewonnen"])
    assert table.rows_read == 5
    assert table.frame["_line"].to_list() == [2, 3, 4, 5]
    [problem] = table.problems
    assert problem.lines == (6,)
    assert not problem.row_kept
    assert "line 6 has 2 fields, the header has 6" in problem.kind
    assert "'Erstelldatum' is missing" in problem.kind
    assert "export the file again" in problem.outcome()
    # Without line 6, 2 won of 4 deals: 2 / 4 x 100 = 50 %.
    assert close_rate(table.frame).value == 50.0


def test_short_line_kept_cells_empty(tmp_path):
    # Line 6 has 4 of 6 fields, with every required column. Line 7 writes
    # all 6 fields with an empty last one, so short lines are no style here.
    short = "5;Abgeschlossen und gewonnen;01.02.2025;300,00"
    full = "6;Abgeschlossen und verloren;02.02.2025;100,00;03.03.2025;"
    table = _load(tmp_path, [*ROWS, short, full])
    assert table.frame.height == 6
    [problem] = table.problems
    assert problem.lines == (6,)
    assert problem.row_kept
    assert "line 6 has 4 fields, the header has 6" in problem.kind
    assert "missing cells are read as empty" in problem.outcome()
    row = table.frame.filter(table.frame["_line"] == 6)
    assert row["amount"].to_list() == [300.0]
    assert row["owner"].to_list() == [None]
    assert (
        table.kept_summary() == "6 kept, 1 of them with cells read as empty (see below)"
    )


def test_short_last_line_without_newline(tmp_path):
    # Guard: line 7, the last, has 4 of 6 fields and no newline after it.
    # Line 6 writes all 6 fields with an empty last one.
    full = "5;Abgeschlossen und verloren;02.02.2025;100,00;03.03.2025;"
    short = "6;Abgeschlossen und gewonnen;01.02.2025;300,00"
    path = tmp_path / "deals.csv"
    path.write_bytes("\n".join([HEADER, *ROWS, full, short]).encode("utf-8"))
    table = load_file(path.name, path.read_bytes())
    [problem] = table.problems
    assert problem.lines == (7,)
    assert "line 7 has 4 fields, the header has 6" in problem.kind


def test_empty_trailing_fields_not_short(tmp_path):
    # Guard: line 6 writes all 6 fields, the last three empty.
    table = _load(tmp_path, [*ROWS, "5;Abgeschlossen und gewonnen;01.02.2025;;;"])
    assert table.problems == ()
    assert table.frame.height == 5


def test_quoted_delimiter_counts_one_field(tmp_path):
    # Line 6 has 6 fields; the ";" inside the quotes is no delimiter, and the
    # quoted name spans lines 6 and 7.
    line = '5;Abgeschlossen und gewonnen;01.02.2025;300,00;;"Anna;\nMüller"'
    table = _load(tmp_path, [*ROWS, line])
    assert table.problems == ()


def test_footer_note_named_once(tmp_path):
    # Guard: the note after a blank line is a footer, not a short line.
    table = _load(tmp_path, [*ROWS, "", "Stand: 01.05.2025"])
    assert table.problems == ()
    assert table.frame.height == 4


def test_quote_inside_field_not_short(tmp_path):
    # The " of 27" is a literal character, so line 6 has 6 fields.
    line = '5;Abgeschlossen und gewonnen;01.02.2025;300,00;02.03.2025;27" Monitor'
    table = _load(tmp_path, [*ROWS, line.replace("Monitor", "")])
    assert table.problems == ()
    assert table.frame.height == 5


def test_inch_mark_with_empty_last_kept(tmp_path):
    # Line 2 has 7 fields: "27" Monitor" is one field and the last is empty.
    path = tmp_path / "deals.csv"
    path.write_text(
        "Deal ID,Deal Name,Deal Stage,Create Date,Close Date,Amount,Lost Reason\n"
        '1,27" Monitor,Closed Won,2024-01-02,2024-01-10,100,\n'
        "2,Desk,Closed Lost,2024-01-03,2024-01-11,200,Price\n",
        encoding="utf-8",
    )
    table = load_file(path.name, path.read_bytes())
    assert table.problems == ()
    assert table.frame["_line"].to_list() == [2, 3]
    assert table.frame["amount"].to_list() == [100.0, 200.0]


def test_quoted_parts_counted(tmp_path):
    # Line 6 ends in a quoted cell with an escaped quote and a ";", and
    # line 7 in a quoted cell over two lines: 6 fields each, none short.
    quoted = '5;Abgeschlossen und gewonnen;01.02.2025;300,00;;"Anna ""A;B"""'
    wrapped = '6;Abgeschlossen und verloren;02.02.2025;100,00;;"Jürgen;\nX"'
    table = _load(tmp_path, [*ROWS, quoted, wrapped])
    assert table.problems == ()
    assert table.frame.height == 6


def test_omitted_trailing_fields_not_named(tmp_path):
    # No line writes an empty last field, so line 6 leaves out the empty
    # "Deal-Inhaber" as the file's style.
    row = "5;Abgeschlossen und gewonnen;01.02.2025;300,00;02.03.2025"
    table = _load(tmp_path, [*ROWS, row])
    assert table.problems == ()
    assert table.frame.height == 5
    assert table.kept_summary() == "5 kept"


def test_two_cut_lines_do_not_hide_each_other(tmp_path):
    # No line writes an empty last field, so only a line cut before a column
    # filled in nearly every full line is named. Lines 3 and 4 end after the
    # stage; the create date is filled in all 8 full lines (100 %), so both
    # are cut. Counted over all 9 other rows each, the date would be filled
    # in only 8 of 9 (88.9 %), under the 90 % that names them.
    lines = ["Deal ID,Deal Name,Stage,Amount,Currency,Create Date,Close Date"]
    lines.append("1,A,Closed Won,100,EUR,2024-01-01,2024-02-01")
    lines += ["2,B,Open", "3,C,Open"]
    lines += [
        f"{deal},D{deal},Closed Won,50,EUR,2024-01-{deal:02},2024-02-{deal:02}"
        for deal in range(4, 11)
    ]
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(lines) + "\n")
    table = load_file(path.name, path.read_bytes(), table="deals")
    # 10 deals, 2 cut: 8 kept.
    assert table.rows_used == 8
    cut = [p for p in table.problems if "cut before a required column" in p.kind]
    assert [p.lines for p in cut] == [(3, 4)]


def test_short_line_under_pattern_headers():
    # "*", "^a$" and "(x" mean all columns, a regex and a broken regex to
    # pl.col. Line 3 writes the empty last field, so line 4, with 2 of 3
    # fields, is short.
    raw = read_table("odd.csv", b"*,^a$,(x\nTotal,1,\nx,2,\ny,3\nz,4,5\n")
    assert raw.short_lines == ((4, 2),)
