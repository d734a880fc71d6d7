"""Turn a read file and its column mapping into a typed canonical table.

Every cell that cannot be parsed is reported with its column, the file lines
it sits on and example values. Such a cell is read as empty and its row is
kept, so the KPIs that need the field leave the row out and count it, as for
an empty cell. Only a broken row is left out of the table. That is a line
with more fields than the header, a repeated deal id, a closed deal whose
won flag is empty or unreadable and whose label reads neither won nor lost,
a line cut off before a required column (``short_lines``), a last line
that looks cut off at the end of the file (``cut_end``), a deal with an
empty stage whose outcome no other column gives, or an
unreadable cell of a field whose empty cell means something
(``cell_text.ROW_FIELDS``). Orders that are no purchase (a void status, a
payment not captured, a full refund, an amount of 0) are left out too.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date

import polars as pl

from kpi_core.billing_intervals import is_known_interval
from kpi_core.business_hours import ZONED_AS
from kpi_core.cell_currency import MoneyCells, money_fields, row_currencies
from kpi_core.column_parsing import ParsedColumn, parse_mapped_column
from kpi_core.currency_codes import COMMON_CODES
from kpi_core.currency_column import CURRENCY_FIELD, empty_amounts_without_code
from kpi_core.cut_end import cut_end_problem
from kpi_core.date_conflicts import DateConflict, find_date_conflicts
from kpi_core.deal_outcomes import (
    classify_deal_labels,
    closed_without_won,
    future_close_dates,
    stage_stand_in_note,
    stage_without_outcome,
)
from kpi_core.errors import EmptyDataError, InvalidSettingError
from kpi_core.formatting import count_noun
from kpi_core.import_problems import (
    LINE,
    UNKNOWN_INTERVAL,
    FoundProblem,
    Problem,
    any_of_masks,
    cell_problem,
    empty_required_ids,
    long_line_problem,
    narrow_flag_problem,
    narrow_problem,
    problem_counts,
    set_cells_empty,
    split_rows_by_source,
    stop_on_unusable_column,
)
from kpi_core.kind_parsing import EPOCH_NOTES
from kpi_core.mapping import Mapping, require_complete
from kpi_core.minor_units import divide_minor_units
from kpi_core.negative_sales import empty_negative_won_amounts, negative_purchases
from kpi_core.order_rows import (
    further_line_items,
    net_of_refunds,
    orders_not_captured,
    orders_of_no_value,
    orders_without_purchase,
)
from kpi_core.raw_table import RawTable
from kpi_core.rejected_scores import missing_score_hint
from kpi_core.repeated_rows import drop_duplicate_ids, drop_repeated_rows
from kpi_core.schema import NUMBER, TEXT
from kpi_core.short_lines import narrow_row_problem, short_line_problems
from kpi_core.spend_dates import add_month_windows, require_spend_dates
from kpi_core.stage_transitions import from_stage_hint
from kpi_core.subscription_data import ended_in_trial
from kpi_core.table_layout import narrow_kept_totals_note
from kpi_core.table_rules import apply_table_rules
from kpi_core.table_warnings import find_table_warnings
from kpi_core.utc_times import header_names_utc


@dataclass(frozen=True)
class PreparedTable:
    """A canonical table ready for the KPIs, with its validation report.

    ``frame`` keeps the ``_line`` column so every row can be traced back to
    the file. ``rejected`` contains the original text of the rows left out,
    and ``problem_rows`` that of every row a problem names, kept or not.
    ``date_conflicts`` lists the rows kept whose dates contradict each other.
    """

    table: str
    file: str
    frame: pl.DataFrame
    rows_read: int
    problems: tuple[Problem, ...]
    rejected: pl.DataFrame
    mapping: Mapping
    date_orders: dict[str, str]
    detected: dict[str, str] = field(default_factory=dict)
    date_conflicts: tuple[DateConflict, ...] = ()
    problem_rows: pl.DataFrame | None = None
    # The reader's warnings on the file, such as Excel error cells.
    read_warnings: tuple[str, ...] = ()
    # The reader's other notes: encoding, header line, rows skipped.
    read_notes: tuple[str, ...] = ()
    # Warnings on the parsed table that leave every row in, such as deal
    # labels of which none reads won or lost.
    warnings: tuple[str, ...] = ()
    # The file columns of each column the import built from others, such as
    # the joined and left days behind the "Occurred at" of list events.
    column_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)

    # The rows kept with one or more cells read as empty, such as an
    # unreadable amount or the missing cells of a short line.
    rows_emptied: int = 0

    @property
    def rows_used(self) -> int:
        return self.frame.height

    def kept_summary(self) -> str:
        """Describe the rows kept, such as "21 kept, 3 of them with cells
        read as empty (see below)"."""
        kept = f"{self.rows_used:,} kept"
        if not self.rows_emptied:
            return kept
        return (
            f"{kept}, {self.rows_emptied:,} of them with cells read as empty "
            "(see below)"
        )

    def excluded_summary(self) -> dict[str, int]:
        """Return the count of rows left out per reason, for the report."""
        return problem_counts(p for p in self.problems if not p.row_kept)

    def emptied_summary(self) -> dict[str, int]:
        """Return the count of cells read as empty per reason, for the
        report."""
        return problem_counts(
            p for p in self.problems if p.row_kept and not p.cell_kept
        )


def needs_currency(prepared: PreparedTable) -> bool:
    """Tell whether the table has amounts but nothing that names their
    currency: no currency column and no currency sign or code in a cell."""
    return bool(money_fields(prepared.mapping)) and "currency" not in (
        prepared.frame.columns
    )


def with_currency(prepared: PreparedTable, code: str) -> PreparedTable:
    """Return the table with every amount in ``code``, for a table that
    ``needs_currency``, as if the file had a currency column."""
    if not needs_currency(prepared):
        raise ValueError("the table already names the currency of its amounts")
    if code not in COMMON_CODES:
        raise InvalidSettingError(
            f"unknown currency code {code!r}; use one of "
            f"{', '.join(sorted(COMMON_CODES))}"
        )
    frame = prepared.frame.with_columns(currency=pl.lit(code, dtype=pl.String))
    return replace(prepared, frame=frame)


def prepare_table(
    raw: RawTable,
    mapping: Mapping,
    date_orders: dict[str, str] | None = None,
    today: date | None = None,
) -> PreparedTable:
    """Parse the mapped columns of ``raw`` into the canonical table.

    ``date_orders`` gives the user's choice ("dmy" or "mdy") per field for
    date columns whose values fit both orders. Without a choice such a
    column raises AmbiguousDateError naming the file and column. ``today``
    (default: the current date) is the day of the import, after which the
    dates of events are named and read as empty (``future_dates``).
    """
    file = raw.info.file
    today = today or date.today()
    headers = [name for name in raw.frame.columns if name != LINE]
    hint = missing_score_hint(raw.frame, mapping) or from_stage_hint(headers, mapping)
    require_complete(mapping, file, hint)
    if raw.frame.height == 0:
        raise EmptyDataError("the file has a header but no data rows", file=file)

    chosen_orders = dict(date_orders or {})
    detected: dict[str, str] = {}
    # German Excel writes ";" between fields because "," is its decimal mark,
    # so there a column of only "2.000"-like values means thousands.
    mark = "," if raw.info.delimiter == ";" else "."
    columns: list[pl.Series] = [raw.frame[LINE]]
    problems: list[Problem] = []
    found: list[FoundProblem] = []
    filled: dict[str, pl.Series] = {}
    money_cells: list[MoneyCells] = []
    if raw.long_lines:
        long_problem, long_rows = long_line_problem(raw)
        found.append(FoundProblem(long_problem, long_rows, None))

    def parse_column(item: tuple[str, str]) -> ParsedColumn:
        field_name, column = item
        return parse_mapped_column(
            raw, mapping, field_name, column, chosen_orders.get(field_name), mark, today
        )

    # Most parsing steps here kept one core busy when profiled, and Polars
    # releases the GIL while it computes, so two threads parse two columns at
    # once. Results are taken in the mapping's order, so the problems and the
    # first date-order error match a one-column-at-a-time run.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            field_name: pool.submit(parse_column, (field_name, column))
            for field_name, column in mapping.used_columns().items()
        }
        # A deal's status needs only the label columns, so it is classified
        # while the slower date and amount columns are still being parsed.
        statuses = None
        if mapping.table == "deals":
            statuses = pool.submit(classify_deal_labels, futures)
        parsed_columns = [future.result() for future in futures.values()]
    for parsed in parsed_columns:
        columns.append(parsed.values)
        found.extend(parsed.found)
        filled[parsed.values.name] = parsed.filled
        if parsed.note:
            detected[parsed.column] = parsed.note
        if parsed.money_cells is not None:
            money_cells.append(parsed.money_cells)
        if parsed.zoned is not None:
            columns.append(parsed.zoned)
        if parsed.converted:
            times = count_noun(parsed.converted, "time")
            zone = "with a time zone,"
            if parsed.note in EPOCH_NOTES:
                zone = "in UTC, as Unix times are,"
            elif header_names_utc(parsed.column):
                zone = "in UTC, as the header says,"
            detected[parsed.column] = (
                f"{parsed.note}, {times} {zone} converted to {ZONED_AS}"
            )

    found.extend(_unknown_intervals(raw, mapping, columns))
    short_found = short_line_problems(raw, mapping) if raw.short_lines else []
    end_found = cut_end_problem(raw)
    if end_found is not None:
        short_found.append(end_found)
    cut = [item.rows for item in short_found if not item.problem.row_kept]
    cut_rows = any_of_masks(cut) if cut else None
    if cut_rows is not None:
        # A line cut before a required column, or cut off at the end of the
        # file, is left out and named once, not also for its cells.
        found = [narrow_problem(item, cut_rows, raw) for item in found]
        found = [item for item in found if item.problem.count]
    found.extend(short_found)
    if CURRENCY_FIELD in filled:
        columns, money_cells = empty_amounts_without_code(
            columns, money_cells, filled[CURRENCY_FIELD]
        )
    if raw.long_lines:
        # A line with more fields than the header is left out because its
        # values are shifted, so it is named once, not also for the cells
        # that the shift made unreadable.
        found = [
            item
            if item.problem is long_problem
            else narrow_problem(item, long_rows, raw)
            for item in found
        ]
        found = [item for item in found if item.problem.count]
    # Only unreadable cells stop the import here. An amount of an unknown
    # currency is still a number, so it is no sign of a wrong column.
    stop_on_unusable_column(file, mapping, found, filled)
    if money_cells:
        columns = _add_currencies(
            raw.frame, mapping, money_cells, columns, found, detected
        )
    columns, unit_notes = divide_minor_units(mapping.columns, columns)
    for column, note in unit_notes.items():
        detected[column] = f"{detected[column]}, {note}" if column in detected else note
    label_statuses = None if statuses is None else statuses.result()
    for outcome_gap in (
        closed_without_won(raw.frame, mapping, columns, label_statuses),
        stage_without_outcome(raw.frame, mapping, columns),
    ):
        if outcome_gap is not None and cut_rows is not None:
            outcome_gap = narrow_row_problem(outcome_gap, cut_rows, raw)
        if outcome_gap is None:
            continue
        # A deal whose outcome is unknown is left out and named once, under
        # the gap, not also as a flag read as empty whose row is kept.
        found = [narrow_flag_problem(item, outcome_gap[1], raw.frame) for item in found]
        found = [item for item in found if item.problem.count]
        found.append(FoundProblem(outcome_gap[0], outcome_gap[1], None))
    columns, future_closes = future_close_dates(
        raw, mapping, columns, label_statuses, found, today
    )
    found.extend(future_closes)
    unpaid = orders_without_purchase(raw.frame, mapping, columns, detected)
    if unpaid is not None:
        found.append(unpaid)
    uncaptured = orders_not_captured(raw.frame, mapping, columns, unpaid)
    if uncaptured is not None:
        found.append(uncaptured)
    columns, refunded = net_of_refunds(
        raw.frame, mapping, columns, detected, [unpaid, uncaptured]
    )
    if refunded is not None:
        found.append(refunded)
    free = orders_of_no_value(
        raw.frame, mapping, columns, [unpaid, uncaptured, refunded]
    )
    if free is not None:
        found.append(free)
    negative = negative_purchases(
        raw.frame, mapping, columns, [unpaid, uncaptured, refunded, free]
    )
    if negative is not None:
        found.append(negative)
    line_items = further_line_items(raw.frame, mapping, columns)
    if line_items is not None:
        found.append(line_items)
    problems = [item.problem for item in found]
    frame = pl.DataFrame(columns)
    rejected = raw.frame.clear()
    problem_rows = raw.frame.clear()
    row_masks = [item.rows for item in found if not item.problem.row_kept]
    if row_masks:
        rejected_mask = any_of_masks(row_masks)
        frame = frame.filter(~rejected_mask)
        rejected = raw.frame.filter(rejected_mask)
        if label_statuses is not None:
            label_statuses = label_statuses.filter(~rejected_mask)
    if found:
        problem_rows = raw.frame.filter(any_of_masks([item.rows for item in found]))
    emptied_masks = [
        item.rows
        for item in found
        if item.problem.row_kept and not item.problem.cell_kept
    ]
    emptied_lines = (
        raw.frame[LINE].filter(any_of_masks(emptied_masks)) if emptied_masks else None
    )
    frame = apply_table_rules(mapping.table, frame, label_statuses)
    frame, negative_won = empty_negative_won_amounts(mapping, frame, raw.frame)
    if negative_won is not None:
        problems.append(negative_won)
        won_lines = pl.Series(LINE, negative_won.lines)
        named = pl.col(LINE).is_in(problem_rows[LINE].implode())
        problem_rows = raw.frame.filter(named | pl.col(LINE).is_in(won_lines.implode()))
        emptied_lines = (
            won_lines
            if emptied_lines is None
            else pl.concat([emptied_lines, won_lines]).unique()
        )
    stand_in = stage_stand_in_note(mapping)
    if stand_in is not None:
        column, note = stand_in
        detected[column] = f"{detected[column]}, {note}" if column in detected else note
    if mapping.table == "spend":
        frame = add_month_windows(mapping, frame, detected)
        require_spend_dates(file, mapping, frame)
    if mapping.table == "subscriptions" and (trials := ended_in_trial(frame)):
        column = mapping.columns["trial_ended_at"]
        them = "it" if trials == 1 else "them"
        note = (
            f"{count_noun(trials, 'subscription')} ended by the end of the free "
            f"trial and never paid; the KPIs leave {them} out"
        )
        detected[column] = f"{detected[column]}, {note}" if column in detected else note
    frame, duplicate_problem = drop_duplicate_ids(mapping, frame)
    if duplicate_problem:
        problems.append(duplicate_problem)
    frame, repeated_problem = drop_repeated_rows(mapping, frame, raw.frame)
    if repeated_problem:
        problems.append(repeated_problem)
    # A row with a total label that a problem leaves out is no longer a
    # total read as a data row, so the reader's warning drops it.
    read_notes = narrow_kept_totals_note(
        raw.info.notes,
        raw.kept_totals,
        set(rejected[LINE].to_list()),
        file,
        raw.info.sheet,
    )
    empty_ids = empty_required_ids(mapping, frame)
    if empty_ids is not None:
        problems.append(empty_ids)
        named = pl.col(LINE).is_in(problem_rows[LINE].implode())
        problem_rows = raw.frame.filter(named | pl.col(LINE).is_in(empty_ids.lines))
    return PreparedTable(
        table=mapping.table,
        file=file,
        frame=frame,
        rows_read=raw.frame.height,
        problems=tuple(problems),
        rejected=rejected,
        mapping=mapping,
        date_orders=chosen_orders,
        detected=detected,
        date_conflicts=tuple(find_date_conflicts(mapping, frame)),
        problem_rows=problem_rows,
        read_warnings=tuple(
            note.removeprefix("warning: ")
            for note in read_notes
            if note.startswith("warning: ")
        ),
        read_notes=tuple(
            note for note in read_notes if not note.startswith("warning: ")
        ),
        warnings=find_table_warnings(mapping, frame, raw.frame, problems),
        column_sources=raw.column_sources(),
        rows_emptied=(
            0
            if emptied_lines is None
            else int(frame[LINE].is_in(emptied_lines.implode()).sum())
        ),
    )


def _add_currencies(
    raw: pl.DataFrame,
    mapping: Mapping,
    money_cells: list[MoneyCells],
    columns: list[pl.Series],
    found: list[FoundProblem],
    detected: dict[str, str],
) -> list[pl.Series]:
    """Apply ``row_currencies`` to the parsed columns: add its problems and
    notes in place, and return the columns with its currency and with the
    amounts of an unknown currency read as empty."""
    mapped_currency = next((c for c in columns if c.name == "currency"), None)
    currencies = row_currencies(
        money_cells, mapped_currency, mapping.columns.get("currency")
    )
    unknown: dict[str, list[pl.Series]] = {}
    for rejection in currencies.rejections:
        problem = cell_problem(
            raw,
            rejection.column,
            rejection.field,
            NUMBER,
            rejection.rows,
            rejection.text,
            rejection.reason,
        )
        found.append(
            FoundProblem(
                replace(problem, row_kept=True), rejection.rows, rejection.text
            )
        )
        unknown.setdefault(rejection.field, []).append(rejection.rows)
    for column, note in currencies.notes.items():
        detected[column] = f"{detected[column]}, {note}" if column in detected else note
    columns = [
        set_cells_empty(c, any_of_masks(unknown[c.name])) if c.name in unknown else c
        for c in columns
    ]
    if currencies.currency is None:
        return columns
    currency = currencies.currency.alias("currency")
    if mapped_currency is None:
        return [*columns, currency]
    return [currency if c.name == "currency" else c for c in columns]


def _unknown_intervals(
    raw: RawTable, mapping: Mapping, columns: list[pl.Series]
) -> list[FoundProblem]:
    """Find the subscriptions whose MRR needs a billing interval that
    ``is_known_interval`` rejects: those with an amount and without a
    monthly charge.

    Their rows and cells are kept as written. Read as empty, the interval
    would mean monthly, and left out, the rows would be missing from churn
    and the other counts, which need no interval. The subscription KPIs
    leave such rows out of the MRR instead (``subscription_data``). An
    unknown interval beside a monthly charge is never used, so it is not
    named.
    """
    parsed = {column.name: column for column in columns}
    if mapping.table != "subscriptions" or "interval" not in parsed:
        return []
    if "amount" not in parsed:
        return []
    intervals = parsed["interval"]
    labels = intervals.unique().drop_nulls()
    unknown = labels.filter(
        pl.Series([not is_known_interval(label) for label in labels], dtype=pl.Boolean)
    )
    needed = parsed["amount"].is_not_null()
    if "monthly_charge" in parsed:
        needed = needed & parsed["monthly_charge"].is_null()
    rows = intervals.is_in(unknown.implode()).fill_null(False) & needed
    if not rows.any():
        return []
    column = mapping.columns["interval"]
    found = []
    for source, source_rows in split_rows_by_source(raw, column, rows):
        problem = cell_problem(
            raw.frame,
            source,
            "interval",
            TEXT,
            source_rows,
            intervals,
            UNKNOWN_INTERVAL,
        )
        problem = replace(problem, row_kept=True, cell_kept=True)
        found.append(FoundProblem(problem, source_rows, intervals))
    return found
