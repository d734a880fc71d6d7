"""Data page: the name of a replaced table, the read caption and the links
to the KPI pages after an import."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpi_core.schema import TABLES
from tests.pages.conftest import APP

TICKETS = (
    "Ticket ID,Created,Solved\n"
    "T1,2025-01-02 09:00,2025-01-02 11:00\n"
    "T2,2025-01-03 09:00,2025-01-03 10:00\n"
)

# One small file per table type, with the canonical field names as headers.
FILES_BY_TABLE = {
    "deals": "deal_id,stage,created_at\nD1,Won,2025-01-02\nD2,Lost,2025-01-03\n",
    "stage_history": (
        "deal_id,stage,entered_at\nD1,Demo,2025-01-02\nD1,Won,2025-01-09\n"
    ),
    "tickets": TICKETS,
    "ticket_messages": (
        "ticket_id,sent_at,author_role\nT1,2025-01-02 09:00,customer\n"
        "T1,2025-01-02 10:00,agent\n"
    ),
    "nps": "response_id,score,responded_at\nR1,9,2025-01-02\nR2,3,2025-01-03\n",
    "subscriptions": (
        "customer_id,started_at,mrr\nC1,2025-01-01,100\nC2,2025-02-01,50\n"
    ),
    "orders": "customer_id,ordered_at,amount\nC1,2025-01-02,100\nC2,2025-01-03,50\n",
    "spend": "spent_at,amount,campaign\n2025-01-02,100,Brand\n2025-01-03,50,Brand\n",
    "email_events": (
        "email,event,occurred_at\na@example.com,subscribe,2025-01-02\n"
        "b@example.com,unsubscribe,2025-01-03\n"
    ),
}
SALES = ("sales", "See the sales KPIs")
MARKETING = ("marketing", "See the marketing KPIs")
SERVICE = ("service", "See the service KPIs")
# The page names and labels of the links shown after importing each type.
LINKS = {
    "deals": [SALES],
    "stage_history": [SALES],
    "tickets": [SERVICE],
    "ticket_messages": [SERVICE],
    "nps": [SERVICE],
    "subscriptions": [MARKETING, ("service", "See the churn rate")],
    "orders": [MARKETING],
    "spend": [MARKETING],
    "email_events": [MARKETING],
}


def _upload(at: AppTest, path: Path, mime: str = "text/csv") -> str:
    data = path.read_bytes()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(path.name, data, mime)]).run()
    return hashlib.sha256(data).hexdigest()[:16]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _stored(at: AppTest) -> dict[str, int]:
    """Return the stored tables' versions by name, from the Data page."""
    stored = at.dataframe[-1].value
    return dict(zip(stored["Name"], stored["Version"], strict=True))


def _name_field(at: AppTest):
    [field] = [field for field in at.text_input if field.label == "Name"]
    return field


def _read_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Read as"))


def _import_tickets_as(at: AppTest, tmp_path: Path, file_name: str) -> None:
    key = _upload(at, _write(tmp_path, file_name, TICKETS))
    at.button(key=f"{key}:import").click().run()
    assert not at.exception


def test_replace_keeps_replaced_table_name(tmp_path):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import_tickets_as(at, tmp_path, "multi_tickets.csv")
    newer = TICKETS + "T3,2025-01-04 09:00,2025-01-04 12:00\n"
    key = _upload(at, _write(tmp_path, "multi.csv", newer))
    assert _name_field(at).value == "multi"

    target = at.selectbox(key=f"{key}:target")
    assert target.options == ["Store as a new table", "Replace multi_tickets"]
    target.select_index(1).run()
    assert not at.exception
    assert _name_field(at).value == "multi_tickets"

    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    assert at.success[0].value == (
        "Imported 3 rows in place of the earlier 'multi_tickets'."
    )
    assert _stored(at) == {"multi_tickets": 2}


def test_replace_name_can_be_typed(tmp_path):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import_tickets_as(at, tmp_path, "multi_tickets.csv")
    key = _upload(at, _write(tmp_path, "multi.csv", TICKETS))
    at.selectbox(key=f"{key}:target").select_index(1).run()
    _name_field(at).set_value("support 2025").run()
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    assert _stored(at) == {"support 2025": 2}


def test_new_table_choice_restores_file_name(tmp_path):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import_tickets_as(at, tmp_path, "multi_tickets.csv")
    key = _upload(at, _write(tmp_path, "multi.csv", TICKETS))
    at.selectbox(key=f"{key}:target").select_index(1).run()
    at.selectbox(key=f"{key}:target").select_index(0).run()
    assert _name_field(at).value == "multi"
    at.button(key=f"{key}:import").click().run()
    assert _stored(at) == {"multi_tickets": 1, "multi": 1}


def test_same_content_new_name_used(tmp_path):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import_tickets_as(at, tmp_path, "january.csv")
    key = _upload(at, _write(tmp_path, "february.csv", TICKETS))
    # The same content is already stored, so Store starts at replacing it.
    assert _name_field(at).value == "january"
    at.selectbox(key=f"{key}:target").set_value("").run()
    assert _name_field(at).value == "february"
    at.button(key=f"{key}:import").click().run()
    stored = at.dataframe[-1].value
    assert sorted(stored["Source file"]) == ["february.csv", "january.csv"]


def test_link_table_covers_every_type():
    assert sorted(FILES_BY_TABLE) == sorted(TABLES)
    assert sorted(LINKS) == sorted(TABLES)


@pytest.mark.parametrize("table", sorted(TABLES))
def test_import_links_to_kpi_page(tmp_path, table):
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, _write(tmp_path, f"{table}.csv", FILES_BY_TABLE[table]))
    at.selectbox(key=f"{key}:table").set_value(table).run()
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    assert at.success, [e.value for e in at.error]
    links = [(link.proto.page, link.proto.label) for link in at.get("page_link")]
    assert links == LINKS[table]


def test_totals_caption_names_line(tmp_path):
    text = (
        "Deal ID,Deal Stage,Create Date,Amount\n"
        "T1,Closed Won,2025-03-01,1000\n"
        "T2,Closed Lost,2025-03-02,400\n"
        "\n"
        "T3,Closed Won,2025-03-03,500\n"
        "Total,,,1900\n"
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    _upload(at, _write(tmp_path, "totals.csv", text))
    assert not at.exception
    caption = _read_caption(at)
    # The blank line is line 4 and the total row line 6 of the file.
    assert "skipped the empty row on line 4" in caption
    assert "skipped the total row on line 6." in caption


def test_hubspot_caption_one_period(tmp_path):
    text = (
        'Record ID,Deal Name,"Date entered ""Demo (Sales Pipeline)""",'
        '"Date entered ""Closed Won (Sales Pipeline)"""\n'
        "1,A,2025-01-01,2025-01-31\n"
        "2,B,2025-01-05,\n"
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    _upload(at, _write(tmp_path, "hubspot_wide.csv", text))
    assert not at.exception
    caption = _read_caption(at)
    # Deal 1 entered both stages and deal 2 one: 3 stage entries.
    assert caption.endswith("turned into 3 stage entries, one row per deal and stage.")
    assert ".." not in caption


def test_mailchimp_caption_one_period(tmp_path):
    header = "Email Address,First Name,OPTIN_TIME\n"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(
            "subscribed_members_export.csv",
            header + "ana@example.com,Ana,2025-01-02\nben@example.com,Ben,2025-01-03\n",
        )
        zipped.writestr(
            "unsubscribed_members_export.csv",
            header + "cleo@example.com,Cleo,2025-01-04\n",
        )
    path = tmp_path / "audience.zip"
    path.write_bytes(archive.getvalue())
    at = AppTest.from_file(APP, default_timeout=60).run()
    _upload(at, path, "application/zip")
    assert not at.exception
    caption = _read_caption(at)
    assert caption.endswith("(subscribes, unsubscribes, cleaned).")
    assert ".." not in caption
