"""Data page: a billing interval the import cannot read is named with its
column and line before the import, and the KPI pages show no error for it
afterwards."""

import hashlib

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

SUBSCRIPTIONS = (
    "Vertragsnummer;Kundennummer;Vertragsbeginn;Vertragsende;Preis;"
    "Abrechnungsintervall\n"
    "V-1;K-1;01.01.2025;;1.200,00 €;jährlich\n"
    "V-2;K-2;01.01.2025;;100,00 €;nach Vereinbarung\n"
    "V-3;K-3;01.02.2025;;300,00 €;3 Monate\n"
)


def test_unknown_interval_warned_on_data_page(tmp_path):
    path = tmp_path / "abos.csv"
    path.write_text(SUBSCRIPTIONS, encoding="utf-8")
    data = path.read_bytes()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(path.name, data, "text/csv")]).run()
    assert not at.exception
    assert "3 rows read, 3 kept." in [m.value for m in at.markdown]
    warnings = [w.value for w in at.warning]
    assert any(
        "unknown billing interval in column 'Abrechnungsintervall' (line 3; "
        "for example 'nach Vereinbarung')"
        in warning
        and "The row is kept for counts such as churn, but its MRR is unknown"
        in warning
        and "; write the billing interval as" in warning
        for warning in warnings
    ), warnings

    key = hashlib.sha256(data).hexdigest()[:16]
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    for page in ("pages/marketing.py", "pages/service.py"):
        at.switch_page(page).run()
        assert not at.exception
        errors = [e.value for e in at.error]
        assert not any("interval" in error for error in errors), errors
