"""Sales page with a HubSpot stage history in which a deal re-entered a
stage and the export has no "Cumulative time in" columns: that deal's times
are left out, and the page shows a warning."""

from __future__ import annotations

import math
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file_tables
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# Deal 201 went Appointment 1 Jan, Qualified 5 Jan, Contract 10 Jan, back to
# Qualified 15 Jan, Contract 20 Jan and won 30 Jan. The export contains the
# latest entries, and Appointment was left on 5 Jan, ten days before the
# next latest entry, so the deal re-entered a stage. Deal 202 went straight
# through: Appointment 4, Qualified 5 and Contract 10 days.
HEADER = ["Record ID", "Deal Stage", "Create Date", "Amount"]
for _stage in ("Appointment", "Qualified", "Contract"):
    HEADER += [
        f'"Date entered ""{_stage} (Sales Pipeline)"""',
        f'"Date exited ""{_stage} (Sales Pipeline)"""',
    ]
HEADER.append('"Date entered ""Closed Won (Sales Pipeline)"""')
EXPORT = "\n".join(
    [
        ",".join(HEADER),
        "201,Closed Won,2024-01-01 09:00,1000,2024-01-01 09:00,2024-01-05 09:00,"
        "2024-01-15 09:00,2024-01-20 09:00,2024-01-20 09:00,2024-01-30 09:00,"
        "2024-01-30 09:00",
        "202,Closed Won,2024-02-01 09:00,2000,2024-02-01 09:00,2024-02-05 09:00,"
        "2024-02-05 09:00,2024-02-10 09:00,2024-02-10 09:00,2024-02-20 09:00,"
        "2024-02-20 09:00",
        "",
    ]
)


def _store_history(tmp_path: Path, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    # The app loads the sample data into a workspace without this marker.
    (root / ".sample-loaded").touch()
    path = tmp_path / "hubspot_deals.csv"
    path.write_text(EXPORT, encoding="utf-8")
    tables = load_file_tables(path.name, path.read_bytes())
    [history] = [table for table in tables if table.table == "stage_history"]
    Workspace(root).save(
        history.frame,
        name=path.name,
        table_type="stage_history",
        source_file=path.name,
        mapping=history.mapping,
    )


def test_sales_page_warns_of_reentered_deal(tmp_path, fresh_workspace):
    _store_history(tmp_path, fresh_workspace)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/sales.py").run()
    assert not at.exception
    [table] = [
        frame.value for frame in at.dataframe if "Median days" in frame.value.columns
    ]
    medians = {
        stage: days
        for stage, days in zip(table["Stage"], table["Median days"], strict=True)
        if not math.isnan(days)
    }
    # Deal 202 alone.
    assert medians == {"Appointment": 4.0, "Qualified": 5.0, "Contract": 10.0}
    warnings = [warning.value for warning in at.warning]
    assert any(
        warning.startswith(
            "3 stage times of 1 deal that re-entered a stage are left out (deal 201)."
        )
        for warning in warnings
    )
