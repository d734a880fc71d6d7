"""Cards round half away from zero and the subscription CLV card shows n."""

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

# Three tickets on Tuesday 2024-04-09, inside the default working hours
# (Monday to Friday 09:00-17:00 Berlin time, no holiday that day): 4 h, 5 h
# and 6.75 h. Mean (4 + 5 + 6.75) / 3 = 15.75 / 3 = 5.25 business hours,
# which a person rounds to 5.3; median 5.0.
TICKETS = """Id,Subject,Status,Priority,Via,Created at,Solved at,Replies
5001,Password reset,solved,normal,Web form,2024-04-09 09:00:00,2024-04-09 13:00:00,1
5002,Invoice copy,solved,normal,Email,2024-04-09 09:00:00,2024-04-09 14:00:00,2
5003,Export fails,solved,high,Email,2024-04-09 09:00:00,2024-04-09 15:45:00,3
"""
# Monthly plans. The last day in the data is 2024-06-01, when cus_g starts.
# On it cus_a, cus_b, cus_c, cus_e and cus_g pay, while cus_d left in March
# and cus_f pays 0. So the subscription CLV rests on 5 paying customers.
SUBSCRIPTIONS = """Subscription ID,Customer ID,Start date,End date,Amount,Interval
sub_a,cus_a,2023-12-01,,100.00,month
sub_b,cus_b,2023-12-01,,100.00,month
sub_c,cus_c,2023-12-01,,100.00,month
sub_d,cus_d,2023-12-01,2024-03-15,100.00,month
sub_e,cus_e,2023-12-01,,60.00,month
sub_f,cus_f,2024-02-01,,0.00,month
sub_g,cus_g,2024-06-01,,100.00,month
"""


def _import(at: AppTest, path) -> None:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [(path.name, path.read_bytes(), "text/csv")]
    )
    at.run()
    [button] = [b for b in at.button if b.label.startswith("Import")]
    button.click().run()
    assert at.success, [e.value for e in at.error]


def test_service_card_rounds_half_up(tmp_path):
    path = tmp_path / "zendesk_tickets.csv"
    path.write_text(TICKETS, encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import(at, path)
    at.switch_page("pages/service.py").run()
    assert not at.exception

    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Time to resolution"] == "5.3 h"
    captions = [caption.value for caption in at.caption]
    assert "n = 3, median 5.0 h" in captions
    texts = [text.value for text in at.text]
    assert any(text.endswith("= 5.3 hours (median 5.0 hours)") for text in texts)


def test_subscription_clv_card_shows_n(tmp_path):
    path = tmp_path / "stripe_subscriptions.csv"
    path.write_text(SUBSCRIPTIONS, encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60).run()
    _import(at, path)
    at.switch_page("pages/marketing.py").run()
    at.sidebar.radio(key="marketing_clv_variant").set_value("subscription").run()
    at.sidebar.number_input(key="marketing_lifespan").set_value(2.0).run()
    assert not at.exception

    [card] = [
        column
        for column in at.columns
        if [metric.label for metric in column.metric] == ["Customer lifetime value"]
    ]
    # ARPA (100 + 100 + 100 + 60 + 100) / 5 = 92 a month, for 2 years at
    # 100 % margin: 92 x 12 x 2 = 2,208 EUR.
    assert card.metric[0].value == "2,208 EUR"
    captions = [caption.value for caption in card.caption]
    assert "n = 5" in captions
    assert "Small sample: fewer than 30 observations." in captions
