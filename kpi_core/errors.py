"""Errors a user can cause with their input.

Every problem that bad input can trigger is raised as a subclass of
``InputError``. The pages show ``str(error)`` with ``st.error`` and the CLI
prints it as one line on standard error, so each message names the file and,
where it applies, the line, sheet and column, states what was expected and what
was found, and ends with what to do.
"""

from __future__ import annotations


class InputError(Exception):
    """Base class for every error caused by the user's files or settings.

    ``column`` is a tuple for a column that the import built from several
    file columns, such as the days of list events taken from a joined and a
    left column.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | tuple[str, ...] | None = None,
        sheet: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.sheet = sheet
        self.detail = message
        super().__init__(_with_location(message, file, line, column, sheet))


class UnreadableFileError(InputError):
    """The bytes could not be read as a table (encoding, format, size)."""


class MissingColumnError(InputError):
    """A field the KPI or table type needs has no column mapped to it."""


class EmptyDataError(InputError):
    """The file has a header but no data rows, or no usable rows at all."""


class InvalidValueError(InputError):
    """A cell contains a value that cannot be used (a date, amount or score)."""


class AmbiguousDateError(InvalidValueError):
    """Every date in a column fits both day-first and month-first order."""


class InvalidSettingError(InputError):
    """An option such as a period, time zone or variant name is invalid."""


def _with_location(
    message: str,
    file: str | None,
    line: int | None,
    column: str | tuple[str, ...] | None,
    sheet: str | None,
) -> str:
    parts = []
    if file:
        parts.append(file)
    if sheet:
        parts.append(f"sheet {sheet!r}")
    if line is not None:
        parts.append(f"line {line}")
    if column:
        parts.append(_column_words(column))
    if not parts:
        return message
    return f"{', '.join(parts)}: {message}"


def _column_words(column: str | tuple[str, ...]) -> str:
    """Name one column as "column 'A'" and several as "columns 'A' and 'B'"."""
    names = (column,) if isinstance(column, str) else column
    if len(names) == 1:
        return f"column {names[0]!r}"
    quoted = [repr(name) for name in names]
    return f"columns {', '.join(quoted[:-1])} and {quoted[-1]}"
