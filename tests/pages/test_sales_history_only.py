"""Sales page with a stage history but no deals table: the time in each
stage from the history, a period picker over its dates, and a note that
the other sales KPIs need deals."""

from __future__ import annotations

import hashlib
import math
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# A Salesforce Data Loader export of OpportunityHistory. Days in each stage
# run from the entry to the deal's next entry:
# - 006A: Prospecting 03-04 16:27 to 03-06 16:27 = 2.0 days,
#   Qualification 03-06 16:27 to 03-10 04:27 = 3.5 days, then won.
# - 006B: Prospecting 03-05 08:00 to 03-09 08:00 = 4.0 days,
#   Qualification 03-09 08:00 to 03-10 08:00 = 1.0 day, then lost.
# - 006C: Prospecting 04-03 00:00 to 04-04 12:00 = 1.5 days,
#   Qualification 04-04 12:00 to 04-11 12:00 = 7.0 days, then won.
# - 006D: still in Prospecting since 04-10, so it is left out of the times.
OPPORTUNITY_HISTORY = """\
OpportunityId,StageName,CreatedDate
006A,Prospecting,2017-03-04T16:27:00.000Z
006A,Qualification,2017-03-06T16:27:00.000Z
006A,Closed Won,2017-03-10T04:27:00.000Z
006B,Prospecting,2017-03-05T08:00:00.000Z
006B,Qualification,2017-03-09T08:00:00.000Z
006B,Closed Lost,2017-03-10T08:00:00.000Z
006C,Prospecting,2017-04-03T00:00:00.000Z
006C,Qualification,2017-04-04T12:00:00.000Z
006C,Closed Won,2017-04-11T12:00:00.000Z
006D,Prospecting,2017-04-10T00:00:00.000Z
"""
DEALS_NEEDED = (
    "Close rate, win rate, deal size, won value, sales cycle and the pipeline "
    "need a deals table. The upsell rate needs a deals or a subscriptions "
    "table. Upload a deals export on the Data page."
)


def _write_history(tmp_path: Path) -> Path:
    path = tmp_path / "OpportunityHistory.csv"
    path.write_text(OPPORTUNITY_HISTORY, encoding="utf-8")
    return path


def _empty_workspace(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    # The app loads the sample data into a workspace without this marker.
    (root / ".sample-loaded").touch()


def _store_history(tmp_path: Path, root: Path) -> None:
    """Store the history file, read from disk, in a workspace without the
    sample data."""
    _empty_workspace(root)
    path = _write_history(tmp_path)
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "stage_history"
    Workspace(root).save(
        prepared.frame,
        name=path.name,
        table_type="stage_history",
        source_file=path.name,
        mapping=prepared.mapping,
    )


def _median_days(at: AppTest) -> dict[str, float]:
    """Return the "Median days" of the stage table by stage, for the stages
    that have one."""
    [table] = [
        frame.value for frame in at.dataframe if "Median days" in frame.value.columns
    ]
    medians = dict(zip(table["Stage"], table["Median days"], strict=True))
    # A won or lost stage has no time in it, which the table sends as NaN.
    return {stage: days for stage, days in medians.items() if not math.isnan(days)}


def _set_dates(at: AppTest, start: date, end: date) -> None:
    at.sidebar.selectbox(key="period").set_value("custom").run()
    at.sidebar.date_input(key="dates").set_value((start, end)).run()
    assert not at.exception


def test_uploaded_history_shows_stage_times(tmp_path, fresh_workspace):
    _empty_workspace(fresh_workspace)
    path = _write_history(tmp_path)
    key = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [(path.name, path.read_bytes(), "text/csv")]
    ).run()
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    links = [link.proto.label for link in at.get("page_link")]
    assert "See the sales KPIs" in links

    at.switch_page("pages/sales.py").run()
    assert not at.exception
    assert any(header.value == "Time in each stage" for header in at.subheader)
    # All data: Prospecting 2.0, 4.0 and 1.5 days, median 2.0. Qualification
    # 3.5, 1.0 and 7.0 days, median 3.5.
    assert _median_days(at) == {"Prospecting": 2.0, "Qualification": 3.5}
    captions = " ".join(caption.value for caption in at.caption)
    assert "longest median, is Qualification." in captions
    notes = [info.value for info in at.info]
    assert DEALS_NEEDED in notes
    assert not any(note.startswith("No deals table yet") for note in notes)
    assert not at.metric


def test_history_period_picker_uses_its_dates(tmp_path, fresh_workspace):
    _store_history(tmp_path, fresh_workspace)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/sales.py").run()
    at.sidebar.selectbox(key="period").set_value("custom").run()
    assert not at.exception
    # The custom range opens on the first and the last entry of the history.
    assert at.sidebar.date_input(key="dates").value == (
        date(2017, 3, 4),
        date(2017, 4, 11),
    )


def test_history_stage_times_follow_period(tmp_path, fresh_workspace):
    _store_history(tmp_path, fresh_workspace)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/sales.py").run()

    # March: entries of 006A and 006B. Prospecting (2.0 + 4.0) / 2 = 3.0,
    # Qualification (3.5 + 1.0) / 2 = 2.25, so Prospecting is the bottleneck.
    _set_dates(at, date(2017, 3, 1), date(2017, 3, 31))
    assert _median_days(at) == {"Prospecting": 3.0, "Qualification": 2.25}
    captions = " ".join(caption.value for caption in at.caption)
    assert "longest median, is Prospecting." in captions

    # April: 006C alone completes its stages (1.5 and 7.0 days). 006D is
    # still in Prospecting, so it is counted apart.
    _set_dates(at, date(2017, 4, 1), date(2017, 4, 30))
    assert _median_days(at) == {"Prospecting": 1.5, "Qualification": 7.0}
    [table] = [frame.value for frame in at.dataframe if "Stage" in frame.value]
    still_in = dict(zip(table["Stage"], table["Deals still in it"], strict=True))
    assert still_in["Prospecting"] == 1
