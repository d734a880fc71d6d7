"""The result object every KPI function returns.

A KPI is either available, with a value, its unit and the counts behind it,
or not available, with a reason in plain words. Undefined results (a zero
denominator, a missing table) are never reported as 0 or NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kpi_core.errors import InputError, InvalidValueError
from kpi_core.formatting import count_noun

SMALL_SAMPLE = 30
# KPIs whose value is a total of the period, such as the sum of the won
# amounts. A total over few rows is still exact, not an estimate from a
# sample, so no small-sample note applies to it.
TOTAL_KPIS = frozenset({"won_value", "arr", "campaign_revenue"})
# The ``extra`` key that marks a money KPI left out for a missing exchange rate.
_RATE_MISSING = "rate_missing"


@dataclass(frozen=True)
class KpiResult:
    """One KPI figure with everything needed to show and explain it.

    ``value`` is a float for scalar KPIs and a dict for KPIs whose value is a
    mapping (stage to median days, campaign to revenue). ``excluded`` maps a
    reason ("open deal, no close date") to the number of rows left out for it,
    or, for a reason in ``excluded_units``, to the number of the things that
    unit names, such as "deal" for the deals still in a stage.
    ``formula`` is the calculation with the user's numbers filled in.
    ``extra`` contains secondary figures such as the median beside a mean.
    ``warnings`` are sentences about a figure that is computed but may
    mislead, such as spend and customers that cover different months.
    ``note`` explains an available value that could surprise, such as a won
    value of 0 because no deal was won in the period.
    """

    key: str
    status: str
    unit: str = ""
    value: Any = None
    numerator: float | None = None
    denominator: float | None = None
    n: int | None = None
    ci95: tuple[float, float] | None = None
    variant: str = ""
    reason: str = ""
    formula: str = ""
    excluded: dict[str, int] = field(default_factory=dict)
    excluded_units: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    note: str = ""

    @property
    def available(self) -> bool:
        return self.status == "ok"

    def left_out(self, reason: str) -> str:
        """Return the count of ``excluded[reason]`` with its unit, as in
        "2 rows" or "1 deal"."""
        return count_noun(self.excluded[reason], self.excluded_units.get(reason, "row"))

    @property
    def rate_missing(self) -> bool:
        """True when the KPI is not available because an amount is in a
        currency without an exchange rate (see ``money_kpi``)."""
        return not self.available and bool(self.extra.get(_RATE_MISSING))

    @property
    def small_sample(self) -> bool:
        """True when the value is an estimate (a rate, mean or ratio) over
        fewer than ``SMALL_SAMPLE`` rows, customers or responses."""
        if not self.available or self.key in TOTAL_KPIS or self.n is None:
            return False
        return self.n < SMALL_SAMPLE

    def to_json(self) -> dict[str, Any]:
        """Return the result in the shape of the machine-readable report."""
        if not self.available:
            out: dict[str, Any] = {"status": self.status, "reason": self.reason}
            if self.excluded:
                out["excluded"] = dict(self.excluded)
            if self.excluded_units:
                out["excluded_units"] = dict(self.excluded_units)
            return out
        out = {"status": "ok", "value": _round(self.value), "unit": self.unit}
        for name in ("numerator", "denominator", "n"):
            number = getattr(self, name)
            if number is not None:
                out[name] = _round(number)
        if self.ci95 is not None:
            out["ci95"] = [_round(self.ci95[0]), _round(self.ci95[1])]
        if self.variant:
            out["variant"] = self.variant
        if self.excluded:
            out["excluded"] = dict(self.excluded)
        if self.excluded_units:
            out["excluded_units"] = dict(self.excluded_units)
        for name, extra_value in self.extra.items():
            out[name] = _round(extra_value)
        if self.warnings:
            out["warnings"] = list(self.warnings)
        if self.note:
            out["note"] = self.note
        return out


def not_available(key: str, reason: str, **details: Any) -> KpiResult:
    """Build the result for a KPI the data cannot support, with the reason."""
    return KpiResult(key=key, status="not_available", reason=reason, **details)


def is_missing_rate(error: InputError) -> bool:
    """Return True when ``error`` is the one ``kpi_core.money`` raises for an
    amount in a currency without an exchange rate."""
    # kpi_core.money raises InvalidValueError on the currency column only then.
    return isinstance(error, InvalidValueError) and error.column == "currency"


def money_kpi(key: str, compute: Callable[[], KpiResult]) -> KpiResult:
    """Return ``compute()``, or a "not available" result for ``key`` when an
    amount it needs is in a currency without an exchange rate.

    The reason is the conversion error's message, which names the rate to
    give, and the result's ``rate_missing`` is True. Other errors propagate.
    So one money KPI without its rate leaves the other KPIs of a set intact.
    """
    try:
        return compute()
    except InvalidValueError as error:
        if not is_missing_rate(error):
            raise
        return not_available(key, error.detail, extra={_RATE_MISSING: True})


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {name: _round(item) for name, item in value.items()}
    return value
