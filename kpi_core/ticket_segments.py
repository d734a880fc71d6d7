"""The ticket columns that the service breakdowns group tickets by.

The time to resolution and the follow-ups per ticket are both broken down
by these columns of the canonical tickets table, on the Service page and
in the Service sheet of the Excel report.
"""

from __future__ import annotations

import polars as pl

# In the order the Service page offers them.
TICKET_SEGMENTS = ("agent", "channel", "category", "priority")


def ticket_segments(tickets: pl.DataFrame) -> list[str]:
    """Return the segment columns of ``TICKET_SEGMENTS`` that ``tickets``
    has, in that order."""
    return [segment for segment in TICKET_SEGMENTS if segment in tickets.columns]
