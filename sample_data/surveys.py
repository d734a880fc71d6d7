"""Delighted-style NPS responses of the customers' users.

Every quarter an email survey goes to the contacts of the active customers,
and an in-app survey reaches a few users on other days. The 0-10 score
follows the customer's satisfaction, which also makes unhappy customers
cancel sooner in ``sample_data.billing``. "Customer ID" and "Plan" are
person properties that the vendor sends to Delighted with each contact.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sample_data.accounts import Account
from sample_data.billing import CustomerBase
from sample_data.timeline import (
    AS_OF,
    FIRST_DAY,
    LAST_DAY,
    days_between,
    is_working_day,
    moment_on,
    poisson,
    stamp_seconds,
)

SURVEY_MONTHS = (2, 5, 8, 11)
SURVEY_DAY = 10
RESPONSE_SHARE = 0.3
IN_APP_RATE = 0.004  # responses per active customer and working day
# Score = MEAN_SCORE + satisfaction x SATISFACTION_WEIGHT + noise, rounded
# and kept within 0-10, which gives the generated responses an NPS of +33.
MEAN_SCORE = 8.3
SATISFACTION_WEIGHT = 1.4
NOISE = 1.3
COMMENT_SHARE = 0.25
COMMENTS = {
    "promoter": (
        "Our sales team finally has one view of every customer.",
        "Support responses quickly.",
        "Easy to set up for the whole team.",
    ),
    "passive": (
        "Good overall, the reports could be more flexible.",
        "Works well, the mobile app is slow.",
    ),
    "detractor": (
        "The data import keeps failing.",
        "Our headsets arrived two weeks late.",
        "Too expensive for what we use.",
    ),
}
NPS_HEADER = [
    "Response ID",
    "Score",
    "Comment",
    "Created",
    "Channel",
    "Customer ID",
    "Plan",
]


def generate_responses(rng: random.Random, customers: CustomerBase) -> list[list[str]]:
    """Return the responses ordered by time, numbered in that order."""
    responses: list[tuple[datetime, Account, str]] = []
    for day in days_between(FIRST_DAY, LAST_DAY):
        if day.month in SURVEY_MONTHS and day.day == SURVEY_DAY:
            responses += _email_responses(rng, day, customers.active_on(day))
        if is_working_day(day):
            active = customers.active_on(day)
            for _ in range(poisson(rng, IN_APP_RATE * len(active))):
                responses.append(
                    (moment_on(rng, day, 8, 18), rng.choice(active), "In-app")
                )
    responses = sorted(
        (response for response in responses if response[0] <= AS_OF),
        key=lambda response: (response[0], response[1].customer_id),
    )
    numbered = enumerate(responses, start=880_001)
    return [
        _row(rng, response_id, moment, account, channel, customers)
        for response_id, (moment, account, channel) in numbered
    ]


def _email_responses(
    rng: random.Random, sent: date, active: list[Account]
) -> list[tuple[datetime, Account, str]]:
    """Return the responses to the survey emailed on ``sent``. Most come in
    within a few days."""
    responses = []
    for account in active:
        for _contact in account.contacts:
            if rng.random() < RESPONSE_SHARE:
                delay = timedelta(days=min(20.0, rng.expovariate(1 / 3)))
                responded = moment_on(rng, sent, 8, 18) + delay
                responses.append((responded, account, "Email"))
    return responses


def _row(
    rng: random.Random,
    response_id: int,
    moment: datetime,
    account: Account,
    channel: str,
    customers: CustomerBase,
) -> list[str]:
    drawn = MEAN_SCORE + SATISFACTION_WEIGHT * account.satisfaction
    score = min(10, max(0, round(drawn + rng.gauss(0.0, NOISE))))
    comment = ""
    if rng.random() < COMMENT_SHARE:
        comment = rng.choice(COMMENTS[_group(score)])
    return [
        str(response_id),
        str(score),
        comment,
        stamp_seconds(moment),
        channel,
        account.customer_id,
        customers.plan_on(account, moment.date()),
    ]


def _group(score: int) -> str:
    if score >= 9:
        return "promoter"
    return "passive" if score >= 7 else "detractor"
