"""Time the app's import and KPI code on the generated data set.

Steps, each in its own subprocess so that its peak resident memory
(``VmHWM`` in /proc/self/status) is its own:

- floor: plain Polars reading the mapped columns of each CSV with their
  types given (``pl.read_csv`` with ``schema_overrides``), and the same
  columns from Parquet. It does no detection, mapping or validation.
- import: ``kpi_core.importing.load_file`` on the CSV bytes, as the CLI
  imports a file. The NPS file goes the data page's way instead (preview,
  then the score column the user would pick), because the importer maps
  Typeform's "What is the main reason for your score?" to the score.
- kpis: every KPI of one year with its monthly series and owner or agent
  breakdown, one KPI family per table, on the imported tables.
- rerun: the sales page's figures for a second period, with the deals
  already loaded and the first period computed.
- page: a page run by Streamlit's AppTest on a workspace holding the
  imported tables: its first view, then a rerun after the period changes
  and another after the chart grain changes.

Run ``python benchmarks/generate.py --scale 0.01`` first, then
``python benchmarks/run.py``; ``--generate 0.01`` does both. ``--profile
import deals`` prints a cProfile listing of one step instead.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from benchmarks.generate import DEFAULT_FOLDER, NPS_QUESTION, generate  # noqa: E402
from kpi_core import (  # noqa: E402
    churn,
    clv,
    nps,
    reading,
    service,
    subscriptions,
)
from kpi_core.email_list import list_growth_rate, list_growth_series  # noqa: E402
from kpi_core.importing import load_file, preview_file  # noqa: E402
from kpi_core.mapping import Mapping  # noqa: E402
from kpi_core.marketing import campaign_revenue  # noqa: E402
from kpi_core.period import Period  # noqa: E402
from kpi_core.prepare import PreparedTable, prepare_table  # noqa: E402
from kpi_core.sales import sales_kpis  # noqa: E402
from kpi_core.sales_tables import (  # noqa: E402
    pipeline_by_stage,
    sales_breakdown,
    sales_series,
)
from kpi_core.stages import stage_duration_days, stage_summary  # noqa: E402
from kpi_core.workspace import WORKSPACE_ENV, Workspace  # noqa: E402

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))
RERUN_PERIOD = Period(date(2024, 7, 1), date(2025, 6, 30))
AS_OF = datetime(2025, 12, 31, 23, 59)
TABLES = ("deals", "stage_history", "tickets", "subscriptions", "email_events", "nps")
FAMILIES = {
    "sales": "deals",
    "campaigns": "deals",
    "stages": "stage_history",
    "service": "tickets",
    "subscriptions": "subscriptions",
    "email_list": "email_events",
    "nps": "nps",
}
# The tables each timed page reads, stored in a workspace of their own.
PAGES = {
    "sales": ("pages/sales.py", ("deals", "stage_history")),
    "service": ("pages/service.py", ("tickets", "nps", "subscriptions")),
    "marketing": ("pages/marketing.py", ("deals", "email_events", "subscriptions")),
}

_TEXT, _DATE, _TIME = pl.String, pl.Date, pl.Datetime("us")
# The columns the app maps, with the types the canonical tables give them.
KNOWN_TYPES: dict[str, dict[str, pl.DataType]] = {
    "deals": {
        "Record ID": _TEXT,
        "Deal Stage": _TEXT,
        "Amount": pl.Float64,
        "Create Date": _TIME,
        "Close Date": _DATE,
        "Deal owner": _TEXT,
        "Pipeline": _TEXT,
        "Deal Type": _TEXT,
        "Associated Company": _TEXT,
        "Original Source": _TEXT,
    },
    "stage_history": {"Record ID": _TEXT, "Stage": _TEXT, "Entered at": _TIME},
    "tickets": {
        "Id": _TEXT,
        "Requester id": _TEXT,
        "Assignee": _TEXT,
        "Status": _TEXT,
        "Priority": _TEXT,
        "Ticket type": _TEXT,
        "Via": _TEXT,
        "Created at": _TIME,
        "Solved at": _TIME,
        "Replies": pl.Int64,
        "Reopens": pl.Int64,
    },
    "subscriptions": {
        "id": _TEXT,
        "Customer ID": _TEXT,
        "Plan": _TEXT,
        "Quantity": pl.Float64,
        "Interval": _TEXT,
        "Amount": pl.Float64,
        "Currency": _TEXT,
        "Status": _TEXT,
        "Start Date (UTC)": _TIME,
        "Canceled At (UTC)": _TIME,
        "Ended At (UTC)": _TIME,
    },
    "email_events": {"Email Address": _TEXT, "Action": _TEXT, "Timestamp": _TIME},
    "nps": {
        NPS_QUESTION: pl.Int64,
        "email": _TEXT,
        "plan": _TEXT,
        "Submit Date (UTC)": _TIME,
    },
}


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.child:
        print(json.dumps(run_step(args.child[0], args.child[1], args.data)))
        return
    if args.report:
        print(report(json.loads(args.report.read_text())))
        return
    if args.generate is not None:
        generate(args.data, args.generate)
    if args.profile:
        profile_step(args.profile[0], args.profile[1], args.data)
        return
    steps = run_all(args.data)
    # The machine line comes last, so its load averages cover the run.
    run = {"data": str(args.data), "machine": _machine(), "steps": steps}
    print(report(run))
    if args.json:
        args.json.write_text(json.dumps(run, indent=2))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument(
        "--generate", type=float, metavar="SCALE", help="write the data first"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--report", type=Path, metavar="JSON", help="print the tables of a saved run"
    )
    parser.add_argument(
        "--profile", nargs=2, metavar=("STEP", "NAME"), help="profile one step"
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    return parser


def run_all(folder: Path) -> list[dict[str, Any]]:
    """Run every step in a fresh subprocess; return one record per step."""
    plan = [("floor_csv", name) for name in TABLES]
    plan += [("floor_parquet", name) for name in TABLES]
    plan += [("import", name) for name in TABLES]
    plan += [("kpis", family) for family in FAMILIES]
    plan.append(("rerun", "sales"))
    plan += [("page", page) for page in PAGES]
    return [_run_child(step, name, folder) for step, name in plan]


def _run_child(step: str, name: str, folder: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--data", str(folder), "--child", step, name]
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT)
    if done.returncode != 0:
        raise RuntimeError(f"{step} {name} failed:\n{done.stderr}")
    record = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{step:14} {name:14} {record['seconds']:8.2f} s", file=sys.stderr)
    return record


def run_step(step: str, name: str, folder: Path) -> dict[str, Any]:
    """Run one step in this process and measure it."""
    base_mb = _peak_mb()
    details = STEPS[step](name, folder)
    seconds = details.pop("seconds")
    return {
        "step": step,
        "name": name,
        "seconds": round(seconds, 3),
        "peak_mb": round(_peak_mb(), 1),
        "added_mb": round(_peak_mb() - base_mb, 1),
        **details,
    }


def profile_step(step: str, name: str, folder: Path) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(STEPS[step], name, folder)
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(30)


def _peak_mb() -> float:
    """Return this process's peak resident memory in MiB.

    Linux carries ``ru_maxrss`` over from the parent across fork and exec, so
    a child started by a large parent would report the parent's peak. The
    ``VmHWM`` line of /proc/self/status belongs to this process alone.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _floor_csv(name: str, folder: Path) -> dict[str, Any]:
    data = (folder / f"{name}.csv").read_bytes()
    types = KNOWN_TYPES[name]
    started = time.perf_counter()
    frame = pl.read_csv(io.BytesIO(data), columns=list(types), schema_overrides=types)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": frame.height,
        "csv_mb": round(len(data) / 2**20, 1),
        "arrow_mb": round(frame.estimated_size() / 2**20, 1),
    }


def _floor_parquet(name: str, folder: Path) -> dict[str, Any]:
    started = time.perf_counter()
    frame = pl.read_parquet(folder / f"{name}.parquet", columns=list(KNOWN_TYPES[name]))
    return {"seconds": time.perf_counter() - started, "rows": frame.height}


def _import(name: str, folder: Path) -> dict[str, Any]:
    data = (folder / f"{name}.csv").read_bytes()
    # The size limit is lifted to fit the file, as raising the app's upload
    # limit would, so the same code is timed at every scale.
    over_limit = len(data) > reading.MAX_UPLOAD_BYTES
    started = time.perf_counter()
    if name == "nps":
        prepared = _load_nps(data)
    else:
        prepared = load_file(f"{name}.csv", data, max_bytes=len(data))
    seconds = time.perf_counter() - started
    target = folder / "prepared"
    target.mkdir(exist_ok=True)
    prepared.frame.write_parquet(target / f"{name}.parquet")
    return {
        "seconds": seconds,
        "rows": prepared.rows_read,
        "rows_used": prepared.rows_used,
        "over_upload_limit": over_limit,
    }


def _load_nps(data: bytes) -> PreparedTable:
    """Import a Typeform export as the data page does: preview it, then use
    the NPS question as the score column.

    The header aliases do not find that column. ``preview_file`` finds it by
    its values and maps it, and a user would otherwise pick it by its header.
    """
    preview = preview_file("nps.csv", data, table="nps", max_bytes=len(data))
    mapping = preview.mapping.with_choice("score", NPS_QUESTION)
    return prepare_table(preview.raw, mapping)


def _kpis(family: str, folder: Path) -> dict[str, Any]:
    frame = _prepared(FAMILIES[family], folder)
    compute = KPI_FAMILIES[family]
    started = time.perf_counter()
    figures = compute(frame, YEAR)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": frame.height, "figures": len(figures)}


def _rerun(family: str, folder: Path) -> dict[str, Any]:
    deals = _prepared("deals", folder)
    _sales_page(deals, YEAR)
    started = time.perf_counter()
    _sales_page(deals, RERUN_PERIOD)
    return {"seconds": time.perf_counter() - started, "rows": deals.height}


def _page(page: str, folder: Path) -> dict[str, Any]:
    """Time a page in Streamlit's AppTest: its first view, a period change
    and a grain change, on a workspace holding only the tables it reads.

    The app opens on the sales page, so for another page that first run is
    left out of the timing, as is a table it already read for sales.
    """
    from streamlit.testing.v1 import AppTest

    # A running server has imported these before a user opens a page.
    import pages.ui.currencies  # noqa: F401
    import pages.ui.kpi_cards  # noqa: F401
    import pages.ui.navigation  # noqa: F401
    import pages.ui.period_pickers  # noqa: F401
    import pages.ui.share_link  # noqa: F401

    path, tables = PAGES[page]
    root = Path(tempfile.mkdtemp(prefix=f"crm-bench-{page}-"))
    os.environ[WORKSPACE_ENV] = str(root)
    store = Workspace(root)
    # The app loads its demo tables into a workspace without this marker.
    (root / ".sample-loaded").touch()
    rows = 0
    for table in tables:
        frame = _prepared(table, folder)
        rows += frame.height
        store.save(
            frame,
            name=table,
            table_type=table,
            source_file=f"{table}.csv",
            mapping=Mapping(table, {}),
        )
        del frame
    app = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=900)
    if page != "sales":
        app.run()
    timings = {}
    started = time.perf_counter()
    app.switch_page(path).run()
    timings["first_view_s"] = time.perf_counter() - started
    started = time.perf_counter()
    app.sidebar.selectbox(key="period").set_value("last_quarter").run()
    timings["period_change_s"] = time.perf_counter() - started
    started = time.perf_counter()
    app.sidebar.segmented_control(key="grain").set_value("week").run()
    timings["grain_change_s"] = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"{path} failed: {app.exception[0].value}")
    return {
        "seconds": sum(timings.values()),
        "rows": rows,
        **{key: round(value, 3) for key, value in timings.items()},
    }


def _prepared(table: str, folder: Path) -> pl.DataFrame:
    path = folder / "prepared" / f"{table}.parquet"
    if not path.exists():
        raise SystemExit(f"{path} is missing; run the import step first")
    return pl.read_parquet(path)


def _sales_page(deals: pl.DataFrame, period: Period) -> list[Any]:
    """Compute what pages/sales.py shows: cards, series, pipeline, owners."""
    return [
        sales_kpis(deals, period),
        sales_series(deals, period, "month"),
        pipeline_by_stage(deals, period),
        sales_breakdown(deals, period, "owner"),
    ]


def _campaigns(deals: pl.DataFrame, period: Period) -> list[Any]:
    return [campaign_revenue(deals, period)]


def _stages(history: pl.DataFrame, period: Period) -> list[Any]:
    return [
        stage_duration_days(history, period, AS_OF),
        stage_summary(history, AS_OF, period=period),
    ]


def _service_figures(tickets: pl.DataFrame, period: Period) -> list[Any]:
    return [
        service.service_kpis(tickets=tickets, period=period),
        service.resolution_series(tickets, period, "month"),
        service.resolution_breakdown(tickets, period, "agent"),
        service.followups_breakdown(tickets, period, "agent"),
    ]


def _subscription_figures(subs: pl.DataFrame, period: Period) -> list[Any]:
    return [
        subscriptions.arr(subs, period),
        subscriptions.arr_bridge(subs, period),
        churn.churn_rate(subs, period),
        churn.churn_series(subs, period, "month"),
        subscriptions.upsell_rate_subscriptions(subs, period),
        clv.clv(subs=subs, period=period, variant="subscription"),
    ]


def _email_list(events: pl.DataFrame, period: Period) -> list[Any]:
    return [
        list_growth_rate(events, period),
        list_growth_series(events, period, "month"),
    ]


def _nps_figures(responses: pl.DataFrame, period: Period) -> list[Any]:
    return [
        nps.net_promoter_score(responses, period),
        nps.nps_series(responses, period, "month"),
        nps.nps_breakdown(responses, period, "segment"),
    ]


STEPS: dict[str, Callable[[str, Path], dict[str, Any]]] = {
    "floor_csv": _floor_csv,
    "floor_parquet": _floor_parquet,
    "import": _import,
    "kpis": _kpis,
    "rerun": _rerun,
    "page": _page,
}
KPI_FAMILIES: dict[str, Callable[[pl.DataFrame, Period], list[Any]]] = {
    "sales": _sales_page,
    "campaigns": _campaigns,
    "stages": _stages,
    "service": _service_figures,
    "subscriptions": _subscription_figures,
    "email_list": _email_list,
    "nps": _nps_figures,
}


def report(run: dict[str, Any]) -> str:
    """Lay a run out as Markdown tables with ratios to the floor."""
    by_step = {(r["step"], r["name"]): r for r in run["steps"]}
    lines = [f"Data: {run['data']}; {run['machine']}", ""]
    lines += _import_table(by_step)
    lines += [""] + _kpi_table(by_step)
    lines += [""] + _totals(by_step)
    rerun = by_step[("rerun", "sales")]
    lines += [
        "",
        f"Rerun of the sales page for another period: {rerun['seconds']:.2f} s "
        f"({rerun['rows']:,} deals), peak {rerun['peak_mb']:,.0f} MB.",
        "",
    ]
    lines += _page_table(by_step)
    return "\n".join(lines)


def _import_table(by_step: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    lines = [
        "| table | rows | CSV MB | Arrow MB | floor CSV s | floor Parquet s "
        "| import s | import / floor | import peak MB | added MB / Arrow MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in TABLES:
        floor = by_step[("floor_csv", name)]
        parquet = by_step[("floor_parquet", name)]
        loaded = by_step[("import", name)]
        lines.append(
            f"| {name} | {floor['rows']:,} | {floor['csv_mb']:,.1f} "
            f"| {floor['arrow_mb']:,.1f} | {floor['seconds']:.2f} "
            f"| {parquet['seconds']:.2f} | {loaded['seconds']:.2f} "
            f"| {_ratio(loaded['seconds'], floor['seconds'])} "
            f"| {loaded['peak_mb']:,.0f} "
            f"| {_ratio(loaded['added_mb'], floor['arrow_mb'])} |"
        )
    return lines


def _kpi_table(by_step: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    lines = [
        "| KPI family | table | rows | KPIs s | KPIs / floor CSV s | peak MB "
        "| added MB / Arrow MB |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for family, table in FAMILIES.items():
        floor = by_step[("floor_csv", table)]
        kpis = by_step[("kpis", family)]
        lines.append(
            f"| {family} | {table} | {kpis['rows']:,} | {kpis['seconds']:.2f} "
            f"| {_ratio(kpis['seconds'], floor['seconds'])} "
            f"| {kpis['peak_mb']:,.0f} "
            f"| {_ratio(kpis['added_mb'], floor['arrow_mb'])} |"
        )
    return lines


def _totals(by_step: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    """Sum the steps over the whole data set, next to the per-table ratios.

    The largest peak of one step is set against the Arrow size of all the
    tables, which is the most a process that handles one file at a time
    keeps in memory when it frees each table after use.
    """
    floor = sum(by_step[("floor_csv", name)]["seconds"] for name in TABLES)
    arrow = sum(by_step[("floor_csv", name)]["arrow_mb"] for name in TABLES)
    imports = [by_step[("import", name)] for name in TABLES]
    kpis = [by_step[("kpis", family)] for family in FAMILIES]
    imported = sum(record["seconds"] for record in imports)
    computed = sum(record["seconds"] for record in kpis)
    peak = max(record["added_mb"] for record in imports + kpis)
    return [
        f"Whole data set: floor CSV {floor:.2f} s, import {imported:.2f} s "
        f"({_ratio(imported, floor)}), KPIs {computed:.2f} s "
        f"({_ratio(computed, floor)}); Arrow {arrow:,.1f} MB, largest added "
        f"peak of one step {peak:,.0f} MB ({_ratio(peak, arrow)})."
    ]


def _page_table(by_step: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    lines = [
        "| page | rows stored | first view s | period change s | grain change s "
        "| peak MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for page in PAGES:
        record = by_step.get(("page", page))
        if record is None:
            continue
        lines.append(
            f"| {page} | {record['rows']:,} | {record['first_view_s']:.2f} "
            f"| {record['period_change_s']:.2f} | {record['grain_change_s']:.2f} "
            f"| {record['peak_mb']:,.0f} |"
        )
    return lines


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.1f}x" if floor > 0 else "n/a"


def _machine() -> str:
    return (
        f"Python {platform.python_version()}, Polars {pl.__version__}, "
        f"{platform.machine()}, {_cpu_count()} CPUs, {_memory_gib():.0f} GiB, "
        f"load average {'/'.join(f'{load:.1f}' for load in os.getloadavg())} "
        f"(1/5/15 min) at the end, code at {_commit()}"
    )


def _commit() -> str:
    """Name the checked-out commit, and say when the tree has local changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain", "--", "kpi_core"],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"
    return f"{head} with local changes in kpi_core" if changes else head


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0))


def _memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


if __name__ == "__main__":
    main()
