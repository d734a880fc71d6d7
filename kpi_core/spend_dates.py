"""Read spend dated by a month without a day as the window of that month,
and stop or warn on spend rows without any date.
"""

from __future__ import annotations

import polars as pl

from kpi_core.date_values import parse_months
from kpi_core.errors import InvalidValueError
from kpi_core.formatting import LINES_SHOWN, line_list
from kpi_core.import_problems import LINE, pluralize
from kpi_core.kind_parsing import NUMBER_DATE_NOTES, parse_by_kind
from kpi_core.mapping import SPEND_DATE_FIELDS, Mapping
from kpi_core.schema import DATE


def parse_spend_months(table: str, kind: str, text: pl.Series) -> pl.Series | None:
    """Parse a spend date column of months without a day ("Januar 2026",
    "01.2026") as the first day of each month, or return None when no cell
    is such a month.

    Spend is often kept by month in a spreadsheet; ``add_month_windows`` then
    gives each row its whole month. Other tables keep whole dates. A cell
    that is no month, such as "k.A." or "15.03.2025", is null here, and
    ``days_among_months`` reads the whole dates. ``parse_mapped_column`` reads
    the column as months when they are more than half of its filled cells,
    or more of them than the usual date parse reads.
    """
    if table != "spend" or kind != DATE:
        return None
    return parse_months(text)


def days_among_months(
    months: pl.Series,
    text: pl.Series,
    order: str | None,
    file: str,
    column: str | tuple[str, ...],
    lines: pl.Series,
) -> tuple[pl.Series, str]:
    """Read the cells of a column of months that are whole dates, such as
    "15.03.2025", "2025-03-15" or an Excel date cell, and return the column
    with them and the column's note.

    ``add_month_windows`` gives a date on the first of a month its whole
    month, as ``marketing_data.spend_windows`` does for a table of firsts
    of months. Any other date covers its own day, as in a spend table of
    days. A number, read elsewhere as an Excel serial number or a Unix
    time, stays an invalid date here. Dates that fit both day-first and
    month-first order raise AmbiguousDateError, as in a column of dates,
    unless ``order`` is given.
    """
    no_text = pl.repeat(None, text.len(), dtype=pl.String, eager=True)
    rest = text.zip_with(months.is_null(), no_text)
    if rest.null_count() == rest.len():
        return months, MONTHS_NOTE
    days, note, _ = parse_by_kind(rest, DATE, order, file, column, ".")
    if note is None or note in NUMBER_DATE_NOTES:
        return months, MONTHS_NOTE
    read = days.is_not_null()
    if not read.any():
        return months, MONTHS_NOTE
    on_first = read & (days.dt.day() == 1)
    note = _months_note(lines.filter(read & ~on_first), lines.filter(on_first))
    return months.zip_with(months.is_not_null(), days), note


def _months_note(day_lines: pl.Series, first_lines: pl.Series) -> str:
    """Describe a column of months with the lines of its whole dates: those
    on another day than the first of a month, and those on the first."""
    parts = [MONTHS_NOTE]
    if day_lines.len() == 1:
        parts.append(f"a whole date on line {day_lines[0]}, covering that day")
    elif day_lines.len() > 1:
        parts.append(
            f"{day_lines.len():,} whole dates on lines "
            f"{line_list(day_lines, LINES_SHOWN)}, each covering its day"
        )
    if first_lines.len() == 1:
        parts.append(
            f"a whole date on the first of a month on line {first_lines[0]}, "
            "covering that month"
        )
    elif first_lines.len() > 1:
        parts.append(
            f"{first_lines.len():,} whole dates on the first of a month on lines "
            f"{line_list(first_lines, LINES_SHOWN)}, each covering its month"
        )
    return ", ".join(parts[:-1]) + ", and " + parts[-1]


def read_by_most(parsed: pl.Series, text: pl.Series) -> bool:
    """Tell whether ``parsed`` has a value for more than half of the filled
    cells of ``text``."""
    return count_read(parsed) * 2 > text.len() - text.null_count()


def count_read(parsed: pl.Series) -> int:
    return parsed.len() - parsed.null_count()


MONTHS_NOTE = "months without a day, each covering its month"


def add_month_windows(
    mapping: Mapping, frame: pl.DataFrame, detected: dict[str, str]
) -> pl.DataFrame:
    """Give spend rows dated by a month without a day (``parse_spend_months``)
    the window of their month, unless the file has a reporting window.

    Such a label names the spend of the whole month. As a day on the first
    of the month, two months three apart would read as a quarterly report
    and one month alone as a day (see ``marketing_data.spend_windows``).
    A month is read as its first day, so a whole date on the first of a
    month in the column covers the month too. A date on another day covers
    that day (``days_among_months``).
    """
    column = mapping.columns.get("spent_at")
    if column is None or not detected.get(column, "").startswith(MONTHS_NOTE):
        return frame
    if "period_start" in frame.columns or "period_end" in frame.columns:
        return frame
    first = pl.col("spent_at")
    month_end = first.dt.offset_by("1mo").dt.offset_by("-1d")
    return frame.with_columns(
        period_start=first,
        period_end=pl.when(first.dt.day() == 1).then(month_end).otherwise(first),
    ).drop("spent_at")


def require_spend_dates(file: str, mapping: Mapping, frame: pl.DataFrame) -> None:
    """Raise InvalidValueError when no spend row has a day or a reporting
    window, because such spend counts in no period: every CAC with a
    period would leave it out, and all data would count it."""
    dates = [name for name in SPEND_DATE_FIELDS if name in frame.columns]
    if frame.is_empty() or any(frame[name].is_not_null().any() for name in dates):
        return
    columns = [
        mapping.columns[name] for name in SPEND_DATE_FIELDS if mapping.columns.get(name)
    ]
    listed = " or ".join(repr(column) for column in columns)
    raise InvalidValueError(
        f"no row has a readable date in {listed}, so the spend would count in "
        "no period; fill in each row's day or month as a date such as "
        "2025-05-01, or map the column that has them",
        file=file,
        column=columns[0] if columns else None,
    )


def undated_spend_warning(mapping: Mapping, frame: pl.DataFrame) -> str | None:
    """Warn about spend rows without a day or window, whose spend counts
    over all data but in no period, naming their first lines."""
    dates = [name for name in SPEND_DATE_FIELDS if name in frame.columns]
    if not dates:
        return None
    undated = frame.filter(pl.all_horizontal(pl.col(name).is_null() for name in dates))
    if undated.is_empty():
        return None
    # A column of months is mapped to spent_at but read into the windows
    # period_start and period_end, so the names come from the mapping.
    mapped = [mapping.columns.get(name) for name in SPEND_DATE_FIELDS]
    columns = " or ".join(repr(column) for column in mapped if column)
    lines = ", ".join(str(line) for line in undated[LINE].head(LINES_SHOWN))
    if undated.height > LINES_SHOWN:
        lines += f" and {undated.height - LINES_SHOWN:,} more"
    return (
        f"{undated.height:,} of {frame.height:,} spend rows have no date in "
        f"{columns}, on {pluralize(undated.height, 'line')} {lines}. Their spend "
        "counts over all data but in no period, so a CAC or ROI of a period "
        "leaves it out. Fill in their dates and upload the file again."
    )
