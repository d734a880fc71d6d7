"""NPS scores exported with their scale label, such as "10 - äußerst
wahrscheinlich", and Typeform's "#" response token."""

from __future__ import annotations

import pytest

from kpi_core.importing import load_file, preview_file
from kpi_core.nps import net_promoter_score

QUESTION = "Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?"
TOP = "10 - äußerst wahrscheinlich"
BOTTOM = "0 - überhaupt nicht wahrscheinlich"
# Eight scored responses and one partial response without a score.
# Promoters 10, 10, 9, 10 (4), passives 8, 7 (2), detractors 6, 0 (2), so
# NPS = (4 - 2) / 8 x 100 = 25.0. Three of the eight carry their label.
SCORES = [TOP, TOP, "9", "8", "7", "6", BOTTOM, "10", ""]
# The same scores as a plain export writes them.
PLAIN_SCORES = [score.split(" ")[0] for score in SCORES]


def _typeform(tmp_path, scores: list[str], name: str = "typeform.csv"):
    """Write a German Typeform export with one response per score."""
    lines = [
        f'#,"{QUESTION}",Was können wir besser machen?,email,Response Type,'
        "Start Date (UTC),Stage Date (UTC),Submit Date (UTC),Network ID,Tags"
    ]
    for number, score in enumerate(scores, start=1):
        kind = "completed" if score else "partial"
        submitted = f"2025-01-{number:02d} 10:01:00" if score else ""
        lines.append(
            f"t{number:04x}a9,{score},,k{number}@example.de,{kind},"
            f"2025-01-{number:02d} 10:00:00,,{submitted},n{number},"
        )
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_labelled_typeform_export_is_nps(tmp_path):
    path = _typeform(tmp_path, SCORES)
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "nps"
    assert prepared.mapping.columns["score"] == QUESTION
    assert prepared.problems == ()
    result = net_promoter_score(prepared.frame)
    assert result.extra["promoters"] == 4
    assert result.extra["passives"] == 2
    assert result.extra["detractors"] == 2
    assert result.n == 8
    assert result.value == pytest.approx((4 - 2) / 8 * 100)


def test_labelled_scores_named_in_note(tmp_path):
    path = _typeform(tmp_path, SCORES)
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.detected[QUESTION] == (
        f"3 scores written with a scale label, such as {TOP!r}, read as the "
        "number before the label"
    )


def test_labelled_and_plain_exports_agree(tmp_path):
    plain_path = _typeform(tmp_path, PLAIN_SCORES, "plain.csv")
    labelled_path = _typeform(tmp_path, SCORES, "labelled.csv")
    plain_result = net_promoter_score(
        load_file(plain_path.name, plain_path.read_bytes()).frame
    )
    labelled_result = net_promoter_score(
        load_file(labelled_path.name, labelled_path.read_bytes()).frame
    )
    assert labelled_result.value == plain_result.value
    assert labelled_result.extra == plain_result.extra


@pytest.mark.parametrize(
    ("cell", "score"),
    [
        ("10 - äußerst wahrscheinlich", 10),
        ("0 – not at all likely", 0),
        ("10 (extremely likely)", 10),
        ("9 = sehr wahrscheinlich", 9),
        ("0 - überhaupt nicht wahrscheinlich", 0),
    ],
    ids=["hyphen", "en-dash", "brackets", "equals", "zero-hyphen"],
)
def test_label_forms_read_as_score(tmp_path, cell, score):
    # The first score carries its label. The other scores stay plain, and the
    # question column is found by its values alone.
    scores = [cell, "9", "8", "7", "6", "5", "10", "3"]
    path = _typeform(tmp_path, scores)
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "nps"
    assert prepared.frame["score"].to_list()[0] == score


@pytest.mark.parametrize("cell", ["10.5", "11 - x", "7 Tage"])
def test_other_text_not_read_as_score(tmp_path, cell):
    # Guard: these cells were reported before scale labels were read, and
    # still are. The "Score" header maps the column without its values.
    path = tmp_path / "survey.csv"
    path.write_text(
        "Response ID,Submitted at,Score\n"
        "r1,2025-01-01,10\n"
        f"r2,2025-01-02,{cell}\n"
        "r3,2025-01-03,3\n",
        encoding="utf-8",
    )
    prepared = load_file(path.name, path.read_bytes(), table="nps")
    assert prepared.frame["score"].to_list() == [10, None, 3]
    [problem] = prepared.problems
    assert problem.kind == "an invalid whole number"
    assert problem.lines == (3,)
    assert problem.examples == (cell,)


def test_typeform_token_is_response_id(tmp_path):
    path = _typeform(tmp_path, PLAIN_SCORES)
    preview = preview_file(path.name, path.read_bytes())
    assert preview.table == "nps"
    assert preview.mapping.columns["response_id"] == "#"


def test_typeform_repeated_lines_dropped(tmp_path):
    # With the token as the response id, a response that a pasted export
    # repeats line for line is counted once: 8 responses as above.
    path = _typeform(tmp_path, PLAIN_SCORES)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    prepared = load_file(path.name, path.read_bytes())
    result = net_promoter_score(prepared.frame)
    assert result.n == 8
    assert result.value == pytest.approx((4 - 2) / 8 * 100)


@pytest.mark.parametrize(
    ("header", "table", "fields"),
    [
        (
            "#,Order ID,Created at,Customer Email,Total\n",
            "orders",
            ("order_id", "customer_id", "ordered_at", "amount"),
        ),
        (
            "#,Ticket ID,Created at,Solved at,Status\n",
            "tickets",
            ("ticket_id", "created_at", "solved_at", "status"),
        ),
    ],
    ids=["orders", "tickets"],
)
def test_row_number_column_unmapped_elsewhere(tmp_path, header, table, fields):
    # Guard: a "#" column of row numbers maps to no field of another table
    # type, and the type is detected as without it.
    rows = {
        "orders": "1,1001,2025-01-02,a@example.com,20.00\n"
        "2,1002,2025-01-03,b@example.com,35.50\n",
        "tickets": "1,501,2025-01-02 09:00,2025-01-02 11:00,Solved\n"
        "2,502,2025-01-03 09:00,2025-01-03 10:00,Solved\n",
    }[table]
    path = tmp_path / f"{table}.csv"
    path.write_text(header + rows, encoding="utf-8")
    preview = preview_file(path.name, path.read_bytes())
    assert preview.table == table
    assert "#" not in preview.mapping.used_columns().values()
    for name in fields:
        assert preview.mapping.columns[name] is not None
