"""Survey exports whose NPS question is not worded in English or German,
or does not name recommending, and other tables with a 0-10 column."""

from datetime import date

import pytest

from kpi_core.errors import MissingColumnError
from kpi_core.importing import load_file, preview_file
from kpi_core.nps import net_promoter_score
from kpi_core.period import Period

ALL_DATA = Period(None, None)
# A Typeform export with eleven scores and one partial response without a
# score: promoters 10, 9, 9, 10, 10 (5), passives 8, 7 (2) and detractors
# 6, 3, 0, 5 (4). NPS = (5 - 4) / 11 x 100 = 9.0909.
TYPEFORM_ROWS = (
    "k1,10,Great support,a@example.com,completed,2024-03-01 09:00:00,,"
    "2024-03-01 09:02:10,n1,\n"
    "k2,9,Fast,b@example.com,completed,2024-03-02 10:00:00,,2024-03-02 10:01:00,n2,\n"
    "k3,9,,c@example.com,completed,2024-03-03 11:00:00,,2024-03-03 11:00:40,n3,\n"
    'k4,8,"Good, but pricey",d@example.com,completed,2024-03-04 12:00:00,,'
    "2024-03-04 12:03:00,n4,\n"
    "k5,7,,e@example.com,completed,2024-03-05 13:00:00,,2024-03-05 13:01:00,n5,\n"
    "k6,6,Slow,f@example.com,completed,2024-03-06 14:00:00,,2024-03-06 14:02:00,n6,\n"
    "k7,3,Bugs,g@example.com,completed,2024-03-07 15:00:00,,2024-03-07 15:05:00,n7,\n"
    "k8,10,,h@example.com,completed,2024-03-08 16:00:00,,2024-03-08 16:00:30,n8,\n"
    "k9,0,Terrible,i@example.com,completed,2024-03-09 17:00:00,,"
    "2024-03-09 17:01:00,n9,\n"
    "k10,,,j@example.com,partial,2024-03-10 18:00:00,2024-03-10 18:00:20,,n10,\n"
    "k11,5,Meh,k@example.com,completed,2024-03-11 19:00:00,,2024-03-11 19:00:50,n11,\n"
    "k12,10,Love it,l@example.com,completed,2024-03-31 23:30:00,,"
    "2024-03-31 23:30:30,n12,\n"
)
ENGLISH_COLUMNS = (
    "Why?,email,Response Type,Start Date (UTC),Stage Date (UTC),"
    "Submit Date (UTC),Network ID,Tags"
)
QUESTIONS = {
    "french": "Quelle est la probabilité que vous recommandiez Acme à un ami ?",
    "spanish": "¿Qué probabilidad hay de que recomiendes Acme a un amigo?",
    "italian": "Quanto è probabile che consiglieresti Acme a un amico?",
    "portuguese": "Você indicaria a Acme para um amigo?",
}
SCALE_QUESTION = (
    "On a scale from 0 to 10, how happy would you be to tell a friend about Acme?"
)


def _typeform(tmp_path, question: str, columns: str = ENGLISH_COLUMNS):
    path = tmp_path / "typeform.csv"
    header = f'#,"{question}",{columns}\n'
    path.write_text(header + TYPEFORM_ROWS, encoding="utf-8")
    return path


def _check_nps(prepared) -> None:
    assert prepared.table == "nps"
    result = net_promoter_score(prepared.frame, ALL_DATA)
    assert result.extra["promoters"] == 5
    assert result.extra["passives"] == 2
    assert result.extra["detractors"] == 4
    assert result.n == 11
    assert result.value == pytest.approx((5 - 4) / 11 * 100)


@pytest.mark.parametrize("language", sorted(QUESTIONS))
def test_question_in_other_language(tmp_path, language):
    question = QUESTIONS[language]
    path = _typeform(tmp_path, question)
    prepared = load_file(path.name, path.read_bytes())
    _check_nps(prepared)
    assert prepared.mapping.columns["score"] == question
    assert prepared.mapping.columns["responded_at"] == "Submit Date (UTC)"


def test_scale_question_without_recommend(tmp_path):
    path = _typeform(tmp_path, SCALE_QUESTION)
    prepared = load_file(path.name, path.read_bytes())
    _check_nps(prepared)
    assert prepared.mapping.columns["score"] == SCALE_QUESTION
    preview = preview_file(path.name, path.read_bytes())
    notes = [note for note in preview.raw.info.notes if "NPS score" in note]
    assert len(notes) == 1
    assert SCALE_QUESTION in notes[0]
    assert "does not name recommending" in notes[0]


def test_portuguese_typeform_export(tmp_path):
    question = "Qual a probabilidade de você nos recomendar a um amigo ou colega?"
    columns = (
        "Qual o principal motivo da sua nota?,email,Tipo de resposta,"
        "Data de Início (UTC),Data da Etapa (UTC),Data de Envio (UTC),ID da Rede,Tags"
    )
    path = _typeform(tmp_path, question, columns)
    prepared = load_file(path.name, path.read_bytes())
    _check_nps(prepared)
    assert prepared.mapping.columns["responded_at"] == "Data de Envio (UTC)"
    # The last response, a 10 sent at 23:30:30 UTC on 31 March 2024, is
    # 01:30 on 1 April in Berlin (summer time began that night). March has
    # promoters 10, 9, 9, 10 (4), passives 2 and detractors 4 of 10: NPS 0.
    march = Period(date(2024, 3, 1), date(2024, 3, 31))
    result = net_promoter_score(prepared.frame, march)
    assert result.n == 10
    assert result.extra["promoters"] == 4
    assert result.value == pytest.approx(0.0)


def test_scale_question_with_low_scores(tmp_path):
    # Every score is 1-5, a satisfaction rating rather than the NPS scale,
    # so the question mark alone does not make the file a survey of NPS.
    path = tmp_path / "csat.csv"
    path.write_text(
        "#,How satisfied were you with Acme?,email,Submit Date (UTC)\n"
        "k1,5,a@example.com,2024-03-01 09:00:00\n"
        "k2,4,b@example.com,2024-03-02 09:00:00\n"
        "k3,2,c@example.com,2024-03-03 09:00:00\n",
        encoding="utf-8",
    )
    assert preview_file(path.name, path.read_bytes()).table != "nps"


def test_deals_likely_column_without_created(tmp_path):
    # Without a creation date the deals mapping misses a required column,
    # but the stage and amount make the file a deals export, not a survey.
    path = tmp_path / "deals.csv"
    path.write_text(
        "Record ID,Deal Stage,Close Date,Amount,Likely to close (0-10)\n"
        "1,Closed won,2025-03-10,1000,8\n"
        "2,Closed lost,2025-03-12,500,3\n",
        encoding="utf-8",
    )
    assert preview_file(path.name, path.read_bytes()).table == "deals"
    with pytest.raises(MissingColumnError, match="Created date"):
        load_file(path.name, path.read_bytes())


def test_orders_quantity_without_amount(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "Order ID,Customer,Order Date,Quantity\n"
        "1,anna@example.com,2025-03-01,2\n"
        "2,ben@example.com,2025-03-02,9\n",
        encoding="utf-8",
    )
    preview = preview_file(path.name, path.read_bytes())
    assert preview.table == "orders"
    assert preview.mapping.missing_required == ["amount"]


def test_tickets_priority_scale_not_nps(tmp_path):
    # "scale" hints at a survey question, but every priority is 1-5.
    path = tmp_path / "tickets.csv"
    path.write_text(
        "Ticket ID,Subject,Priority (scale 1-5)\n1,Login fails,2\n2,Refund,5\n",
        encoding="utf-8",
    )
    assert preview_file(path.name, path.read_bytes()).table != "nps"


def test_question_beside_amount_not_nps(tmp_path):
    # An order export with a 0-10 question column and an amount stays an
    # orders table.
    path = tmp_path / "orders.csv"
    path.write_text(
        "Order ID,Customer,Order Date,Total,How happy are you (0-10)?\n"
        "1,anna@example.com,2025-03-01,20.00,9\n"
        "2,ben@example.com,2025-03-02,35.50,4\n",
        encoding="utf-8",
    )
    assert preview_file(path.name, path.read_bytes()).table == "orders"


def test_chosen_nps_takes_scale_question(tmp_path):
    path = _typeform(tmp_path, SCALE_QUESTION)
    prepared = load_file(path.name, path.read_bytes(), table="nps")
    _check_nps(prepared)


def test_recommend_question_beats_likely(tmp_path):
    # Both columns hold 0-10 answers and ask how likely; the one that names
    # recommending is the NPS question. Its scores 10, 9, 2 give
    # (2 - 1) / 3 x 100 = 33.3.
    path = tmp_path / "survey.csv"
    path.write_text(
        "Response ID,How likely are you to buy again?,"
        "How likely are you to recommend us?,Submit Date\n"
        "1,3,10,2025-03-01 10:00\n"
        "2,8,9,2025-03-02 10:00\n"
        "3,10,2,2025-03-03 10:00\n",
        encoding="utf-8",
    )
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "nps"
    assert prepared.mapping.columns["score"] == "How likely are you to recommend us?"
    result = net_promoter_score(prepared.frame, ALL_DATA)
    assert result.value == pytest.approx((2 - 1) / 3 * 100)
