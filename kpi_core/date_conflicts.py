"""Rows whose two dates contradict each other, found when a file is imported.

Such rows are tickets solved before they were created, won or lost deals
closed before they were created or before their first contact, and
subscriptions that ended, or were canceled, before they started. They
usually mean that two columns were mapped the wrong way round or that the
export is broken. The import keeps these rows, because the KPIs that need
only one of the dates can still use them, and each KPI that needs both
leaves them out and counts them. The rules here are the ones those KPIs
apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from kpi_core.business_hours import WorkingTime, calendar_hours_between
from kpi_core.formatting import format_share
from kpi_core.mapping import Mapping
from kpi_core.sales_tables import DECIDED, FIRST_CONTACT
from kpi_core.subscription_data import (
    cancel_ends,
    canceled_before_started,
    ended_before_started,
)

# The column of the file line that ``prepare_table`` keeps with every row.
LINE = "_line"
_LINES_SHOWN = 10
_WALL = pl.Datetime("us")
_PLURAL = ("these rows", "They stay", "them")


@dataclass(frozen=True)
class DateConflict:
    """The rows of one table whose ``end`` date comes before their ``start``
    date, with the file lines they are on."""

    start: str
    end: str
    start_column: str
    end_column: str
    population: str
    wording: str
    count: int
    dated: int
    lines: tuple[int, ...]

    @property
    def share(self) -> float:
        """The conflicting rows in percent of the rows with both dates."""
        return self.count / self.dated * 100

    def describe(self) -> str:
        """Write the conflict as a sentence for the Data page and the report."""
        lines = ", ".join(str(line) for line in self.lines[:_LINES_SHOWN])
        if self.count > _LINES_SHOWN:
            lines += f" and {self.count - _LINES_SHOWN:,} more"
        single = self.count == 1
        where = f"{'line' if single else 'lines'} {lines}"
        rows, stay, them = ("this row", "It stays", "it") if single else _PLURAL
        share = format_share(self.share)
        return (
            f"{self.wording}: {self.count:,} of the {self.dated:,} "
            f"{self.population} ({share} %), on {where}. In {rows} "
            f"{self.end_column!r} ({self.end}) is before {self.start_column!r} "
            f"({self.start}). {stay} stored, and each KPI that needs both dates "
            f"leaves {them} out. Check that the two columns are mapped the right "
            "way round, or correct the dates in the file"
        )


@dataclass(frozen=True)
class _Rule:
    start: str
    end: str
    population: str
    wording: str
    # Flags the rows whose end comes before their start, among rows with
    # both dates.
    reversed: Callable[[], pl.Expr]
    # Selects the rows of a frame that the KPIs measure from start to end.
    measured: Callable[[pl.DataFrame], pl.Expr] = lambda _frame: pl.lit(True)
    # Selects the rows with both dates that ``reversed`` may flag. The others
    # are known to be in order, which spares a slow ``reversed``. A cheap
    # ``reversed`` is its own candidate rule.
    candidates: Callable[[], pl.Expr] | None = None


def _solved_before_created() -> pl.Expr:
    # Time to resolution leaves out a ticket whose elapsed hours are null,
    # which they are when the solve time lies before the creation time. The
    # import does not know the working time zone chosen on the Service page,
    # so it reads the times in the default one. NOTE: with another working
    # time zone the two can disagree on times near a clock change.
    created, solved = pl.col("created_at"), pl.col("solved_at")
    return calendar_hours_between(created, solved, WorkingTime().timezone).is_null()


def _solved_soon_after_created() -> pl.Expr:
    # The clock changes of the default time zone (Europe/Berlin) move the
    # wall clock by at most two hours, so a solve three hours or more after
    # the creation on the wall clock is in order. Checking every ticket in
    # the time zone took 0.8 s for a million tickets on two cores.
    created, solved = pl.col("created_at").cast(_WALL), pl.col("solved_at").cast(_WALL)
    return solved < created + pl.duration(hours=3)


def _closed_before(start: str) -> Callable[[], pl.Expr]:
    # The sales-cycle length leaves out a won or lost deal that closed on a
    # calendar day before its start.
    return lambda: pl.col("closed_at").cast(pl.Date) < pl.col(start).cast(pl.Date)


_RULES = {
    "tickets": (
        _Rule(
            start="created_at",
            end="solved_at",
            population="tickets with both dates",
            wording="Tickets solved before they were created",
            reversed=_solved_before_created,
            candidates=_solved_soon_after_created,
        ),
    ),
    "deals": (
        _Rule(
            start="created_at",
            end="closed_at",
            population="won or lost deals with both dates",
            wording="Deals closed before they were created",
            # NOTE: a deal with a first contact on or before its close date
            # is named here too, although the sales cycle measures it from
            # that first contact and keeps it.
            reversed=_closed_before("created_at"),
            measured=lambda _frame: DECIDED,
        ),
        _Rule(
            start=FIRST_CONTACT,
            end="closed_at",
            population="won or lost deals with a first contact and a close date",
            wording="Deals closed before their first contact",
            reversed=_closed_before(FIRST_CONTACT),
            measured=lambda _frame: DECIDED,
        ),
    ),
    # The KPIs end a subscription at its end date, else at its cancel date
    # (``cancel_ends``), and leave it out when that end is before the start.
    "subscriptions": (
        _Rule(
            start="started_at",
            end="ended_at",
            population="subscriptions with both dates",
            wording="Subscriptions that ended before they started",
            reversed=ended_before_started,
        ),
        _Rule(
            start="started_at",
            end="canceled_at",
            population="subscriptions that end on their cancel date",
            wording="Subscriptions canceled before they started",
            reversed=canceled_before_started,
            measured=cancel_ends,
        ),
    ),
}


def find_date_conflicts(mapping: Mapping, frame: pl.DataFrame) -> list[DateConflict]:
    """Find the rows of a prepared table whose dates contradict each other.

    ``frame`` is the canonical table with its ``_line`` column, as
    ``kpi_core.prepare.prepare_table`` builds it. Returns one conflict per
    rule of the table type that some row breaks, so the list is empty when
    the type has no rule or no row breaks one.
    """
    conflicts = []
    for rule in _RULES.get(mapping.table, ()):
        if {rule.start, rule.end} <= set(frame.columns):
            conflict = _conflict(rule, mapping, frame)
            if conflict is not None:
                conflicts.append(conflict)
    return conflicts


def _conflict(
    rule: _Rule, mapping: Mapping, frame: pl.DataFrame
) -> DateConflict | None:
    both = pl.col(rule.start).is_not_null() & pl.col(rule.end).is_not_null()
    scope = rule.measured(frame) & both
    # Two passes that keep only counts and the few suspect rows, because a
    # copy of the dated rows added 50 MB to the import of a million tickets.
    dated = frame.lazy().select(scope.sum()).collect().item()
    candidates = rule.candidates or rule.reversed
    suspects = (
        frame.lazy()
        .filter(scope & candidates())
        .select(LINE, rule.start, rule.end)
        .collect()
    )
    lines = suspects.filter(rule.reversed())[LINE]
    if lines.is_empty():
        return None
    return DateConflict(
        start=rule.start,
        end=rule.end,
        start_column=mapping.columns.get(rule.start) or rule.start,
        end_column=mapping.columns.get(rule.end) or rule.end,
        population=rule.population,
        wording=rule.wording,
        count=lines.len(),
        dated=dated,
        lines=tuple(lines.to_list()),
    )
