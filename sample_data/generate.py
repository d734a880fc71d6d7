"""Generate the built-in demo data set.

The files imitate the exports of a small German B2B software vendor that
sells CRM seats by subscription, over the two years to 2026-11-30. They are
HubSpot deals and their stage history, Stripe subscriptions, one-off
orders, a daily ad-spend report, the newsletter's subscribe and unsubscribe
log, Delighted NPS responses, and Zendesk tickets with their messages. The
same accounts run through every table (see ``sample_data.accounts``).

Run ``python -m sample_data.generate`` in the project folder to rewrite the
CSV files in sample_data/, or add ``--out FOLDER`` to write them elsewhere.
Each table draws from its own random generator seeded from SEED, so every
run writes byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from sample_data.accounts import build_accounts
from sample_data.billing import (
    SUBSCRIPTION_HEADER,
    CustomerBase,
    generate_subscriptions,
)
from sample_data.marketing import (
    EMAIL_HEADER,
    SPEND_HEADER,
    generate_email_events,
    generate_spend,
)
from sample_data.orders import ORDER_HEADER, generate_orders
from sample_data.pipeline import DEAL_HEADER, HISTORY_HEADER, generate_pipeline
from sample_data.support import MESSAGE_HEADER, TICKET_HEADER, generate_tickets
from sample_data.surveys import NPS_HEADER, generate_responses

HERE = Path(__file__).resolve().parent
SEED = 20261204
# Each file with the table type the app imports it as.

Table = tuple[list[str], list[list[str]]]


def build_tables() -> dict[str, Table]:
    """Return the header and rows of every file, keyed by file name."""
    accounts = build_accounts(_generator("accounts"))
    pipeline = generate_pipeline(_generator("deals"), accounts)
    subscriptions = generate_subscriptions(
        _generator("subscriptions"), accounts, pipeline.wins
    )
    customers = CustomerBase(subscriptions)
    order_rows, orders = generate_orders(_generator("orders"), customers)
    tickets, messages = generate_tickets(_generator("tickets"), customers, orders)
    return {
        "deals.csv": (DEAL_HEADER, pipeline.deals),
        "stage_history.csv": (HISTORY_HEADER, pipeline.history),
        "subscriptions.csv": (
            SUBSCRIPTION_HEADER,
            [subscription.row() for subscription in subscriptions],
        ),
        "orders.csv": (ORDER_HEADER, order_rows),
        "spend.csv": (SPEND_HEADER, generate_spend(_generator("spend"))),
        "email_events.csv": (
            EMAIL_HEADER,
            generate_email_events(_generator("email"), accounts),
        ),
        "nps.csv": (NPS_HEADER, generate_responses(_generator("nps"), customers)),
        "tickets.csv": (TICKET_HEADER, tickets),
        "ticket_messages.csv": (MESSAGE_HEADER, messages),
    }


def write_sample_files(folder: Path) -> list[Path]:
    """Write every demo file into ``folder``, creating it if needed, and
    return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, (header, rows) in build_tables().items():
        path = folder / file_name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the demo CSV files.")
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE,
        help="folder to write the CSV files into (default: the sample_data folder)",
    )
    arguments = parser.parse_args(argv)
    write_sample_files(arguments.out)


def _generator(table: str) -> random.Random:
    # A string seed is hashed with SHA-512, the same in every Python run.
    return random.Random(f"{SEED}:{table}")


if __name__ == "__main__":
    main()
