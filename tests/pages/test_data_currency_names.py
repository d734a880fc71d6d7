"""Data and Marketing pages: a German sheet that writes its currency as "€"
or "Euro" is read in EUR, and text that is no currency is named."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

# Four first orders of four customers in January 2025.
ORDERS = """Bestellnummer;Kunden-ID;Bestelldatum;Gesamtbetrag;Währung
1001;k1;15.01.2025;1.200,50;€
1002;k2;16.01.2025;300,00;Euro
1003;k3;20.01.2025;99,50;EUR
1004;k4;21.01.2025;400,00;XYZ
""".encode()
# 500 + 100 = 600 EUR of spend in January 2025.
SPEND = """Datum;Kanal;Kosten;Währung
15.01.2025;Ads;500,00;EURO
15.01.2025;Newsletter;100,00;€
""".encode()


def _upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader(key="uploads").set_value([(name, data, "text/csv")]).run()
    assert not at.exception


def _import(at: AppTest) -> None:
    [button] = [b for b in at.button if b.label.startswith("Import")]
    button.click().run()
    assert not at.exception


def test_data_page_names_read_codes(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    _upload(at, "bestellungen.csv", ORDERS)
    captions = [caption.value for caption in at.caption]
    note = "Währung: symbols and names read as ISO codes: € as EUR, Euro as EUR"
    assert any(note in caption for caption in captions)
    warnings = [warning.value for warning in at.warning]
    assert (
        "1 row with an unknown currency in column 'Währung' (line 5; for example "
        "'XYZ'). Read as empty, and so are the amounts in this row; the row is "
        "kept, so only the KPIs that need the amounts leave it out; write the "
        "currency as its three-letter ISO 4217 code, such as EUR, USD or CHF, "
        "and import the file again."
    ) in warnings


def test_marketing_cac_in_eur(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    _upload(at, "bestellungen.csv", ORDERS)
    _import(at)
    _upload(at, "kosten.csv", SPEND)
    _import(at)
    at.switch_page("pages/marketing.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    # 600 EUR of spend / 4 new customers = 150 EUR. The order in "XYZ" has
    # no amount, but its customer is still new.
    assert metrics["Customer acquisition cost"] == "150 EUR"
