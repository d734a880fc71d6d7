"""The Data page names contradicting dates at import, and the Service page
warns when time to resolution leaves out many tickets for them."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_date_conflicts import TICKETS
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only


def _warnings(at: AppTest) -> list[str]:
    return [warning.value for warning in at.warning]


def test_data_page_names_conflicting_lines(tmp_path):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS, encoding="utf-8")
    at.file_uploader(key="uploads").set_value(
        [(path.name, path.read_bytes(), "text/csv")]
    )
    at.run()
    assert not at.exception
    # All ten rows stay usable: the conflict leaves them out per KPI only.
    assert "10 rows read, 10 kept." in [text.value for text in at.markdown]
    # Tickets 4, 6 and 9 are on lines 5, 7 and 10: 3 of 10 = 30 %.
    [notice] = [w for w in _warnings(at) if w.startswith("Tickets solved")]
    assert notice.startswith(
        "Tickets solved before they were created: 3 of the 10 tickets with "
        "both dates (30 %), on lines 5, 7, 10."
    )
    labels = [button.label for button in at.get("download_button")]
    assert "Download the 3 rows with these dates (CSV)" in labels

    [button] = [b for b in at.button if b.label.startswith("Import")]
    button.click().run()
    assert at.success
    assert "Imported 10 rows" in at.success[0].value


def test_service_page_warns_under_cards(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"tickets.csv": (TICKETS, "tickets")})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/service.py").run()
    assert not at.exception
    # 3 of the 10 solved tickets are solved before they were created, so
    # the card uses 7 tickets: 3 / 10 = 30 %.
    metrics = {metric.label: metric for metric in at.metric}
    assert metrics["Time to resolution"].value != "Not available"
    assert _warnings(at) == [
        "Time to resolution leaves out 3 of 10 solved tickets (30 %): ticket "
        "solved before it was created. Check the columns mapped to created_at "
        "and solved_at on the Data page."
    ]


def test_service_page_no_warning_dates_in_order(tmp_path, fresh_workspace):
    lines = TICKETS.splitlines()
    # Tickets 1-3, all in order.
    content = "\n".join(lines[:4]) + "\n"
    _store_only(tmp_path, fresh_workspace, {"tickets.csv": (content, "tickets")})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/service.py").run()
    assert not at.exception
    assert _warnings(at) == []
