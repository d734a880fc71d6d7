"""Write a deterministic CRM data set for the benchmark, as CSV and Parquet.

``--scale 1.0`` gives 1,000,000 HubSpot deals with about 5,000,000 rows of
stage history, 1,000,000 Zendesk tickets, 300,000 Stripe subscription
customers, 2,000,000 Mailchimp-style list events and 200,000 Typeform-style
NPS responses, spread over 2023-2025. The CSV headers are those of the real
exports, so the app maps them the way it maps an upload. The Parquet files
hold the same rows with typed columns, for the plain-Polars floor.

Run ``python benchmarks/generate.py --scale 0.01 /tmp/crm-bench``. The same
scale and seed always give byte-identical files.
"""

from __future__ import annotations

import argparse
import logging
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

log = logging.getLogger(__name__)

DEFAULT_FOLDER = Path("/tmp/crm-bench")
SEED = 20251204
FIRST_DAY = datetime(2023, 1, 1)
AS_OF = datetime(2025, 12, 31, 18, 0)
SPAN_MINUTES = int((AS_OF - FIRST_DAY).total_seconds() // 60)

FULL_SIZE = {
    "deals": 1_000_000,
    "tickets": 1_000_000,
    "subscription_customers": 300_000,
    "email_addresses": 1_610_000,
    "nps": 200_000,
}
# The open stages of HubSpot's default sales pipeline, in order.
OPEN_STAGES = [
    "Appointment scheduled",
    "Qualified to buy",
    "Presentation scheduled",
    "Decision maker bought-in",
    "Contract sent",
]
FIRST_NAMES = ["Anna", "Jonas", "Lena", "Tobias", "Miriam", "Felix", "Sara", "Paul"]
LAST_NAMES = ["Becker", "Weber", "Fischer", "Wagner", "Schulz", "Koch", "Richter"]
SOURCES = ["Organic search", "Paid search", "Referrals", "Email marketing", "Direct"]
NPS_QUESTION = "How likely are you to recommend Acme to a friend or colleague?"
# Date formats as each tool writes them.
MINUTES = "%Y-%m-%d %H:%M"
SECONDS = "%Y-%m-%d %H:%M:%S"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = one million deals"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    generate(args.folder, args.scale)


def generate(folder: Path, scale: float) -> dict[str, int]:
    """Write every table into ``folder``; return the row count per file."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    deals = _deals(rng, _size("deals", scale))
    tables = {
        "deals": deals,
        "stage_history": _stage_history(rng, deals),
        "tickets": _tickets(rng, _size("tickets", scale)),
        "subscriptions": _subscriptions(rng, _size("subscription_customers", scale)),
        "email_events": _email_events(rng, _size("email_addresses", scale)),
        "nps": _nps(rng, _size("nps", scale)),
    }
    counts = {}
    for name, (typed, text) in tables.items():
        typed.write_parquet(folder / f"{name}.parquet")
        text.write_csv(folder / f"{name}.csv")
        counts[name] = typed.height
        log.info("wrote %s: %d rows", name, typed.height)
    return counts


def _size(name: str, scale: float) -> int:
    return max(1, round(FULL_SIZE[name] * scale))


def _minutes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random moments between FIRST_DAY and AS_OF, as datetime64[m]."""
    offsets = rng.integers(0, SPAN_MINUTES, n)
    return np.datetime64(FIRST_DAY, "m") + offsets.astype("timedelta64[m]")


def _wall(moments: np.ndarray) -> pl.Series:
    """Return numpy moments as a naive Datetime("us") series."""
    return pl.Series(moments.astype("datetime64[us]"))


def _label(prefix: str, numbers: pl.Series, suffix: str = "") -> pl.Series:
    """Return text such as "cus_42" for each number."""
    return prefix + numbers.cast(pl.String) + suffix


def _pick(rng: np.random.Generator, values: list[str], n: int, p=None) -> pl.Series:
    return pl.Series(np.asarray(values)[rng.choice(len(values), n, p=p)])


def _people(rng: np.random.Generator, n: int, count: int) -> pl.Series:
    """Names such as "Anna Becker 3" for ``count`` distinct owners or agents."""
    index = pl.Series(rng.integers(0, count, n))
    first = pl.Series(FIRST_NAMES).gather(index % len(FIRST_NAMES))
    last = pl.Series(LAST_NAMES).gather((index // len(FIRST_NAMES)) % len(LAST_NAMES))
    return first + " " + last + " " + (index % 7 + 1).cast(pl.String)


def _text(typed: pl.DataFrame, formats: dict[str, str]) -> pl.DataFrame:
    """Format date columns as the exporting tool does; nulls stay empty."""
    return typed.with_columns(
        pl.col(name).dt.strftime(pattern) for name, pattern in formats.items()
    )


def _deals(rng: np.random.Generator, n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    created = _minutes(rng, n)
    outcome = rng.choice(3, n, p=[0.3, 0.4, 0.3])  # won, lost, open
    cycle = rng.gamma(2.0, 25.0, n).astype("timedelta64[D]")
    closed = created.astype("datetime64[D]") + cycle
    still_open = (outcome == 2) | (closed > np.datetime64(AS_OF, "D"))
    stage_index = rng.integers(0, len(OPEN_STAGES), n)
    stages = np.where(
        still_open,
        np.asarray(OPEN_STAGES)[stage_index],
        np.where(outcome == 0, "Closed won", "Closed lost"),
    )
    amount = np.round(rng.lognormal(9.0, 0.8, n), 2)
    typed = pl.DataFrame(
        {
            "Record ID": pl.int_range(30_000_001, 30_000_001 + n, eager=True),
            "Deal Name": _label("Deal ", pl.int_range(1, n + 1, eager=True)),
            "Deal Stage": stages,
            "Amount": pl.Series(amount).set(pl.Series(rng.random(n) < 0.03), None),
            "Create Date": _wall(created),
            "Close Date": pl.Series(closed)
            .cast(pl.Date)
            .set(pl.Series(still_open), None),
            "Deal owner": _people(rng, n, 56),
            "Pipeline": "Sales Pipeline",
            "Deal Type": _pick(rng, ["New Business", "Existing Business"], n),
            "Associated Company": _label(
                "Company ", pl.Series(rng.integers(1, max(n // 20, 2), n))
            ),
            "Original Source": _pick(rng, SOURCES, n),
        }
    )
    return typed, _text(typed, {"Create Date": MINUTES})


def _stage_history(
    rng: np.random.Generator, deals: tuple[pl.DataFrame, pl.DataFrame]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per stage a deal entered, with some deals going back a stage.

    Won deals pass every open stage, lost and open deals stop earlier. A
    deal that goes back re-enters stages 2 and 3 once (0, 1, 2, 1, 2, 3 ...).
    """
    typed = deals[0]
    n = typed.height
    won = (typed["Deal Stage"] == "Closed won").to_numpy()
    closed = typed["Close Date"].is_not_null().to_numpy()
    reached = np.where(won, 5, rng.integers(2 - (~closed), 6, n))
    goes_back = (reached >= 3) & (rng.random(n) < 0.3)
    visits = reached + 2 * goes_back + closed
    plan = pl.DataFrame(
        {
            "deal": typed["Record ID"],
            "created": typed["Create Date"],
            "closed": typed["Close Date"].cast(pl.Datetime("us")) + timedelta(hours=17),
            "final": typed["Deal Stage"],
            "reached": reached,
            "goes_back": goes_back,
            "visits": visits,
            "closed_flag": closed,
        }
    )
    rows = plan.with_columns(step=pl.int_ranges(0, "visits")).explode("step")
    return _history_rows(rng, rows)


def _history_rows(
    rng: np.random.Generator, rows: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    open_visits = pl.col("visits") - pl.col("closed_flag").cast(pl.Int64)
    stage_number = (
        pl.when(pl.col("goes_back") & (pl.col("step") >= 3))
        .then(pl.col("step") - 2)
        .otherwise(pl.col("step"))
        # The final won or lost row has no open stage; clipping keeps the
        # lookup in range because both branches of the when are evaluated.
        .clip(0, len(OPEN_STAGES) - 1)
    )
    end = pl.coalesce("closed", pl.lit(AS_OF, dtype=pl.Datetime("us")))
    share = (pl.col("step") + pl.col("jitter")) / (open_visits + 0.5)
    entered = pl.col("created") + (end - pl.col("created")) * share
    is_final = pl.col("closed_flag") & (pl.col("step") == pl.col("visits") - 1)
    typed = rows.with_columns(jitter=pl.Series(rng.random(rows.height) * 0.5)).select(
        pl.col("deal").alias("Record ID"),
        pl.when(is_final)
        .then(pl.col("final"))
        .otherwise(pl.lit(pl.Series(OPEN_STAGES)).get(stage_number))
        .alias("Stage"),
        pl.when(is_final)
        .then(pl.col("closed"))
        .otherwise(entered)
        .dt.truncate("1m")
        .alias("Entered at"),
    )
    return typed, _text(typed, {"Entered at": MINUTES})


def _tickets(rng: np.random.Generator, n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    created = _minutes(rng, n).astype("datetime64[s]") + rng.integers(0, 60, n)
    hours = rng.lognormal(2.5, 1.3, n) * 3600
    solved = created + hours.astype("timedelta64[s]")
    is_open = (solved > np.datetime64(AS_OF, "s")) | (rng.random(n) < 0.04)
    status = np.where(
        is_open,
        np.asarray(["new", "open", "pending", "hold"])[rng.integers(0, 4, n)],
        np.where(rng.random(n) < 0.5, "solved", "closed"),
    )
    typed = pl.DataFrame(
        {
            "Id": pl.int_range(1, n + 1, eager=True),
            "Requester": _label("Customer ", pl.Series(rng.integers(1, n, n))),
            "Requester id": pl.Series(rng.integers(10**9, 2 * 10**9, n)),
            "Assignee": _people(rng, n, 80),
            "Group": _pick(rng, ["Support", "Billing", "Technical"], n),
            "Subject": _label("Question about order ", pl.int_range(n, eager=True)),
            "Status": status,
            "Priority": _pick(rng, ["low", "normal", "high", "urgent"], n),
            "Ticket type": _pick(rng, ["question", "incident", "problem", "task"], n),
            "Via": _pick(rng, ["Mail", "Web form", "Chat", "Phone call (incoming)"], n),
            "Created at": _wall(created),
            "Solved at": _wall(solved).set(pl.Series(is_open), None),
            "Replies": pl.Series(rng.poisson(1.5, n) + 1),
            "Reopens": pl.Series((rng.random(n) < 0.05).astype(np.int64)),
        }
    )
    return typed, _text(typed, {"Created at": SECONDS, "Solved at": SECONDS})


def _subscriptions(
    rng: np.random.Generator, customers: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One subscription per customer; a fifth later upgrade to a second one."""
    first = _first_subscriptions(rng, customers)
    upgraders = first.filter(
        pl.Series(rng.random(customers) < 0.2) & pl.col("Canceled At (UTC)").is_null()
    )
    upgrade_day = (
        upgraders["Start Date (UTC)"]
        + pl.Series(rng.integers(30, 700, upgraders.height)).cast(pl.Duration("us"))
        * 86_400_000_000
    )
    upgrade_day = upgrade_day.clip(upper_bound=AS_OF)
    ended = upgraders.with_columns(
        pl.lit("canceled").alias("Status"),
        upgrade_day.alias("Canceled At (UTC)"),
        upgrade_day.alias("Ended At (UTC)"),
    )
    second = upgraders.with_columns(
        pl.concat_str(pl.lit("sub_u"), pl.col("id")).alias("id"),
        pl.lit("Business").alias("Plan"),
        (pl.col("Amount") * 2.5).round(2).alias("Amount"),
        upgrade_day.alias("Created (UTC)"),
        upgrade_day.alias("Start Date (UTC)"),
    )
    unchanged = first.filter(~pl.col("id").is_in(upgraders["id"].implode()))
    typed = pl.concat([unchanged, ended, second]).sort("Start Date (UTC)", "id")
    dates = ["Created (UTC)", "Start Date (UTC)", "Canceled At (UTC)", "Ended At (UTC)"]
    return typed, _text(typed, dict.fromkeys(dates, MINUTES))


def _first_subscriptions(rng: np.random.Generator, customers: int) -> pl.DataFrame:
    start = np.datetime64("2021-01-01T00:00") + rng.integers(
        0, 5 * 365 * 24 * 60, customers
    ).astype("timedelta64[m]")
    lifetime = rng.exponential(40 * 30.4 * 24 * 60, customers).astype("timedelta64[m]")
    end = start + lifetime
    churned = end < np.datetime64(AS_OF, "m")
    yearly = rng.random(customers) < 0.2
    plan_index = rng.choice(2, customers, p=[0.6, 0.4])
    monthly_price = np.asarray([29.0, 79.0])[plan_index]
    return pl.DataFrame(
        {
            "id": _label("sub_", pl.int_range(customers, eager=True)),
            "Customer ID": _label("cus_", pl.int_range(customers, eager=True)),
            "Customer Email": _label(
                "customer", pl.int_range(customers, eager=True), "@example.com"
            ),
            "Plan": np.asarray(["Basic", "Pro"])[plan_index],
            "Quantity": pl.Series(rng.integers(1, 6, customers)),
            "Interval": np.where(yearly, "year", "month"),
            "Amount": np.where(yearly, monthly_price * 10, monthly_price),
            "Currency": "usd",
            "Status": np.where(churned, "canceled", "active"),
            "Created (UTC)": _wall(start),
            "Start Date (UTC)": _wall(start),
            "Canceled At (UTC)": _wall(end).set(pl.Series(~churned), None),
            "Ended At (UTC)": _wall(end).set(pl.Series(~churned), None),
        }
    )


def _email_events(
    rng: np.random.Generator, addresses: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A subscribe per address; a quarter unsubscribe later, 5 % are cleaned."""
    joined = _minutes(rng, addresses).astype("datetime64[s]")
    later = joined + rng.exponential(200 * 86_400, addresses).astype("timedelta64[s]")
    leaves = (rng.random(addresses) < 0.3) & (later < np.datetime64(AS_OF, "s"))
    removal = np.where(rng.random(addresses) < 0.17, "cleaned", "unsubscribe")
    email = _label("user", pl.int_range(addresses, eager=True), "@example.com")
    joins = pl.DataFrame(
        {"Email Address": email, "Action": "subscribe", "Timestamp": _wall(joined)}
    )
    leaving = pl.Series(leaves)
    removals = pl.DataFrame(
        {
            "Email Address": email.filter(leaving),
            "Action": pl.Series(removal).filter(leaving),
            "Timestamp": _wall(later).filter(leaving),
        }
    )
    typed = (
        pl.concat([joins, removals])
        .with_columns(
            pl.col("Timestamp").cast(pl.Datetime("us")),
            pl.lit("Newsletter").alias("List Name"),
        )
        .sort("Timestamp", "Email Address")
    )
    return typed, _text(typed, {"Timestamp": SECONDS})


def _nps(rng: np.random.Generator, n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    started = _minutes(rng, n).astype("datetime64[s]")
    submitted = started + rng.integers(20, 600, n).astype("timedelta64[s]")
    weights = [2, 1, 1, 2, 2, 4, 6, 12, 18, 26, 26]
    scores = rng.choice(11, n, p=np.asarray(weights) / sum(weights))
    reasons = ['Fast support, "great" team', "Too expensive, sadly", "Easy to use"]
    typed = pl.DataFrame(
        {
            "#": _label("r", pl.int_range(n, eager=True)),
            NPS_QUESTION: pl.Series(scores),
            "What is the main reason for your score?": _pick(rng, reasons, n),
            "email": _label(
                "customer", pl.Series(rng.integers(0, n, n)), "@example.com"
            ),
            "plan": _pick(rng, ["Basic", "Pro", "Business"], n),
            "Start Date (UTC)": _wall(started),
            "Submit Date (UTC)": _wall(submitted),
            "Network ID": pl.Series(rng.integers(10**8, 10**9, n)).cast(pl.String),
        }
    )
    dates = {"Start Date (UTC)": SECONDS, "Submit Date (UTC)": SECONDS}
    return typed, _text(typed, dates)


if __name__ == "__main__":
    main()
