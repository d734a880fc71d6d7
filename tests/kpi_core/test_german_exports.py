"""German CRM exports read with the same figures as their English versions:
HubSpot stage and deal type labels, Salesforce and Pipedrive headers, a
Salesforce opportunity history, Typeform's submit date and bounced
contacts."""

import io
import unicodedata
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from kpi_core.email_list import list_growth_rate
from kpi_core.importing import load_file, load_file_tables, preview_file
from kpi_core.mapping import EXACT, guess_mapping
from kpi_core.nps import net_promoter_score
from kpi_core.period import Period
from kpi_core.sales import (
    close_rate,
    sales_cycle_days,
    upsell_rate,
    win_rate,
    won_value,
)
from kpi_core.stages import stage_durations, stage_summary

H1_2025 = Period(date(2025, 1, 1), date(2025, 6, 30))

HUBSPOT_DE = (
    "Datensatz-ID;Name des Deals;Deal-Phase;Betrag;Abschlussdatum;Erstelldatum;"
    "Deal-Typ;Zugeordnetes Unternehmen\n"
    "1;Angebot Müller;Abgeschlossen und gewonnen;1.200,50;20.03.2025;"
    "01.03.2025;Neues Geschäft;Müller GmbH\n"
    "2;Angebot Bär;Abgeschlossen und gewonnen;800,00;25.03.2025;05.03.2025;"
    "Bestehendes Geschäft;Autohaus Bär\n"
    "3;Angebot Groß;Abgeschlossen und verloren;3.000,00;28.03.2025;10.03.2025;"
    "Neues Geschäft;Groß KG\n"
    "4;Angebot Süß;Termin geplant;500,00;30.04.2025;12.03.2025;"
    "Neues Geschäft;Café Süß\n"
    "5;Angebot Fuß;Vertrag gesendet;700,00;30.04.2025;15.03.2025;"
    "Neues Geschäft;Schreinerei Fuß\n"
)


def _write(tmp_path, name: str, data: bytes) -> bytes:
    path = tmp_path / name
    path.write_bytes(data)
    return path.read_bytes()


def test_hubspot_german_closed_stages(tmp_path):
    # German Excel writes Windows-1252 with ";".
    data = _write(tmp_path, "deals.csv", HUBSPOT_DE.encode("cp1252"))
    deals = load_file("deals.csv", data)
    assert deals.frame["status"].to_list() == ["won", "won", "lost", "open", "open"]
    # 2 won of 5 created: 2 / 5 x 100 = 40 %.
    assert close_rate(deals.frame).value == pytest.approx(40.0)
    # 2 won of 3 decided: 2 / 3 x 100 = 66.67 %.
    assert win_rate(deals.frame).value == pytest.approx(200 / 3)
    # 1,200.50 + 800.00 = 2,000.50.
    assert won_value(deals.frame).value == pytest.approx(2000.50)
    assert deals.warnings == ()


def test_hubspot_german_upsell_types(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Bestehendes Geschäft")
    rows = [
        ("A", "Bestehendes Geschäft"),
        ("B", "Bestehendes Geschaeft"),
        ("C", decomposed),
        ("D", "Neues Geschäft"),
        ("E", "Neugeschäft"),
        ("F", "Existing Business"),
    ]
    lines = ["Datensatz-ID;Deal-Phase;Erstelldatum;Abschlussdatum;Deal-Typ;Unternehmen"]
    for number, (account, deal_type) in enumerate(rows, start=1):
        lines.append(
            f"{number};Gewonnen;01.03.2025;10.03.2025;{deal_type};Kunde {account}"
        )
    data = _write(tmp_path, "upsell.csv", ("\n".join(lines) + "\n").encode())
    deals = load_file("upsell.csv", data)
    result = upsell_rate(deals.frame)
    # Customers A, B, C and F bought an existing-business deal; D and E bought
    # new business: 4 / 6 x 100 = 66.67 %.
    assert result.numerator == 4
    assert result.denominator == 6
    assert result.value == pytest.approx(400 / 6)


def _salesforce_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Opportunities"
    sheet.append(["Opportunities nach Phase – Bericht"])
    sheet.append([])

    sheet.append(
        [
            "Opportunity-Name",
            "Accountname",
            "Phase",
            "Betrag",
            "Schlusstermin",
            "Erstelldatum",
            "Typ",
            "Lead-Quelle",
            "Opportunity-Inhaber",
            "Gewonnen",
            "Geschlossen",
        ]
    )
    rows = [
        # name, stage, amount, close date, created, won, closed
        ("Opp A", "Closed Won", 1000, "2025-03-01", "2025-01-11", 1, 1),
        ("Opp B", "Closed Won", 2500, "2025-02-20", "2025-02-10", 1, 1),
        ("Opp C", "Closed Lost", 400, "2025-04-05", "2025-03-01", 0, 1),
        ("Opp D", "Qualification", 900, "2025-06-15", "2025-04-01", 0, 0),
        ("Opp E", "Closed Won", 300, "2025-08-01", "2025-05-01", 1, 1),
        ("Opp F", "Closed Lost", 100, "2025-05-10", "2024-12-20", 0, 1),
        # Closed and not won: lost, although the stage reads open.
        ("Opp G", "Negotiation", 600, "2025-06-01", "2025-05-15", 0, 1),
    ]

    for name, stage, amount, closed_at, created, won, closed in rows:
        sheet.append(
            [
                name,
                f"Firma {name[-1]}",
                stage,
                amount,
                # Written as date cells.
                datetime.fromisoformat(closed_at),
                datetime.fromisoformat(created),
                "New Customer",
                "Web",
                "Anna Schäfer",
                won,
                closed,
            ]
        )

    sheet.append(["Gesamtsumme", None, None, 5800])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_salesforce_german_headers_guessed(tmp_path):
    data = _write(tmp_path, "opportunities.xlsx", _salesforce_workbook())
    deals = load_file("opportunities.xlsx", data)
    columns = deals.mapping.columns
    assert columns["closed_at"] == "Schlusstermin"
    assert columns["closed"] == "Geschlossen"
    assert columns["won"] == "Gewonnen"
    assert columns["owner"] == "Opportunity-Inhaber"
    assert columns["stage"] == "Phase"
    assert columns["created_at"] == "Erstelldatum"
    assert columns["deal_type"] == "Typ"
    assert columns["source"] == "Lead-Quelle"
    # The title row and the total row are no deals.
    assert deals.rows_used == 7


def test_salesforce_german_figures(tmp_path):
    data = _write(tmp_path, "opportunities.xlsx", _salesforce_workbook())
    frame = load_file("opportunities.xlsx", data).frame
    # Created in the first half of 2025: A, B, C, D, E and G (F was created
    # in 2024); won among them A, B and E: 3 / 6 x 100 = 50 %.
    assert close_rate(frame, H1_2025).value == pytest.approx(50.0)
    # Closed in the period: A and B won, C, F and G lost (E closes in
    # August, D is open): 2 / 5 x 100 = 40 %.
    assert win_rate(frame, H1_2025).value == pytest.approx(40.0)
    # A and B: 1,000 + 2,500 = 3,500.
    assert won_value(frame, H1_2025).value == pytest.approx(3500.0)
    # A: 11 Jan to 1 Mar = 20 + 28 + 1 = 49 days; B: 10 to 20 Feb = 10
    # days; (49 + 10) / 2 = 29.5.
    assert sales_cycle_days(frame, H1_2025).value == pytest.approx(29.5)


PIPEDRIVE_DE = (
    "Deal - ID,Deal - Titel,Deal - Wert,Deal - Währung des Wertes,Deal - Phase,"
    "Deal - Status,Deal - Besitzer,Deal - Deal erstellt,Deal - Gewonnen am,"
    "Deal - Verloren am\n"
    "1,Deal Müller,1000.50,EUR,Verhandlungen begonnen,Gewonnen,Anna,"
    "2025-02-01 10:00:00,2025-03-03 12:00:00,\n"
    "2,Deal Bär,2000.00,EUR,Angebot gemacht,Verloren,Lena,"
    "2025-02-05 09:00:00,,2025-02-20 09:00:00\n"
    "3,Deal Süß,500.00,EUR,Kontakt hergestellt,Offen,Anna,"
    "2025-03-01 08:00:00,,\n"
    "4,Deal Groß,750.25,EUR,Angebot gemacht,Gewonnen,Lena,"
    "2025-03-10 08:00:00,2025-04-09 16:00:00,\n"
)


def test_pipedrive_german_headers(tmp_path):
    data = _write(tmp_path, "pipedrive.csv", PIPEDRIVE_DE.encode())
    deals = load_file("pipedrive.csv", data)
    columns = deals.mapping.columns
    assert columns["created_at"] == "Deal - Deal erstellt"
    assert columns["closed_at"] == "Deal - Gewonnen am"
    assert columns["lost_at"] == "Deal - Verloren am"
    assert columns["currency"] == "Deal - Währung des Wertes"
    assert deals.mapping.confidence["currency"] == EXACT
    frame = deals.frame
    # 2 won of 4 created: 50 %; 2 won of 3 decided: 66.67 %.
    assert close_rate(frame).value == pytest.approx(50.0)
    assert win_rate(frame).value == pytest.approx(200 / 3)
    # 1,000.50 + 750.25 = 1,750.75.
    assert won_value(frame).value == pytest.approx(1750.75)
    # 1 Feb to 3 Mar 2025 = 28 + 2 = 30 days; 10 Mar to 9 Apr = 21 + 9 = 30.
    assert sales_cycle_days(frame).value == pytest.approx(30.0)


@pytest.mark.parametrize(
    ("created", "won_time", "currency"),
    [
        ("Deal - Deal created", "Deal - Won time", "Deal - Currency of value"),
        ("Deal - Deal erstellt", "Deal - Gewonnen am", "Deal - Währung des Wertes"),
    ],
)
def test_pipedrive_headers_both_languages(created, won_time, currency):
    headers = ["Deal - ID", "Deal - Stage", created, won_time, currency]
    columns = guess_mapping(headers, "deals").columns
    assert columns["created_at"] == created
    assert columns["closed_at"] == won_time
    assert columns["currency"] == currency


HISTORY_DE = (
    "Opportunity-ID;Opportunity-Name;Phase;Betrag;Erstellt am\n"
    "006A;Opp 1;Prospecting;5.000,00;03.02.2025 09:00\n"
    "006A;Opp 1;Qualification;5.000,00;10.02.2025 09:00\n"
    "006A;Opp 1;Closed Won;5.000,00;15.03.2025 13:00\n"
    "006B;Opp 2;Prospecting;1.250,50;10.02.2025 09:00\n"
    "006B;Opp 2;Closed Lost;1.250,50;22.02.2025 09:00\n"
)


def test_german_opportunity_history_detected(tmp_path):
    data = _write(tmp_path, "history.csv", HISTORY_DE.encode())
    preview = preview_file("history.csv", data)
    assert preview.table == "stage_history"
    assert preview.mapping.used_columns() == {
        "deal_id": "Opportunity-ID",
        "stage": "Phase",
        "entered_at": "Erstellt am",
    }
    # No row is dropped as a duplicate deal, and no deals table is made up.
    [history] = load_file_tables("history.csv", data)
    assert history.rows_used == 5
    assert history.problems == ()


def test_german_opportunity_history_durations(tmp_path):
    data = _write(tmp_path, "history.csv", HISTORY_DE.encode())
    history = load_file("history.csv", data).frame
    durations = stage_durations(history, datetime(2025, 12, 31))
    prospecting = durations.filter(durations["stage"] == "Prospecting")
    # 006A: 3 to 10 Feb = 7 days; 006B: 10 to 22 Feb = 12 days.
    assert prospecting["days"].to_list() == [7.0, 12.0]


@pytest.mark.parametrize(
    "header",
    [
        "Opportunity ID,Stage,Amount,Created Date",
        # The API fields of Salesforce's OpportunityHistory object.
        "OpportunityId,StageName,Amount,CreatedDate",
        "OpportunityId,StageName,Amount,Probability,CloseDate,CreatedDate",
    ],
)
def test_english_opportunity_history_detected(tmp_path, header):
    rows = [
        "006A,Prospecting,5000,2025-02-03",
        "006A,Closed Won,5000,2025-03-15",
        "006B,Prospecting,1250,2025-02-10",
    ]
    if "Probability" in header:
        rows = [
            "006A,Prospecting,5000,10,2025-04-30,2025-02-03",
            "006A,Closed Won,5000,100,2025-03-15,2025-03-15",
            "006B,Prospecting,1250,10,2025-05-31,2025-02-10",
        ]
    text = "\n".join([header, *rows]) + "\n"
    data = _write(tmp_path, "history.csv", text.encode())
    preview = preview_file("history.csv", data)
    assert preview.table == "stage_history"
    assert preview.mapping.missing_required == []


@pytest.mark.parametrize(
    "text",
    [
        "Opportunity ID,Stage,Amount,Created Date\n006A,Won,10,2025-02-03\n"
        "006B,Lost,20,2025-02-04\n",
        "Deal-ID;Phase;Erstellt am\n1;Gewonnen;03.02.2025\n2;Verloren;04.02.2025\n",
    ],
)
def test_deals_with_unique_ids_stay_deals(tmp_path, text):
    data = _write(tmp_path, "deals.csv", text.encode())
    assert preview_file("deals.csv", data).table == "deals"


def _typeform_workbook(headers: list[str]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    # Token, score, email, start date, submit date. The first response was
    # started in March and submitted in April, the last started in April and
    # submitted in May.
    answers = [
        ("t1", 10, "a@example.com", "2025-03-31 23:50:00", "2025-04-01 00:05:00"),
        ("t2", 9, "b@example.com", "2025-04-10 10:00:00", "2025-04-10 10:03:00"),
        ("t3", 0, "c@example.com", "2025-04-30 23:55:00", "2025-05-01 00:01:00"),
    ]
    for answer in answers:
        sheet.append(list(answer))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("email", "start", "submit"),
    [
        ("Email", "Start Date (UTC)", "Submit Date (UTC)"),
        ("E-Mail", "Startdatum (UTC)", "Absendedatum (UTC)"),
    ],
)
def test_typeform_submit_date_preferred(tmp_path, email, start, submit):
    question = "How likely are you to recommend us to a friend?"
    headers = ["#", question, email, start, submit]
    data = _write(tmp_path, "typeform.xlsx", _typeform_workbook(headers))
    responses = load_file("typeform.xlsx", data)
    assert responses.table == "nps"
    assert responses.mapping.columns["responded_at"] == submit
    april = Period(date(2025, 4, 1), date(2025, 4, 30))
    # Submitted in April: t1 (10) and t2 (9), both promoters: 100 - 0 = 100.
    assert net_promoter_score(responses.frame, april).value == pytest.approx(100.0)


@pytest.mark.parametrize("bounced", ["Bounced", "Unzustellbar"])
def test_bounced_contact_is_cleaned(tmp_path, bounced):
    text = (
        "E-Mail;Ereignis;Datum\n"
        "c@example.com;Abonniert;01.12.2024\n"
        "d@example.com;Abonniert;01.12.2024\n"
        "a@example.com;Abonniert;02.01.2025\n"
        "b@example.com;Abonniert;03.01.2025\n"
        f"c@example.com;{bounced};10.01.2025\n"
    )
    data = _write(tmp_path, "kontakte.csv", text.encode())
    events = load_file("kontakte.csv", data, table="email_events").frame
    january = Period(date(2025, 1, 1), date(2025, 1, 31))
    result = list_growth_rate(events, january)
    assert result.extra["cleaned"] == 1
    # (2 new - 0 unsubscribed - 1 cleaned) / 2 at the start x 100 = 50 %.
    assert result.value == pytest.approx(50.0)


def test_hubspot_german_stages_in_history(tmp_path):
    text = (
        "Record ID,Stage,Entered at\n"
        "1,Termin geplant,2025-01-01 09:00\n"
        "1,Abgeschlossen und gewonnen,2025-01-11 09:00\n"
        "2,Termin geplant,2025-01-02 09:00\n"
        "2,Abgeschlossen und verloren,2025-01-05 09:00\n"
    )
    data = _write(tmp_path, "history.csv", text.encode())
    history = load_file("history.csv", data, table="stage_history").frame
    summary = stage_summary(history, datetime(2025, 12, 31))
    first = summary.row(0, named=True)
    assert first["stage"] == "Termin geplant"
    # Deal 1 went on to won, deal 2 was lost, which is no progress: 1 of 2.
    assert first["conversion_to_next"] == pytest.approx(50.0)
    # The won and lost stages come last, the lost one with no conversion.
    assert summary["stage"].to_list()[1:] == [
        "Abgeschlossen und gewonnen",
        "Abgeschlossen und verloren",
    ]
    assert summary.row(2, named=True)["conversion_to_next"] is None


def test_german_sales_rep_and_opportunity_id_headers_mapped():
    data = (
        "Verkaufschance-ID;Vertriebsmitarbeiter;Phase;Betrag;Erstellt am;"
        "Abgeschlossen am\n"
        "A1;Anna;Gewonnen;1.000,00 €;02.01.2024;10.01.2024\n"
        "A2;Ben;Verloren;500,00 €;03.01.2024;12.01.2024\n"
    ).encode("cp1252")
    table = load_file("verkaufschancen.csv", data)
    assert table.mapping.columns["deal_id"] == "Verkaufschance-ID"
    assert table.mapping.columns["owner"] == "Vertriebsmitarbeiter"


def test_german_contract_number_header_mapped():
    data = (
        "Vertragsnr.;Kundennummer;Beginn;Ende;Betrag\n"
        "V1;K1;01.01.2024;;100,00\n"
        "V2;K1;01.02.2024;;50,00\n"
    ).encode("cp1252")
    table = load_file("vertraege.csv", data, table="subscriptions")
    assert table.mapping.columns["subscription_id"] == "Vertragsnr."
