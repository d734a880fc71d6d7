"""The machine-readable report: every KPI the given files support, as JSON.

The JSON shape is documented in docs/report.md and is stable: ``period``,
``inputs`` (one entry per file), ``kpis`` (report key to result) and
``warnings``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kpi_core.errors import InvalidSettingError, UnreadableFileError
from kpi_core.importing import load_file_tables
from kpi_core.kpis import VARIANTS, KpiSettings, compute_kpis
from kpi_core.period import Period
from kpi_core.prepare import PreparedTable
from kpi_core.results import KpiResult
from kpi_core.spend_tables import combine_spend


@dataclass(frozen=True)
class ReportOptions(KpiSettings):
    """KPI settings plus how to read the files."""

    date_order: str | None = None
    sheet: str | None = None


def build_report(paths: list[Path], options: ReportOptions) -> dict[str, Any]:
    """Read every file and compute the KPIs its table type supports.

    When several files hold the same table type, the last one is used and a
    warning names the others. Spend files are added up instead, as one
    export per ad platform, and the CAC warns about rows two of them share.
    """
    tables = [table for path in paths for table in _load(path, options)]
    latest = {table.table: table.frame for table in tables}
    spend = {table.file: table.frame for table in tables if table.table == "spend"}
    if spend:
        latest["spend"] = combine_spend(spend)
    tickets = [table for table in tables if table.table == "tickets"]
    if tickets:
        options = replace(options, ticket_columns=dict(tickets[-1].mapping.columns))
    kpis = compute_kpis(latest, options)
    return {
        "period": _period_json(options.period),
        "inputs": [_input_json(table) for table in tables],
        "kpis": {key: result.to_json() for key, result in kpis.items()},
        "warnings": _warnings(tables) + _kpi_warnings(kpis),
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
    """Parse ``USD=0.92`` options into currency code to rate."""
    rates: dict[str, float] = {}
    for pair in pairs:
        code, _, rate = pair.partition("=")
        try:
            rates[code.strip().upper()] = float(rate)
        except ValueError:
            raise InvalidSettingError(
                f"invalid exchange rate {pair!r}; write it as CODE=RATE, "
                "for example USD=0.92"
            ) from None
    return rates


def _load(path: Path, options: ReportOptions) -> list[PreparedTable]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFileError(
            f"cannot open the file ({error.strerror}); check the path",
            file=str(path),
        ) from None
    return load_file_tables(
        path.name, data, date_order=options.date_order, sheet=options.sheet
    )


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
        "columns": table.mapping.used_columns(),
        "detected": table.detected,
        "read": list(table.read_notes),
    }


def _kpi_warnings(kpis: dict[str, KpiResult]) -> list[str]:
    """Return the warnings of the available KPIs, each after its key."""
    return [
        f"{key}: {warning}"
        for key, result in kpis.items()
        if result.available
        for warning in result.warnings
    ]


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
                f"several {table_type} files given; the KPIs use {same[-1]} and "
                f"ignore {', '.join(same[:-1])}"
            )
    return warnings
