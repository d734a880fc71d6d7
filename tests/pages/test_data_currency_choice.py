"""Data page: the currency of a file whose amounts name none."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

# Two won deals of 1,000 and 500 and one lost deal, with plain amounts.
DEALS = b"""Deal ID,Deal Stage,Amount,Create Date,Close Date
D1,Closed Won,1000,2024-01-02,2024-02-01
D2,Closed Won,500,2024-01-03,2024-03-01
D3,Closed Lost,700,2024-01-04,2024-03-05
"""


def _upload(at: AppTest, data: bytes) -> str:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([("deals.csv", data, "text/csv")]).run()
    return hashlib.sha256(data).hexdigest()[:16]


def _won_value(at: AppTest) -> str:
    at.switch_page("pages/sales.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    return {metric.label: metric.value for metric in at.metric}["Won value"]


def test_chosen_currency_names_the_amounts():
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, DEALS)
    assert at.selectbox(key=f"{key}:currency").value == "EUR"
    at.selectbox(key=f"{key}:currency").set_value("USD").run()
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    # 1,000 + 500 won.
    assert _won_value(at) == "1,500 USD"


def test_amounts_stay_in_euros_by_default():
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, DEALS)
    at.button(key=f"{key}:import").click().run()
    assert _won_value(at) == "1,500 EUR"


def test_no_choice_when_the_file_names_its_currency():
    at = AppTest.from_file(APP, default_timeout=60).run()
    data = DEALS.replace(b",Amount,", b",Amount,Currency,").replace(
        b"\nD1,Closed Won,1000,", b"\nD1,Closed Won,1000,GBP,"
    )
    data = data.replace(b"D2,Closed Won,500,", b"D2,Closed Won,500,GBP,").replace(
        b"D3,Closed Lost,700,", b"D3,Closed Lost,700,GBP,"
    )
    key = _upload(at, data)
    assert not [box for box in at.selectbox if box.key == f"{key}:currency"]


def test_upload_again_keeps_the_chosen_currency():
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, DEALS)
    at.selectbox(key=f"{key}:currency").set_value("USD").run()
    at.button(key=f"{key}:import").click().run()
    # Another session uploads a corrected export of the same name.
    corrected = DEALS.replace(b"D3,Closed Lost,700", b"D3,Closed Lost,750")
    again = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(again, corrected)
    assert again.selectbox(key=f"{key}:currency").value == "USD"
    again.button(key=f"{key}:import").click().run()
    assert _won_value(again) == "1,500 USD"


# A HubSpot deals export with date-entered columns contains a stage history
# and deals. Its amounts name no currency.
HUBSPOT = (
    b"Record ID,Deal Name,Deal Stage,Create Date,Close Date,Amount,"
    b'"Date entered ""Appointment scheduled (Sales Pipeline)""",'
    b'"Date entered ""Closed won (Sales Pipeline)"""\n'
    b"101,Acme,Closed won,2024-01-02 10:00,2024-01-20,1000,2024-01-02 10:00,"
    b"2024-01-20 12:00\n"
    b"102,Beta,Appointment scheduled,2024-01-03 11:00,,500,2024-01-03 11:00,\n"
)


def test_currency_of_the_deals_beside_a_stage_history():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("hubspot.csv", HUBSPOT, "text/csv")]
    ).run()
    key = hashlib.sha256(HUBSPOT).hexdigest()[:16]
    box = at.selectbox(key=f"{key}:deals:currency")
    assert box.label == "Currency of the amounts of the deals"
    box.set_value("USD").run()
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    # Deal 101 is won for 1,000.
    assert _won_value(at) == "1,000 USD"
