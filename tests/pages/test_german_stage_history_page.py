"""The Data page reads Salesforce's German "Phasenverlauf" report as a deal
stage history, with the stage entered ("Zu Phase") as the stage."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_german_stage_history import PHASENVERLAUF
from tests.pages.conftest import APP


def test_phasenverlauf_detected_on_data_page():
    data = PHASENVERLAUF.encode("utf-8-sig")
    key = hashlib.sha256(data).hexdigest()[:16]
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("phasenverlauf.csv", data, "text/csv")]
    ).run()
    assert not at.exception
    assert at.selectbox(key=f"{key}:table").value == "stage_history"
    assert at.selectbox(key=f"{key}:stage_history:stage").value == "Zu Phase"
    deal_id = at.selectbox(key=f"{key}:stage_history:deal_id")
    assert deal_id.value == "Verkaufschancen-ID"
    entered = at.selectbox(key=f"{key}:stage_history:entered_at")
    assert entered.value == "Letzte Änderung"
    assert not [error.value for error in at.error]
