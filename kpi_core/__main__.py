"""Command line: ``python -m kpi_core report FILE... [options]``.

Prints the machine-readable report as JSON on standard output. Unusable
input exits with status 1 and one line on standard error. A reader that
closes the pipe early, as ``head`` does, ends the command quietly with
status 141.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from kpi_core.business_hours import (
    WorkingTime,
    parse_holidays,
    parse_working_days,
    parse_working_hours,
)
from kpi_core.errors import AmbiguousDateError, InputError, InvalidSettingError
from kpi_core.period import Period, check_day
from kpi_core.report import ReportOptions, build_report, parse_fx, parse_variants

# The status a shell reports for a command ended by SIGPIPE (128 + signal 13),
# as ``cat`` or ``grep`` end when the reader of their output goes away.
BROKEN_PIPE_STATUS = 141


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        options = ReportOptions(
            period=Period(_date(args.start, "--from"), _date(args.end, "--to")),
            currency=args.currency,
            fx=parse_fx(args.fx),
            variants=parse_variants(args.variant),
            date_order=args.date_order,
            sheet=args.sheet,
            working=_working_time(args),
            lifespan_years=args.lifespan_years,
            gross_margin=args.gross_margin,
        )
        report = build_report(args.files, options)
    except InputError as error:
        message = _one_line(str(error))
        if isinstance(error, AmbiguousDateError) and args.date_order is None:
            message += "; on the command line, add --date-order dmy or mdy"
        print(f"error: {message}", file=sys.stderr)
        return 1
    try:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
        # Flushed here, so that a closed pipe raises inside this block.
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
        return BROKEN_PIPE_STATUS
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kpi_core")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="print every KPI as JSON")
    report.add_argument("files", nargs="+", type=Path, metavar="FILE")
    report.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (inclusive)")
    report.add_argument("--currency", help="currency code of money KPIs, e.g. EUR")
    report.add_argument(
        "--fx",
        action="append",
        default=[],
        metavar="CODE=RATE",
        help="value of one unit of CODE in --currency, e.g. USD=0.92",
    )
    report.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="KPI=VARIANT",
        help="switch a KPI to a variant, e.g. close_rate=closed",
    )
    report.add_argument(
        "--date-order",
        choices=["dmy", "mdy"],
        help="order of date columns whose values fit both day- and month-first",
    )
    report.add_argument(
        "--sheet",
        help="the one sheet or zip member to read in every XLSX or zip file "
        "(default: each sheet or member as a table of its own)",
    )
    report.add_argument(
        "--timezone",
        default="Europe/Berlin",
        help="time zone of naive ticket times (default Europe/Berlin)",
    )
    report.add_argument(
        "--holidays",
        default="DE",
        help="public holidays as COUNTRY or COUNTRY-REGION, e.g. DE-BY, or none",
    )
    report.add_argument(
        "--working-hours", default="09:00-17:00", help="working hours, HH:MM-HH:MM"
    )
    report.add_argument(
        "--working-days", default="Mon-Fri", help="working days, e.g. Mon-Fri"
    )
    report.add_argument(
        "--lifespan-years",
        type=float,
        help="customer lifespan for CLV when the data cannot give one, in years",
    )
    report.add_argument(
        "--gross-margin",
        type=float,
        default=100.0,
        help="gross margin in percent for the subscription CLV (default 100)",
    )
    return parser


def _working_time(args: argparse.Namespace) -> WorkingTime:
    start, end = parse_working_hours(args.working_hours)
    return WorkingTime(
        timezone=args.timezone,
        start=start,
        end=end,
        weekdays=parse_working_days(args.working_days),
        holidays=parse_holidays(args.holidays),
    )


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidSettingError(
            f"{option} {value!r} is not a date; write it as YYYY-MM-DD"
        ) from None
    check_day(day, option)
    return day


def _discard_stdout() -> None:
    """Point standard output at the null device, because Python flushes it
    again at exit and the closed pipe would raise a second BrokenPipeError
    there."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)


def _one_line(message: str) -> str:
    return " ".join(message.split())


if __name__ == "__main__":
    sys.exit(main())
