"""A deals upload whose amounts carry "$" and "€", from the Data page to Sales."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

MARKED_DEALS = """\
Deal ID,Deal Stage,Amount,Create Date,Close Date
1,Closed won,"$1,000",2025-01-02,2025-01-10
2,Closed won,€500,2025-01-03,2025-01-12
3,Closed won,$250,2025-01-04,2025-01-15
4,Closed lost,€300,2025-01-05,2025-01-16
5,Closed won,800,2025-01-06,2025-01-17
""".encode()


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_marked_amounts_upload_to_sales_page():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("marked.csv", MARKED_DEALS, "text/csv")]
    ).run()
    assert not at.exception
    key = hashlib.sha256(MARKED_DEALS).hexdigest()[:16]
    assert at.selectbox(key=f"{key}:deals:currency").value == "(not in the file)"

    # The note names where the currencies came from. Markdown escapes "$".
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert any(
        "currency from cells ($ read as USD, € read as EUR" in c for c in captions
    )
    # Deal 5 names no currency while the others do, so its amount is read
    # as empty and the deal kept.
    warnings = [w.value for w in at.warning]
    assert any(
        "without a currency while other amounts name one" in w
        and "'Amount'" in w
        and "line 6" in w
        and "Read as empty; the row is kept, so KPIs that need 'Amount' leave it out."
        in w
        for w in warnings
    )
    # Only line 6 has a cell read as empty.
    assert "5 rows read, 5 kept, 1 of them with cells read as empty (see below)." in [
        m.value for m in at.markdown
    ]

    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    at.switch_page("pages/sales.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    # The amounts are in USD and EUR, so the sidebar requests a rate.
    assert at.sidebar.selectbox(key="currency").value == "EUR"
    # Until then the page names the rate to enter, once, above its sections.
    assert not at.error
    warnings = [
        warning.value for warning in at.warning if "1 USD in EUR" in warning.value
    ]
    assert len(warnings) == 1
    assert not any("1 USD in EUR" in caption.value for caption in at.caption)

    at.sidebar.number_input(key="fx_USD_EUR").set_value(0.9).run()
    assert not at.exception
    metrics = _metrics(at)
    # Won: (1,000 + 250) USD x 0.9 + 500 EUR = 1,125 + 500 = 1,625 EUR,
    # without deal 5, whose amount was read as empty.
    assert metrics["Won value"] == "1,625 EUR"
    # Win rate: 4 won (deal 5 too) of 4 won + 1 lost = 80.0 %.
    assert metrics["Win rate"] == "80.0 %"
    # Won value leaves out 1 of 4 won deals, 25 %, above the 10 % threshold.
    warnings = [w.value for w in at.warning]
    assert any(
        "Won value leaves out 1 of 4 won deals (25 %): won deal without an amount" in w
        for w in warnings
    )


DOLLAR_DEALS = b"""\
Deal ID,Deal Stage,Amount,Create Date,Close Date
1,Closed won,"$1,200.25",2025-01-02,2025-01-10
2,Closed won,$300,2025-01-03,2025-01-12
3,Closed lost,$80,2025-01-04,2025-01-15
"""


def test_dollar_amounts_show_as_usd():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("dollars.csv", DOLLAR_DEALS, "text/csv")]
    ).run()
    key = hashlib.sha256(DOLLAR_DEALS).hexdigest()[:16]
    at.button(key=f"{key}:import").click().run()
    at.switch_page("pages/sales.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    # One currency needs no rates, so there is no Currencies section.
    assert not [box for box in at.sidebar.selectbox if box.key == "currency"]
    metrics = _metrics(at)
    # Won: 1,200.25 + 300 = 1,500.25 USD, shown without decimals.
    assert metrics["Won value"] == "1,500 USD"
