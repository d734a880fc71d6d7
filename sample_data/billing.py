"""Stripe-style subscriptions of the vendor's customers.

Every customer has one main subscription to a CRM plan, billed per seat
monthly, quarterly or yearly, and may add the telephony add-on as a second
subscription. An upsell deal either adds the add-on or ends the main
subscription and starts a new one with more seats or a higher plan on the
same day, so that the change is visible in a one-row-per-subscription
export. A cancellation takes effect at the end of the paid period, as
Stripe's "cancel at period end" does, and a few customers come back later.

Customers who joined before 2025-01-01 have subscriptions that started
before then, and those who left before then appear with their cancellation,
as a Stripe export of all subscriptions would show them.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sample_data.accounts import Account, random_id
from sample_data.pipeline import Win
from sample_data.timeline import AS_OF, FIRST_DAY, add_months, moment_on, stamp

# Price of one seat for a month, in EUR. The plans are listed cheapest first,
# because an upsell to a higher plan moves down this list.
SEAT_PRICES = {"CRM Starter": 39.0, "CRM Professional": 59.0, "CRM Enterprise": 79.0}
ADD_ON, ADD_ON_SEAT_PRICE = "CRM Telephony add-on", 12.0
# Billing interval: (months it covers, price factor, share of customers).
# A year is billed with 10 % off.
# NOTE: Stripe bills a quarter as interval "month" with an interval count of
# 3. The export writes "quarter" instead, because the subscriptions table has
# no interval count, and a quarterly price read as monthly would triple MRR.
INTERVALS = {"month": (1, 1.0, 45), "quarter": (3, 1.0, 20), "year": (12, 0.9, 35)}
# Mean months until a customer of average satisfaction cancels.
MEAN_LIFETIME_MONTHS = {"month": 40, "quarter": 54, "year": 66}
TYPICAL_SEATS = {
    "CRM Starter": (5, 15),
    "CRM Professional": (12, 30),
    "CRM Enterprise": (30, 60),
}
# Customers who canceled and later subscribe again without a new deal, from
# those whose subscriptions ended from 2025-01-01 to before COMEBACKS_LEFT_BY.
COMEBACKS = 3
COMEBACKS_LEFT_BY = date(2026, 6, 1)
# Share of add-ons dropped while the main plan runs on (a contraction).
ADD_ON_DROP_SHARE = 0.3
PAST_DUE_SHARE = 0.04

SUBSCRIPTION_HEADER = [
    "id",
    "Customer ID",
    "Customer Name",
    "Customer Email",
    "Status",
    "Created (UTC)",
    "Start Date (UTC)",
    "Canceled At (UTC)",
    "Ended At (UTC)",
    "Plan",
    "Quantity",
    "Amount",
    "Currency",
    "Interval",
]


@dataclass
class Subscription:
    """One subscription. ``ended`` may lie after the as-of time, when the
    customer has canceled for the end of a period still running."""

    subscription_id: str
    account: Account
    plan: str
    seats: int
    interval: str
    started: datetime
    canceled: datetime | None = None
    ended: datetime | None = None
    past_due: bool = False

    @property
    def seat_price(self) -> float:
        """Price of one seat for one billing interval, in EUR."""
        months, factor, _share = INTERVALS[self.interval]
        monthly = ADD_ON_SEAT_PRICE if self.plan == ADD_ON else SEAT_PRICES[self.plan]
        return round(monthly * months * factor, 2)

    @property
    def monthly_revenue(self) -> float:
        return self.seat_price * self.seats / INTERVALS[self.interval][0]

    def runs_on(self, day: date) -> bool:
        """Tell whether the subscription runs at the close of ``day``."""
        started = self.started.date() <= day
        return started and (self.ended is None or day < self.ended.date())

    def row(self) -> list[str]:
        ended = self.ended if self.ended and self.ended <= AS_OF else None
        if ended is not None:
            status = "canceled"
        else:
            status = "past_due" if self.past_due else "active"
        return [
            self.subscription_id,
            self.account.customer_id,
            self.account.name,
            self.account.contacts[0].email,
            status,
            stamp(self.started),
            stamp(self.started),
            stamp(self.canceled) if self.canceled else "",
            stamp(ended) if ended else "",
            self.plan,
            str(self.seats),
            f"{self.seat_price:.2f}",
            "EUR",
            self.interval,
        ]


def generate_subscriptions(
    rng: random.Random, accounts: list[Account], wins: list[Win]
) -> list[Subscription]:
    """Simulate every customer's subscriptions from its first subscription
    or won deal to the as-of time, and return them ordered by creation."""
    wins_by_account: dict[str, list[Win]] = {}
    for win in sorted(wins, key=lambda won: (won.closed, won.account.customer_id)):
        wins_by_account.setdefault(win.account.customer_id, []).append(win)

    subscriptions: list[Subscription] = []
    for account in accounts:
        account_wins = wins_by_account.get(account.customer_id, [])
        if account.canceled:
            former = _existing_subscription(rng, account)
            _cancel(former, datetime.combine(account.canceled, time(15)))
            subscriptions.append(former)
            continue
        if account.customer_since:
            first = _existing_subscription(rng, account)
        elif account_wins:
            first = _new_subscription(rng, account_wins[0])
            account_wins = account_wins[1:]
        else:
            continue
        subscriptions.extend(_lifecycle(rng, first, account_wins))

    subscriptions.extend(_comebacks(rng, subscriptions))
    _drop_some_add_ons(rng, subscriptions)
    for subscription in subscriptions:
        running = subscription.ended is None or subscription.ended > AS_OF
        if running and subscription.interval == "month":
            subscription.past_due = rng.random() < PAST_DUE_SHARE
    return sorted(subscriptions, key=lambda sub: (sub.started, sub.subscription_id))


class CustomerBase:
    """The customers on each day, from their main subscriptions."""

    def __init__(self, subscriptions: list[Subscription]) -> None:
        self._main = [sub for sub in subscriptions if sub.plan != ADD_ON]

    def active_on(self, day: date) -> list[Account]:
        """Return the accounts with a running main plan, in a fixed order."""
        seen: dict[str, Account] = {}
        for sub in self._main:
            if sub.runs_on(day):
                seen.setdefault(sub.account.customer_id, sub.account)
        return list(seen.values())

    def plan_on(self, account: Account, day: date) -> str:
        """Return the account's main plan on ``day``, or its last one."""
        plans = [sub for sub in self._main if sub.account is account]
        running = [sub for sub in plans if sub.runs_on(day)]
        return (running or plans)[-1].plan


def _lifecycle(
    rng: random.Random, first: Subscription, wins: list[Win]
) -> list[Subscription]:
    """Follow one customer through upsells, a cancellation and comebacks."""
    history, running = [first], [first]
    clock = max(first.started, datetime.combine(FIRST_DAY, time(9)))
    queue = list(wins)
    while True:
        churn_at = clock + timedelta(days=rng.expovariate(1 / _mean_days(first)))
        if running and queue and _sold_at(queue[0].closed) <= churn_at:
            win = queue.pop(0)
            clock = _sold_at(win.closed)
            history.append(_upsell(rng, running, win, clock))
            continue
        if running and churn_at <= AS_OF:
            for sub in running:
                _cancel(sub, churn_at)
            running = []
        if running or not queue:
            return history
        # A won deal after the cancellation brings the customer back.
        first = _new_subscription(rng, queue.pop(0))
        history.append(first)
        running, clock = [first], first.started


def _upsell(
    rng: random.Random, running: list[Subscription], win: Win, moment: datetime
) -> Subscription:
    """Apply a won upsell deal to the running subscriptions, in place, and
    return the subscription it starts."""
    main = running[0]
    plans = list(SEAT_PRICES)
    has_add_on = any(sub.plan == ADD_ON for sub in running)
    if plans.index(win.product) > plans.index(main.plan):
        monthly = main.monthly_revenue + win.amount / 12
        seats = max(main.seats, math.ceil(monthly / SEAT_PRICES[win.product]))
        new = _successor(rng, main, win.product, seats, moment)
    elif not has_add_on and rng.random() < 0.5:
        new = _subscription(
            rng, main.account, ADD_ON, main.seats, main.interval, moment
        )
        running.append(new)
        return new
    else:
        extra = max(1, round(win.amount / 12 / SEAT_PRICES[main.plan]))
        new = _successor(rng, main, main.plan, main.seats + extra, moment)
    running[0] = new
    return new


def _successor(
    rng: random.Random, old: Subscription, plan: str, seats: int, moment: datetime
) -> Subscription:
    """End ``old`` at ``moment`` and return its replacement from then on."""
    old.canceled = old.ended = moment
    return _subscription(rng, old.account, plan, seats, old.interval, moment)


def _cancel(sub: Subscription, requested: datetime) -> None:
    """Cancel at the end of the billing period running at ``requested``."""
    months = INTERVALS[sub.interval][0]
    periods = 1
    while add_months(sub.started.date(), periods * months) <= requested.date():
        periods += 1
    end_day = add_months(sub.started.date(), periods * months)
    sub.canceled = requested
    sub.ended = datetime.combine(end_day, sub.started.time())


def _comebacks(
    rng: random.Random, subscriptions: list[Subscription]
) -> list[Subscription]:
    """Return new monthly subscriptions for a few customers who had left."""
    last_by_account: dict[str, Subscription] = {}
    for sub in subscriptions:
        if sub.plan != ADD_ON:
            last_by_account[sub.account.customer_id] = sub
    lapsed = [
        sub
        for sub in last_by_account.values()
        if sub.ended is not None and FIRST_DAY <= sub.ended.date() < COMEBACKS_LEFT_BY
    ]
    comebacks = []
    for last in rng.sample(lapsed, min(COMEBACKS, len(lapsed))):
        start = last.ended + timedelta(days=rng.randint(45, 150))
        comebacks.append(
            _subscription(rng, last.account, last.plan, last.seats, "month", start)
        )
    return comebacks


def _drop_some_add_ons(rng: random.Random, subscriptions: list[Subscription]) -> None:
    for sub in subscriptions:
        still_running = sub.ended is None
        if sub.plan == ADD_ON and still_running and rng.random() < ADD_ON_DROP_SHARE:
            latest = (AS_OF - sub.started).days
            if latest > 60:
                _cancel(sub, sub.started + timedelta(days=rng.randint(60, latest)))


def _existing_subscription(rng: random.Random, account: Account) -> Subscription:
    plan = rng.choices(list(SEAT_PRICES), weights=[5, 3, 1])[0]
    seats = rng.randint(*TYPICAL_SEATS[plan])
    started = moment_on(rng, account.customer_since, 8, 17)
    return _subscription(rng, account, plan, seats, _interval(rng), started)


def _new_subscription(rng: random.Random, win: Win) -> Subscription:
    """Return the subscription a won deal sells to a new or returning
    customer."""
    seats = max(1, round(win.amount / 12 / SEAT_PRICES[win.product]))
    started = _sold_at(win.closed)
    return _subscription(rng, win.account, win.product, seats, _interval(rng), started)


def _subscription(
    rng: random.Random,
    account: Account,
    plan: str,
    seats: int,
    interval: str,
    started: datetime,
) -> Subscription:
    subscription_id = random_id(rng, "sub_", 24)
    return Subscription(subscription_id, account, plan, seats, interval, started)


def _interval(rng: random.Random) -> str:
    weights = [share for _months, _factor, share in INTERVALS.values()]
    return rng.choices(list(INTERVALS), weights=weights)[0]


def _mean_days(sub: Subscription) -> float:
    # Unhappy customers leave sooner. A satisfaction of -1 shortens the mean
    # lifetime to about 0.6 times, +1 lengthens it to about 1.6 times.
    months = MEAN_LIFETIME_MONTHS[sub.interval] * math.exp(
        0.5 * sub.account.satisfaction
    )
    return months * 30.44


def _sold_at(day: date) -> datetime:
    """Return the time a deal closed on ``day`` changes the subscriptions."""
    return datetime.combine(day, time(11))
