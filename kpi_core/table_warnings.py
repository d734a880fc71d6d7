"""Warnings on a prepared table whose rows are all kept, such as deal labels
of which none reads won or lost, or many empty required dates.
"""

from __future__ import annotations

import polars as pl

from kpi_core.cell_currency import money_fields, rare_currency_warnings
from kpi_core.deal_labels import one_sided_labels_warning, undecided_labels_warning
from kpi_core.formatting import LINES_SHOWN, count_noun, line_list
from kpi_core.import_problems import LINE, Problem, pluralize
from kpi_core.mapping import Mapping
from kpi_core.marketing_data import month_start_warning
from kpi_core.money import MONEY_COLUMNS, PRICE_COLUMNS
from kpi_core.nps import five_point_warning
from kpi_core.order_status import unknown_status_warning
from kpi_core.schema import DATE
from kpi_core.spend_dates import undated_spend_warning
from kpi_core.subscription_data import paused_warning

# The amount from which one row's money is taken for a typo: 10^12 is a
# trillion in any currency, far beyond one deal, order or subscription.
IMPLAUSIBLE_AMOUNT = 1e12
# Share of the rows, in percent, with an empty required date from which
# the import warns: a tenth of the rows moves a figure visibly.
EMPTY_DATES_SHARE = 10.0


def find_table_warnings(
    mapping: Mapping, frame: pl.DataFrame, raw: pl.DataFrame, problems: list[Problem]
) -> tuple[str, ...]:
    warnings = [
        undecided_labels_warning(mapping, frame, raw),
        one_sided_labels_warning(mapping, frame, raw),
    ]
    if mapping.table == "spend" and "spent_at" in frame.columns:
        warnings.append(
            month_start_warning(frame, mapping.columns["spent_at"], frame[LINE])
        )
    if mapping.table == "spend":
        warnings.append(undated_spend_warning(mapping, frame))
    if mapping.table == "orders" and "status" in frame.columns:
        warnings.append(
            unknown_status_warning(
                frame["status"], frame[LINE], mapping.columns["status"]
            )
        )
    if mapping.table == "subscriptions" and "status" in frame.columns:
        warnings.append(paused_warning(frame, mapping.columns["status"]))
    if mapping.table == "nps" and "score" in frame.columns:
        warnings.append(five_point_warning(frame["score"], mapping.columns["score"]))
    warnings += _rare_currency_warnings(mapping, frame)
    warnings += _implausible_amount_warnings(mapping, frame)
    warnings += [
        _empty_dates_warning(mapping, frame, problems, field.name)
        for field in mapping.schema.fields
        if field.required and field.kind == DATE
    ]
    return tuple(warning for warning in warnings if warning is not None)


def _rare_currency_warnings(mapping: Mapping, frame: pl.DataFrame) -> list[str]:
    """Name the lines of the amounts in a currency that is rare in their
    column (``rare_currency_warnings``), for each money column."""
    if "currency" not in frame.columns:
        return []
    return [
        warning
        for field_name in money_fields(mapping)
        if field_name in frame.columns and field_name in PRICE_COLUMNS
        for warning in rare_currency_warnings(
            frame[field_name],
            frame["currency"],
            frame[LINE],
            mapping.columns[field_name],
        )
    ]


def _implausible_amount_warnings(mapping: Mapping, frame: pl.DataFrame) -> list[str]:
    """Name the lines of the amounts of ``IMPLAUSIBLE_AMOUNT`` or more in
    each mapped money column, in any currency."""
    warnings = []
    for field_name in MONEY_COLUMNS:
        column = mapping.columns.get(field_name)
        if not column or field_name not in frame.columns:
            continue
        values = frame[field_name]
        if not values.dtype.is_numeric():
            continue
        rows = (values.abs() >= IMPLAUSIBLE_AMOUNT).fill_null(False)
        count = int(rows.sum())
        if not count:
            continue
        lines = frame[LINE].filter(rows)
        subject = f"{count_noun(count, 'amount')} in {column!r}"
        verb = "is" if count == 1 else "are"
        where = pluralize(count, "line")
        warnings.append(
            f"{subject} {verb} {IMPLAUSIBLE_AMOUNT:,.0f} or more, on {where} "
            f"{line_list(lines)}. Such an amount is implausibly large for one "
            "row and more likely a typo or a number from another column. "
            "Correct it in the file and import it again, because it "
            "outweighs every other amount in the money figures."
        )
    return warnings


def _empty_dates_warning(
    mapping: Mapping, frame: pl.DataFrame, problems: list[Problem], field_name: str
) -> str | None:
    """Return a warning when ``EMPTY_DATES_SHARE`` percent or more of the
    rows have an empty cell in the required date column of ``field_name``.

    Such rows are kept, but KPIs that need the date leave them out, and no
    period can place them. Unreadable cells read as empty are named as
    problems already and are not counted here.
    """
    column = mapping.columns.get(field_name)
    if not column or field_name not in frame.columns or frame.is_empty():
        return None
    unreadable = [
        line
        for problem in problems
        if problem.field == field_name and problem.row_kept
        for line in problem.lines
    ]
    lines = frame.filter(
        pl.col(field_name).is_null() & ~pl.col(LINE).is_in(unreadable)
    )[LINE]
    empty = lines.len()
    if not empty or empty / frame.height * 100 < EMPTY_DATES_SHARE:
        return None
    line_list = ", ".join(str(line) for line in lines.head(LINES_SHOWN))
    if empty > LINES_SHOWN:
        line_list += f" and {empty - LINES_SHOWN:,} more"
    return (
        f"{empty:,} of {frame.height:,} rows have an empty {column!r} "
        f"({field_name}), on {pluralize(empty, 'line')} {line_list}. They are kept, "
        "but KPIs that need this date leave them out, and with a period chosen "
        "no figure placed by this date can count them. Check that the right "
        f"column is mapped to {field_name}."
    )
