"""Excel downloads of the Before and after page and the What if page.

Each workbook has the report's Settings sheet, naming what the page's
figures depend on, and one sheet with the page's tables. The cells hold
the unrounded numbers, so a reader can redo the arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl

from kpi_core.column_labels import MONEY, P_VALUE, PERCENT
from kpi_core.compare import SIGNIFICANCE
from kpi_core.excel_report import ReportChart, ReportTable, build_excel_report
from kpi_core.formatting import format_number
from kpi_core.period import Period
from kpi_core.whatif import BASES, FIGURES, LEVERS, Levers, scenario_table, sensitivity
from kpi_core.whatif_formulas import projection_formulas

COMPARE_SHEET = "Before and after"
WHATIF_SHEET = "What if"
# The unit of each What if input and figure that is not money. Money is in
# the unit of the data.
_WHATIF_UNITS = {
    "leads_per_month": "count",
    "close_rate": "percent",
    "sales_cycle_days": "days",
    "churn_rate": "percent",
    "active_customers": "count",
    "new_subscribers_per_month": "count",
    "clv_to_cac": "ratio",
    "payback_months": "months",
}
# The values of each side of a comparison, in the unit of their KPI.
_SIDE_VALUES = (
    "before",
    "before_low",
    "before_high",
    "after",
    "after_low",
    "after_high",
)
# The columns of the comparison sheet, in order, with their headers.
_COMPARE_HEADERS = {
    "label": "KPI",
    "unit": "Unit",
    "before": "Before",
    "before_low": "95 % low before",
    "before_high": "95 % high before",
    "after": "After",
    "after_low": "95 % low after",
    "after_high": "95 % high after",
    "n_before": "n before",
    "n_after": "n after",
    "days": "Days each",
    "difference": "Difference (after - before)",
    "p_value": "p-value",
    "significant": f"Significant (p < {SIGNIFICANCE:g})",
    "test": "Test",
    "note": "Note",
}
_MONEY_NAMES = frozenset(
    {"average_deal_size", "arpa", "monthly_spend", "won_revenue", "arr", "clv", "cac"}
)


def comparison_workbook(
    table: pl.DataFrame,
    windows: tuple[Period, Period],
    *,
    pivot: date,
    months: int,
    working_label: str,
    left_out: Mapping[str, str],
    shortened: str = "",
    sources: list[tuple[str, str, int]],
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> bytes:
    """Return the workbook of a before-and-after comparison.

    ``table`` is ``compare.before_after``'s table with the notes the page
    shows. ``windows`` are the before and after windows, ``pivot`` and
    ``months`` the page's date and window, ``left_out`` the KPIs not
    compared with the reason, ``shortened`` why the windows are shorter
    than ``months`` (see ``window_cuts``) or "", and ``sources`` the stored
    tables as (table type, stored name, rows). ``currency`` and ``fx`` are the report
    currency and exchange rates the money was converted with, if any.
    """
    before, after = windows
    verdict = (
        pl.when(pl.col("significant").is_null())
        .then(pl.lit("no test"))
        .when(pl.col("significant"))
        .then(pl.lit("yes"))
        .otherwise(pl.lit("no"))
    )
    frame = table.with_columns(
        verdict.alias("significant"), pl.col("test").fill_null("none")
    ).select(list(_COMPARE_HEADERS))
    compared = ReportTable(
        frame,
        headers=_COMPARE_HEADERS,
        note=(
            "Rates and their differences are in percent and percentage points. "
            f"Significant means p < {SIGNIFICANCE:g}."
        ),
        kinds={"p_value": P_VALUE},
        unit_column="unit",
        row_unit_columns=(*_SIDE_VALUES, "difference"),
        point_columns=("difference",),
    )
    sheet_tables: dict[str, ReportTable] = {"Each KPI before and after": compared}
    if left_out:
        listed = "; ".join(f"{label}: {why}" for label, why in left_out.items())
        sheet_tables["Not compared"] = ReportTable(note=f"{listed}.")
    days = (after.end - after.start).days + 1
    choices = [
        ("Compare around", pivot.isoformat()),
        ("Window", f"{months} months, {days:,} days each after shrinking to the data"),
        ("Before", before.label()),
        ("After", after.label()),
        ("Working time", working_label),
    ]
    if shortened:
        choices.insert(2, ("Why shorter", shortened))
    return build_excel_report(
        "CRM KPIs",
        f"before {before.label()}, after {after.label()}",
        {COMPARE_SHEET: None},
        {COMPARE_SHEET: sheet_tables},
        currency=currency,
        fx=fx,
        choices=choices,
        sources=sources,
    )


def scenario_workbook(
    levers: Levers,
    changes: Mapping[str, float],
    *,
    unit: str,
    input_sources: Mapping[str, str],
    baseline_label: str,
    sources: list[tuple[str, str, int]],
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> bytes:
    """Return the workbook of a What if scenario.

    ``levers`` are the baseline inputs and ``changes`` the percent each
    lever moved. ``unit`` is the currency of the money, ``input_sources``
    maps each input to its source and ``baseline_label`` names the windows
    of the baseline. ``sources``, ``currency`` and ``fx`` are as
    for ``comparison_workbook``.
    """
    moved = levers.moved(changes)
    names = {**LEVERS, **BASES}
    inputs = pl.DataFrame(
        {
            "label": list(names.values()),
            "unit": [_unit_of(name, unit) for name in names],
            "baseline": [getattr(levers, name) for name in names],
            "change": [
                changes.get(name, 0.0) if name in LEVERS else None for name in names
            ],
            "scenario": [getattr(moved, name) for name in names],
            "source": [input_sources.get(name, "") for name in names],
        },
        schema={
            "label": pl.String,
            "unit": pl.String,
            "baseline": pl.Float64,
            "change": pl.Float64,
            "scenario": pl.Float64,
            "source": pl.String,
        },
    )
    figures = scenario_table(levers, changes).select(
        "label",
        pl.col("figure")
        .replace_strict({name: _unit_of(name, unit) for name in FIGURES}, default=None)
        .alias("unit"),
        "baseline",
        "scenario",
        "difference",
        "change_percent",
    )
    before = projection_formulas(levers, unit)
    after = projection_formulas(moved, unit)
    formulas = pl.DataFrame(
        {
            "label": list(FIGURES.values()),
            "baseline": [before[name] for name in FIGURES],
            "scenario": [after[name] for name in FIGURES],
        }
    )
    lever_headers = {
        "label": "Lever moved",
        "won_revenue_change": f"Change in won revenue ({unit})",
        "clv_to_cac_change": "Change in CLV : CAC",
    }
    moves = sensitivity(levers, changes=changes)
    bars = moves.select(
        pl.Series(
            "label",
            [
                f"{label} {format_number(change, 0, sign=True)} %"
                for label, change in moves.select("label", "change_percent").rows()
            ],
        ),
        "won_revenue_change",
        "clv_to_cac_change",
    )
    headers = {
        "label": "Figure",
        "unit": "Unit",
        "baseline": "Baseline",
        "scenario": "Scenario",
        "difference": "Difference",
        "change_percent": "Change (%)",
    }
    sheet_tables = {
        "Inputs": ReportTable(
            inputs,
            headers={
                **headers,
                "label": "Input",
                "change": "Lever moved (%)",
                "source": "Source",
            },
            kinds={"change": PERCENT},
            unit_column="unit",
            row_unit_columns=("baseline", "scenario"),
            note=(
                "A lever moves its baseline by a percentage; a rate stops at 100 %. "
                "An empty cell is an input the data lacks."
            ),
        ),
        "Next 12 months": ReportTable(
            figures,
            headers=headers,
            kinds={"change_percent": PERCENT},
            unit_column="unit",
            row_unit_columns=("baseline", "scenario", "difference"),
            note="CLV and payback take the gross margin as 100 %.",
        ),
        "How it is calculated": ReportTable(
            formulas,
            headers={"label": "Figure", "baseline": "Baseline", "scenario": "Scenario"},
        ),
        "Which lever matters most": ReportTable(
            bars,
            headers=lever_headers,
            kinds={"won_revenue_change": MONEY},
            charts=(
                ReportChart("Change in won revenue", ("won_revenue_change",)),
                ReportChart("Change in CLV : CAC", ("clv_to_cac_change",)),
            ),
            note=(
                "Each lever moved alone by 10 % up and down from the scenario's "
                "levers, the others unchanged."
            ),
        ),
    }
    subscribers = (
        "yes: each won deal counts as a new subscriber"
        if levers.deals_are_subscribers
        else "no: new subscribers per month come from the subscriptions"
    )
    moved_levers = ", ".join(
        f"{LEVERS[name]} {format_number(change, 0, sign=True)} %"
        for name, change in changes.items()
        if change
    )
    choices = [
        ("Baseline", baseline_label),
        ("Levers moved", moved_levers or "none"),
        ("Won deals become subscribers", subscribers),
    ]
    return build_excel_report(
        "CRM KPIs",
        "the next 12 months",
        {WHATIF_SHEET: None},
        {WHATIF_SHEET: sheet_tables},
        currency=currency,
        fx=fx,
        choices=choices,
        sources=sources,
    )


def _unit_of(name: str, money_unit: str) -> str:
    return money_unit if name in _MONEY_NAMES else _WHATIF_UNITS[name]
