"""Reporting periods and time grains shared by every KPI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from kpi_core.errors import InvalidSettingError

GRAINS = {"week": "1w", "month": "1mo", "quarter": "1q", "year": "1y"}


@dataclass(frozen=True)
class Period:
    """An inclusive range of days; ``None`` on a side means unbounded.

    ``Period()`` is "all data": KPIs that need no date then include rows
    without one, while an explicit period leaves such rows out and counts them.
    """

    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise InvalidSettingError(
                f"the period starts on {self.start} after it ends on {self.end}; "
                "swap the two dates"
            )

    @property
    def is_all(self) -> bool:
        return self.start is None and self.end is None

    def contains(self, column: str) -> pl.Expr:
        """Return an expression that is true where the date column lies in the
        period. Null dates give false for an explicit period, true for all data."""
        day = pl.col(column).cast(pl.Date)
        condition = pl.lit(True)
        if self.start is not None:
            condition = condition & (day >= self.start)
        if self.end is not None:
            condition = condition & (day <= self.end)
        if self.is_all:
            return condition
        return condition.fill_null(False)

    def label(self) -> str:
        if self.is_all:
            return "all data"
        start = self.start.isoformat() if self.start else "the first record"
        end = self.end.isoformat() if self.end else "the last record"
        return f"{start} to {end}"


def grain_every(grain: str) -> str:
    """Return the Polars truncation interval for a grain name such as 'month'."""
    try:
        return GRAINS[grain]
    except KeyError:
        raise InvalidSettingError(
            f"unknown time grain {grain!r}; use one of {', '.join(GRAINS)}"
        ) from None
