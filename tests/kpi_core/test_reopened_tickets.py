"""A ticket listed in two exports: solved in the older one and reopened
and still open in the newer one."""

from __future__ import annotations

import pytest

from kpi_core.followups import followups_per_ticket
from kpi_core.importing import load_file
from kpi_core.service import resolution_hours

# Ticket 1 was solved on Monday 3 March 2025 at 13:00 after one reply; the
# newer export lists it open with two replies. Ticket 2 was solved on
# Tuesday 11:00 and again, finally, on Thursday 11:00 with three replies.
# Ticket 3 was solved in one hour.
EXPORTS = b"""Id,Assignee,Status,Created at,Updated at,Solved at,Replies
1,A,solved,2025-03-03 09:00:00,2025-03-03 13:00:00,2025-03-03 13:00:00,1
2,A,solved,2025-03-04 09:00:00,2025-03-04 11:00:00,2025-03-04 11:00:00,1
1,A,open,2025-03-03 09:00:00,2025-03-10 10:00:00,,2
2,A,solved,2025-03-04 09:00:00,2025-03-06 11:00:00,2025-03-06 11:00:00,3
3,B,closed,2025-03-05 09:00:00,2025-03-05 10:00:00,2025-03-05 10:00:00,1
"""


def _tickets():
    return load_file("zendesk.csv", EXPORTS).frame


def test_reopened_open_ticket_left_out():
    result = resolution_hours(_tickets())
    # Ticket 2: Tuesday 09:00 to Thursday 11:00 is 8 + 8 + 2 = 18 business
    # hours, ticket 3 one hour, so (18 + 1) / 2.
    assert result.value == pytest.approx(9.5)
    assert result.n == 2
    assert result.excluded["open ticket"] == 1
    # Ticket 1's solve and ticket 2's first solve.
    assert result.excluded["earlier solve of a ticket listed again"] == 2


def test_reopened_open_ticket_followups():
    result = followups_per_ticket(_tickets())
    # Three replies on ticket 2 and one on ticket 3.
    assert result.value == pytest.approx(2.0)
    assert result.n == 2


def test_unsolved_row_with_fewer_replies_older():
    # The unsolved row has fewer replies than the solve, so it is the older
    # one, and ticket 1 counts to its solve after four hours.
    older_open = EXPORTS.replace(b",,2\n", b",,0\n")
    result = resolution_hours(load_file("zendesk.csv", older_open).frame)
    assert result.value == pytest.approx((4 + 18 + 1) / 3)
    assert "open ticket" not in result.excluded
