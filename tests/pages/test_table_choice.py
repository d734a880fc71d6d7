"""The table chosen for a type: kept in the URL as its id, and used by the
Excel download.

The workspace contains hand-made deals tables in place of the sample data, so
every expected figure below is worked out by hand from the CSV text.
"""

import io

import pytest
from openpyxl import load_workbook
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from kpi_core.excel_report import KEY_COLUMN, KPI_COLUMNS, SOURCE_COLUMNS
from kpi_core.importing import load_file
from kpi_core.sharing import ViewStore
from kpi_core.workspace import TableEntry, Workspace
from tests.pages.conftest import APP

# Close rate 3 won / 5 created = 60.0 %; won value 100 + 300 + 300 = 700.
OLDER_DEALS = b"""\
Deal ID,Deal Name,Deal Stage,Amount,Create Date,Close Date
1,A,Closed won,100,2025-01-10,2025-02-10
2,B,Closed lost,100,2025-02-10,2025-03-10
3,C,Closed won,300,2025-04-10,2025-05-10
4,D,Closed won,300,2025-05-10,2025-06-10
5,E,Closed lost,,2025-06-10,2025-06-20
"""
# The first four older deals: close rate 3 won / 4 created = 75.0 %.
OLDER_REPLACED = b"""\
Deal ID,Deal Name,Deal Stage,Amount,Create Date,Close Date
1,A,Closed won,100,2025-01-10,2025-02-10
2,B,Closed lost,100,2025-02-10,2025-03-10
3,C,Closed won,300,2025-04-10,2025-05-10
4,D,Closed won,300,2025-05-10,2025-06-10
"""
# Close rate 2 won / 4 created = 50.0 %; won value 1000 + 500 = 1,500.
NEWER_DEALS = b"""\
Deal ID,Deal Name,Deal Stage,Amount,Create Date,Close Date
1,Alpha,Closed won,1000,2025-01-02,2025-01-10
2,Beta,Closed won,500,2025-01-03,2025-01-12
3,Gamma,Closed lost,200,2025-01-04,2025-01-15
4,Delta,Closed lost,100,2025-01-05,2025-01-31
"""
PARAM = "table_deals"


def _save(store: Workspace, name: str, data: bytes, replace_id: str | None = None):
    prepared = load_file(f"{name}.csv", data, table="deals")
    return store.save(
        prepared.frame,
        name=name,
        table_type="deals",
        source_file=f"{name}.csv",
        mapping=prepared.mapping,
        replace_id=replace_id,
    )


def older_and_newer(root) -> tuple[Workspace, TableEntry, TableEntry]:
    """Replace the sample data by the older and then the newer deals."""
    AppTest.from_file(APP, default_timeout=60).run()
    store = Workspace(root)
    for entry in store.list_tables():
        store.delete(entry.id)
    older = _save(store, "Older", OLDER_DEALS)
    newer = _save(store, "Newer", NEWER_DEALS)
    assert [entry.name for entry in store.list_tables("deals")] == ["Newer", "Older"]
    return store, older, newer


def _open(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _choose(at: AppTest, entry: TableEntry) -> AppTest:
    at.sidebar.selectbox(key=PARAM).set_value(entry.id).run()
    assert not at.exception
    return at


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """Record the callables of deferred downloads by file name.

    The server calls such a callable in another thread when the user clicks,
    outside the script run, and a test calls it the same way.
    """
    recorded = {}
    register = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        recorded[file_name] = data_callable
        return register(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return recorded


def _excel_report(downloads: dict):
    [name] = [name for name in downloads if name.startswith("crm-kpis-")]
    return load_workbook(io.BytesIO(downloads[name]()))


def _kpi_rows(sheet) -> dict:
    rows = sheet.iter_rows(min_row=5, max_col=len(KPI_COLUMNS), values_only=True)
    return {
        row[KEY_COLUMN]: row
        for row in rows
        if row[0] and row[1] in ("available", "not available")
    }


def _table_rows(settings_sheet) -> dict:
    """Return the stored tables the Settings sheet lists, by table label."""
    rows = list(settings_sheet.iter_rows(values_only=True))
    start = rows.index(tuple(SOURCE_COLUMNS)) + 1
    listed = {}
    for row in rows[start:]:
        if row[0] is None:
            break
        listed[row[0]] = row[1:3]
    return listed


def test_table_param_holds_id(fresh_workspace):
    _, older, newer = older_and_newer(fresh_workspace)
    at = _choose(_open(), older)
    assert at.query_params[PARAM] == older.id
    assert _metrics(at)["Close rate"] == "60.0 %"
    # The newest table is the default and leaves the URL.
    _choose(at, newer)
    assert PARAM not in at.query_params
    assert _metrics(at)["Close rate"] == "50.0 %"


def test_url_of_replaced_table_keeps_it(fresh_workspace):
    store, older, _ = older_and_newer(fresh_workspace)
    url = dict(_choose(_open(), older).query_params)
    # Replacing a table makes it the newest, so a third upload follows.
    _save(store, "Older", OLDER_REPLACED, replace_id=older.id)
    _save(store, "Third", NEWER_DEALS)
    at = _open(**url)
    assert not at.exception
    assert at.sidebar.selectbox(key=PARAM).value == older.id
    assert _metrics(at)["Close rate"] == "75.0 %"
    assert at.query_params[PARAM] == older.id


def test_url_of_renamed_table_keeps_it(fresh_workspace):
    store, older, _ = older_and_newer(fresh_workspace)
    url = dict(_choose(_open(), older).query_params)
    store.rename(older.id, "Pipeline 2025")
    at = _open(**url)
    assert not at.exception
    assert at.sidebar.selectbox(key=PARAM).value == older.id
    assert _metrics(at)["Close rate"] == "60.0 %"
    assert "Deals from Pipeline 2025 (5 rows)" in at.caption[0].value


def test_url_with_old_label_still_works(fresh_workspace):
    store, older, _ = older_and_newer(fresh_workspace)
    at = _open(**{PARAM: "Older (5 rows)"})
    assert not at.exception
    assert _metrics(at)["Close rate"] == "60.0 %"
    assert at.query_params[PARAM] == older.id
    # After a replace the row count in the label is out of date, and the
    # name alone finds the table.
    _save(store, "Older", OLDER_REPLACED, replace_id=older.id)
    _save(store, "Third", NEWER_DEALS)
    at = _open(**{PARAM: "Older (5 rows)"})
    assert not at.exception
    assert not at.warning
    assert _metrics(at)["Close rate"] == "75.0 %"


def test_url_with_unknown_table_warns(fresh_workspace):
    _, _, newer = older_and_newer(fresh_workspace)
    at = _open(**{PARAM: "Gone (3 rows)"})
    assert not at.exception
    assert "not stored any more" in at.sidebar.warning[0].value
    assert "Gone (3 rows)" in at.sidebar.warning[0].value
    assert at.sidebar.selectbox(key=PARAM).value == newer.id
    assert _metrics(at)["Close rate"] == "50.0 %"
    assert PARAM not in at.query_params


def test_url_table_kept_on_other_pages(fresh_workspace):
    _, older, _ = older_and_newer(fresh_workspace)
    at = _open(**{PARAM: older.id})
    # The sidebar navigation drops the URL parameters.
    at.query_params.clear()
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    assert at.sidebar.selectbox(key=PARAM).value == older.id
    assert at.query_params[PARAM] == older.id
    at.query_params.clear()
    at.switch_page("pages/sales.py").run()
    assert _metrics(at)["Close rate"] == "60.0 %"


def test_excel_uses_chosen_table(fresh_workspace, downloads):
    _, older, _ = older_and_newer(fresh_workspace)
    at = _choose(_open(), older)
    assert _metrics(at)["Close rate"] == "60.0 %"
    workbook = _excel_report(downloads)
    close_rate = _kpi_rows(workbook["Sales"])["close_rate"]
    # 3 won / 5 created x 100, the same as on the page.
    assert close_rate[2] == 60.0
    assert close_rate[4] == 5
    won_value = _kpi_rows(workbook["Sales"])["won_value"]
    assert won_value[2] == 700.0
    assert _table_rows(workbook["Settings"]) == {"Deals": ("Older", 5)}


def test_excel_follows_newest_by_default(fresh_workspace, downloads):
    older_and_newer(fresh_workspace)
    _open()
    workbook = _excel_report(downloads)
    # 2 won / 4 created x 100.
    assert _kpi_rows(workbook["Sales"])["close_rate"][2] == 50.0
    assert _table_rows(workbook["Settings"]) == {"Deals": ("Newer", 4)}


def test_excel_of_link_uses_its_table(fresh_workspace, downloads):
    store, older, _ = older_and_newer(fresh_workspace)
    sender = _choose(_open(), older)
    sender.sidebar.button(key="share").click().run()
    [view] = ViewStore(fresh_workspace).list()
    # A newer upload after the link was made does not change the link.
    _save(store, "Latest", NEWER_DEALS)
    downloads.clear()
    viewer = _open(view=view.token)
    assert not viewer.exception
    assert _metrics(viewer)["Close rate"] == "60.0 %"
    workbook = _excel_report(downloads)
    assert _kpi_rows(workbook["Sales"])["close_rate"][2] == 60.0
    assert _table_rows(workbook["Settings"]) == {"Deals": ("Older", 5)}
