"""The goal count "New subscribers" counts the addresses that join the
list, as the Marketing page's email-list growth does."""

from __future__ import annotations

from datetime import date

from kpi_core.email_list import list_growth_rate
from kpi_core.goal_metrics import METRICS, measure
from kpi_core.importing import load_file
from kpi_core.period import Period

# a@ subscribes on 5 January and again on 10 January while on the list, b@
# joins on 7 January, a@ leaves on 20 January and joins again on the 25th.
EVENTS = b"""Email Address,Event,Date
a@ex.com,subscribe,2025-01-05
b@ex.com,subscribe,2025-01-07
a@ex.com,subscribe,2025-01-10
a@ex.com,unsubscribe,2025-01-20
a@ex.com,subscribe,2025-01-25
"""
JANUARY = Period(date(2025, 1, 1), date(2025, 1, 31))


def test_goal_counts_joins_only():
    events = load_file("events.csv", EVENTS, table="email_events").frame
    measured = measure(METRICS["new_subscribers"], events, JANUARY)
    # Three joins: a@ on the 5th and the 25th, b@ on the 7th.
    assert measured.value == 3
    # The growth rate also takes the subscribe of 10 January for a repeat.
    growth = list_growth_rate(events, JANUARY)
    assert growth.excluded == {"event repeats the address's current state": 1}
