"""Before and after with deals in USD and GBP beside subscriptions stored
with the default currency, EUR, which have no currency codes."""

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP
from tests.pages.test_whatif_currencies import SUBSCRIPTIONS, _store

# Two deals per currency, all won, created and closed in 2024.
DEALS = b"""\
Deal ID,Deal Name,Deal Stage,Amount,Currency,Create Date,Close Date
1,Alpha,Closed won,1000,USD,2024-01-01,2024-01-31
2,Beta,Closed won,2000,USD,2024-03-01,2024-04-30
3,Gamma,Closed won,500,GBP,2024-05-01,2024-05-20
4,Delta,Closed won,800,GBP,2024-06-05,2024-06-25
"""


def test_compare_offers_rate_of_default_currency(fresh_workspace):
    _store(
        fresh_workspace,
        ("deals", DEALS, None),
        ("subscriptions", SUBSCRIPTIONS, None),
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception

    # The subscriptions are read as EUR, so with GBP as the report currency
    # the page needs the value of 1 EUR in GBP and must offer a box for it.
    at.sidebar.selectbox(key="currency").set_value("GBP").run()
    labels = [box.label for box in at.sidebar.number_input]
    assert "Value of 1 USD in GBP" in labels
    assert "Value of 1 EUR in GBP" in labels
