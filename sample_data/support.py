"""Zendesk-style tickets and the message log of each ticket.

Customers write in by email, web form, phone and chat. The desk works
Monday to Friday 09:00-17:00 outside German public holidays, so solve
times are drawn in business minutes. Late hardware shipments from
``sample_data.orders`` come in as "Late delivery" complaints, mostly by
phone. After the logistics change in April 2026 there are fewer of them,
and a smaller share comes by phone. Some tickets are reopened by a customer
reply after their first solve, and the tickets still being worked on at the
as-of time are open, with no solve time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sample_data.accounts import Account
from sample_data.billing import CustomerBase
from sample_data.orders import LOGISTICS_CHANGE, Order
from sample_data.timeline import (
    AS_OF,
    FIRST_DAY,
    LAST_DAY,
    add_business_minutes,
    days_between,
    is_working_day,
    moment_on,
    poisson,
    stamp_seconds,
)

# Agent: factor on the time to solve. Felix Neumann is the slow one.
AGENTS = {
    "Sabine Koch": 0.85,
    "Markus Richter": 1.0,
    "Julia Hoffmann": 0.9,
    "Felix Neumann": 1.45,
    "Elif Yilmaz": 1.05,
}
LATE_DELIVERY = "Late delivery"
# Category: (weight, median business hours to solve, Zendesk ticket type).
# Late deliveries come from the orders, not from the weights.
CATEGORIES = {
    "How-to question": (30, 3.0, "Question"),
    "Login problem": (12, 2.0, "Incident"),
    "Data import": (12, 9.0, "Problem"),
    "Bug report": (10, 14.0, "Incident"),
    "Billing": (10, 5.0, "Question"),
    "Feature request": (6, 6.0, "Task"),
    LATE_DELIVERY: (0, 10.0, "Incident"),
}
CHANNELS = {"Email": 45, "Web form": 25, "Phone": 18, "Chat": 12}
PRIORITIES = {"Low": 15, "Normal": 60, "High": 20, "Urgent": 5}
# Tickets per active customer on a working day. Other days bring
# WEEKEND_SHARE of that, by email only.
TICKET_RATE = 0.03
WEEKEND_SHARE = 0.15
REOPEN_SHARE = 0.07
# Share of late-delivery complaints made by phone, before and after the
# logistics change.
PHONE_SHARE_BEFORE, PHONE_SHARE_AFTER = 0.65, 0.5
# Category: share of its tickets put on hold before the solving reply, to
# wait for a release or the logistics partner, and the working days they wait.
HOLDS = {
    "Feature request": (0.3, (3, 25)),
    "Bug report": (0.15, (2, 10)),
    LATE_DELIVERY: (0.15, (2, 6)),
}
# A solved ticket is set to Closed this long after its solve, as a helpdesk
# automation would do.
CLOSE_AFTER = timedelta(days=4)
MESSAGE_CHANNELS = {
    "Email": "email",
    "Web form": "web",
    "Phone": "phone",
    "Chat": "chat",
}

# NOTE: Zendesk puts custom fields such as "Category [list]" after its own
# columns. The category comes before "Ticket type" here because the importer
# maps the first header, in file order, that matches an alias exactly, and
# "Ticket type" is an alias of the category too.
TICKET_HEADER = [
    "Id",
    "Requester",
    "Requester email",
    "Organization",
    "Assignee",
    "Group",
    "Status",
    "Priority",
    "Via",
    "Category [list]",
    "Ticket type",
    "Created at",
    "Updated at",
    "Solved at",
    "Reopens",
    "Replies",
]
MESSAGE_HEADER = ["Ticket ID", "Comment ID", "Author role", "Channel", "Timestamp"]


@dataclass
class _Ticket:
    """A ticket's facts and its events up to the as-of time, in time order:
    (moment, kind) with kind "customer", "agent", "solve" or "reopen"."""

    created: datetime
    requester: tuple[str, str, str]
    agent: str
    channel: str
    category: str
    priority: str
    on_hold: bool
    events: list[tuple[datetime, str]] = field(default_factory=list)


def generate_tickets(
    rng: random.Random, customers: CustomerBase, orders: list[Order]
) -> tuple[list[list[str]], list[list[str]]]:
    """Return the ticket rows and the message rows, by creation time."""
    complaints = _late_delivery_days(rng, orders)
    tickets: list[_Ticket] = []
    for day in days_between(FIRST_DAY, LAST_DAY):
        active = customers.active_on(day)
        rate = TICKET_RATE if is_working_day(day) else TICKET_RATE * WEEKEND_SHARE
        for _ in range(poisson(rng, rate * len(active))):
            tickets.append(_regular_ticket(rng, day, rng.choice(active)))
        for order in complaints.get(day, []):
            tickets.append(_complaint(rng, day, order))
    # A ticket created after the as-of time has no event yet.
    tickets = sorted(
        (ticket for ticket in tickets if ticket.events),
        key=lambda ticket: ticket.created,
    )

    ticket_rows, message_rows = [], []
    for number, ticket in enumerate(tickets, start=48_213):
        ticket_rows.append(_ticket_row(number, ticket))
        message_rows.extend(
            _message_rows(number, ticket, 5_100_000 + len(message_rows))
        )
    return ticket_rows, message_rows


def _late_delivery_days(
    rng: random.Random, orders: list[Order]
) -> dict[date, list[Order]]:
    """Return the late orders by the working day the customer complains."""
    days: dict[date, list[Order]] = {}
    for order in orders:
        complained = order.ordered + timedelta(days=rng.randint(6, 14))
        while not is_working_day(complained):
            complained += timedelta(days=1)
        if order.late and complained <= LAST_DAY:
            days.setdefault(complained, []).append(order)
    return days


def _regular_ticket(rng: random.Random, day: date, account: Account) -> _Ticket:
    names = list(CATEGORIES)
    weights = [spec[0] for spec in CATEGORIES.values()]
    category = rng.choices(names, weights)[0]
    channel = rng.choices(list(CHANNELS), list(CHANNELS.values()))[0]
    if not is_working_day(day):
        channel = "Email"
    return _ticket(rng, day, account, channel, category)


def _complaint(rng: random.Random, day: date, order: Order) -> _Ticket:
    phone_share = PHONE_SHARE_AFTER if day >= LOGISTICS_CHANGE else PHONE_SHARE_BEFORE
    channel = "Phone" if rng.random() < phone_share else "Email"
    return _ticket(rng, day, order.account, channel, LATE_DELIVERY)


def _ticket(
    rng: random.Random, day: date, account: Account, channel: str, category: str
) -> _Ticket:
    live = channel in ("Phone", "Chat")
    created = moment_on(rng, day, 8, 16) if live else moment_on(rng, day, 6, 22)
    contact = rng.choice(account.contacts)
    hold_minutes = 0.0
    share, (fewest, most) = HOLDS.get(category, (0.0, (0, 0)))
    if rng.random() < share:
        hold_minutes = rng.randint(fewest, most) * 8 * 60.0
    ticket = _Ticket(
        created=created,
        requester=(contact.name, contact.email, account.name),
        agent=rng.choice(list(AGENTS)),
        channel=channel,
        category=category,
        priority=rng.choices(list(PRIORITIES), list(PRIORITIES.values()))[0],
        on_hold=hold_minutes > 0,
    )
    events = _events(rng, ticket, hold_minutes)
    ticket.events = [event for event in events if event[0] <= AS_OF]
    return ticket


def _events(
    rng: random.Random, ticket: _Ticket, hold_minutes: float
) -> list[tuple[datetime, str]]:
    """Draw the customer's message, the agent replies, the solve and, for a
    reopened ticket, the customer's reply and a second round. A ticket on
    hold waits ``hold_minutes`` of working time before its solving reply."""
    median_hours = CATEGORIES[ticket.category][1] * AGENTS[ticket.agent]
    minutes = min(2_400.0, max(10.0, median_hours * 60 * rng.lognormvariate(0, 0.8)))
    replies = (
        1 if ticket.channel == "Chat" else 1 + poisson(rng, min(3.0, minutes / 360))
    )
    events = [(ticket.created, "customer")]
    events += _round(rng, ticket.created, minutes, replies, hold_minutes)
    if rng.random() < REOPEN_SHARE:
        first_solve = events[-1][0]
        reopened = first_solve + timedelta(minutes=rng.randint(120, 4_320))
        events += [(reopened, "customer"), (reopened, "reopen")]
        second_round = minutes * 0.4 + 30
        events += _round(rng, reopened, second_round, 1 + poisson(rng, 0.5), 0.0)
    return sorted(events, key=lambda event: event[0])


def _round(
    rng: random.Random, start: datetime, minutes: float, replies: int, hold: float
) -> list[tuple[datetime, str]]:
    """Spread agent replies over ``minutes`` of working time from ``start``.
    The last one comes ``hold`` minutes later still and solves the ticket. A
    customer replies to some of the others."""
    sent = [
        add_business_minutes(start, minutes * index / replies)
        for index in range(1, replies)
    ]
    sent.append(add_business_minutes(start, minutes + hold))
    events = []
    for reply, next_reply in zip(sent, sent[1:], strict=False):
        events.append((reply, "agent"))
        if rng.random() < 0.6:
            response = reply + timedelta(minutes=rng.randint(5, 90))
            events.append((min(response, next_reply), "customer"))
    return [*events, (sent[-1], "agent"), (sent[-1], "solve")]


def _ticket_row(number: int, ticket: _Ticket) -> list[str]:
    kinds = [kind for _moment, kind in ticket.events]
    solves = [moment for moment, kind in ticket.events if kind == "solve"]
    solved = solves[-1] if kinds[-1] == "solve" else None
    status = _status(ticket, solved)
    name, email, organization = ticket.requester
    return [
        str(number),
        name,
        email,
        organization,
        "" if status == "New" else ticket.agent,
        "Logistics" if ticket.category == LATE_DELIVERY else "Support",
        status,
        ticket.priority,
        ticket.channel,
        ticket.category,
        CATEGORIES[ticket.category][2],
        stamp_seconds(ticket.created),
        stamp_seconds(ticket.events[-1][0]),
        stamp_seconds(solved) if solved else "",
        str(kinds.count("reopen")),
        str(kinds.count("agent")),
    ]


def _status(ticket: _Ticket, solved: datetime | None) -> str:
    kinds = [kind for _moment, kind in ticket.events]
    if solved is not None:
        return "Closed" if solved <= AS_OF - CLOSE_AFTER else "Solved"
    if "agent" not in kinds:
        return "New"
    if kinds[-1] == "agent":
        return "On-hold" if ticket.on_hold else "Pending"
    return "Open"


def _message_rows(number: int, ticket: _Ticket, first_comment: int) -> list[list[str]]:
    channel = MESSAGE_CHANNELS[ticket.channel]
    rows = []
    for moment, kind in ticket.events:
        if kind not in ("customer", "agent"):
            continue
        role = "agent" if kind == "agent" else "end-user"
        # A conversation goes on by email after the first contact, except
        # in a chat.
        via = channel if not rows or channel == "chat" else "email"
        comment = first_comment + len(rows)
        rows.append([str(number), str(comment), role, via, stamp_seconds(moment)])
    return rows
