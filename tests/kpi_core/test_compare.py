import csv
import math
from datetime import date, datetime, timedelta
from statistics import NormalDist

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_core.compare import (
    COUNT_TEST,
    NPS_TEST,
    PROPORTION_TEST,
    RANK_TEST,
    before_after,
    not_compared,
)
from kpi_core.compare_periods import (
    comparison_windows,
    data_range,
    default_pivot,
    overlap_range,
    previous_period,
    same_period_last_year,
)
from kpi_core.compare_stats import count_test_p, nps_test_p
from kpi_core.errors import EmptyDataError, InvalidSettingError
from kpi_core.importing import load_file
from kpi_core.nps import net_promoter_score
from kpi_core.period import Period
from kpi_core.stats import mann_whitney_p

D = date
NORMAL = NormalDist()
DEALS_SCHEMA = {
    "deal_id": pl.String,
    "created_at": pl.Date,
    "closed_at": pl.Date,
    "status": pl.String,
}
# 1 April 2025 with 1-month windows: 2 to 31 March before, April after.
PIVOT = D(2025, 4, 1)
SMALL_DEALS = [
    ("first", D(2025, 1, 1), None, "open"),
    ("b1", D(2025, 3, 10), D(2025, 3, 20), "won"),
    ("b2", D(2025, 3, 10), D(2025, 3, 30), "won"),
    ("b3", D(2025, 3, 10), D(2025, 3, 25), "lost"),
    ("b4", D(2025, 3, 10), None, "open"),
    ("a1", D(2025, 4, 10), D(2025, 4, 15), "won"),
    *[(f"a{i}", D(2025, 4, 10), D(2025, 4, 20), "lost") for i in range(2, 6)],
    ("last", D(2025, 6, 1), None, "open"),
]


def _two_sided(z: float) -> float:
    return 2 * (1 - NORMAL.cdf(abs(z)))


def _deals(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=DEALS_SCHEMA, orient="row")


def _row(table: pl.DataFrame, kpi: str) -> dict:
    return table.filter(pl.col("kpi") == kpi).row(0, named=True)


def _small() -> pl.DataFrame:
    return before_after(_deals(SMALL_DEALS), PIVOT, months=1)


def test_before_after_textbook_two_proportions():
    # A textbook exercise on cancer deaths in an aspirin study: 347 of
    # 11,535 on placebo against 327 of 14,035 on aspirin. Its solution, quoted
    # at solutioninn.com ("in-the-study-for-cancer-death-rates-consider-the-
    # null"), gives a pooled estimate of 0.027, a standard error of 0.002
    # and z = 3.5, all from rounded figures. Unrounded they are 0.0264,
    # 0.00201 and 3.37. Here they are the close rates of the deals created
    # before and after 1 July 2025.
    before = [("b", D(2025, 3, 1), D(2025, 3, 15), "won")] * 347
    before += [("b", D(2025, 3, 1), D(2025, 3, 15), "lost")] * (11_535 - 347)
    after = [("a", D(2025, 9, 1), D(2025, 9, 15), "won")] * 327
    after += [("a", D(2025, 9, 1), D(2025, 9, 15), "lost")] * (14_035 - 327)
    edges = [
        ("first", D(2024, 12, 1), None, "open"),
        ("last", D(2026, 1, 15), None, "open"),
    ]
    table = before_after(_deals(before + after + edges), D(2025, 7, 1), months=6)
    row = _row(table, "close_rate")

    pooled = (347 + 327) / (11_535 + 14_035)
    standard_error = math.sqrt(pooled * (1 - pooled) * (1 / 11_535 + 1 / 14_035))
    z = (347 / 11_535 - 327 / 14_035) / standard_error
    assert pooled == pytest.approx(0.027, abs=0.001)
    assert standard_error == pytest.approx(0.002, abs=0.0001)
    assert z == pytest.approx(3.5, abs=0.15)
    assert row["n_before"] == 11_535
    assert row["n_after"] == 14_035
    assert row["test"] == PROPORTION_TEST
    # At these sizes Fisher's exact p-value is close to that of the z-test
    # with Yates's continuity correction, which takes 0.5 x (1 / n1 + 1 / n2)
    # off the difference of the rates: z = 3.33, p = 0.00086.
    correction = 0.5 * (1 / 11_535 + 1 / 14_035)
    corrected = (347 / 11_535 - 327 / 14_035 - correction) / standard_error
    assert row["p_value"] == pytest.approx(_two_sided(corrected), rel=0.05)
    assert row["p_value"] < 0.001
    assert row["significant"] is True


def test_before_after_rows_for_deals():
    assert _small()["kpi"].to_list() == [
        "new_deals",
        "close_rate",
        "win_rate",
        "won_deals",
        "sales_cycle_days",
    ]


def test_before_after_columns():
    assert _small().columns == [
        "kpi",
        "label",
        "unit",
        "before",
        "after",
        "before_low",
        "before_high",
        "after_low",
        "after_high",
        "n_before",
        "n_after",
        "days",
        "difference",
        "test",
        "p_value",
        "significant",
        "note",
    ]


def test_before_after_new_deals_count():
    row = _row(_small(), "new_deals")
    assert row["before"] == 4
    assert row["after"] == 5
    assert row["difference"] == 1
    assert row["test"] == COUNT_TEST
    # Given 9 deals, the before count is Binomial(9, 1/2) over equal
    # windows. P(4) = P(5) = 126 / 512 are the most likely outcomes, so every
    # outcome is no more likely than 4 and p = 1.
    assert row["p_value"] == pytest.approx(1.0)
    assert row["significant"] is False


def test_before_after_close_rate():
    row = _row(_small(), "close_rate")
    # 2 of 4 before, 1 of 5 after; pooled 3 of 9.
    assert row["before"] == pytest.approx(50.0)
    assert row["after"] == pytest.approx(20.0)
    assert row["difference"] == pytest.approx(-30.0)
    # Fisher: 5 deals after drawn from 9, of which 3 are won. P(k won after)
    # = C(3, k) C(6, 5 - k) / C(9, 5): 6, 45, 60 and 15 in 126 for k = 0 to
    # 3. Observed k = 1 (45), and 6, 45 and 15 are no more likely: 66 / 126.
    assert row["test"] == PROPORTION_TEST
    assert row["p_value"] == pytest.approx(66 / 126)
    # Wilson intervals of 2 of 4 and 1 of 5, as the close-rate card gives
    # them: (p + z^2 / 2n +- z sqrt(p (1 - p) / n + z^2 / 4n^2)) / (1 + z^2 / n).
    for side, won, created in (("before", 2, 4), ("after", 1, 5)):
        p, z = won / created, 1.959964
        centre = p + z**2 / (2 * created)
        half = z * math.sqrt(p * (1 - p) / created + z**2 / (4 * created**2))
        scale = 1 + z**2 / created
        assert row[f"{side}_low"] == pytest.approx((centre - half) / scale * 100)
        assert row[f"{side}_high"] == pytest.approx((centre + half) / scale * 100)
    # b4 of the 4 deals created in March is still open; no April deal is.
    assert row["note"] == (
        "before: 1 of the 4 deals created is still open (25.0 %), so its close "
        "rate can still rise"
    )


def test_before_after_win_rate_by_close():
    row = _row(_small(), "win_rate")
    # Closed in March: 2 won, 1 lost. In April: 1 won, 4 lost.
    assert row["before"] == pytest.approx(2 / 3 * 100)
    assert row["after"] == pytest.approx(1 / 5 * 100)
    assert row["n_before"] == 3
    assert row["n_after"] == 5


def test_before_after_sales_cycle_rank_test():
    row = _row(_small(), "sales_cycle_days")
    # Won deals: 10 and 20 days in March, 5 days in April.
    assert row["before"] == pytest.approx(15.0)
    assert row["after"] == pytest.approx(5.0)
    assert row["unit"] == "days"
    assert row["test"] == RANK_TEST
    assert row["p_value"] == pytest.approx(mann_whitney_p([10.0, 20.0], [5.0]))


def test_before_after_deal_size_mixed_currencies():
    rows = [
        ("b", D(2025, 3, 10), D(2025, 3, 20), "won", 100.0, "EUR"),
        ("a", D(2025, 4, 10), D(2025, 4, 20), "won", 100.0, "USD"),
        ("c", D(2025, 4, 10), D(2025, 4, 20), "won", 100.0, "EUR"),
        ("last", D(2025, 6, 1), None, "open", None, None),
        ("first", D(2025, 1, 1), None, "open", None, None),
    ]
    schema = {**DEALS_SCHEMA, "amount": pl.Float64, "currency": pl.String}
    deals = pl.DataFrame(rows, schema=schema, orient="row")
    row = _row(before_after(deals, PIVOT, months=1), "average_deal_size")
    assert row["after"] is None
    assert "USD" in row["note"]


def test_before_after_deal_size_rank_test():
    rows = [
        ("b1", D(2025, 3, 10), D(2025, 3, 20), "won", 100.0),
        ("b2", D(2025, 3, 10), D(2025, 3, 20), "won", 300.0),
        ("a1", D(2025, 4, 10), D(2025, 4, 20), "won", 500.0),
        ("a2", D(2025, 4, 10), D(2025, 4, 20), "won", None),
        ("first", D(2025, 1, 1), None, "open", None),
        ("last", D(2025, 6, 1), None, "open", None),
    ]
    deals = pl.DataFrame(
        rows, schema={**DEALS_SCHEMA, "amount": pl.Float64}, orient="row"
    )
    row = _row(before_after(deals, PIVOT, months=1), "average_deal_size")
    assert row["before"] == pytest.approx(200.0)
    assert row["after"] == pytest.approx(500.0)
    assert row["p_value"] == pytest.approx(mann_whitney_p([100.0, 300.0], [500.0]))


def test_before_after_resolution_hours():
    # The helpdesk's business minutes: 60, 120, 180 in March, 30 and 30 in
    # April, so 1, 2, 3 hours against 0.5 and 0.5.
    solved = [
        ("t1", datetime(2025, 3, 3, 9), datetime(2025, 3, 4, 9), "solved", 60.0),
        ("t2", datetime(2025, 3, 5, 9), datetime(2025, 3, 6, 9), "solved", 120.0),
        ("t3", datetime(2025, 3, 7, 9), datetime(2025, 3, 10, 9), "solved", 180.0),
        ("t4", datetime(2025, 4, 2, 9), datetime(2025, 4, 3, 9), "solved", 30.0),
        ("t5", datetime(2025, 4, 4, 9), datetime(2025, 4, 7, 9), "solved", 30.0),
        ("t0", datetime(2025, 1, 1, 9), None, "open", None),
        ("t9", datetime(2025, 6, 1, 9), None, "open", None),
    ]
    schema = {
        "ticket_id": pl.String,
        "created_at": pl.Datetime("us"),
        "solved_at": pl.Datetime("us"),
        "status": pl.String,
        "business_minutes": pl.Float64,
    }
    tickets = pl.DataFrame(solved, schema=schema, orient="row")
    table = before_after({"tickets": tickets}, PIVOT, months=1)
    assert table["kpi"].to_list() == ["tickets", "resolution_hours"]
    row = _row(table, "resolution_hours")
    assert row["before"] == pytest.approx((1 + 2 + 3) / 3)
    assert row["after"] == pytest.approx(0.5)
    assert row["n_before"] == 3
    assert row["p_value"] == pytest.approx(mann_whitney_p([1.0, 2.0, 3.0], [0.5, 0.5]))


def test_before_after_nps_z_test():
    # March: 5 promoters, 3 passives, 2 detractors (NPS 30). April: 8, 1, 1
    # (NPS 70). Squared standard errors x 10,000: (0.5 + 0.2 - 0.3^2) / 10
    # = 0.061 and (0.8 + 0.1 - 0.7^2) / 10 = 0.041.
    scores = [10] * 5 + [7] * 3 + [3] * 2
    later = [9] * 8 + [8] + [0]
    responses = pl.DataFrame(
        {
            "score": [*scores, *later, 5, 5],
            "responded_at": [D(2025, 3, 10)] * 10
            + [D(2025, 4, 10)] * 10
            + [D(2025, 1, 1), D(2025, 6, 1)],
        },
        schema={"score": pl.Int64, "responded_at": pl.Date},
    )
    row = _row(before_after({"nps": responses}, PIVOT, months=1), "nps")
    assert row["before"] == pytest.approx(30.0)
    assert row["after"] == pytest.approx(70.0)
    assert row["test"] == NPS_TEST
    assert row["p_value"] == pytest.approx(_two_sided(40 / math.sqrt(610 + 410)))


def test_before_after_side_without_value():
    # No deal closed before the date: the win rate has no value there.
    rows = [
        ("first", D(2025, 1, 1), None, "open"),
        ("b", D(2025, 3, 10), None, "open"),
        ("a", D(2025, 4, 10), D(2025, 4, 12), "won"),
        ("last", D(2025, 6, 1), None, "open"),
    ]
    row = _row(before_after(_deals(rows), PIVOT, months=1), "win_rate")
    assert row["before"] is None
    assert row["p_value"] is None
    assert row["significant"] is None
    assert row["note"] == "before: no deals were won or lost in this period"


def test_before_after_late_close_dates_noted():
    # Deals are created from 1 January, but the first close is on 20 March,
    # inside the before window of 1 to 31 March.
    row = _row(_small(), "won_deals")
    # Won: b1 and b2 before, a1 after.
    assert row["before"] == 2
    assert row["after"] == 1
    assert row["note"] == (
        "the first of the close dates is 2025-03-20, after the before window "
        "starts, so its days before 2025-03-20 count no row; if the export "
        "starts recording them then, compare from a later date"
    )
    # The creation dates cover the whole window, so new deals get no note.
    assert _row(_small(), "new_deals")["note"] == ""


def _tickets(days: list[date]) -> pl.DataFrame:
    return pl.DataFrame(
        {"ticket_id": [f"t{i}" for i in range(len(days))], "created_at": days},
        schema={"ticket_id": pl.String, "created_at": pl.Date},
    )


def test_before_after_no_rows_before():
    # Tickets start on 2 April, after the pivot: none in March.
    tickets = _tickets([D(2025, 4, 2), D(2025, 4, 20), D(2025, 4, 20)])
    table = before_after({"deals": _deals(SMALL_DEALS), "tickets": tickets}, PIVOT, 1)
    row = _row(table, "tickets")
    assert row["before"] is None
    assert row["after"] == 3
    assert row["n_before"] is None
    assert row["difference"] is None
    assert row["p_value"] is None
    assert row["note"] == (
        "before: no data, because the tickets table has no rows in this window "
        "(its dates run from 2025-04-02 to 2025-04-20)"
    )


def test_before_after_no_rows_either_side():
    # Tickets only in 2023, two years before the deals' windows.
    tickets = _tickets([D(2023, 1, 5), D(2023, 2, 5)])
    table = before_after({"deals": _deals(SMALL_DEALS), "tickets": tickets}, PIVOT, 1)
    row = _row(table, "tickets")
    assert row["before"] is None
    assert row["after"] is None
    assert row["unit"] == "count"
    assert row["note"].count("no data") == 2


def test_before_after_zero_count_with_rows():
    # A deal closed in March, none created: the table has rows, so 0 is real.
    rows = [
        ("first", D(2025, 1, 1), D(2025, 3, 5), "won"),
        ("a", D(2025, 4, 10), None, "open"),
        ("last", D(2025, 6, 1), None, "open"),
    ]
    row = _row(before_after(_deals(rows), PIVOT, months=1), "new_deals")
    assert row["before"] == 0
    assert row["after"] == 1


def test_default_pivot_middle_of_deals():
    # Deals from 1 January to 31 December 2017 (364 days apart); the tickets
    # have more rows but do not decide.
    deals = _deals([("a", D(2017, 1, 1), D(2017, 12, 31), "won")])
    tickets = _tickets([D(2023, 1, 1)] * 5)
    assert default_pivot({"tickets": tickets, "deals": deals}) == D(2017, 7, 2)


def test_default_pivot_largest_table():
    # No deals: the NPS table has more rows than the tickets.
    tickets = _tickets([D(2023, 1, 1), D(2023, 1, 11)])
    answered = [D(2024, 1, 1), D(2024, 1, 1), D(2024, 1, 31)]
    responses = pl.DataFrame({"score": [9, 9, 9], "responded_at": answered})
    assert default_pivot({"tickets": tickets, "nps": responses}) == D(2024, 1, 16)


def test_default_pivot_deals_without_dates():
    tickets = _tickets([D(2023, 1, 1), D(2023, 1, 11)])
    assert default_pivot({"deals": _deals([]), "tickets": tickets}) == D(2023, 1, 6)


def test_default_pivot_no_dates():
    with pytest.raises(EmptyDataError, match="no dates"):
        default_pivot({"deals": _deals([])})


def test_default_pivot_maven_deals(datasets_dir):
    path = datasets_dir / "maven-crm-sales" / "sales_pipeline.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    days = [
        date.fromisoformat(row[column])
        for row in rows
        for column in ("engage_date", "close_date")
        if row[column]
    ]
    expected = min(days) + timedelta(days=(max(days) - min(days)).days // 2)
    deals = load_file(path.name, path.read_bytes()).frame
    assert default_pivot({"deals": deals}) == expected


def test_comparison_windows_six_months():
    deals = _deals(
        [("a", D(2024, 1, 1), None, "open"), ("b", D(2026, 1, 1), None, "open")]
    )
    before, after = comparison_windows({"deals": deals}, D(2025, 7, 1), 6)
    # July to December has 184 days.
    assert after == Period(D(2025, 7, 1), D(2025, 12, 31))
    assert before == Period(D(2024, 12, 29), D(2025, 6, 30))


def test_comparison_windows_clipped_to_data():
    deals = _deals(
        [("a", D(2024, 1, 1), None, "open"), ("b", D(2025, 9, 30), None, "open")]
    )
    before, after = comparison_windows({"deals": deals}, D(2025, 7, 1), 6)
    # The data ends on 30 September: 92 days after the date.
    assert after == Period(D(2025, 7, 1), D(2025, 9, 30))
    assert before == Period(D(2025, 3, 31), D(2025, 6, 30))


def test_comparison_windows_date_outside_data():
    deals = _deals(
        [("a", D(2025, 1, 1), None, "open"), ("b", D(2025, 6, 1), None, "open")]
    )
    with pytest.raises(InvalidSettingError, match="leaves no data on one side"):
        comparison_windows({"deals": deals}, D(2025, 1, 1), 6)


@pytest.mark.parametrize("pivot", [D(9999, 12, 31), D(1, 1, 1), D(2200, 1, 1)])
def test_comparison_windows_date_out_of_range(pivot):
    deals = _deals(
        [("a", D(2025, 1, 1), None, "open"), ("b", D(2025, 6, 1), None, "open")]
    )
    with pytest.raises(InvalidSettingError, match="outside the days a period can"):
        comparison_windows({"deals": deals}, pivot, 6)


def test_comparison_windows_data_near_date_max():
    # Future dates count when a table has no other dates, so the data can
    # reach the last day a date can hold.
    deals = _deals(
        [("a", D(9999, 1, 1), None, "open"), ("b", D(9999, 12, 31), None, "open")]
    )
    with pytest.raises(InvalidSettingError, match="outside the days a period can"):
        comparison_windows({"deals": deals}, D(9999, 12, 1), 6)


def test_comparison_windows_zero_months():
    deals = _deals([("a", D(2025, 1, 1), None, "open")])
    with pytest.raises(InvalidSettingError, match="invalid window of 0 months"):
        comparison_windows({"deals": deals}, D(2025, 1, 1), 0)


def test_data_range_anchor_dates():
    deals = _deals([("a", D(2025, 1, 5), D(2025, 8, 1), "won")])
    assert data_range({"deals": deals}) == (D(2025, 1, 5), D(2025, 8, 1))


def test_data_range_no_dates():
    with pytest.raises(EmptyDataError, match="no dates"):
        data_range({"deals": _deals([])})


def test_overlap_range_latest_start_earliest_end():
    deals = _deals([("a", D(2025, 1, 5), D(2025, 8, 1), "won")])
    responses = pl.DataFrame(
        {"score": [9, 9], "responded_at": [D(2021, 1, 1), D(2025, 6, 30)]}
    )
    tables = {"deals": deals, "nps": responses}
    assert overlap_range(tables) == (D(2025, 1, 5), D(2025, 6, 30))


def test_overlap_range_disjoint_tables():
    deals = _deals([("a", D(2025, 1, 5), None, "open")])
    responses = pl.DataFrame({"score": [9], "responded_at": [D(2021, 1, 1)]})
    assert overlap_range({"deals": deals, "nps": responses}) is None


def test_previous_period_quarter_is_quarter():
    # Q3 2017 (92 days) against Q2 (91 days), not the 92 days before.
    period = previous_period(Period(D(2017, 7, 1), D(2017, 9, 30)))
    assert period == Period(D(2017, 4, 1), D(2017, 6, 30))


def test_previous_period_q2_is_q1():
    period = previous_period(Period(D(2025, 4, 1), D(2025, 6, 30)))
    assert period == Period(D(2025, 1, 1), D(2025, 3, 31))


def test_previous_period_month_is_month():
    # March has 31 days, February 2025 has 28.
    period = previous_period(Period(D(2025, 3, 1), D(2025, 3, 31)))
    assert period == Period(D(2025, 2, 1), D(2025, 2, 28))


def test_previous_period_across_year():
    period = previous_period(Period(D(2025, 1, 1), D(2025, 2, 28)))
    assert period == Period(D(2024, 11, 1), D(2024, 12, 31))


def test_previous_period_whole_year():
    period = previous_period(Period(D(2025, 1, 1), D(2025, 12, 31)))
    assert period == Period(D(2024, 1, 1), D(2024, 12, 31))


def test_previous_period_leap_february():
    period = previous_period(Period(D(2024, 3, 1), D(2024, 3, 31)))
    assert period == Period(D(2024, 2, 1), D(2024, 2, 29))


def test_previous_period_days_mid_month():
    # 5 to 11 March is 7 days; the 7 days before end on 4 March.
    period = previous_period(Period(D(2025, 3, 5), D(2025, 3, 11)))
    assert period == Period(D(2025, 2, 26), D(2025, 3, 4))


def test_previous_period_days_first_not_last():
    # 1 to 30 March starts on the first but ends a day short of a month end.
    period = previous_period(Period(D(2025, 3, 1), D(2025, 3, 30)))
    assert period == Period(D(2025, 1, 30), D(2025, 2, 28))


def test_previous_period_days_last_not_first():
    # 2 to 31 March ends on a month end but starts on the 2nd: 30 days.
    period = previous_period(Period(D(2025, 3, 2), D(2025, 3, 31)))
    assert period == Period(D(2025, 1, 31), D(2025, 3, 1))


@given(
    st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 1, 1)),
    st.integers(min_value=0, max_value=800),
)
def test_previous_period_ends_before_start(start, extra_days):
    period = Period(start, start + timedelta(days=extra_days))
    previous = previous_period(period)
    assert previous.end == start - timedelta(days=1)
    assert previous.start <= previous.end


def test_previous_period_open_period():
    with pytest.raises(InvalidSettingError, match="start and an end"):
        previous_period(Period(D(2025, 4, 1), None))


def test_same_period_last_year_shift():
    period = same_period_last_year(Period(D(2025, 4, 1), D(2025, 6, 30)))
    assert period == Period(D(2024, 4, 1), D(2024, 6, 30))


def test_same_period_last_year_leap_day():
    period = same_period_last_year(Period(D(2024, 2, 1), D(2024, 2, 29)))
    assert period == Period(D(2023, 2, 1), D(2023, 2, 28))


def test_same_period_last_year_all_data():
    with pytest.raises(InvalidSettingError, match="start and an end"):
        same_period_last_year(Period())


def test_count_test_p_hand_value():
    # Binomial(40, 1/2) is symmetric, so p = 2 x P(X <= 10)
    # = 2 x (C(40, 0) + ... + C(40, 10)) / 2^40 = 0.00222.
    tail = sum(math.comb(40, k) for k in range(11))
    assert count_test_p(10, 30) == pytest.approx(2 * tail / 2**40)
    assert count_test_p(10, 30) == pytest.approx(0.00222, abs=1e-5)


def test_count_test_p_no_rows():
    assert count_test_p(0, 0) is None


def test_nps_test_p_equal_scores_without_spread():
    # Every response a promoter on both sides: no spread and no difference.
    responses = pl.DataFrame({"score": [10, 10]}, schema={"score": pl.Int64})
    result = net_promoter_score(responses)
    assert nps_test_p(result, result) == 1.0


def test_kpi_without_its_date_column_is_named():
    responses = load_file(
        "responses.csv", b"response_id,score\nR1,9\nR2,3\n", table="nps"
    ).frame
    tables = {"deals": _deals(SMALL_DEALS), "nps": responses}
    # The responses have no date and the deals no amount, so no row
    # compares the NPS or the average deal size.
    compared = before_after(tables, PIVOT, 1)["kpi"].to_list()
    assert "nps" not in compared
    assert "average_deal_size" not in compared
    assert not_compared(tables) == {
        "Average deal size": "the deals table has no amount column; map it on upload",
        "Net Promoter Score": (
            "the NPS responses table has no responded_at column; map it on upload"
        ),
    }
