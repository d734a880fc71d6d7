"""Data page: the same export saved in another readable format replaces its
stored table, and replacing a table with ids names what changes by id."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

HEADER = ["Ticket ID", "Status", "Created at", "Solved at"]
# Four tickets, the last one still open.
TICKETS = [
    ["1001", "Solved", "2026-01-05 09:00", "2026-01-06 10:00"],
    ["1002", "Solved", "2026-01-07 11:00", "2026-01-08 12:00"],
    ["1003", "Solved", "2026-01-09 13:00", "2026-01-10 14:00"],
    ["1004", "Open", "2026-01-11 15:00", ""],
]


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _write_xlsx(path: Path, rows: list[list[str]], sheet: str = "Tickets") -> Path:
    # The workbook holds real numbers and date cells, as Excel saves them
    # when it opens the CSV export and the user saves it as a workbook.
    book = Workbook()
    book.active.title = sheet
    book.active.append(HEADER)
    for ticket, status, created, solved in rows:
        book.active.append(
            [
                int(ticket),
                status,
                datetime.fromisoformat(created),
                datetime.fromisoformat(solved) if solved else None,
            ]
        )
    book.save(path)
    return path


def _upload(path: Path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(path.name, path.read_bytes(), "x")])
    at.run()
    assert not at.exception
    return at


# A workbook's widget keys carry its sheet, so the tests find them by label.
def _target(at: AppTest):
    return next(box for box in at.selectbox if box.label == "Store")


def _name(at: AppTest) -> str:
    return next(box for box in at.text_input if box.label == "Name").value


def _import_button(at: AppTest):
    return next(button for button in at.button if button.label.startswith("Import"))


def _import(path: Path) -> None:
    at = _upload(path)
    _import_button(at).click().run()
    assert not at.exception


def _tickets(workspace_dir):
    entries = Workspace(workspace_dir).list_tables("tickets")
    return [entry for entry in entries if not entry.is_sample]


def _texts(elements) -> list[str]:
    return [element.value for element in elements]


def test_workbook_of_stored_csv_replaces(fresh_workspace, tmp_path):
    _import(_write_csv(tmp_path / "tickets_2026.csv", TICKETS))
    [stored] = _tickets(fresh_workspace)

    at = _upload(_write_xlsx(tmp_path / "tickets_2026.xlsx", TICKETS))
    assert _target(at).value == stored.id
    assert _name(at) == "tickets_2026"
    labels = [button.label for button in at.button]
    assert "Import 4 rows in place of 'tickets_2026'" in labels
    infos = "\n".join(_texts(at.info))
    assert "A file named 'tickets_2026.csv' is already stored" in infos
    assert "Importing replaces that table" in infos
    # All four ids and their values are the same in both files.
    assert (
        "Compared by Ticket ID with 'tickets_2026', this file has the same 4 "
        "tickets with the same values." in infos
    )
    assert not at.warning

    _import_button(at).click().run()
    assert not at.exception
    [replaced] = _tickets(fresh_workspace)
    assert replaced.id == stored.id
    assert replaced.rows == 4
    assert replaced.source_file == "tickets_2026.xlsx"


def test_csv_of_stored_workbook_replaces(fresh_workspace, tmp_path):
    _import(_write_xlsx(tmp_path / "tickets_2026.xlsm", TICKETS))
    [stored] = _tickets(fresh_workspace)

    at = _upload(_write_csv(tmp_path / "tickets_2026.txt", TICKETS))
    assert _target(at).value == stored.id
    assert "Import 4 rows in place of 'tickets_2026'" in [b.label for b in at.button]


def test_shorter_workbook_kept_apart(fresh_workspace, tmp_path):
    _import(_write_csv(tmp_path / "tickets_2026.csv", TICKETS))
    [stored] = _tickets(fresh_workspace)

    # The workbook lacks ticket 1004: 3 rows instead of 4.
    at = _upload(_write_xlsx(tmp_path / "tickets_2026.xlsx", TICKETS[:3]))
    assert _target(at).value == ""
    infos = "\n".join(_texts(at.info))
    assert "A file named 'tickets_2026.csv' is already stored" in infos
    assert "because replacing that table would lose 1 row (3 instead of 4)" in infos
    assert _name(at) == "tickets_2026"

    # Choosing to replace it warns of the loss and names the ticket left out.
    _target(at).set_value(stored.id).run()
    warnings = "\n".join(_texts(at.warning))
    assert "Replacing 'tickets_2026' loses 1 row (3 instead of 4)" in warnings
    infos = "\n".join(_texts(at.info))
    assert (
        "this file has 0 new tickets; 0 changed; 1 no longer in the file (1004)"
        in infos
    )


def test_other_stem_stays_new_table(fresh_workspace, tmp_path):
    # Guard: only the suffix may differ, so another stem is another export.
    _import(_write_csv(tmp_path / "tickets_2026.csv", TICKETS))
    at = _upload(_write_xlsx(tmp_path / "tickets_2025.xlsx", TICKETS))
    assert _target(at).value == ""
    labels = [button.label for button in at.button]
    assert "Import 4 rows as new table 'tickets_2025'" in labels


def test_replacement_names_changed_ids(fresh_workspace, tmp_path):
    _import(_write_csv(tmp_path / "tickets_2026.csv", TICKETS))
    corrected = [list(row) for row in TICKETS]
    # Ticket 1002 got a new solve date, 1004 was solved, and 1005 is new.
    corrected[1][3] = "2026-01-09 08:00"
    corrected[3][1] = "Solved"
    corrected[3][3] = "2026-01-12 16:00"
    corrected.append(["1005", "Open", "2026-01-13 17:00", ""])
    folder = tmp_path / "v2"
    folder.mkdir()

    at = _upload(_write_csv(folder / "tickets_2026.csv", corrected))
    assert "Import 5 rows in place of 'tickets_2026'" in [b.label for b in at.button]
    infos = "\n".join(_texts(at.info))
    # 1005 is new, 1002 and 1004 differ (Status only for 1004, Solved date
    # for both, listed in the order of the ticket fields), and all four
    # stored ids are still in the file.
    assert (
        "Compared by Ticket ID with 'tickets_2026', this file has 1 new ticket "
        "(1005); 2 changed (1002, 1004: Solved date, Status); 0 no longer in the "
        "file." in infos
    )
