"""Headers of a deal's first-contact date map to first_contact_at, and the
new field changes neither the table type nor the columns of other files."""

from __future__ import annotations

import pytest

from kpi_core.importing import preview_file
from kpi_core.mapping import guess_mapping
from kpi_core.reading import sheet_names
from kpi_core.report import ReportOptions, build_report
from tests.conftest import PROJECT
from tests.kpi_core.test_mapping import REAL_TABLE_TYPES

FIRST_CONTACT_HEADERS = [
    "First contact",
    "First contact date",
    "Date of first contact",
    "First touch date",
    "Erstkontakt",
    "Datum Erstkontakt",
    "Erster Kontakt",
    "Erstkontakt am",
    # Pipedrive puts its entity before a custom field's name.
    "Deal - Erstkontakt",
    "first_contact_at",
]
# The table type guessed for each data file of the project, which the
# first-contact field must not change.
PROJECT_TABLE_TYPES = {
    "sample_data/deals.csv": "deals",
    "sample_data/email_events.csv": "email_events",
    "sample_data/nps.csv": "nps",
    "sample_data/orders.csv": "orders",
    "sample_data/spend.csv": "spend",
    "sample_data/stage_history.csv": "stage_history",
    "sample_data/subscriptions.csv": "subscriptions",
    "sample_data/ticket_messages.csv": "ticket_messages",
    "sample_data/tickets.csv": "tickets",
    "tests/data/freshdesk_tickets_multiline.csv": "tickets",
    "tests/data/google_ads_excel_utf16.csv": "spend",
    "tests/data/google_ads_report_totals.csv": "spend",
    "tests/data/hubspot_contacts_excel_wrapped.csv": None,
    "tests/data/hubspot_deals_de_cp1252.csv": "deals",
    "tests/data/mailchimp_audience_export.zip": "email_events",
    "tests/data/meta_ads_utf8_bom.csv": "spend",
    "tests/data/pipedrive_deals_pipe.csv": "deals",
    "tests/data/salesforce_opportunities_footer.csv": "deals",
    "tests/data/stripe_subscriptions.tsv": "subscriptions",
    "tests/data/surveymonkey_and_deals.xlsx": "nps",
    "tests/data/zendesk_tickets_blank_lines.csv": "tickets",
}


@pytest.mark.parametrize("header", FIRST_CONTACT_HEADERS)
def test_first_contact_alias_maps(header):
    headers = ["Deal ID", "Deal Stage", "Create Date", header, "Close Date"]
    mapping = guess_mapping(headers, "deals")
    assert mapping.columns["first_contact_at"] == header
    assert mapping.confidence["first_contact_at"] == 1.0
    assert mapping.columns["created_at"] == "Create Date"


def test_german_export_maps_both_dates():
    headers = ["Deal-ID", "Phase", "Erstkontakt", "Erstellt am", "Abschlussdatum"]
    mapping = guess_mapping(headers, "deals")
    assert mapping.columns["first_contact_at"] == "Erstkontakt"
    assert mapping.columns["created_at"] == "Erstellt am"
    assert mapping.columns["closed_at"] == "Abschlussdatum"


@pytest.mark.parametrize(
    "header", ["First contact owner", "Erstkontaktlösung", "Erster Kontakt durch"]
)
def test_bare_words_not_partial(header):
    headers = ["Deal Stage", "Create Date", "Close Date", header]
    assert guess_mapping(headers, "deals").columns["first_contact_at"] is None


def test_dated_alias_partial_match():
    headers = ["Deal Stage", "Create Date", "Close Date", "First contact date (local)"]
    mapping = guess_mapping(headers, "deals")
    assert mapping.columns["first_contact_at"] == "First contact date (local)"
    assert mapping.confidence["first_contact_at"] == 0.6


def test_creation_column_not_taken():
    # The only creation column also contains the first-contact alias "First
    # contact date". created_at comes first in the partial round and keeps it.
    headers = ["Deal Stage", "Created (first contact date)", "Close Date"]
    mapping = guess_mapping(headers, "deals")
    assert mapping.columns["created_at"] == "Created (first contact date)"
    assert mapping.columns["first_contact_at"] is None
    assert mapping.missing_required == []


@pytest.mark.parametrize("name", sorted(PROJECT_TABLE_TYPES))
def test_project_files_unchanged(name):
    path = PROJECT / name
    data = path.read_bytes()
    preview = preview_file(path.name, data)
    assert preview.table == PROJECT_TABLE_TYPES[name]
    if preview.mapping is not None:
        assert not preview.mapping.columns.get("first_contact_at")
    for sheet in sheet_names(path.name, data) if path.suffix == ".xlsx" else [None]:
        headers = preview_file(path.name, data, sheet=sheet).headers
        deals = guess_mapping(headers, "deals")
        assert deals.columns["first_contact_at"] is None, sheet


def test_real_data_sets_unchanged(datasets_dir):
    for name, expected in REAL_TABLE_TYPES.items():
        path = datasets_dir / name
        preview = preview_file(path.name, path.read_bytes())
        assert preview.table == expected, name
        deals = guess_mapping(preview.headers, "deals")
        assert deals.columns["first_contact_at"] is None, name


@pytest.mark.parametrize(
    "cells", [["Anna Müller", "Ben Schmidt", "Anna Müller"], ["Telefon", "E-Mail", ""]]
)
def test_first_contact_of_words_stays_unmapped(tmp_path, cells):
    # "Erstkontakt" names the person or channel of the first contact here,
    # not its date, so the deals are read as before and measured from their
    # creation: (31 + 45 + 59) / 3 = 45.0 days.
    rows = [
        ("1", "Gewonnen", "1000", "10.01.2025", "10.02.2025"),
        ("2", "Gewonnen", "500", "15.01.2025", "01.03.2025"),
        ("3", "Gewonnen", "2000", "01.02.2025", "01.04.2025"),
    ]
    lines = ["Deal ID;Phase;Betrag;Erstellt am;Abschlussdatum;Erstkontakt"]
    lines += [";".join((*row, cell)) for row, cell in zip(rows, cells, strict=True)]
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = build_report([path], ReportOptions())

    [inputs] = report["inputs"]
    assert "Erstkontakt" not in inputs["columns"].values()
    assert inputs["rows_used"] == 3
    assert report["warnings"] == []
    cycle = report["kpis"]["sales_cycle_days"]
    assert cycle["value"] == pytest.approx(45.0)
    assert cycle["measured_from"] == {"first_contact_at": 0, "created_at": 3}


def test_first_contact_with_some_dates_maps(tmp_path):
    # Two deals have a first contact and three contain "k.A." (not given), so the
    # column keeps its dates. D-1 runs from 15.01. to 20.02.2024: 16 + 20 = 36
    # days, and D-5 from 20.01. to 10.03.: 11 + 29 + 10 = 50 days. D-2 to D-4
    # run from creation in the leap year: 01.02. to 01.03. is 29 days, 05.02.
    # to 15.03. is 24 + 15 = 39 and 10.02. to 20.03. is 19 + 20 = 39.
    # (36 + 29 + 39 + 39 + 50) / 5 = 193 / 5 = 38.6.
    text = (
        "Deal-ID;Phase;Erstkontakt;Erstellt am;Abschlussdatum\n"
        "D-1;Gewonnen;15.01.2024;25.01.2024;20.02.2024\n"
        "D-2;Gewonnen;k.A.;01.02.2024;01.03.2024\n"
        "D-3;Gewonnen;k.A.;05.02.2024;15.03.2024\n"
        "D-4;Gewonnen;k.A.;10.02.2024;20.03.2024\n"
        "D-5;Gewonnen;20.01.2024;01.02.2024;10.03.2024\n"
    )
    path = tmp_path / "deals.csv"
    path.write_text(text, encoding="utf-8")

    report = build_report([path], ReportOptions())

    assert report["inputs"][0]["columns"]["first_contact_at"] == "Erstkontakt"
    cycle = report["kpis"]["sales_cycle_days"]
    assert cycle["value"] == pytest.approx(38.6)
    assert cycle["measured_from"] == {"first_contact_at": 2, "created_at": 3}
