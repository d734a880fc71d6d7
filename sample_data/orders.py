"""One-off orders of the customers: telephony hardware and training.

The order export has one row per order, attributed to the campaign that
brought it (UTM source and campaign) or to no campaign when the customer
ordered directly. Some hardware is shipped late, and those orders lead to
the "Late delivery" tickets in ``sample_data.support``. From April 2026 a
new logistics partner ships late less often.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sample_data.accounts import Account
from sample_data.billing import CustomerBase
from sample_data.marketing import CAMPAIGNS, HARDWARE, newsletter_campaign
from sample_data.timeline import (
    FIRST_DAY,
    LAST_DAY,
    days_between,
    is_working_day,
    poisson,
)

# Product: (unit price in EUR, smallest and largest quantity, weight).
PRODUCTS = {
    "Headset bundle": (89.0, (2, 6), 8),
    "Desk phone CTI": (229.0, (1, 4), 5),
    "Online training seat": (190.0, (2, 8), 2),
    "Admin training day": (980.0, (1, 2), 1),
    "Onboarding workshop": (1_450.0, (1, 1), 1),
}
# Orders per working day and active customer.
ORDER_RATE = 0.018
# Shares of the orders attributed to the newsletter and to a running
# campaign that advertises the product. The rest are direct orders.
NEWSLETTER_SHARE = 0.2
CAMPAIGN_SHARE = 0.2
LOGISTICS_CHANGE = date(2026, 4, 1)
LATE_SHARE_BEFORE, LATE_SHARE_AFTER = 0.25, 0.1

ORDER_HEADER = [
    "Order ID",
    "Order date",
    "Customer ID",
    "Customer Name",
    "Product",
    "Quantity",
    "Total",
    "Currency",
    "Channel",
    "utm_source",
    "utm_campaign",
]


@dataclass(frozen=True)
class Order:
    order_id: str
    account: Account
    ordered: date
    product: str
    late: bool


def generate_orders(
    rng: random.Random, customers: CustomerBase
) -> tuple[list[list[str]], list[Order]]:
    """Return the export rows and the orders, in order date order."""
    rows: list[list[str]] = []
    orders: list[Order] = []
    for day in days_between(FIRST_DAY, LAST_DAY):
        if not is_working_day(day):
            continue
        active = customers.active_on(day)
        for _ in range(poisson(rng, ORDER_RATE * len(active))):
            order_id = f"SO-{len(orders) + 10_001}"
            order, row = _order(rng, order_id, rng.choice(active), day)
            orders.append(order)
            rows.append(row)
    return rows, orders


def _order(
    rng: random.Random, order_id: str, account: Account, day: date
) -> tuple[Order, list[str]]:
    names, specs = list(PRODUCTS), list(PRODUCTS.values())
    product = rng.choices(names, weights=[spec[2] for spec in specs])[0]
    price, (low, high), _weight = PRODUCTS[product]
    quantity = rng.randint(low, high)
    channel, source, campaign = _attribution(rng, product, day)
    late_share = LATE_SHARE_BEFORE if day < LOGISTICS_CHANGE else LATE_SHARE_AFTER
    late = product in HARDWARE and rng.random() < late_share
    row = [
        order_id,
        day.isoformat(),
        account.customer_id,
        account.name,
        product,
        str(quantity),
        f"{price * quantity:.2f}",
        "EUR",
        channel,
        source,
        campaign,
    ]
    return Order(order_id, account, day, product, late), row


def _attribution(rng: random.Random, product: str, day: date) -> tuple[str, str, str]:
    """Return channel, UTM source and campaign. A direct order has no source
    and no campaign."""
    draw = rng.random()
    if draw < NEWSLETTER_SHARE:
        return "Email", "newsletter", newsletter_campaign(day)
    running = [c for c in CAMPAIGNS if c.runs_on(day) and product in c.products]
    if running and draw < NEWSLETTER_SHARE + CAMPAIGN_SHARE:
        campaign = rng.choice(running)
        return campaign.channel, campaign.source, campaign.name
    return "Direct", "", ""
