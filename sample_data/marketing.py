"""Ad spend per campaign and day, and the newsletter's subscription log.

The spend file is a daily cost report across Google Ads, LinkedIn and Meta,
as a marketing team combines the platforms' downloads: Google Ads' column
names plus a Channel column naming the platform. The orders are attributed
to these campaign names, and "Google Ads" and "LinkedIn" are lead sources of
the deals too, so revenue per campaign, ROI and CAC per channel can be
matched.

The email log has one subscribe, unsubscribe or cleaned event per row. The
newsletter is older than the two years, so the log starts with the opt-ins
of the contacts who were on the list on 2025-01-01.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sample_data.accounts import FIRST_NAMES, LAST_NAMES, Account, person_email
from sample_data.timeline import (
    AS_OF,
    FIRST_DAY,
    LAST_DAY,
    days_between,
    moment_on,
    poisson,
    stamp_seconds,
)

HARDWARE = ("Headset bundle", "Desk phone CTI")
TRAINING = ("Online training seat", "Admin training day", "Onboarding workshop")


@dataclass(frozen=True)
class Campaign:
    """A paid campaign: where it runs, its budget in EUR a day, the months of
    the year it runs (all when empty) and the one-off products it advertises
    (none for a campaign that generates sales leads)."""

    name: str
    channel: str
    source: str
    daily_budget: float
    months: tuple[int, ...] = ()
    products: tuple[str, ...] = ()

    def runs_on(self, day: date) -> bool:
        return not self.months or day.month in self.months


CAMPAIGNS = (
    Campaign("Google Search - CRM Software", "Google Ads", "google", 420.0),
    Campaign("Google Search - Zubehör", "Google Ads", "google", 40.0, (), HARDWARE),
    Campaign("Google Search - Schulungen", "Google Ads", "google", 35.0, (), TRAINING),
    Campaign("LinkedIn - Mittelstand CRM", "LinkedIn", "linkedin", 260.0),
    Campaign(
        "LinkedIn - Webinar Onboarding",
        "LinkedIn",
        "linkedin",
        70.0,
        (2, 3, 4, 9, 10, 11),
        TRAINING,
    ),
    Campaign("Meta - Retargeting Zubehör", "Meta Ads", "facebook", 50.0, (), HARDWARE),
    Campaign("Meta - Messe Einladung", "Meta Ads", "facebook", 110.0, (2, 3, 8, 9)),
)
# Cost per click in EUR and clicks per impression, by platform.
CLICK_COSTS = {"Google Ads": 3.2, "LinkedIn": 7.5, "Meta Ads": 0.9}
CLICK_RATES = {"Google Ads": 0.045, "LinkedIn": 0.006, "Meta Ads": 0.012}
SPEND_HEADER = [
    "Day",
    "Campaign",
    "Channel",
    "Currency code",
    "Cost",
    "Impr.",
    "Clicks",
]

EMAIL_HEADER = ["Email Address", "Event", "Timestamp"]
LIST_AT_START = 1_500
# Per day: new subscribers as a share of the list, the chance of each contact
# on it to unsubscribe or to be cleaned after bounces, and the chance of each
# unsubscribed address to subscribe again.
JOIN_RATE = 0.0016
UNSUBSCRIBE_RATE = 0.0004
CLEAN_RATE = 0.00012
RESUBSCRIBE_RATE = 0.0006
_FREE_MAIL = ("example.com", "example.net", "example.org")


def newsletter_campaign(day: date) -> str:
    """Return the name of the newsletter issue sent in the month of ``day``."""
    return f"Newsletter {day:%Y-%m}"


def generate_spend(rng: random.Random) -> list[list[str]]:
    """Return one row per campaign and day it ran; weekends cost less."""
    rows = []
    for day in days_between(FIRST_DAY, LAST_DAY):
        weekend = 0.6 if day.weekday() >= 5 else 1.0
        for campaign in CAMPAIGNS:
            if not campaign.runs_on(day):
                continue
            cost = campaign.daily_budget * weekend * rng.uniform(0.85, 1.1)
            click_cost = CLICK_COSTS[campaign.channel] * rng.uniform(0.8, 1.25)
            clicks = max(1, round(cost / click_cost))
            impressions = round(clicks / CLICK_RATES[campaign.channel])
            rows.append(
                [
                    day.isoformat(),
                    campaign.name,
                    campaign.channel,
                    "EUR",
                    f"{cost:.2f}",
                    str(impressions),
                    str(clicks),
                ]
            )
    return rows


def generate_email_events(
    rng: random.Random, accounts: list[Account]
) -> list[list[str]]:
    """Replay the newsletter list day by day; the list grows a few percent a
    month, faster in the trade-fair seasons of spring and autumn."""
    addresses = _AddressBook(rng, accounts)
    on_list: dict[str, None] = {}
    unsubscribed: dict[str, None] = {}
    rows = []
    for joined in sorted(_earlier_opt_ins(rng)):
        email = addresses.new()
        on_list[email] = None
        rows.append([email, "subscribe", stamp_seconds(joined)])
    for day in days_between(FIRST_DAY, LAST_DAY):
        events = _day_events(rng, day, addresses, list(on_list), list(unsubscribed))
        for moment, email, event in sorted(events):
            if moment > AS_OF:
                continue
            if event == "subscribe":
                on_list[email] = None
                unsubscribed.pop(email, None)
            else:
                del on_list[email]
                if event == "unsubscribe":
                    unsubscribed[email] = None
            rows.append([email, event, stamp_seconds(moment)])
    return rows


def _earlier_opt_ins(rng: random.Random) -> list[datetime]:
    first = date(2021, 1, 1)
    span = (FIRST_DAY - first).days - 1
    return [
        moment_on(rng, first + timedelta(days=rng.randint(0, span)), 6, 22)
        for _ in range(LIST_AT_START)
    ]


def _day_events(
    rng: random.Random,
    day: date,
    addresses: _AddressBook,
    on_list: list[str],
    unsubscribed: list[str],
) -> list[tuple[datetime, str, str]]:
    season = 1.3 if day.month in (3, 4, 5, 9, 10, 11) else 0.9
    size = len(on_list)
    leaving = rng.sample(
        on_list, min(size, poisson(rng, (UNSUBSCRIBE_RATE + CLEAN_RATE) * size))
    )
    returning = rng.sample(
        unsubscribed,
        min(len(unsubscribed), poisson(rng, RESUBSCRIBE_RATE * len(unsubscribed))),
    )
    events = []
    for email in leaving:
        cleaned = rng.random() < CLEAN_RATE / (UNSUBSCRIBE_RATE + CLEAN_RATE)
        event = "cleaned" if cleaned else "unsubscribe"
        events.append((moment_on(rng, day, 6, 22), email, event))
    for email in returning:
        events.append((moment_on(rng, day, 6, 22), email, "subscribe"))
    for _ in range(poisson(rng, JOIN_RATE * season * size)):
        events.append((moment_on(rng, day, 6, 22), addresses.new(), "subscribe"))
    return events


class _AddressBook:
    """A source of email addresses never used before: the customers' and
    prospects' contacts first, then made-up people."""

    def __init__(self, rng: random.Random, accounts: list[Account]) -> None:
        self._rng = rng
        self._contacts = [c.email for a in accounts for c in a.contacts]
        rng.shuffle(self._contacts)
        self._used: set[str] = set()
        # Made-up people use a company domain or, about one time in five, a
        # free-mail domain.
        self._domains = [a.domain for a in accounts] + list(_FREE_MAIL) * 40

    def new(self) -> str:
        while self._contacts:
            email = self._contacts.pop()
            if email not in self._used:
                self._used.add(email)
                return email
        while True:
            first = self._rng.choice(FIRST_NAMES)
            last = self._rng.choice(LAST_NAMES)
            domain = self._rng.choice(self._domains)
            email = person_email(first, f"{last}{self._rng.randint(1, 99)}", domain)
            if email not in self._used:
                self._used.add(email)
                return email
