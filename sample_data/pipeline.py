"""HubSpot-style deals and the stage history of each deal.

The deals export has one row per deal, and the stage history has one row
per stage a deal entered. A deal for an account that is a customer on the
day the deal is created is "Existing Business": an upsell of more seats, a
higher plan or an add-on. The other deals are "New Business". The won deals
drive the subscriptions in ``sample_data.billing``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sample_data.accounts import Account
from sample_data.timeline import (
    AS_OF,
    FIRST_DAY,
    LAST_DAY,
    days_between,
    stamp,
    working_time,
)

OWNERS = {
    # owner: (share of leads, chance to win a decided deal)
    "Anna Becker": (0.26, 0.42),
    "Jonas Weber": (0.22, 0.31),
    "Lena Fischer": (0.20, 0.38),
    "Tobias Wagner": (0.18, 0.24),
    "Miriam Schulz": (0.14, 0.35),
}
# List price of a year of each product for a typical number of seats, in EUR.
PRODUCTS = {"CRM Starter": 4_800, "CRM Professional": 14_400, "CRM Enterprise": 42_000}
# Lead sources with their weights. "Google Ads" and "LinkedIn" are spend
# channels too.
SOURCES = {
    "Website": 4,
    "Google Ads": 3,
    "LinkedIn": 3,
    "Trade fair": 2,
    "Referral": 2,
    "Cold outreach": 2,
}
# HubSpot's default sales pipeline, in order.
OPEN_STAGES = [
    "Appointment scheduled",
    "Qualified to buy",
    "Presentation scheduled",
    "Decision maker bought-in",
    "Contract sent",
]
WON, LOST = "Closed won", "Closed lost"
# Mean days a deal stays in each open stage; "Decision maker bought-in" is
# the slow one, so the demo has a visible bottleneck.
STAGE_DAYS = [6, 14, 18, 30, 12]
# Share of new deals that offer an upsell to a current customer, and the
# share of the product's list price such an upsell is worth.
UPSELL_SHARE = 0.3
UPSELL_VALUE = 0.4

DEAL_HEADER = [
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Amount",
    "Currency",
    "Create Date",
    "Close Date",
    "Deal owner",
    "Pipeline",
    "Deal Type",
    "Associated Company",
    "Product",
    "Lead Source",
]
HISTORY_HEADER = ["Record ID", "Stage", "Entered at"]


@dataclass(frozen=True)
class Win:
    """A won deal: the account bought ``product`` for ``amount`` EUR a year."""

    account: Account
    closed: date
    product: str
    amount: float
    source: str


@dataclass(frozen=True)
class Pipeline:
    deals: list[list[str]]
    history: list[list[str]]
    wins: list[Win]


def generate_pipeline(rng: random.Random, accounts: list[Account]) -> Pipeline:
    """Generate about 1.3 deals per working day, more in spring and autumn,
    and walk each through the pipeline."""
    customers = [account for account in accounts if account.is_customer_at_start]
    # Former customers who left before 2025 get no new deals.
    prospects = [account for account in accounts if not account.customer_since]
    pending: list[Win] = []
    deals: list[list[str]] = []
    history: list[list[str]] = []
    wins: list[Win] = []
    record_id = 31_000_000
    for day in days_between(FIRST_DAY, LAST_DAY):
        pending = _close_won(day, pending, customers, prospects)
        seasonal = 1.0 + 0.35 * (day.month in (3, 4, 5, 9, 10, 11))
        leads = (
            rng.choices([0, 1, 2, 3], weights=[3, 4, 2, 1])[0]
            if day.weekday() < 5
            else 0
        )
        for _ in range(round(leads * seasonal)):
            record_id += 1
            existing = rng.random() < UPSELL_SHARE
            account = rng.choice(customers if existing else prospects)
            deal, steps, win = _deal(rng, record_id, day, account, existing)
            deals.append(deal)
            history.extend(steps)
            if win is not None:
                pending.append(win)
                wins.append(win)
    return Pipeline(deals, history, wins)


def _close_won(
    day: date, pending: list[Win], customers: list[Account], prospects: list[Account]
) -> list[Win]:
    """Turn the accounts of wins closed before ``day`` into customers and
    return the wins still to close."""
    for win in pending:
        if win.closed < day and win.account in prospects:
            prospects.remove(win.account)
            customers.append(win.account)
    return [win for win in pending if win.closed >= day]


def _deal(
    rng: random.Random, record_id: int, created: date, account: Account, existing: bool
) -> tuple[list[str], list[list[str]], Win | None]:
    owner = rng.choices(list(OWNERS), weights=[v[0] for v in OWNERS.values()])[0]
    product = rng.choices(list(PRODUCTS), weights=[5, 3, 1])[0]
    share = UPSELL_VALUE if existing else 1.0
    amount = round(PRODUCTS[product] * share * rng.uniform(0.8, 1.25), -1)
    outcome, stage, steps = _stages(rng, record_id, created, owner)
    source = rng.choices(list(SOURCES), weights=list(SOURCES.values()))[0]
    closed = steps[-1][2][:10] if outcome else ""
    deal = [
        str(record_id),
        f"{account.name} - {product}",
        stage,
        f"{amount:.2f}",
        "EUR",
        created.isoformat(),
        closed,
        owner,
        "Sales Pipeline",
        "Existing Business" if existing else "New Business",
        account.name,
        product,
        source,
    ]
    win = None
    if outcome == WON:
        win = Win(account, date.fromisoformat(closed), product, amount, source)
    return deal, steps, win


def _stages(
    rng: random.Random, record_id: int, created: date, owner: str
) -> tuple[str | None, str, list[list[str]]]:
    """Walk a deal through the pipeline up to a decision or the as-of time.

    Returns the outcome (WON, LOST or None while open), the current stage
    and the stage history rows.
    """
    entered = working_time(rng, created)
    steps = [[str(record_id), OPEN_STAGES[0], stamp(entered)]]
    stage_index = 0
    outcome = None
    while outcome is None:
        days = max(1, round(rng.expovariate(1 / STAGE_DAYS[stage_index])))
        entered = working_time(rng, entered.date() + timedelta(days=days))
        if entered > AS_OF:
            break
        if rng.random() < 0.08 + 0.02 * stage_index:
            outcome = LOST
        elif stage_index == len(OPEN_STAGES) - 1:
            outcome = WON if rng.random() < OWNERS[owner][1] * 1.9 else LOST
        elif stage_index > 0 and rng.random() < 0.05:
            # A deal that goes back a stage, as happens after a failed demo.
            stage_index -= 1
        elif rng.random() < 0.1 and stage_index + 2 < len(OPEN_STAGES):
            stage_index += 2  # a skipped stage
        else:
            stage_index += 1
        steps.append(
            [str(record_id), outcome or OPEN_STAGES[stage_index], stamp(entered)]
        )
    return outcome, outcome or OPEN_STAGES[stage_index], steps
