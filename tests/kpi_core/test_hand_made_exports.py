"""Exports built by hand: German headers, Pipedrive organisation columns, a
HubSpot file holding two tables, a small survey with stray answers, and the
texts of CLV and revenue by campaign."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from kpi_core.clv import clv
from kpi_core.importing import load_file, preview_file
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.mapping import guess_mapping
from kpi_core.marketing import campaign_revenue
from kpi_core.period import Period


def _write(tmp_path, name: str, text: str, encoding: str = "utf-8") -> bytes:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path.read_bytes()


def test_german_deal_headers_guessed(tmp_path):
    data = _write(
        tmp_path,
        "auftraege.csv",
        "Nr.;Bezeichnung;Kunde;Phase;Wert;Angelegt am;Art\n"
        "1;Dach;Kühn;Gewonnen;1000;03.01.2025;Neukunde\n"
        "2;Tor;Öz;Verloren;500;04.01.2025;Upsell\n",
    )
    preview = preview_file("auftraege.csv", data)
    assert preview.table == "deals"
    columns = preview.mapping.columns
    assert columns["deal_id"] == "Nr."
    assert columns["created_at"] == "Angelegt am"
    assert columns["deal_type"] == "Art"
    assert columns["account"] == "Kunde"


@pytest.mark.parametrize("header", ["Organization - Name", "Deal - Organization"])
def test_pipedrive_account_headers(header):
    headers = ["Deal - ID", "Deal - Stage", "Deal - Deal created", header]
    assert guess_mapping(headers, "deals").columns["account"] == header


def test_person_name_not_account():
    headers = ["Deal - ID", "Deal - Stage", "Deal - Deal created", "Person - Name"]
    assert guess_mapping(headers, "deals").columns["account"] is None


HUBSPOT_WIDE = (
    "Record ID,Deal Name,Deal Stage,Create Date,Amount,"
    '"Date entered ""Appointment scheduled (Sales Pipeline)""",'
    '"Date entered ""Closed won (Sales Pipeline)"""\n'
    "101,Acme,Closed won,2025-01-02 10:00,1000,2025-01-02 10:00,2025-01-20 12:00\n"
    "102,Beta,Appointment scheduled,2025-01-03 11:00,500,2025-01-03 11:00,\n"
)


def test_hubspot_wide_file_pairs_deals(tmp_path):
    data = _write(tmp_path, "deals.csv", HUBSPOT_WIDE)
    guessed = preview_file("deals.csv", data)
    assert guessed.table == "stage_history"
    assert guessed.paired == "deals"
    deals = preview_file("deals.csv", data, table="deals")
    assert deals.paired == "stage_history"


def test_plain_deals_file_has_no_pair(tmp_path):
    data = _write(
        tmp_path,
        "deals.csv",
        "Record ID,Deal Stage,Create Date\n1,Closed won,2025-01-02\n",
    )
    assert preview_file("deals.csv", data).paired is None


SURVEY_HEADER = (
    "Zeitstempel;Kundennummer;Wie wahrscheinlich ist es, dass Sie uns empfehlen?"
)


def _survey(answers: list[str]) -> str:
    lines = [SURVEY_HEADER]
    for number, answer in enumerate(answers, start=1):
        lines.append(f"{number:02d}.01.2025 10:00;K{number};{answer}")
    return "\n".join(lines) + "\n"


def test_survey_with_stray_answers_is_nps(tmp_path):
    # 20 scores, then "k.A." on file line 22, "9,5" on line 23 and an empty
    # answer on line 24: 20 of 22 filled cells are scores (91 %).
    answers = ["10", "9", "3", "7", "0"] * 4 + ["k.A.", "9,5", ""]
    data = _write(tmp_path, "umfrage.csv", _survey(answers))
    preview = preview_file("umfrage.csv", data)
    assert preview.table == "nps"
    assert preview.mapping.columns["score"] == SURVEY_HEADER.split(";")[2]
    assert preview.mapping.columns["responded_at"] == "Zeitstempel"
    [note] = [n for n in preview.raw.info.notes if n.startswith("warning: ")]
    assert "2 of its 22 answers" in note
    assert "'k.A.' on line 22" in note
    assert "'9,5' on line 23" in note


def test_survey_with_many_stray_answers_not_nps(tmp_path):
    # 8 scores and 2 texts: 80 % of the filled cells, below 90 %.
    answers = ["10", "9", "3", "7"] * 2 + ["k.A.", "weiß nicht"]
    data = _write(tmp_path, "umfrage.csv", _survey(answers))
    assert preview_file("umfrage.csv", data).table != "nps"


def test_survey_on_five_point_scale_not_nps(tmp_path):
    # Every score is 6 or less, so this is a 1-5 rating, not the 0-10 scale.
    answers = ["1", "2", "3", "4", "5"] * 4 + ["k.A."]
    data = _write(tmp_path, "umfrage.csv", _survey(answers))
    assert preview_file("umfrage.csv", data).table != "nps"


def _orders() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "order_id": ["1", "2"],
            "customer_id": ["a", "b"],
            "ordered_at": [date(2024, 2, 1), date(2024, 3, 1)],
            "amount": [60.0, 40.0],
        }
    )


def _subscriptions() -> pl.DataFrame:
    # Five customers pay 10 a month from December 2023; s4 leaves in March.
    return pl.DataFrame(
        {
            "customer_id": ["s1", "s2", "s3", "s4", "s5"],
            "started_at": [date(2023, 12, 1)] * 5,
            "ended_at": [None, None, None, date(2024, 3, 15), None],
            "amount": [10.0] * 5,
        }
    )


def test_clv_leaves_subscription_churn_out():
    # Orders a and b buy once each in 2024; the subscriptions lose s4 in
    # March. Purchases CLV does not borrow that churn: without a lapsed
    # repeat buyer it needs an entered lifespan.
    settings = KpiSettings(period=Period(date(2024, 1, 1), date(2024, 6, 30)))
    tables = {"orders": _orders(), "subscriptions": _subscriptions()}
    result = compute_kpis(tables, settings)["clv"]
    assert result.status == "not_available"
    assert "enter a lifespan in years" in result.reason


def test_clv_lifespan_entered_not_named():
    # 100 / 2 orders = 50 per purchase, 2 / 2 customers = 1 a year, 2 years.
    result = clv(_orders(), _subscriptions(), lifespan_years=2)
    assert result.extra["lifespan_source"] == "entered by the user"
    assert result.value == 100.0
    assert "lifespan" not in result.formula


def _won(campaigns: list[str | None], amounts: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "deal_id": [str(i) for i in range(len(amounts))],
            "status": ["won"] * len(amounts),
            "amount": amounts,
            "closed_at": [date(2025, 1, 10)] * len(amounts),
            "campaign": campaigns,
        }
    )


def test_unattributed_revenue_is_no_campaign():
    result = campaign_revenue(_won([None, None], [40000.0, 889.0]))
    # 40,000.00 + 889.00 = 40,889.00, none of it with a campaign.
    assert result.formula == (
        "no campaign with revenue, 40,889.00 EUR unattributed, total 40,889.00 EUR"
    )


def test_campaigns_counted_without_unattributed():
    result = campaign_revenue(_won(["Spring", "Fair", None], [500.0, 300.0, 40.0]))
    # Spring 500 + Fair 300 + unattributed 40 = 840.00.
    assert result.formula == (
        "2 campaigns with revenue, 40.00 EUR unattributed, total 840.00 EUR"
    )


def test_german_survey_loads_scores(tmp_path):
    answers = ["10", "9", "3", "7", "0"] * 4 + ["k.A.", "9,5", ""]
    data = _write(tmp_path, "umfrage.csv", _survey(answers))
    table = load_file("umfrage.csv", data)
    assert table.table == "nps"
    scores = table.frame["score"].drop_nulls().to_list()
    # The 20 answers that are scores: 10, 9, 3, 7, 0 four times each.
    assert sorted(scores) == sorted([10, 9, 3, 7, 0] * 4)
