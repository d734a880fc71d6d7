"""Before and after repeats a note that qualifies a significant row below
the table, where it is seen."""

from datetime import date

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only


def _deals() -> str:
    lines = ["Record ID,Deal Stage,Create Date,Close Date"]
    # 45 won deals, all created in January; none closes before 1 March.
    for number in range(5):
        lines.append(f"m{number},Closed won,2025-01-10,2025-03-{10 + number}")
    for number in range(40):
        day = 1 + number % 28
        month = 4 + number // 28
        lines.append(f"a{number},Closed won,2025-01-12,2025-{month:02d}-{day:02d}")
    return "\n".join(lines) + "\n"


def test_significant_row_note_shown(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (_deals(), "deals")})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    at.sidebar.date_input(key="compare_date").set_value(date(2025, 4, 1)).run()
    at.sidebar.number_input(key="compare_months").set_value(2).run()
    assert not at.exception
    table = at.dataframe[0].value
    [won] = table[table["KPI"] == "Won deals"].to_dict("records")
    # February and March against April and May: 5 won against 40.
    assert won["Before"] == "5"
    assert won["After"] == "40"
    assert won["Significant"] == "yes"
    warnings = [warning.value for warning in at.warning]
    assert any(
        w.startswith("Won deals is marked significant, but the first of the close")
        for w in warnings
    )
