import re
from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_core.errors import InvalidValueError, MissingColumnError
from kpi_core.money import convert_amounts
from kpi_core.period import Period
from kpi_core.subscription_data import (
    FALSE_FLAGS,
    NO_END,
    TRUE_FLAGS,
    convert_per_cell,
    is_snapshot,
    mrr_on_days,
    period_bounds,
    prepare_dated,
    prepare_snapshot,
)

D = date


def frame(**columns) -> pl.DataFrame:
    return pl.DataFrame(
        {name: pl.Series(values, strict=False) for name, values in columns.items()}
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes", True),
        ("no", False),
        ("True", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
        ("Ja", True),
        ("Nein", False),
        (" yes ", True),
    ],
    ids=["Yes", "no", "True", "FALSE", "1", "0", "Ja", "Nein", "padded"],
)
def test_snapshot_churned_flag_values(text, expected):
    data = prepare_snapshot(
        frame(customer_id=["a"], churned=[text], monthly_charge=[1.0])
    )
    assert data.frame["churned"].to_list() == [expected]


def test_snapshot_boolean_flag_column():
    subs = frame(
        customer_id=["a", "b"], churned=[True, False], monthly_charge=[1.0, 2.0]
    )
    assert prepare_snapshot(subs).frame["churned"].to_list() == [True, False]


def test_snapshot_without_flag_raises():
    with pytest.raises(MissingColumnError, match="churn flag"):
        prepare_snapshot(frame(customer_id=["a"], monthly_charge=[1.0]))


def test_snapshot_without_charge_counted():
    subs = frame(
        customer_id=["a", "b"], churned=["No", "No"], monthly_charge=[1.0, None]
    )
    assert prepare_snapshot(subs).excluded == {"no monthly charge": 1}


def test_snapshot_charge_not_needed_for_counts():
    subs = frame(customer_id=["a", "b"], churned=["No", "Yes"])
    assert prepare_snapshot(subs, need_amount=False).frame.height == 2


def test_is_snapshot_without_start_column():
    assert is_snapshot(frame(customer_id=["a"], churned=["No"]))


def test_is_snapshot_all_starts_empty():
    subs = frame(customer_id=["a"], started_at=pl.Series([None], dtype=pl.Date))
    assert is_snapshot(subs)


def test_is_snapshot_dated_table():
    assert not is_snapshot(frame(customer_id=["a"], started_at=[D(2025, 1, 1)]))


def test_dated_reasons_counted():
    subs = frame(
        customer_id=["a", None, "c", "d", "e", "f", "g"],
        started_at=[D(2025, 1, 1)] * 7,
        ended_at=[None, None, D(2024, 1, 1), None, None, None, None],
        amount=[10.0, 10.0, 10.0, None, -5.0, 10.0, 10.0],
        status=[
            "active",
            "active",
            "canceled",
            "active",
            "active",
            "trialing",
            "active",
        ],
        interval=["month", "month", "month", "month", "month", "month", "einmalig"],
    )
    data = prepare_dated(subs)
    assert data.frame["customer_id"].to_list() == ["a"]
    assert data.excluded == {
        "no customer id": 1,
        "end date before start date": 1,
        "no amount": 1,
        "negative amount": 1,
        "trial or not yet paid": 1,
        "one-time fee": 1,
    }


def test_dated_amount_not_needed_for_counts():
    subs = frame(customer_id=["a"], started_at=[D(2025, 1, 1)])
    data = prepare_dated(subs, need_amount=False)
    assert data.frame.height == 1
    assert data.frame["stops_at"].to_list() == [NO_END]


def test_dated_cancellation_ends_canceled_row():
    subs = frame(
        customer_id=["a", "b", "c"],
        started_at=[D(2025, 1, 1)] * 3,
        canceled_at=[D(2025, 3, 1)] * 3,
        status=["canceled", "active", None],
        amount=[10.0, 10.0, 10.0],
    )
    ends = prepare_dated(subs).frame["ended_at"].to_list()
    # b was canceled for the end of its billing period and still runs.
    assert ends == [D(2025, 3, 1), None, D(2025, 3, 1)]


def test_dated_end_date_before_cancellation():
    subs = frame(
        customer_id=["a"],
        started_at=[D(2025, 1, 1)],
        ended_at=[D(2025, 4, 1)],
        canceled_at=[D(2025, 3, 1)],
        amount=[10.0],
    )
    assert prepare_dated(subs).frame["ended_at"].to_list() == [D(2025, 4, 1)]


def test_dated_datetime_columns_become_dates():
    subs = frame(
        customer_id=["a"],
        started_at=pl.Series(["2025-01-01 23:30"]).str.to_datetime(),
        amount=[10.0],
    )
    assert prepare_dated(subs).frame["started_at"].to_list() == [D(2025, 1, 1)]


def test_dated_quantity_defaults_to_one():
    subs = frame(
        customer_id=["a", "b"],
        started_at=[D(2025, 1, 1)] * 2,
        amount=[10.0, 10.0],
        quantity=[None, 3.0],
    )
    assert prepare_dated(subs).frame["mrr"].to_list() == [10.0, 30.0]


def test_dated_missing_customer_raises():
    with pytest.raises(MissingColumnError, match="customer_id"):
        prepare_dated(frame(started_at=[D(2025, 1, 1)]))


def test_period_bounds_open_ends():
    subs = frame(
        customer_id=["a", "b"],
        started_at=[D(2024, 3, 1), D(2024, 5, 1)],
        ended_at=[D(2025, 2, 1), None],
        amount=[1.0, 1.0],
    )
    prepared = prepare_dated(subs).frame
    assert period_bounds(prepared, Period()) == (D(2024, 3, 1), D(2025, 2, 1))
    assert period_bounds(prepared, Period(end=D(2024, 4, 1))) == (
        D(2024, 3, 1),
        D(2024, 4, 1),
    )


@pytest.mark.parametrize(
    "text",
    ["C-816288", "2024-10-27", "maybe", "2"],
    ids=["churn event id", "date", "word", "number"],
)
def test_snapshot_non_flag_value_excluded(text):
    data = prepare_snapshot(
        frame(customer_id=["a", "b"], churned=[text, "No"], monthly_charge=[1.0, 2.0])
    )
    assert data.frame["customer_id"].to_list() == ["b"]
    assert data.excluded == {
        "churned flag is not yes/no, true/false, 1/0 or active/churned": 1
    }


@given(
    word=st.sampled_from(sorted(TRUE_FLAGS | FALSE_FLAGS)),
    upper=st.booleans(),
    padding=st.sampled_from(["", " ", "  "]),
)
def test_snapshot_flag_spellings_kept(word, upper, padding):
    text = padding + (word.upper() if upper else word) + padding
    data = prepare_snapshot(
        frame(customer_id=["a"], churned=[text], monthly_charge=[1.0])
    )
    assert data.excluded == {}
    assert data.frame["churned"].to_list() == [word in TRUE_FLAGS]


def test_dated_same_frame_prepared_once():
    subs = frame(customer_id=["a"], started_at=[D(2025, 1, 1)], amount=[10.0])
    first = prepare_dated(subs)
    again = prepare_dated(subs)
    assert again.frame is first.frame


def test_dated_equal_new_frame_prepared_again():
    first = prepare_dated(frame(customer_id=["a"], started_at=[D(2025, 1, 1)]))
    again = prepare_dated(frame(customer_id=["a"], started_at=[D(2025, 1, 1)]))
    assert again.frame is not first.frame


def test_dated_reused_counts_are_copies():
    subs = frame(customer_id=["a", None], started_at=[D(2025, 1, 1)] * 2)
    prepare_dated(subs, need_amount=False).excluded["added by a caller"] = 1
    again = prepare_dated(subs, need_amount=False)
    assert again.excluded == {"no customer id": 1}


def test_dated_counting_keeps_priced_result():
    subs = frame(customer_id=["a", "b"], started_at=[D(2025, 1, 1)] * 2)
    subs = subs.with_columns(amount=pl.Series([10.0, None]))
    priced = prepare_dated(subs)
    prepare_dated(subs, need_amount=False)
    assert prepare_dated(subs).frame is priced.frame


def test_mrr_on_days_sums_running():
    subs = frame(
        customer_id=["a", "a", "b"],
        started_at=[D(2025, 1, 1), D(2025, 2, 1), D(2025, 1, 1)],
        ended_at=[None, None, D(2025, 2, 1)],
        amount=[10.0, 5.0, 7.0],
    )
    days = pl.Series([D(2025, 1, 31), D(2025, 2, 1)], dtype=pl.Date)
    mrr = mrr_on_days(prepare_dated(subs).frame, days).sort("day", "customer_id")
    # Jan 31: a 10, b 7; Feb 1: a 10 + 5, and b has ended that day.
    assert mrr.rows() == [
        ("a", D(2025, 1, 31), 10.0),
        ("b", D(2025, 1, 31), 7.0),
        ("a", D(2025, 2, 1), 10.0 + 5.0),
    ]


def test_mrr_on_days_no_days_empty():
    subs = frame(customer_id=["a"], started_at=[D(2025, 1, 1)], amount=[10.0])
    mrr = mrr_on_days(prepare_dated(subs).frame, pl.Series([], dtype=pl.Date))
    assert mrr.columns == ["customer_id", "day", "mrr"]


def test_dated_labels_trimmed_and_lower_cased():
    subs = frame(
        customer_id=["a", "b", "c", "d", "e"],
        started_at=[D(2025, 1, 1)] * 5,
        canceled_at=[D(2025, 3, 1)] * 5,
        status=[" ACTIVE ", "Trialing", "canceled", None, "  "],
        amount=[120.0, 10.0, 30.0, 40.0, 50.0],
        interval=[" Year", "month", "", None, "MONTHLY "],
    )
    data = prepare_dated(subs)
    assert data.frame["customer_id"].to_list() == ["a", "c", "d", "e"]
    assert data.excluded == {"trial or not yet paid": 1}
    # Only a still runs after its cancellation date: its status is active.
    assert data.frame["ended_at"].to_list() == [None] + [D(2025, 3, 1)] * 3
    # A yearly 120 is 10 a month, and an empty interval means monthly.
    assert data.frame["mrr"].to_list() == [10.0, 30.0, 40.0, 50.0]


def test_dated_status_column_all_empty():
    subs = frame(
        customer_id=["a"],
        started_at=[D(2025, 1, 1)],
        canceled_at=[D(2025, 3, 1)],
        status=pl.Series([None], dtype=pl.String),
        amount=[10.0],
    )
    data = prepare_dated(subs)
    assert data.frame["ended_at"].to_list() == [D(2025, 3, 1)]
    assert data.excluded == {}


def test_dated_trial_reason_before_no_amount():
    subs = frame(
        customer_id=["a", "b"],
        started_at=[D(2025, 1, 1)] * 2,
        amount=[None, None],
        status=["trialing", "active"],
    )
    assert prepare_dated(subs).excluded == {
        "trial or not yet paid": 1,
        "no amount": 1,
    }
    counted = prepare_dated(subs, need_amount=False)
    assert counted.excluded == {"trial or not yet paid": 1}
    assert counted.frame["customer_id"].to_list() == ["b"]


def test_dated_customer_key_follows_id():
    subs = frame(
        customer_id=["a", "b", "a", "c"],
        started_at=[D(2025, 1, 1)] * 4,
        amount=[1.0, 2.0, 3.0, 4.0],
    )
    keys = prepare_dated(subs).frame["customer_key"].to_list()
    assert keys[0] == keys[2]
    assert len({keys[0], keys[1], keys[3]}) == 3


def test_dated_repeated_customer_counts_whole_table():
    subs = frame(
        customer_id=["a", "b", "a", "c", "c"],
        started_at=[D(2025, 1, 1), D(2025, 1, 1), D(2025, 2, 1), None, D(2025, 1, 1)],
        amount=[1.0, 2.0, 3.0, 4.0, 5.0],
    )
    prepared = prepare_dated(subs).frame
    # c's row without a start date is left out, but c still has two rows in
    # the table.
    assert prepared["customer_id"].to_list() == ["a", "b", "a", "c"]
    assert prepared["repeated_customer"].to_list() == [True, False, True, True]


currency_rows = st.lists(
    st.tuples(
        st.sampled_from(["EUR", " usd", "USD", "", "  ", None, "GBP"]),
        st.sampled_from([None, 1.5, -2.0, 10.0]),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(
    currency_rows,
    st.sampled_from([None, "EUR", "usd"]),
    st.sampled_from([None, {"USD": 0.9}, {"USD": 0.9, "gbp": 1.1}]),
)
def test_convert_per_cell_matches_convert_amounts(rows, currency, fx):
    table = pl.DataFrame(
        rows, schema={"currency": pl.String, "amount": pl.Float64}, orient="row"
    )
    try:
        expected = convert_amounts(table, currency, fx)
    except InvalidValueError as error:
        with pytest.raises(InvalidValueError, match=re.escape(str(error))):
            convert_per_cell(table, currency, fx)
        return
    converted, unit, without_code = convert_per_cell(table, currency, fx)
    assert converted["amount"].to_list() == expected[0]["amount"].to_list()
    assert unit == expected[1]
    assert without_code == expected[2]
