"""A survey column that reads like the NPS question but has too many answers
that are not scores: the messages name it, its bad lines and the fix."""

from __future__ import annotations

import pytest

from kpi_core.errors import MissingColumnError
from kpi_core.importing import load_file, preview_file

QUESTION = (
    "Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen "
    "weiterempfehlen?"
)
# A German Typeform export: 10 answers, 8 of them whole numbers 0-10 and two
# that are not ("11" on line 10, "9,5" on line 11; the header is line 1).
TYPEFORM = (
    "\ufeff#;" + QUESTION + ";Was ist der wichtigste Grund für Ihre Bewertung?;"
    "Kunden-ID;Antworttyp;Absendedatum (UTC)\r\n"
    "r01;10;Schnelle Lieferung;K001;completed;05.01.2026 10:12\r\n"
    "r02;9;Gut;K002;completed;07.01.2026 11:00\r\n"
    "r03;6;Zu langsam;K003;completed;12.01.2026 09:30\r\n"
    "r04;8;ok;K004;completed;15.01.2026 14:00\r\n"
    "r05;3;Paket kam beschädigt an;K005;completed;20.01.2026 16:45\r\n"
    "r06;10;Top Service, Frau Groß war super;K006;completed;28.01.2026 08:15\r\n"
    "r07;7;;K007;completed;02.02.2026 12:00\r\n"
    "r08;9;Freundlich;K001;completed;04.02.2026 13:00\r\n"
    "r90;11;;K090;completed;05.03.2026 10:00\r\n"
    "r91;9,5;;K091;completed;06.03.2026 10:00\r\n"
)
# 2 of 10 answers (20 %) are not scores, above the 10 % a column that reads
# like the question may have.
UNKNOWN_TYPE_HINT = (
    f"The column {QUESTION!r} reads like the NPS question, but it is not "
    "taken as the score because 2 of its 10 answers are not whole numbers "
    "from 0 to 10 (line 10 '11', line 11 '9,5'), and a score column may "
    "have at most 10 % such answers. To use it, choose the table type NPS "
    "survey responses on the Data page: the column is then proposed as Score "
    "and every such line is named. Otherwise correct them in the export."
)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_unknown_type_names_question(tmp_path):
    path = _write(tmp_path, "nps_ausser_bereich.csv", TYPEFORM)
    preview = preview_file(path.name, path.read_bytes())
    # Detection stays as before: 20 % is beyond the tolerance.
    assert preview.table is None
    with pytest.raises(MissingColumnError) as raised:
        load_file(path.name, path.read_bytes())
    assert UNKNOWN_TYPE_HINT in str(raised.value)
    assert "nps_ausser_bereich.csv" in str(raised.value)


def test_chosen_nps_proposes_question(tmp_path):
    path = _write(tmp_path, "nps_ausser_bereich.csv", TYPEFORM)
    prepared = load_file(path.name, path.read_bytes(), table="nps")
    assert prepared.mapping.columns["score"] == QUESTION
    # 10 rows read; lines 10 and 11 have no score, so 10 - 2 = 8 are used.
    assert prepared.rows_read == 10
    assert prepared.frame["score"].drop_nulls().len() == 8
    problems = {
        problem.kind: (problem.lines, problem.examples) for problem in prepared.problems
    }
    assert problems["a score outside 0-10"] == ((10,), ("11",))
    assert problems["an invalid whole number"] == ((11,), ("9,5",))
    warning = (
        f"the column {QUESTION!r} reads like the NPS question and is taken "
        "as the score because the table type NPS survey responses was "
        "chosen, although 2 of its 10 answers are not whole numbers from 0 "
        "to 10: '11' on line 10, '9,5' on line 11. That is more than the 10 % "
        "a score column may have. These are not counted as scores; correct "
        "them in the file if they should be."
    )
    assert warning in prepared.read_warnings


def test_missing_score_names_number_column(tmp_path):
    # "Bewertung" does not read like the question, but 7 of its 10 answers
    # (70 %, more than half) are whole numbers 0-10; 3 are not (30 %).
    text = "Antwort-ID,Bewertung,Datum\n" + "".join(
        f"A{n},{value},2026-01-{n:02d}\n"
        for n, value in enumerate(
            ["10", "9", "2", "k.A.", "8", "7", "0", "12", "5", "n/a"], start=1
        )
    )
    path = _write(tmp_path, "bewertung.csv", text)
    with pytest.raises(MissingColumnError) as raised:
        load_file(path.name, path.read_bytes(), table="nps")
    # The answers sit on lines 2-11, so "k.A." is on line 5, "12" on line 9
    # and "n/a" on line 11.
    hint = (
        "The column 'Bewertung' is mostly whole numbers from 0 to 10, but it "
        "is not taken as the score because 3 of its 10 answers are not "
        "(line 5 'k.A.', line 9 '12', line 11 'n/a'), and a score column may "
        "have at most 10 % such answers. Choose it as Score in the column "
        "mapping to see every such line named, or correct them in the export."
    )
    assert "no column found for Score" in str(raised.value)
    assert hint in str(raised.value)


def test_text_question_column_not_named(tmp_path):
    # Guard: a question column of free text is no score column with a few
    # bad answers, so no message names it.
    text = "id,Warum würden Sie uns weiterempfehlen?,Datum\n" + "".join(
        f"A{n},Guter Service Nr. {n},2026-01-{n:02d}\n" for n in range(1, 11)
    )
    path = _write(tmp_path, "warum.csv", text)
    with pytest.raises(MissingColumnError) as raised:
        load_file(path.name, path.read_bytes(), table="nps")
    assert "weiterempfehlen" not in str(raised.value).split("no column found")[1]
    assert "is not taken as the score" not in str(raised.value)


def test_unknown_type_ignores_number_column(tmp_path):
    # Guard: without a chosen type, a column of mostly small numbers under a
    # header that does not read like the question is not named.
    text = "Artikel;Menge;Notiz\n" + "".join(
        f"X{n};{value};-\n"
        for n, value in enumerate(["1", "9", "3", "x", "2", "8", "15"], start=1)
    )
    path = _write(tmp_path, "artikel.csv", text)
    with pytest.raises(MissingColumnError) as raised:
        load_file(path.name, path.read_bytes())
    assert "is not taken as the score" not in str(raised.value)
