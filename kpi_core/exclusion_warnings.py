"""Warnings for KPI figures that leave out a large share of their rows
because of a data problem.

A KPI lists the rows it left out per reason in ``KpiResult.excluded``. Most
reasons are ordinary: an open ticket has no resolution time yet. Others
mean the data is broken, such as a ticket solved before it was created.
When those leave out ``WARN_SHARE`` percent or more of the rows a figure is
based on, the figure describes only part of the data, so the pages show a warning
beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kpi_core.followups import NO_REPLY_COUNT, NOT_IN_LOG
from kpi_core.formatting import format_share
from kpi_core.results import KpiResult
from kpi_core.tickets import SOLVED_UNDATED, SOLVED_WITHOUT_ID

# Share of a KPI's rows, in percent, whose loss to data problems is warned
# about. A tenth of the rows is enough to move a mean or a rate visibly.
WARN_SHARE = 10.0


@dataclass(frozen=True)
class _Rows:
    """The rows that ``n`` of a KPI counts and the reasons, among its
    ``excluded`` ones, that are data problems in those same rows, each with
    the fields to check. A ``noun`` of None means the KPI's variant names
    the rows ("won deals", "won and lost deals")."""

    noun: str | None
    problems: dict[str, tuple[str, ...]]


_DATES = ("created_at", "closed_at")
_FIRST_CONTACT_DATES = ("first_contact_at", "closed_at")
# Only KPIs whose n counts the rows that the reasons below leave out are
# listed, so that n plus those rows is the whole. Reasons not listed are
# ordinary (an open deal, a trial) or count rows of every period, such as a
# missing anchor date with an explicit period, which has no share of n.
# NOTE: the subscription KPIs count customers, not the subscription rows
# they leave out, so they are not listed. The Data page names their
# contradicting dates at import.
_KPI_ROWS = {
    "resolution_hours": _Rows(
        "solved tickets",
        {
            "ticket solved before it was created": ("created_at", "solved_at"),
            "solved ticket without a creation date": ("created_at",),
            SOLVED_UNDATED: ("solved_at",),
            SOLVED_WITHOUT_ID: ("ticket_id",),
        },
    ),
    "followups_per_ticket": _Rows(
        "solved tickets",
        {
            NO_REPLY_COUNT: ("replies",),
            NOT_IN_LOG: ("replies",),
            SOLVED_UNDATED: ("solved_at",),
            SOLVED_WITHOUT_ID: ("ticket_id",),
        },
    ),
    "sales_cycle_days": _Rows(
        None,
        {
            "won deal closed before it was created": _DATES,
            "won or lost deal closed before it was created": _DATES,
            "won deal closed before its first contact": _FIRST_CONTACT_DATES,
            "won or lost deal closed before its first contact": _FIRST_CONTACT_DATES,
            "won deal without a creation date": ("created_at",),
            "won or lost deal without a creation date": ("created_at",),
        },
    ),
    "average_deal_size": _Rows(
        "won deals",
        {
            "won deal without an amount": ("amount",),
            "won deal without a currency code": ("currency",),
        },
    ),
    "won_value": _Rows(
        "won deals",
        {
            "won deal without an amount": ("amount",),
            "won deal without a currency code": ("currency",),
        },
    ),
    "nps": _Rows("responses", {"response without a customer id": ("customer_id",)}),
}


def kpi_warnings(kpis: Mapping[str, KpiResult], labels: Mapping[str, str]) -> list[str]:
    """Write the warnings the pages show under the cards of ``labels``: those
    of ``exclusion_warnings``, then each available KPI's own ``warnings``
    after its label."""
    warnings = exclusion_warnings(kpis, labels)
    for key, label in labels.items():
        result = kpis.get(key)
        if result is not None and result.available:
            warnings += [f"{label}: {warning}" for warning in result.warnings]
    return warnings


def exclusion_warnings(
    kpis: Mapping[str, KpiResult], labels: Mapping[str, str]
) -> list[str]:
    """Write a warning for each available KPI in ``labels`` that leaves out
    ``WARN_SHARE`` percent or more of its rows for data problems.

    ``labels`` maps report keys to the names the page shows. The share is
    the rows left out for data problems over those rows plus ``n``, as in
    "Time to resolution leaves out 1,365 of 2,769 solved tickets (49 %)".
    """
    warnings = []
    for key, label in labels.items():
        result = kpis.get(key)
        rows = _KPI_ROWS.get(key)
        if result is None or rows is None or not result.available:
            continue
        warning = _warning(label, result, rows)
        if warning is not None:
            warnings.append(warning)
    return warnings


def _warning(label: str, result: KpiResult, rows: _Rows) -> str | None:
    found = {
        reason: count
        for reason, count in result.excluded.items()
        if reason in rows.problems and count
    }
    left_out = sum(found.values())
    total = left_out + (result.n or 0)
    if not left_out or left_out / total * 100 < WARN_SHARE:
        return None
    noun = rows.noun or result.variant
    if len(found) == 1:
        reasons = next(iter(found))
    else:
        reasons = ", ".join(f"{reason} ({count:,})" for reason, count in found.items())
    fields = sorted({name for reason in found for name in rows.problems[reason]})
    share = format_share(left_out / total * 100)
    return (
        f"{label} leaves out {left_out:,} of {total:,} {noun} ({share} %): "
        f"{reasons}. Check {_mapped(fields)} on the Data page."
    )


def _mapped(fields: list[str]) -> str:
    if len(fields) == 1:
        return f"the column mapped to {fields[0]}"
    return f"the columns mapped to {', '.join(fields[:-1])} and {fields[-1]}"
