"""A list of contacts with the day each joined and left is read as list
events, so its growth rate can be computed."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_core.email_list import list_growth_rate
from kpi_core.importing import load_file
from kpi_core.period import Period

H1 = Period(date(2026, 1, 1), date(2026, 6, 30))
# On 1 January a and b are on the list. c and d join in the half year, and
# b and d leave in it; e left in 2025, before it.
GERMAN = (
    "E-Mail-Adresse;Vorname;Anmeldedatum;Abmeldedatum\n"
    "a@x.de;Anna;01.11.2025 10:00;\n"
    "b@x.de;Bernd;02.11.2025 10:00;10.02.2026 18:00\n"
    "c@x.de;Cem;05.01.2026 08:00;\n"
    "d@x.de;Dörte;12.02.2026 09:00;20.05.2026 20:00\n"
    "e@x.de;Eva;01.10.2025 09:00;15.12.2025 09:00\n"
)


def _events(text: str):
    return load_file("liste.csv", text.encode("cp1252"))


def test_german_list_growth():
    prepared = _events(GERMAN)
    assert prepared.table == "email_events"
    result = list_growth_rate(prepared.frame, H1)
    # (2 new - 2 unsubscribed) / 2 on the list at the start = 0 %.
    assert result.extra["contacts_at_start"] == 2
    assert result.extra["new_subscribers"] == 2
    assert result.extra["unsubscribes"] == 2
    assert result.value == pytest.approx(0.0)


def test_list_note_names_columns():
    notes = " ".join(_events(GERMAN).read_notes)
    # 5 subscribes, and unsubscribes of b, d and e.
    assert "5 contacts was turned into 8 list events" in notes
    assert "'Abmeldedatum'" in notes


def test_english_list_without_left_column():
    text = (
        "Email,Subscribed at\na@x.de,2025-11-01\nb@x.de,2026-01-05\nc@x.de,2026-02-01\n"
    )
    result = list_growth_rate(_events(text).frame, H1)
    # 2 new on 1 on the list at the start: 200 %.
    assert result.value == pytest.approx(200.0)


def test_event_log_left_as_it_is():
    text = (
        "Email,Event,Date,Subscribed at\n"
        "a@x.de,subscribe,2025-11-01,2025-11-01\n"
        "a@x.de,unsubscribe,2026-02-01,2025-11-01\n"
    )
    prepared = _events(text)
    assert prepared.rows_read == 2
    assert prepared.mapping.columns["event"] == "Event"


def test_orders_with_optin_stay_orders():
    text = (
        "Order ID;E-Mail;Bestelldatum;Betrag;Anmeldedatum\n"
        "1;a@x.de;03.02.2026;100,00;01.12.2025\n"
        "2;b@x.de;04.02.2026;200,00;\n"
        "3;c@x.de;05.02.2026;50,00;05.01.2026\n"
    )
    prepared = _events(text)
    assert prepared.table == "orders"
    assert prepared.rows_used == 3


def test_left_before_joined_not_counted():
    text = (
        "E-Mail-Adresse;Anmeldedatum;Abmeldedatum\n"
        "a@x.de;01.12.2025;\n"
        "b@x.de;01.12.2025;15.02.2026\n"
        "c@x.de;10.01.2026;\n"
        "d@x.de;20.01.2026;05.01.2026\n"
    )
    prepared = _events(text)
    warnings = " ".join(prepared.read_warnings)
    assert "1 contact has an 'Abmeldedatum' before its 'Anmeldedatum' (line 5)" in (
        warnings
    )
    result = list_growth_rate(prepared.frame, H1)
    # a and b on the list at the start; c and d join, b leaves, d's leaving
    # is dropped: (2 - 1) / 2 = 50 %.
    assert result.value == pytest.approx(50.0)
