"""The machine-readable report: every KPI the given files support, as JSON.

The JSON shape is documented in docs/report.md and is stable: ``period``,
``inputs`` (one entry per file), ``kpis`` (report key to result) and
``warnings``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kpi_core.audience_members import group_members
from kpi_core.errors import (
    EmptyDataError,
    InputError,
    InvalidSettingError,
    MissingColumnError,
    UnreadableFileError,
)
from kpi_core.exclusion_warnings import kpi_warnings
from kpi_core.importing import (
    FilePreview,
    load_audience,
    load_file_tables,
    load_previewed_tables,
    preview_file,
)
from kpi_core.kpis import VARIANTS, KpiSettings, compute_kpis
from kpi_core.period import Period
from kpi_core.prepare import PreparedTable
from kpi_core.reading import separate_sheets
from kpi_core.results import KpiResult
from kpi_core.spend_tables import combine_spend
from kpi_core.workbook_reading import passed_sheet_note


@dataclass(frozen=True)
class ReportOptions(KpiSettings):
    """KPI settings plus how to read the files."""

    date_order: str | None = None
    sheet: str | None = None


# Names of a workbook sheet that sums up the others, such as "Total" beside
# "Google Ads" and "Meta".
# The whole name must be such a word, because "LinkedIn Kampagnen gesamt"
# names all of one platform's campaigns.
_TOTAL_SHEET = re.compile(
    r"(?i)^\W*(?:totals?|summe|gesamt|gesamtsumme|gesamtkosten|summary|übersicht"
    r"|gesamtübersicht)(?:\s+(?:spend|kosten|ausgaben))?\W*$"
)


@dataclass(frozen=True)
class _Loaded:
    """The tables read from one file, with the sheets or zip members that
    contained no table and why. ``audience`` is set for a member CSV of a
    Mailchimp audience export, which ``_join_audiences`` reads with the
    other member files of its export."""

    tables: list[PreparedTable]
    skipped: list[str]
    audience: FilePreview | None = None


def build_report(paths: list[Path], options: ReportOptions) -> dict[str, Any]:
    """Read every file and compute the KPIs its table type supports.

    Without ``options.sheet``, every sheet of a workbook and every member of
    a zip is read as a table of its own (see ``_load_sheets``), except the
    members of a Mailchimp audience export, which form one table. So do the
    member CSVs of one audience given as files of their own. When
    several files contain the same table type, the last one is used and a
    warning names the others. Spend files are added up instead, as one
    export per ad platform, and the CAC warns about rows two of them share.
    """
    loaded = _join_audiences([_load(path, options) for path in paths], options)
    tables = [table for item in loaded for table in item.tables]
    latest = {table.table: table.frame for table in tables}
    spend = {table.file: table.frame for table in tables if table.table == "spend"}
    if spend:
        latest["spend"] = combine_spend(spend)
    tickets = [table for table in tables if table.table == "tickets"]
    if tickets:
        options = replace(options, ticket_columns=dict(tickets[-1].mapping.columns))
    # The warnings name the file of each table the KPIs use: the last one.
    names = {table.table: table.file for table in tables if table.table != "spend"}
    options = replace(options, table_names=names)
    kpis = compute_kpis(latest, options)
    return {
        "period": _period_json(options.period),
        "inputs": [_input_json(table) for table in tables],
        "kpis": {key: result.to_json() for key, result in kpis.items()},
        "warnings": [note for item in loaded for note in item.skipped]
        + _warnings(tables)
        + _kpi_warnings(kpis),
    }


def parse_variants(pairs: list[str]) -> dict[str, str]:
    """Parse ``KPI=VARIANT`` options, rejecting unknown names."""
    variants: dict[str, str] = {}
    for pair in pairs:
        kpi, _, variant = pair.partition("=")
        allowed = VARIANTS.get(kpi)
        if allowed is None or variant not in allowed:
            known = "; ".join(f"{k}={'|'.join(v)}" for k, v in VARIANTS.items())
            raise InvalidSettingError(
                f"unknown variant {pair!r}; known variants are {known}"
            )
        variants[kpi] = variant
    return variants


def parse_fx(pairs: list[str]) -> dict[str, float]:
    """Parse ``USD=0.92`` options into currency code to rate. A decimal
    comma, as in ``CHF=1,07``, is read as the point, but a comma before
    exactly three digits ("1,480") could group thousands and is rejected."""
    rates: dict[str, float] = {}
    for pair in pairs:
        code, _, rate = pair.partition("=")
        if "," in rate and "." not in rate:
            # Thousands are grouped after 1-3 digits that do not start with 0.
            if re.fullmatch(r"\s*[1-9]\d{0,2},\d{3}\s*", rate):
                decimal = rate.strip().replace(",", ".")
                grouped = rate.strip().replace(",", "")
                raise InvalidSettingError(
                    f"exchange rate {pair!r} reads two ways, as {decimal} or "
                    f"{grouped}; write it with a decimal point and no thousands "
                    f"separator, such as {code.strip().upper()}={decimal} or "
                    f"{code.strip().upper()}={grouped}"
                )
            rate = rate.replace(",", ".")
        try:
            rates[code.strip().upper()] = float(rate)
        except ValueError:
            raise InvalidSettingError(
                f"invalid exchange rate {pair!r}; write it as CODE=RATE, "
                "for example USD=0.92"
            ) from None
    return rates


def _load(path: Path, options: ReportOptions) -> _Loaded:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFileError(
            f"cannot open the file ({error.strerror}); check the path",
            file=str(path),
        ) from None
    sheets = [] if options.sheet is not None else separate_sheets(path.name, data)
    if sheets:
        return _load_sheets(path.name, data, sheets, options.date_order)
    preview = preview_file(path.name, data, sheet=options.sheet)
    if preview.audience_member is not None:
        return _Loaded([], [], audience=preview)
    tables = load_previewed_tables(
        preview, path.name, data, date_order=options.date_order, sheet=options.sheet
    )
    return _Loaded(tables, [])


def _join_audiences(loaded: list[_Loaded], options: ReportOptions) -> list[_Loaded]:
    """Read the Mailchimp member CSVs of each audience together, as one table
    in the place of the audience's first file. A member file without the
    others of its export raises the error of ``load_audience``."""
    positions = [i for i, item in enumerate(loaded) if item.audience is not None]
    if not positions:
        return loaded
    members = [loaded[i].audience.audience_member for i in positions]
    joined = list(loaded)
    for group in group_members(members):
        previews = [loaded[positions[i]].audience for i in group]
        table = load_audience(previews, date_order=options.date_order)
        joined[positions[group[0]]] = _Loaded([table], [])
    return joined


def _load_sheets(
    file_name: str, data: bytes, sheets: list[str], date_order: str | None
) -> _Loaded:
    """Read each sheet or zip member as a table of its own.

    A sheet without data rows, or without the columns of any table type
    (a cover sheet or notes), is skipped with a warning, and so is a later
    sheet of a table type an earlier sheet gave. The first sheet is read by
    default elsewhere too, and a later one of the same type is often a part
    of it (won deals only) or a summary. Spend sheets are all read, because
    spend is added up, as one sheet per ad platform would be, except one
    named like a total ("Total", "Summe") beside other spend sheets
    (``_without_total_sheets``). Other unusable input raises as a single
    file's would, naming the sheet or member, and so does the first skip
    when no sheet contains a table.
    """
    tables: list[PreparedTable] = []
    # The sheet each spend table comes from, for ``_without_total_sheets``.
    spend_sheets: list[tuple[str, PreparedTable]] = []
    skipped: list[str] = []
    first_error: EmptyDataError | MissingColumnError | None = None
    formula_error: InputError | None = None
    for sheet in sheets:
        # The sheet's name joins the file's, so that the inputs and warnings
        # tell two tables of one workbook apart.
        source = f"{file_name} ({sheet})"
        try:
            found = load_file_tables(
                file_name, data, date_order=date_order, sheet=sheet
            )
        except (EmptyDataError, MissingColumnError) as error:
            first_error = first_error or error
            skipped.append(f"{source}: not read, {error.detail}")
            continue
        except InputError as error:
            # The source names a zip member as well as a sheet.
            named = type(error)(
                error.detail,
                file=source,
                line=error.line,
                column=error.column,
                sheet=error.sheet if error.sheet != sheet else None,
            )
            note = _passed_sheet_note(file_name, data, sheet, error)
            if note is None:
                raise named from error
            # Raised when no sheet contains a table, as ``load_file`` does.
            formula_error = formula_error or named
            skipped.append(f"{source}: not read, {note}")
            continue
        for table in found:
            earlier = next((t.file for t in tables if t.table == table.table), None)
            if earlier is None or table.table == "spend":
                tables.append(replace(table, file=source))
                if table.table == "spend":
                    spend_sheets.append((sheet, tables[-1]))
                continue
            skipped.append(
                f"{source}: not read, the {table.table} table comes from "
                f"{earlier}; pass --sheet {sheet!r} to read this sheet instead"
            )
    if not tables and formula_error is not None:
        raise formula_error
    if not tables and first_error is not None:
        raise first_error
    tables, totals = _without_total_sheets(tables, spend_sheets)
    return _Loaded(tables, skipped + totals)


def _passed_sheet_note(
    file_name: str, data: bytes, sheet: str, error: InputError
) -> str | None:
    """Return the warning text for a sheet that ``error`` rejected for its
    formulas without a saved result although it contains no table, because
    ``load_file`` passes such a sheet over. Return None to keep the error."""
    if not isinstance(error, UnreadableFileError) or error.sheet != sheet:
        return None
    return passed_sheet_note(file_name, data, sheet)


def _without_total_sheets(
    tables: list[PreparedTable], spend_sheets: list[tuple[str, PreparedTable]]
) -> tuple[list[PreparedTable], list[str]]:
    """Leave out the spend sheets named like a total of the others, wherever
    they stand, when other spend sheets remain; return the warnings.
    ``spend_sheets`` pairs each spend table of ``tables`` with its sheet."""
    totals = [
        (sheet, table) for sheet, table in spend_sheets if _TOTAL_SHEET.search(sheet)
    ]
    if not totals or len(totals) == len(spend_sheets):
        return tables, []
    warnings = [
        f"{table.file}: not read, a sheet named like a total of the other spend "
        f"sheets would count their spend twice; pass --sheet {sheet!r} to read it "
        "alone"
        for sheet, table in totals
    ]
    left_out = {id(table) for _, table in totals}
    return [table for table in tables if id(table) not in left_out], warnings


def _period_json(period: Period) -> dict[str, str | None]:
    return {
        "from": period.start.isoformat() if period.start else None,
        "to": period.end.isoformat() if period.end else None,
    }


def _input_json(table: PreparedTable) -> dict[str, Any]:
    return {
        "file": table.file,
        "table": table.table,
        "rows": table.rows_read,
        "rows_used": table.rows_used,
        "excluded": table.excluded_summary(),
        "emptied": table.emptied_summary(),
        "columns": _file_columns(table),
        "detected": _detected_by_file_column(table),
        "read": list(table.read_notes),
    }


def _file_columns(table: PreparedTable) -> dict[str, str | list[str]]:
    """Return the file column of each mapped field, or the list of file
    columns of a field that the import built from several of them."""
    named: dict[str, str | list[str]] = {}
    for field_name, column in table.mapping.used_columns().items():
        sources = table.column_sources.get(column, (column,))
        named[field_name] = sources[0] if len(sources) == 1 else list(sources)
    return named


def _detected_by_file_column(table: PreparedTable) -> dict[str, str]:
    """Return what was detected per file column: a note on a column that the
    import built from file columns goes to each of them."""
    detected: dict[str, str] = {}
    for column, note in table.detected.items():
        for source in table.column_sources.get(column, (column,)):
            detected[source] = note
    return detected


def _kpi_warnings(kpis: dict[str, KpiResult]) -> list[str]:
    """Return the warnings the pages show under the KPI cards: that a KPI
    leaves out a large share of its rows (``exclusion_warnings``), then the
    KPIs' own warnings, each after its key."""
    return kpi_warnings(kpis, {key: key for key in kpis})


def _warnings(tables: list[PreparedTable]) -> list[str]:
    # A file read as two tables (HubSpot deals with stage dates) has its
    # reader's warnings once.
    warnings = list(
        dict.fromkeys(
            f"{table.file}: {warning}"
            for table in tables
            for warning in table.read_warnings
        )
    )
    warnings += [
        f"{table.file}: {warning}" for table in tables for warning in table.warnings
    ]
    warnings += [
        f"{table.file}: {problem.describe()}; {problem.outcome()}"
        for table in tables
        for problem in table.problems
    ]
    warnings += [
        f"{table.file}: {conflict.describe()}"
        for table in tables
        for conflict in table.date_conflicts
    ]
    for table_type in sorted({table.table for table in tables} - {"spend"}):
        same = [t.file for t in tables if t.table == table_type]
        if len(same) > 1:
            warnings.append(
                f"several {table_type} tables given; the KPIs use {same[-1]} and "
                f"ignore {', '.join(same[:-1])}"
            )
    return warnings
