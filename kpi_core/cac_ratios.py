"""CLV : CAC and the CAC payback time as results of their own, for the Excel
report's KPI table.

``kpi_core.marketing.cac`` computes both figures into the CAC result's
``extra``, which the Marketing page and the JSON report show. These results
take the figures from there and add the formula with its inputs, or the
reason why a figure is missing.
"""

from __future__ import annotations

from kpi_core.formatting import format_inputs, format_number
from kpi_core.results import KpiResult, not_available

# Report keys of the two figures, as in the CAC result's ``extra``.
CAC_RATIO_KEYS = ("clv_to_cac", "payback_months")
# The table each CLV variant takes its money from.
_CLV_TABLES = {"purchases": "orders", "subscription": "subscriptions"}


def monthly_revenue_per_customer(clv_result: KpiResult | None) -> float | None:
    """Return the revenue per customer and month behind a CLV, for the CAC
    payback: ARPA for subscriptions, purchase value x purchases a year / 12
    for orders."""
    if clv_result is None:
        return None
    extra = clv_result.extra
    if "arpa" in extra:
        return extra["arpa"]
    if "average_purchase_value" in extra and "purchase_frequency" in extra:
        return extra["average_purchase_value"] * extra["purchase_frequency"] / 12
    return None


def cac_ratio_results(
    clv: KpiResult, cac: KpiResult, gross_margin: float
) -> list[KpiResult]:
    """Return the CLV : CAC and CAC payback results of a CLV and a CAC
    result computed with ``gross_margin`` (percent)."""
    return [_clv_to_cac(clv, cac), _payback(clv, cac, gross_margin)]


def _missing_input(key: str, clv: KpiResult, cac: KpiResult) -> KpiResult | None:
    """Return the "not available" result of ``key`` when CLV or CAC has no
    value, or when they are in different currencies."""
    if not clv.available:
        return not_available(key, f"CLV is not available: {clv.reason}")
    if not cac.available:
        return not_available(key, f"CAC is not available: {cac.reason}")
    if clv.unit != cac.unit:
        clv_table = _CLV_TABLES[clv.variant]
        return not_available(
            key,
            f"CLV (from the {clv_table}) is in {clv.unit} and CAC (from the "
            f"marketing spend) in {cac.unit}; choose a report currency and give "
            "the exchange rate under Currencies in the sidebar",
        )
    return None


def _clv_to_cac(clv: KpiResult, cac: KpiResult) -> KpiResult:
    key = "clv_to_cac"
    missing = _missing_input(key, clv, cac)
    if missing is not None:
        return missing
    ratio = cac.extra.get(key)
    if ratio is None:
        return not_available(key, "CAC is 0, so CLV : CAC has no value")
    shown_clv, shown_cac = format_inputs(
        (clv.value, cac.value), lambda lifetime, cost: lifetime / cost, ratio, 2
    )
    return KpiResult(
        key=key,
        status="ok",
        unit="ratio",
        value=ratio,
        numerator=clv.value,
        denominator=cac.value,
        variant=f"CLV {clv.variant}" if clv.variant else "",
        formula=(
            f"{shown_clv} {clv.unit} CLV / {shown_cac} {cac.unit} CAC = "
            f"{format_number(ratio, 2)}"
        ),
        warnings=_ratio_warnings(cac),
    )


def _payback(clv: KpiResult, cac: KpiResult, gross_margin: float) -> KpiResult:
    key = "payback_months"
    missing = _missing_input(key, clv, cac)
    if missing is not None:
        return missing
    months = cac.extra.get(key)
    monthly = monthly_revenue_per_customer(clv)
    if months is None or monthly is None:
        return not_available(
            key,
            "the revenue per customer and month behind CLV is 0, so the CAC is "
            "never paid back",
        )
    margin = f"{gross_margin:g} % gross margin"
    unit = cac.unit
    if "arpa" in clv.extra:
        shown_cac, shown_arpa = format_inputs(
            (cac.value, monthly),
            lambda cost, arpa: cost / (arpa * gross_margin / 100),
            months,
            2,
        )
        revenue = f"ARPA {shown_arpa} {unit} a month x {margin}"
    else:
        purchase = clv.extra["average_purchase_value"]
        frequency = clv.extra["purchase_frequency"]

        def payback(cost: float, value: float, per_year: float) -> float:
            return cost / (value * per_year / 12 * gross_margin / 100)

        shown_cac, shown_purchase, shown_frequency = format_inputs(
            (cac.value, purchase, frequency), payback, months, 2
        )
        revenue = (
            f"{shown_purchase} {unit} per purchase x {shown_frequency} purchases "
            f"a year / 12 x {margin}"
        )
    return KpiResult(
        key=key,
        status="ok",
        unit="months",
        value=months,
        numerator=cac.value,
        denominator=monthly * gross_margin / 100,
        variant=f"CLV {clv.variant}" if clv.variant else "",
        formula=(
            f"{shown_cac} {unit} CAC / ({revenue}) = {format_number(months, 2)} months"
        ),
        warnings=_ratio_warnings(cac),
    )


def _ratio_warnings(cac: KpiResult) -> tuple[str, ...]:
    """Return the CAC's warnings, plus a note when the CLV and the CAC's
    new customers come from different tables."""
    tables = cac.extra.get("ratio_tables")
    return (*cac.warnings, tables[:1].upper() + tables[1:]) if tables else cac.warnings
