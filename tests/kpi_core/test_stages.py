from datetime import date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from kpi_core.errors import InvalidValueError, MissingColumnError
from kpi_core.period import Period
from kpi_core.stages import (
    deal_stage_key,
    entered_in,
    history_from_field_history,
    history_from_wide,
    run_in_parallel,
    stage_duration_days,
    stage_durations,
    stage_summary,
)

T = datetime
HISTORY_SCHEMA = {
    "deal_id": pl.String,
    "stage": pl.String,
    "entered_at": pl.Datetime("us"),
}
# a: revisits Lead (2 + 6 days), 1 day in Demo, then won.
# b: skips Demo and is still in Proposal.
# c: still in Lead since noon on 5 January.
HISTORY = [
    ("a", "Lead", T(2024, 1, 1)),
    ("a", "Demo", T(2024, 1, 3)),
    ("a", "Lead", T(2024, 1, 4)),
    ("a", "Closed Won", T(2024, 1, 10)),
    ("b", "Lead", T(2024, 1, 1)),
    ("b", "Proposal", T(2024, 1, 2)),
    ("c", "Lead", T(2024, 1, 5, 12)),
]
AS_OF = T(2024, 1, 11)
ORDER = ["Lead", "Demo", "Proposal", "Closed Won"]


def history_frame(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=HISTORY_SCHEMA, orient="row")


@pytest.fixture
def history() -> pl.DataFrame:
    return history_frame(HISTORY)


# Durations per deal and stage


def test_stage_durations_per_deal(history):
    expected = pl.DataFrame(
        {
            "deal_id": ["a", "a", "b", "b", "c"],
            "stage": ["Lead", "Demo", "Lead", "Proposal", "Lead"],
            "days": [2.0 + 6.0, 1.0, 1.0, 9.0, 5.5],
            "visits": [2, 1, 1, 1, 1],
            "ongoing": [False, False, False, True, True],
        },
        schema_overrides={"visits": pl.Int64},
    )
    assert_frame_equal(stage_durations(history, AS_OF), expected)


def test_stage_durations_skipped_stage_absent(history):
    durations = stage_durations(history, AS_OF)
    skipped = durations.filter((pl.col("deal_id") == "b") & (pl.col("stage") == "Demo"))
    assert skipped.is_empty()


def test_stage_durations_final_won_stage_absent(history):
    durations = stage_durations(history, AS_OF)
    assert "Closed Won" not in durations["stage"].to_list()


def test_stage_durations_ignores_later_entries(history):
    # As of noon on 3 January: a entered Demo 12 hours earlier, c not yet in.
    durations = stage_durations(history, T(2024, 1, 3, 12))
    assert durations["deal_id"].to_list() == ["a", "a", "b", "b"]
    assert durations["days"].to_list() == [2.0, 0.5, 1.0, 1.5]
    assert durations["ongoing"].to_list() == [False, True, False, True]


def test_stage_durations_revisit_in_progress():
    rows = [
        ("a", "Lead", T(2024, 1, 1)),
        ("a", "Demo", T(2024, 1, 2)),
        ("a", "Lead", T(2024, 1, 4)),
    ]
    durations = stage_durations(history_frame(rows), T(2024, 1, 5))
    lead = durations.filter(pl.col("stage") == "Lead").row(0, named=True)
    assert lead["days"] == 1.0 + 1.0
    assert lead["visits"] == 2
    assert lead["ongoing"] is True


def test_stage_durations_lost_then_reopened():
    # The deal leaves Closed Lost again, so its time there is a completed visit.
    rows = [
        ("a", "Closed Lost", T(2024, 1, 1)),
        ("a", "Demo", T(2024, 1, 3)),
        ("a", "Closed Won", T(2024, 1, 4)),
    ]
    durations = stage_durations(history_frame(rows), T(2024, 1, 5))
    assert durations["stage"].to_list() == ["Closed Lost", "Demo"]
    assert durations["days"].to_list() == [2.0, 1.0]


def test_stage_durations_empty_history():
    assert stage_durations(history_frame([]), AS_OF).is_empty()


# Summary per stage


def test_stage_summary_given_order(history):
    # Lead: completed a 8 and b 1 days, c ongoing; a and b went further.
    expected = pl.DataFrame(
        {
            "stage": ORDER,
            "deals": [2, 1, 0, 0],
            "mean_days": [(8 + 1) / 2, 1.0, None, None],
            "median_days": [(8 + 1) / 2, 1.0, None, None],
            "ongoing_deals": [1, 0, 1, 0],
            "reached": [3, 1, 1, 1],
            "conversion_to_next": [2 / 3 * 100, 100.0, 0.0, None],
        },
        schema_overrides={
            "deals": pl.Int64,
            "mean_days": pl.Float64,
            "median_days": pl.Float64,
            "ongoing_deals": pl.Int64,
            "reached": pl.Int64,
        },
    )
    assert_frame_equal(stage_summary(history, AS_OF, ORDER), expected)


def test_stage_summary_inferred_order(history):
    # Demo and Proposal are both second in their deals, so the name decides;
    # the won stage goes last.
    summary = stage_summary(history, AS_OF)
    assert summary["stage"].to_list() == ["Lead", "Demo", "Proposal", "Closed Won"]


def test_stage_summary_lost_is_not_progress():
    rows = [
        ("a", "Lead", T(2024, 1, 1)),
        ("a", "Closed Lost", T(2024, 1, 3)),
        ("b", "Lead", T(2024, 1, 1)),
        ("b", "Closed Won", T(2024, 1, 2)),
    ]
    summary = stage_summary(history_frame(rows), AS_OF)
    assert summary["stage"].to_list() == ["Lead", "Closed Won", "Closed Lost"]
    assert summary["conversion_to_next"].to_list() == [1 / 2 * 100, None, None]


def test_stage_summary_unreached_later_stage(history):
    # No deal reached Contract yet, so Proposal converts 0 %, not null.
    summary = stage_summary(history, AS_OF, ["Lead", "Demo", "Proposal", "Contract"])
    proposal = summary.filter(pl.col("stage") == "Proposal").row(0, named=True)
    assert proposal["conversion_to_next"] == 0.0


def test_stage_summary_period_visits_run_past_end():
    # In January, a spends 10 days in Lead and 25 in Demo, which it leaves
    # on 5 February. b spends 20 days in Lead and is still in Demo. The won
    # stage is entered after January, so it has no row.
    rows = [
        ("a", "Lead", T(2025, 1, 1)),
        ("a", "Demo", T(2025, 1, 11)),
        ("a", "Closed Won", T(2025, 2, 5)),
        ("b", "Lead", T(2025, 1, 5)),
        ("b", "Demo", T(2025, 1, 25)),
    ]
    january = Period(date(2025, 1, 1), date(2025, 1, 31))
    summary = stage_summary(history_frame(rows), T(2025, 3, 1), period=january)
    expected = pl.DataFrame(
        {
            "stage": ["Lead", "Demo"],
            "deals": [2, 1],
            "mean_days": [(10 + 20) / 2, 25.0],
            "median_days": [(10 + 20) / 2, 25.0],
            "ongoing_deals": [0, 1],
            "reached": [2, 2],
            # Both went on from Lead; from Demo only a, in February.
            "conversion_to_next": [100.0, 50.0],
        },
        schema_overrides={"deals": pl.Int64, "ongoing_deals": pl.Int64},
    )
    assert_frame_equal(summary, expected)


def test_stage_summary_period_matches_kpi(history):
    january_first_week = Period(date(2024, 1, 1), date(2024, 1, 7))
    summary = stage_summary(history, AS_OF, period=january_first_week)
    kpi = stage_duration_days(history, january_first_week, AS_OF)
    medians = dict(zip(summary["stage"], summary["median_days"], strict=True))
    assert {stage: medians[stage] for stage in kpi.value} == kpi.value


def test_stage_summary_empty_history():
    assert stage_summary(history_frame([]), AS_OF).is_empty()


# Median days per stage KPI


def test_stage_duration_days_all_data(history):
    result = stage_duration_days(history, as_of=AS_OF)
    assert result.value == {"Lead": (8 + 1) / 2, "Demo": 1.0}
    assert result.unit == "days"
    assert result.n == 3
    assert result.excluded == {"deal still in the stage": 2}


def test_stage_duration_days_names_bottleneck(history):
    assert stage_duration_days(history, as_of=AS_OF).extra["bottleneck"] == "Lead"


def test_stage_duration_days_slow_demo_bottleneck(history):
    # e spends 20 days in Demo: Demo median (1 + 20) / 2 beats Lead's 1.
    slow_demo = [
        ("e", "Lead", T(2024, 1, 1)),
        ("e", "Demo", T(2024, 1, 2)),
        ("e", "Closed Won", T(2024, 1, 22)),
    ]
    history = pl.concat([history, history_frame(slow_demo)])
    result = stage_duration_days(history, as_of=T(2024, 1, 23))
    assert result.value == {"Lead": 1.0, "Demo": (1 + 20) / 2}
    assert result.extra["bottleneck"] == "Demo"
    assert result.extra["mean_days"]["Lead"] == pytest.approx((8 + 1 + 1) / 3)


def test_stage_duration_days_entries_in_period(history):
    # Entered on 1 or 2 January: a Lead (2 days), b Lead (1), b Proposal (ongoing).
    result = stage_duration_days(
        history, Period(date(2024, 1, 1), date(2024, 1, 2)), as_of=AS_OF
    )
    assert result.value == {"Lead": (2 + 1) / 2}
    assert result.excluded == {"deal still in the stage": 1}


def test_stage_duration_days_formula_with_numbers(history):
    expected = (
        "median days per stage over 3 completed stage times; longest median: "
        "Lead with 4.5 days"
    )
    assert stage_duration_days(history, as_of=AS_OF).formula == expected


def test_stage_duration_days_only_ongoing():
    rows = [("a", "Lead", T(2024, 1, 1))]
    result = stage_duration_days(history_frame(rows), as_of=AS_OF)
    assert not result.available
    assert result.excluded == {"deal still in the stage": 1}


def test_stage_duration_days_empty_history():
    result = stage_duration_days(history_frame([]), as_of=AS_OF)
    assert result.reason == "no deal completed a pipeline stage entered in this period"


# Conversion from export layouts


def test_history_from_wide_hubspot_columns():
    wide = pl.DataFrame(
        {
            "deal_id": ["1", "2"],
            'Date entered "Appointment Scheduled (Sales Pipeline)"': [
                T(2024, 1, 1),
                T(2024, 1, 2),
            ],
            'Date entered "Closed Won (Sales Pipeline)"': [T(2024, 2, 1), None],
            "Deal Name": ["Big", "Small"],
        }
    )
    expected = history_frame(
        [
            ("1", "Appointment Scheduled", T(2024, 1, 1)),
            ("1", "Closed Won", T(2024, 2, 1)),
            ("2", "Appointment Scheduled", T(2024, 1, 2)),
        ]
    )
    assert_frame_equal(history_from_wide(wide), expected)


def test_history_from_wide_brackets_in_stage():
    wide = pl.DataFrame(
        {
            "deal_id": ["1"],
            'Date entered "Demo (booked) (Partner Pipeline)"': [T(2024, 1, 1)],
            'Date entered "Qualified"': [T(2024, 1, 2)],
        }
    )
    assert history_from_wide(wide)["stage"].to_list() == ["Demo (booked)", "Qualified"]


def test_history_from_wide_text_column():
    wide = pl.DataFrame(
        {"deal_id": ["1"], 'Date entered "Lead (Sales)"': ["2024-01-01"]}
    )
    with pytest.raises(
        InvalidValueError, match="contains text where dates are expected"
    ):
        history_from_wide(wide)


def test_history_from_wide_without_stage_columns():
    with pytest.raises(MissingColumnError, match="Date entered"):
        history_from_wide(pl.DataFrame({"deal_id": ["1"]}))


def test_history_from_wide_without_deal_id():
    wide = pl.DataFrame({'Date entered "Lead (Sales)"': [T(2024, 1, 1)]})
    with pytest.raises(MissingColumnError, match="deal_id"):
        history_from_wide(wide)


def test_history_from_field_history_stage_rows():
    rows = pl.DataFrame(
        {
            "OpportunityId": ["006A", "006A", "006A"],
            "Field": ["StageName", "Amount", "StageName"],
            "NewValue": ["Closed Won", "5000", "Negotiation"],
            "CreatedDate": [T(2024, 2, 1), T(2024, 1, 15), T(2024, 1, 10)],
        }
    )
    expected = history_frame(
        [("006A", "Negotiation", T(2024, 1, 10)), ("006A", "Closed Won", T(2024, 2, 1))]
    )
    assert_frame_equal(history_from_field_history(rows), expected)


def test_history_from_field_history_missing_columns():
    with pytest.raises(MissingColumnError, match="NewValue, CreatedDate"):
        history_from_field_history(
            pl.DataFrame({"OpportunityId": ["1"], "Field": ["x"]})
        )


def test_stage_duration_unnamed_stage_excluded():
    history = pl.DataFrame(
        {
            "deal_id": ["1", "1", "1"],
            "stage": [None, "a", "b"],
            "entered_at": [
                datetime(2024, 1, 2),
                datetime(2024, 1, 5),
                datetime(2024, 1, 9),
            ],
        },
        schema={"deal_id": pl.String, "stage": pl.String, "entered_at": pl.Datetime},
    )
    result = stage_duration_days(
        history, Period(date(2024, 1, 1), date(2024, 1, 31)), as_of=datetime(2024, 2, 1)
    )
    # "a" lasted from 5 to 9 January; the unnamed first entry is left out.
    assert result.value == {"a": 4.0}
    assert result.excluded["stage entry without a stage name"] == 1


# Row order and integer keys


def test_stage_durations_unsorted_input(history):
    # The deal ids are ranked as text when the rows are not grouped by deal.
    shuffled = history.reverse()
    assert_frame_equal(
        stage_durations(shuffled, AS_OF), stage_durations(history, AS_OF)
    )


def test_stage_durations_stage_missed_by_sample():
    # 4,002 rows: the stage names are sampled from every second row, which
    # is always Lead, so Demo and the one Qualify entry are found by hashing
    # every row. Deal 0000 is in Lead for 2 days, the others for 1 day.
    rows = []
    for number in range(2001):
        deal = f"{number:04d}"
        rows.append((deal, "Lead", T(2024, 1, 1)))
        if number == 0:
            rows.append((deal, "Qualify", T(2024, 1, 3)))
        else:
            rows.append((deal, "Demo", T(2024, 1, 2)))
    history = history_frame(rows)
    durations = stage_durations(history, T(2024, 1, 4))
    assert durations.height == 4002
    assert durations["stage"][:4].to_list() == ["Lead", "Qualify", "Lead", "Demo"]
    assert durations["days"][:4].to_list() == [2.0, 1.0, 1.0, 2.0]
    summary = stage_summary(history, T(2024, 1, 4))
    reached = dict(zip(summary["stage"], summary["reached"], strict=True))
    assert reached == {"Lead": 2001, "Demo": 2000, "Qualify": 1}


def test_stage_durations_skip_null_deal():
    rows = [
        ("b", "Lead", T(2024, 1, 1)),
        (None, "Lead", T(2024, 1, 2)),
        ("a", "Lead", T(2024, 1, 3)),
    ]
    durations = stage_durations(history_frame(rows), T(2024, 1, 4))
    # The row without a deal id belongs to no deal. a is in Lead from Jan 3
    # to 4 (1 day), b from Jan 1 to 4 (3 days).
    assert durations["deal_id"].to_list() == ["a", "b"]
    assert durations["days"].to_list() == [1.0, 3.0]


def test_stage_durations_tie_in_row_order():
    # Demo and Lead are entered at the same time, and Demo is listed first.
    rows = [
        ("a", "Demo", T(2024, 1, 1)),
        ("a", "Lead", T(2024, 1, 1)),
    ]
    durations = stage_durations(history_frame(rows), T(2024, 1, 3))
    assert durations["stage"].to_list() == ["Demo", "Lead"]
    assert durations["days"].to_list() == [0.0, 2.0]
    assert durations["ongoing"].to_list() == [False, True]


def test_stage_durations_three_visits():
    # Lead lasts 1, 2 and 4 days, and its last visit is still open on 11
    # January.
    rows = [
        ("a", "Lead", T(2024, 1, 1)),
        ("a", "Demo", T(2024, 1, 2)),
        ("a", "Lead", T(2024, 1, 3)),
        ("a", "Demo", T(2024, 1, 5)),
        ("a", "Lead", T(2024, 1, 7)),
    ]
    durations = stage_durations(history_frame(rows), AS_OF)
    lead = durations.filter(pl.col("stage") == "Lead").row(0, named=True)
    assert lead == {
        "deal_id": "a",
        "stage": "Lead",
        "days": 1.0 + 2.0 + 4.0,
        "visits": 3,
        "ongoing": True,
    }
    demo = durations.filter(pl.col("stage") == "Demo").row(0, named=True)
    assert demo["days"] == 1.0 + 2.0
    assert demo["visits"] == 2


def test_stage_durations_long_deal_revisit():
    # Lead is entered again ten rows later, further than the shifted
    # comparison reaches. It lasts 1 day, then 2 days before the deal is won.
    steps = [f"Step {number}" for number in range(1, 10)]
    rows = [("a", "Lead", T(2024, 1, 1))]
    rows += [("a", step, T(2024, 1, 2 + day)) for day, step in enumerate(steps)]
    rows += [("a", "Lead", T(2024, 1, 11)), ("a", "Closed Won", T(2024, 1, 13))]
    rows += [("b", "Lead", T(2024, 1, 1)), ("b", "Step 1", T(2024, 1, 3))]
    durations = stage_durations(history_frame(rows), T(2024, 1, 20))
    deal_a = durations.filter(pl.col("deal_id") == "a")
    assert deal_a["stage"].to_list() == ["Lead", *steps]
    assert deal_a["days"].to_list() == [1.0 + 2.0] + [1.0] * 9
    assert deal_a["visits"].to_list() == [2] + [1] * 9
    deal_b = durations.filter(pl.col("deal_id") == "b")
    assert deal_b["days"].to_list() == [2.0, 17.0]


def test_stage_summary_unnamed_stage_conversion():
    # a: Lead 1 day, an unnamed entry, Demo 2 days, then won.
    # b: Lead 3 days, then an unnamed last entry, so it never went further.
    # c: only an unnamed entry, which no row of the summary counts.
    rows = [
        ("a", "Lead", T(2024, 1, 1)),
        ("a", None, T(2024, 1, 2)),
        ("a", "Demo", T(2024, 1, 3)),
        ("a", "Closed Won", T(2024, 1, 5)),
        ("b", "Lead", T(2024, 1, 1)),
        ("b", None, T(2024, 1, 4)),
        ("c", None, T(2024, 1, 2)),
    ]
    summary = stage_summary(history_frame(rows), AS_OF, ["Lead", "Demo", "Closed Won"])
    assert summary["stage"].to_list() == ["Lead", "Demo", "Closed Won"]
    assert summary["deals"].to_list() == [2, 1, 0]
    assert summary["mean_days"].to_list() == [2.0, 2.0, None]
    assert summary["reached"].to_list() == [2, 1, 1]
    assert summary["conversion_to_next"].to_list() == [50.0, 100.0, None]


def test_deal_stage_key_narrow_type():
    keyed = pl.DataFrame(
        {"_deal": [0, 2, 2], "_stage": [1, 0, 4]},
        schema={"_deal": pl.UInt32, "_stage": pl.UInt32},
    )
    keys = keyed.select(deal_stage_key(keyed)).to_series()
    # Five stage codes, so deal 2 starts at key 10.
    assert keys.dtype == pl.UInt32
    assert keys.to_list() == [1, 10, 14]


def test_deal_stage_key_wide_type():
    # 2**31 + 1 deals times 5 stage codes do not fit in a UInt32.
    keyed = pl.DataFrame(
        {"_deal": [0, 2**31], "_stage": [1, 4]},
        schema={"_deal": pl.UInt32, "_stage": pl.UInt32},
    )
    keys = keyed.select(deal_stage_key(keyed)).to_series()
    assert keys.dtype == pl.UInt64
    assert keys.to_list() == [1, 2**31 * 5 + 4]


def test_in_parallel_returns_both_results():
    first, second = run_in_parallel(lambda: "first", lambda: 2)
    assert first == "first"
    assert second == 2


def test_stage_durations_same_frame_new_as_of(history):
    # A second as_of on the same frame object gives its own result.
    early = stage_durations(history, T(2024, 1, 3, 12))
    late = stage_durations(history, AS_OF)
    assert early.height == 4
    assert late.height == 5


def test_stage_duration_days_undated_entry_order():
    # The undated Demo entry of deal a has no position, so Lead (first in
    # both deals) comes before Demo (second in deal b). Counting the undated
    # entry as first would tie them, and the name would put Demo first.
    rows = [
        ("a", "Demo", None),
        ("a", "Lead", T(2024, 1, 1)),
        ("a", "Demo", T(2024, 1, 2)),
        ("a", "Closed Won", T(2024, 1, 3)),
        ("b", "Lead", T(2024, 1, 1)),
        ("b", "Demo", T(2024, 1, 2)),
        ("b", "Closed Won", T(2024, 1, 3)),
    ]
    result = stage_duration_days(history_frame(rows), as_of=T(2024, 1, 4))
    assert list(result.value) == ["Lead", "Demo"]
    assert result.value == {"Lead": 1.0, "Demo": 1.0}


def test_stage_durations_grouped_deal_out_of_order():
    # The rows are grouped by sorted deal ids, but deal b is listed out of
    # time order. Sorted, b is in Lead from 1 to 3 January, in Qualify to 5
    # January, enters Demo and Proposal together (in row order) on 5
    # January, and is still in Proposal on 11 January.
    rows = [
        ("a", "Lead", T(2024, 1, 1)),
        ("a", "Demo", T(2024, 1, 2)),
        ("b", "Demo", T(2024, 1, 5)),
        ("b", "Lead", T(2024, 1, 1)),
        ("b", "Proposal", T(2024, 1, 5)),
        ("b", "Qualify", T(2024, 1, 3)),
        ("c", "Lead", T(2024, 1, 4)),
    ]
    expected = pl.DataFrame(
        {
            "deal_id": ["a", "a", "b", "b", "b", "b", "c"],
            "stage": ["Lead", "Demo", "Lead", "Qualify", "Demo", "Proposal", "Lead"],
            "days": [1.0, 9.0, 2.0, 2.0, 0.0, 6.0, 7.0],
            "visits": [1, 1, 1, 1, 1, 1, 1],
            "ongoing": [False, True, False, False, False, True, True],
        },
        schema_overrides={"visits": pl.Int64},
    )
    assert_frame_equal(stage_durations(history_frame(rows), AS_OF), expected)


def test_stage_duration_days_undated_entry_listed_last():
    # The rows of test_stage_duration_days_undated_entry_order, with the
    # undated Demo entry of deal a listed after its dated entries. It still
    # sorts first and has no position.
    rows = [
        ("a", "Lead", T(2024, 1, 1)),
        ("a", "Demo", T(2024, 1, 2)),
        ("a", "Closed Won", T(2024, 1, 3)),
        ("a", "Demo", None),
        ("b", "Lead", T(2024, 1, 1)),
        ("b", "Demo", T(2024, 1, 2)),
        ("b", "Closed Won", T(2024, 1, 3)),
    ]
    result = stage_duration_days(history_frame(rows), as_of=T(2024, 1, 4))
    assert list(result.value) == ["Lead", "Demo"]
    assert result.value == {"Lead": 1.0, "Demo": 1.0}


def test_stage_summary_after_other_period(history):
    # The KPI of the first week runs first on the same frame object. From 3
    # January, a spends 1 day in Demo and 6 days in its second Lead visit,
    # and c is still in Lead.
    first_week = Period(date(2024, 1, 1), date(2024, 1, 7))
    from_third = Period(date(2024, 1, 3), date(2024, 1, 31))
    stage_duration_days(history, first_week, AS_OF)
    summary = stage_summary(history, AS_OF, ORDER, period=from_third)
    lead = summary.filter(pl.col("stage") == "Lead").row(0, named=True)
    assert lead["deals"] == 1
    assert lead["mean_days"] == 6.0
    assert lead["ongoing_deals"] == 1
    demo = summary.filter(pl.col("stage") == "Demo").row(0, named=True)
    assert demo["mean_days"] == 1.0
    assert_frame_equal(
        summary, stage_summary(history.clone(), AS_OF, ORDER, period=from_third)
    )


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        # The Lead entry one minute before midnight is the last in January.
        # Polars multiplies by the inverse of 86,400 on columns of several
        # rows, which is one bit below 60 / 86,400.
        (Period(date(2024, 1, 1), date(2024, 1, 31)), {"Lead": 60 * (1 / 86_400)}),
        (Period(None, date(2024, 1, 31)), {"Lead": 60 * (1 / 86_400)}),
        # The Demo entry at midnight is the first in February.
        (Period(date(2024, 2, 1), date(2024, 2, 29)), {"Demo": 2.0, "Proposal": 2.0}),
        (Period(date(2024, 2, 1), date.max), {"Demo": 2.0, "Proposal": 2.0}),
        (Period(date(2024, 2, 4), None), None),
    ],
)
def test_stage_duration_days_period_edges(period, expected):
    rows = [
        ("a", "Lead", T(2024, 1, 31, 23, 59)),
        ("a", "Demo", T(2024, 2, 1)),
        ("a", "Proposal", T(2024, 2, 3)),
        ("a", "Closed Won", T(2024, 2, 5)),
        ("b", "Lead", None),
    ]
    result = stage_duration_days(history_frame(rows), period, T(2024, 3, 1))
    assert result.value == expected


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (Period(date(2024, 1, 1), date(2024, 1, 31)), [False, True, False, False]),
        (Period(None, date(2024, 1, 31)), [False, True, False, True]),
        (Period(date(2024, 2, 1), None), [False, False, True, False]),
        (Period(None, date.max), [False, True, True, True]),
        (Period(date(1969, 12, 31), date(1969, 12, 31)), [False, False, False, True]),
    ],
)
def test_entered_in_matches_days(period, expected):
    # A null entry, the last minute of January, the first of February, and
    # noon on the day before the Unix epoch.
    entries = pl.DataFrame(
        {
            "entered_at": [
                None,
                T(2024, 1, 31, 23, 59),
                T(2024, 2, 1),
                T(1969, 12, 31, 12),
            ]
        },
        schema={"entered_at": pl.Datetime("us")},
    )
    flags = entries.select(entered_in(period)).to_series().to_list()
    assert flags == expected
    assert flags == entries.select(period.contains("entered_at")).to_series().to_list()
