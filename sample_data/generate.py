"""Generate the built-in demo data set.

The files imitate HubSpot exports of a small German B2B software vendor over
two years: a deals export and the deals' stage history in long form. The
random generator is seeded, so every run writes byte-identical files.

Run ``python sample_data/generate.py`` to rewrite the CSV files next to it.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261204
FIRST_DAY = date(2025, 1, 1)
LAST_DAY = date(2026, 11, 30)
AS_OF = datetime(2026, 11, 30, 18, 0)

OWNERS = {
    # owner: (share of leads, chance to win a decided deal)
    "Anna Becker": (0.26, 0.42),
    "Jonas Weber": (0.22, 0.31),
    "Lena Fischer": (0.20, 0.38),
    "Tobias Wagner": (0.18, 0.24),
    "Miriam Schulz": (0.14, 0.35),
}
PRODUCTS = {"CRM Starter": 4_800, "CRM Professional": 14_400, "CRM Enterprise": 42_000}
SOURCES = ["Website", "Trade fair", "Referral", "LinkedIn", "Cold outreach"]
ACCOUNTS = [
    "Bäckerei Huber GmbH",
    "Müller Logistik AG",
    "Schneider & Söhne KG",
    "Nordlicht Energie GmbH",
    "Alpenblick Hotels",
    "Rheinwerk Maschinenbau",
    "Stadtwerke Emsland",
    "Kaiser Dental GmbH",
    "Fränkische Brauhaus AG",
    "Hanse Consulting",
    "Weber Elektrotechnik",
    "Grünwald Gartenbau",
    "Spreeblick Medien",
    "Isar Immobilien GmbH",
    "Bodensee Reisen",
    "Zahnrad Automotive",
    "Elbe Pharma KG",
    "Schwarzwald Holzbau",
    "Moselwein Handel",
    "Ruhr Steel Services",
]
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


def main() -> None:
    rng = random.Random(SEED)
    deals, history = _generate(rng)
    _write(HERE / "deals.csv", DEAL_HEADER, deals)
    _write(HERE / "stage_history.csv", HISTORY_HEADER, history)


def _generate(rng: random.Random) -> tuple[list[list[str]], list[list[str]]]:
    deals: list[list[str]] = []
    history: list[list[str]] = []
    customers: set[str] = set()
    day = FIRST_DAY
    record_id = 31_000_000
    while day <= LAST_DAY:
        # About 1.3 new deals per working day, more in spring and autumn.
        seasonal = 1.0 + 0.35 * (day.month in (3, 4, 5, 9, 10, 11))
        leads = (
            rng.choices([0, 1, 2, 3], weights=[3, 4, 2, 1])[0]
            if day.weekday() < 5
            else 0
        )
        for _ in range(round(leads * seasonal)):
            record_id += 1
            deal, steps = _deal(rng, record_id, day, customers)
            deals.append(deal)
            history.extend(steps)
        day += timedelta(days=1)
    return deals, history


def _deal(
    rng: random.Random, record_id: int, created: date, customers: set[str]
) -> tuple[list[str], list[list[str]]]:
    owner = rng.choices(list(OWNERS), weights=[v[0] for v in OWNERS.values()])[0]
    product = rng.choices(list(PRODUCTS), weights=[5, 3, 1])[0]
    account = rng.choice(ACCOUNTS)
    deal_type = "Existing Business" if account in customers else "New Business"
    amount = round(PRODUCTS[product] * rng.uniform(0.8, 1.25), -1)
    entered = _working_time(rng, created)
    steps = [[str(record_id), OPEN_STAGES[0], _stamp(entered)]]
    stage_index = 0
    outcome = None
    while outcome is None:
        days = max(1, round(rng.expovariate(1 / STAGE_DAYS[stage_index])))
        entered = _working_time(rng, entered.date() + timedelta(days=days))
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
            [str(record_id), outcome or OPEN_STAGES[stage_index], _stamp(entered)]
        )
    if outcome == WON:
        customers.add(account)
    stage = outcome or OPEN_STAGES[stage_index]
    closed = entered.date().isoformat() if outcome else ""
    deal = [
        str(record_id),
        f"{account} - {product}",
        stage,
        f"{amount:.2f}",
        "EUR",
        created.isoformat(),
        closed,
        owner,
        "Sales Pipeline",
        deal_type,
        account,
        product,
        rng.choices(SOURCES, weights=[5, 2, 2, 3, 2])[0],
    ]
    return deal, steps


def _working_time(rng: random.Random, day: date) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.choice([0, 15, 30, 45])))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    main()
