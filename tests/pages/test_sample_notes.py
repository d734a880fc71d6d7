"""KPI pages name which of their tables are the built-in sample data,
and an import removes the sample tables along with storing the user's own."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from sample_data import SAMPLE_FILES
from tests.pages.conftest import APP

TICKETS = (
    b"Ticket ID,Created,Solved\n"
    b"T1,2025-01-02 09:00,2025-01-02 11:00\n"
    b"T2,2025-01-03 09:00,2025-01-03 10:00\n"
)
NPS = b"response_id,score,responded_at\nR1,9,2025-01-02\nR2,3,2025-01-03\n"
DEALS = b"deal_id,stage,created_at\nD1,Won,2025-01-02\nD2,Lost,2025-01-03\n"


def _store(root, name: str, data: bytes, table: str, *, is_sample: bool = False):
    prepared = load_file(f"{name}.csv", data, table=table)
    Workspace(root).save(
        prepared.frame,
        name=name,
        table_type=table,
        source_file=f"{name}.csv",
        mapping=prepared.mapping,
        is_sample=is_sample,
    )


def _own_tickets_and_sample_nps(root) -> None:
    # The marker keeps the app from loading the full sample data.
    root.mkdir(parents=True, exist_ok=True)
    (root / ".sample-loaded").touch()
    _store(root, "helpdesk", TICKETS, "tickets")
    _store(root, "Sample nps", NPS, "nps", is_sample=True)


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def test_service_marks_sample_table(fresh_workspace):
    _own_tickets_and_sample_nps(fresh_workspace)
    at = _open("pages/service.py")
    captions = [caption.value for caption in at.caption]
    [sources] = [c for c in captions if c.startswith("Support tickets from")]
    assert "Support tickets from helpdesk (2 rows)" in sources
    assert "NPS survey responses from Sample nps (sample data, 2 rows)" in sources
    notes = [info.value for info in at.info]
    assert any(
        note.startswith(
            "The table 'Sample nps' is the built-in sample data, so the figures "
            "from it are demo figures, not your own."
        )
        for note in notes
    ), notes


def test_renamed_sample_still_marked(fresh_workspace):
    # The catalog's sample flag decides, so a renamed sample stays marked.
    _own_tickets_and_sample_nps(fresh_workspace)
    store = Workspace(fresh_workspace)
    [sample] = store.list_tables("nps")
    store.rename(sample.id, "Survey")
    at = _open("pages/service.py")
    captions = " ".join(caption.value for caption in at.caption)
    assert "NPS survey responses from Survey (sample data, 2 rows)" in captions
    assert any("The table 'Survey' is the built-in" in i.value for i in at.info)


def test_own_tables_get_no_note(fresh_workspace):
    fresh_workspace.mkdir(parents=True, exist_ok=True)
    (fresh_workspace / ".sample-loaded").touch()
    _store(fresh_workspace, "helpdesk", TICKETS, "tickets")
    at = _open("pages/service.py")
    captions = " ".join(caption.value for caption in at.caption)
    assert "Support tickets from helpdesk (2 rows)" in captions
    assert "sample data" not in captions
    assert not [i.value for i in at.info if "sample data" in i.value]


def test_sales_marks_sample_deals_and_stages(fresh_workspace):
    # A fresh workspace shows the sample data, deals and stage history both.
    at = _open("pages/sales.py")
    captions = [caption.value for caption in at.caption]
    assert any(
        c.startswith("Deals from Sample deals (sample data, ") for c in captions
    ), captions
    assert any(
        c.startswith("Stage changes from Sample stage history (sample data).")
        for c in captions
    ), captions
    notes = [info.value for info in at.info]
    assert any(
        note.startswith(
            "The tables 'Sample deals' and 'Sample stage history' are the "
            "built-in sample data, so the figures from them are demo figures"
        )
        for note in notes
    ), notes


def test_import_removes_samples_with_save(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert len(Workspace(fresh_workspace).list_tables()) == len(SAMPLE_FILES)
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("pipeline.csv", DEALS, "text/csv")]
    ).run()
    key = hashlib.sha256(DEALS).hexdigest()[:16]
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    entries = Workspace(fresh_workspace).list_tables()
    assert [(e.name, e.rows, e.is_sample) for e in entries] == [("pipeline", 2, False)]
    assert any("sample data was removed" in i.value for i in at.info)
    files = sorted(p.name for p in (fresh_workspace / "tables").iterdir())
    assert files == [f"{entries[0].id}.v1.parquet"]


def test_own_table_stays_default_after_sample_reload(fresh_workspace):
    fresh_workspace.mkdir(parents=True, exist_ok=True)
    (fresh_workspace / ".sample-loaded").touch()
    _store(fresh_workspace, "pipeline", DEALS, "deals")
    # Loading the sample data again stores its tables after the user's.
    _store(fresh_workspace, "Sample deals", DEALS, "deals", is_sample=True)
    at = _open("pages/sales.py")
    assert at.sidebar.selectbox(key="table_deals").value == next(
        entry.id
        for entry in Workspace(fresh_workspace).list_tables("deals")
        if not entry.is_sample
    )
    captions = " ".join(caption.value for caption in at.caption)
    assert "Deals from pipeline (2 rows)" in captions
