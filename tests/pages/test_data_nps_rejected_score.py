"""Data page: a survey question column with too many answers that are not
scores is named in the table-type message and proposed once NPS is chosen."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from pages.ui.markdown_escape import escape_markdown
from tests.kpi_core.test_nps_rejected_score import (
    QUESTION,
    TYPEFORM,
    UNKNOWN_TYPE_HINT,
)
from tests.pages.conftest import APP


def _upload(at: AppTest, tmp_path) -> str:
    path = tmp_path / "nps_ausser_bereich.csv"
    path.write_bytes(TYPEFORM.encode("utf-8"))
    data = path.read_bytes()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(path.name, data, "text/csv")]).run()
    return hashlib.sha256(data).hexdigest()[:16]


def test_table_type_message_names_question(tmp_path):
    at = AppTest.from_file(APP, default_timeout=60)
    _upload(at, tmp_path)
    assert not at.exception
    infos = [info.value for info in at.info]
    assert any(escape_markdown(UNKNOWN_TYPE_HINT) in info for info in infos), infos


def test_chosen_nps_preselects_question(tmp_path):
    at = AppTest.from_file(APP, default_timeout=60)
    key = _upload(at, tmp_path)
    at.selectbox(key=f"{key}:table").set_value("nps").run()
    assert not at.exception
    assert at.selectbox(key=f"{key}:nps:score").value == QUESTION
    errors = [error.value for error in at.error]
    assert errors == []
    warnings = " ".join(warning.value for warning in at.warning)
    # Both answers that are not scores are named with their lines.
    assert "line 10" in warnings
    assert "line 11" in warnings
    assert escape_markdown("'9,5' on line 11") in warnings
