"""Data page: uploads with the same content, and a saved mapping that
leaves out a column the app would map."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.mapping import header_signature
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

DEALS = b"Deal ID,Stage,Created,Amount\nD1,Won,2024-01-02,100\nD2,Lost,2024-01-03,50\n"


def test_identical_uploads_offer_one_import(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("copy_a.csv", DEALS, "text/csv"), ("copy_b.csv", DEALS, "text/csv")]
    ).run()
    assert not at.exception
    assert (
        "This file has the same content as 'copy_a.csv' above, so only that one "
        "is offered for import."
    ) in [info.value for info in at.info]
    imports = [button for button in at.button if button.label.startswith("Import")]
    assert len(imports) == 1


LEADS = (
    b"Deal ID,Stage,Created,Amount,Lead Source\n"
    b"D1,Won,2024-01-02,100,Website\nD2,Lost,2024-01-03,50,Referral\n"
)


def test_saved_mapping_leaving_column_out_warns(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    # An earlier import of these columns left the lead source out.
    prepared = load_file("leads.csv", LEADS)
    assert prepared.mapping.columns["source"] == "Lead Source"
    mapping = prepared.mapping.with_choice("source", None)
    headers = ["Deal ID", "Stage", "Created", "Amount", "Lead Source"]
    Workspace(fresh_workspace).remember_mapping(header_signature(headers), mapping)
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("leads_new.csv", LEADS, "text/csv")]
    ).run()
    assert not at.exception
    assert (
        "The saved mapping leaves out Source ('Lead Source'), which the app "
        "would map. Choose the column below if this file should keep it."
    ) in [warning.value for warning in at.warning]


def test_same_file_unmapped_column_replaces(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    upload = [("leads.csv", LEADS, "text/csv")]
    at.file_uploader(key="uploads").set_value(upload).run()
    key = next(b.key for b in at.button if b.label.startswith("Import")).split(":")[0]
    at.button(key=f"{key}:import").click().run()
    [stored] = [e for e in Workspace(fresh_workspace).list_tables() if not e.is_sample]

    # The same file again, with the lead source left unmapped, is a
    # correction: it replaces its copy, and the warning names the loss.
    at.file_uploader(key="uploads").set_value(upload).run()
    at.selectbox(key=f"{key}:deals:source").set_value("(not in the file)").run()
    assert not at.exception
    assert at.selectbox(key=f"{key}:target").value == stored.id
    assert (
        "Replacing 'leads' loses the column for Source. The replaced table is "
        "not kept; store the file as a new table to keep both."
    ) in [warning.value for warning in at.warning]
