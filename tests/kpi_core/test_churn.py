import csv
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_core.churn import churn_rate, churn_series
from kpi_core.errors import InvalidSettingError
from kpi_core.importing import preview_file
from kpi_core.period import Period
from kpi_core.prepare import prepare_table

D = date
SCHEMA = {
    "customer_id": pl.String,
    "started_at": pl.Date,
    "ended_at": pl.Date,
    "amount": pl.Float64,
}
JANUARY = Period(D(2025, 1, 1), D(2025, 1, 31))
FEBRUARY = Period(D(2025, 2, 1), D(2025, 2, 28))
# Monthly subscriptions. Active at the close of 2024-12-31: S, X, T, R, E, F.
# Active at the close of 2025-01-31: S, T, R, B, E.
BOOK = [
    ("S", D(2024, 1, 1), None, 10.0),  # steady
    ("X", D(2024, 3, 1), D(2025, 1, 15), 20.0),  # churns in January
    ("J", D(2025, 1, 5), D(2025, 1, 20), 30.0),  # joins and leaves in January
    ("T", D(2024, 1, 1), None, 40.0),  # cancels one of two subscriptions
    ("T", D(2024, 6, 1), D(2025, 1, 10), 50.0),
    ("R", D(2024, 2, 1), D(2025, 1, 12), 60.0),  # cancels and resubscribes
    ("R", D(2025, 1, 18), None, 70.0),
    ("B", D(2023, 1, 1), D(2023, 12, 1), 80.0),  # comes back in January
    ("B", D(2025, 1, 25), None, 80.0),
    ("E", D(2024, 1, 1), D(2025, 2, 1), 90.0),  # first day without is 1 Feb
    ("F", D(2024, 1, 1), D(2025, 1, 31), 100.0),  # first day without is 31 Jan
]


def subscriptions(rows=BOOK) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def test_churn_rate_hand_worked_january():
    result = churn_rate(subscriptions(), JANUARY)
    # X and F left; S, T, R and E stayed.
    assert result.value == pytest.approx(2 / 6 * 100)
    assert result.numerator == 2
    assert result.denominator == 6
    assert result.unit == "percent"
    assert result.variant == "customers"


def test_churn_rate_join_and_leave_beside():
    result = churn_rate(subscriptions(), JANUARY)
    assert result.extra["joined_and_left"] == 1


def test_churn_rate_reactivation_not_new():
    result = churn_rate(subscriptions(), JANUARY)
    assert result.extra["reactivations"] == 1


def test_churn_rate_retention_beside():
    result = churn_rate(subscriptions(), JANUARY)
    assert result.extra["retention"] == pytest.approx(100 - 2 / 6 * 100)


def test_churn_rate_cancel_one_of_two():
    rows = [BOOK[3], BOOK[4]]
    assert churn_rate(subscriptions(rows), JANUARY).value == 0.0


def test_churn_rate_cancel_and_resubscribe():
    rows = [BOOK[5], BOOK[6]]
    result = churn_rate(subscriptions(rows), JANUARY)
    assert result.value == 0.0
    assert result.extra["reactivations"] == 0


def test_churn_rate_end_on_month_boundary():
    result = churn_rate(subscriptions(), FEBRUARY)
    # Active at the close of 31 January: S, T, R, B, E; E left on 1 February.
    assert result.value == pytest.approx(1 / 5 * 100)


def test_churn_rate_two_months_annualised():
    result = churn_rate(subscriptions(), Period(D(2025, 1, 1), D(2025, 2, 28)))
    # X, F and E left of S, X, T, R, E, F.
    assert result.value == pytest.approx(3 / 6 * 100)
    monthly_average = (2 / 6 + 1 / 5) / 2
    assert result.extra["annualised"] == pytest.approx(
        (1 - (1 - monthly_average) ** 12) * 100
    )


def test_annualised_leaves_out_cut_month():
    result = churn_rate(subscriptions(), Period(D(2025, 1, 1), D(2025, 2, 14)))
    # January is the only whole month: 2 of 6 left, so the annualised rate
    # is 1 - (1 - 2/6)^12. The cut month 1 to 14 February is no month's rate.
    assert result.extra["annualised"] == pytest.approx((1 - (1 - 2 / 6) ** 12) * 100)


def test_no_annualised_without_whole_month():
    # 1 to 20 January: X left on 15 January and R on 12 January (back on
    # the 18th, so not churned) of the six active at the start. 1 of 6 lost
    # in 20 days is no monthly rate, so there is no annualised rate.
    result = churn_rate(subscriptions(), Period(D(2025, 1, 1), D(2025, 1, 20)))
    assert result.value == pytest.approx(1 / 6 * 100)
    assert "annualised" not in result.extra


def test_churn_rate_wilson_interval():
    low, high = churn_rate(subscriptions(), JANUARY).ci95
    assert low < 2 / 6 * 100 < high


def test_churn_rate_revenue_variant():
    result = churn_rate(subscriptions(), JANUARY, variant="revenue")
    # MRR at the start: S 10 + X 20 + T 90 + R 60 + E 90 + F 100 = 370.
    # Lost: X 20, T's 50, F 100; R grew from 60 to 70 and loses nothing.
    assert result.value == pytest.approx((20 + 50 + 100) / 370 * 100)
    assert result.variant == "revenue"


def test_churn_rate_whole_history():
    result = churn_rate(subscriptions())
    # The data ends on 2025-02-01 (E's end). Of the 8 customers seen, S, T, R
    # and B still run at its close.
    assert result.value == pytest.approx(4 / 8 * 100)
    assert result.variant == "customers, whole history"


def test_churn_rate_whole_history_revenue_not_available():
    result = churn_rate(subscriptions(), variant="revenue")
    assert result.status == "not_available"


def test_churn_rate_nobody_at_start():
    result = churn_rate(subscriptions(), Period(D(2020, 1, 1), D(2020, 1, 31)))
    assert result.status == "not_available"
    assert result.reason == "no customers were active at the start of this period"


def test_churn_rate_empty_table():
    result = churn_rate(subscriptions([]), JANUARY)
    assert result.status == "not_available"
    assert result.reason == "no subscriptions in the data"


def test_churn_rate_rows_without_start_counted():
    rows = [*BOOK, ("Y", None, None, 5.0)]
    result = churn_rate(subscriptions(rows), JANUARY)
    assert result.excluded == {"no start date": 1}
    assert result.value == pytest.approx(2 / 6 * 100)


def test_churn_rate_unknown_variant():
    with pytest.raises(InvalidSettingError, match="'gross'"):
        churn_rate(subscriptions(), JANUARY, variant="gross")


def test_churn_rate_snapshot_list():
    frame = pl.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "churned": ["Yes", "No", " yes ", "False", None],
        }
    )
    result = churn_rate(frame, JANUARY)
    assert result.value == pytest.approx(2 / 4 * 100)
    assert result.variant == "customers, snapshot"
    assert result.excluded == {"no churned flag": 1}


def test_churn_series_months():
    series = churn_series(subscriptions(), Period(D(2025, 1, 1), D(2025, 2, 28)))
    assert series["period_start"].to_list() == [D(2025, 1, 1), D(2025, 2, 1)]
    assert series["churn_rate"].to_list() == pytest.approx([2 / 6 * 100, 1 / 5 * 100])
    assert series["joined_and_left"].to_list() == [1, 0]


def test_churn_series_clipped_to_period():
    series = churn_series(subscriptions(), Period(D(2025, 1, 15), D(2025, 2, 10)))
    assert series["period_start"].to_list() == [D(2025, 1, 15), D(2025, 2, 1)]
    assert series["period_end"].to_list() == [D(2025, 1, 31), D(2025, 2, 10)]


def test_churn_series_empty_month_rate_null():
    series = churn_series(subscriptions(), Period(D(2023, 1, 1), D(2023, 2, 28)))
    # No subscription runs at the close of 2022-12-31, because B starts on 2023-01-01.
    assert series["churn_rate"].to_list() == [None, 0.0]


def test_churn_series_revenue_columns():
    series = churn_series(subscriptions(), JANUARY, variant="revenue")
    assert series["mrr_at_start"].to_list() == [370.0]
    assert series["churn_rate"].to_list() == pytest.approx([170 / 370 * 100])


def test_churn_series_quarter_grain():
    series = churn_series(
        subscriptions(), Period(D(2024, 11, 1), D(2025, 2, 28)), "quarter"
    )
    assert series["period_start"].to_list() == [D(2024, 11, 1), D(2025, 1, 1)]


def test_churn_series_snapshot_empty():
    frame = pl.DataFrame({"customer_id": ["a"], "churned": ["Yes"]})
    assert churn_series(frame).is_empty()


DAY0 = D(2024, 1, 1)
subscription_rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.integers(0, 400),
        st.one_of(st.none(), st.integers(0, 400)),
        st.integers(0, 1000).map(float),
    ),
    max_size=15,
)


@settings(max_examples=60, deadline=None)
@given(subscription_rows, st.integers(0, 500), st.integers(0, 200), st.booleans())
def test_churn_rate_within_bounds(rows, offset, length, by_revenue):
    book = [
        (
            customer,
            DAY0 + timedelta(days=start),
            None if days is None else DAY0 + timedelta(days=start + days),
            amount,
        )
        for customer, start, days, amount in rows
    ]
    period = Period(
        DAY0 + timedelta(days=offset), DAY0 + timedelta(days=offset + length)
    )
    variant = "revenue" if by_revenue else "customers"
    result = churn_rate(subscriptions(book), period, variant=variant)
    if result.available:
        assert 0 <= result.value <= 100
        assert 0 <= result.extra.get("annualised", 0) <= 100


def ravenstack(datasets_dir) -> pl.DataFrame:
    raw = pl.read_csv(
        datasets_dir / "ravenstack-saas" / "ravenstack_subscriptions.csv",
        infer_schema=False,
    )
    return raw.select(
        customer_id=pl.col("account_id"),
        started_at=pl.col("start_date").str.to_date(),
        ended_at=pl.col("end_date").str.to_date(),
        monthly_charge=pl.col("mrr_amount").cast(pl.Float64),
    )


def plain_active_accounts(path, day: date) -> set[str]:
    """Return the accounts with a subscription running at the close of day."""
    active = set()
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            start = date.fromisoformat(row["start_date"])
            end = date.fromisoformat(row["end_date"]) if row["end_date"] else None
            if start <= day and (end is None or end > day):
                active.add(row["account_id"])
    return active


# RavenStack accounts have several overlapping subscriptions, so an account
# rarely leaves; November 2023 and September 2024 each lose one.
@pytest.mark.parametrize(
    "period",
    [
        Period(D(2023, 11, 1), D(2023, 11, 30)),
        Period(D(2024, 9, 1), D(2024, 9, 30)),
        Period(D(2024, 7, 1), D(2024, 9, 30)),
    ],
    ids=["november-2023", "september-2024", "third-quarter-2024"],
)
def test_churn_rate_ravenstack_matches_plain_python(datasets_dir, period):
    path = datasets_dir / "ravenstack-saas" / "ravenstack_subscriptions.csv"
    at_start = plain_active_accounts(path, period.start - timedelta(days=1))
    at_end = plain_active_accounts(path, period.end)
    result = churn_rate(ravenstack(datasets_dir), period)
    assert result.denominator == len(at_start)
    assert result.numerator == len(at_start - at_end)
    assert result.numerator > 0
    assert result.value == pytest.approx(len(at_start - at_end) / len(at_start) * 100)


def test_churn_rate_telco_snapshot(datasets_dir):
    path = datasets_dir / "ibm-telco-churn" / "Telco-Customer-Churn.csv"
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    churned = sum(1 for row in rows if row["Churn"] == "Yes")
    frame = pl.read_csv(path, infer_schema=False).select(
        customer_id=pl.col("customerID"),
        churned=pl.col("Churn"),
    )
    result = churn_rate(frame)
    assert result.value == pytest.approx(churned / 7043 * 100)
    assert result.n == 7043
    assert result.variant == "customers, snapshot"


def test_churn_rate_snapshot_no_annualised():
    frame = pl.DataFrame({"customer_id": ["a", "b"], "churned": ["Yes", "No"]})
    result = churn_rate(frame)
    # A list without dates has no months, so no annualised rate exists.
    assert "annualised" not in result.extra
    assert result.extra == {"retention": 100 - 1 / 2 * 100}


def test_churn_rate_snapshot_ids_as_flag():
    frame = pl.DataFrame(
        {"customer_id": ["A-c37cab", "A-37f969"], "churned": ["C-816288", "C-5a81e7"]}
    )
    result = churn_rate(frame)
    assert result.status == "not_available"
    assert result.excluded == {
        "churned flag is not yes/no, true/false, 1/0 or active/churned": 2
    }


def test_churn_series_after_rate_same_frame():
    frame = subscriptions()
    rate = churn_rate(frame, Period(D(2025, 1, 1), D(2025, 2, 28)))
    series = churn_series(frame, Period(D(2025, 1, 1), D(2025, 2, 28)))
    other = churn_series(frame, FEBRUARY)
    # X and F leave in January, E on 1 February.
    assert series["churned"].to_list() == [2, 1]
    assert rate.numerator == 3
    # February alone starts with S, T, R, B and E.
    assert other["customers_at_start"].to_list() == [5]
    assert other["churned"].to_list() == [1]


def test_churn_formula_singular_for_one():
    # A list of 4 customers without dates, of whom 1 churned: 1 / 4 = 25 %.
    snapshot = pl.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "churned": ["Yes", "No", "No", "No"],
        }
    )
    result = churn_rate(snapshot)
    assert result.formula == (
        "1 churned customer / 4 customers in the list x 100 = 25.0 %"
    )


def test_snapshot_status_words_read():
    # A German customer list with its churn as a status: 1 of 4 gekündigt.
    data = (
        "Kundennummer;Tarif;Monatsbetrag;Status\n"
        "K1;Basis;49,90 €;Aktiv\n"
        "K2;Profi;99,00 €;Gekündigt\n"
        "K3;Basis;49,90 €;Aktiv\n"
        "K4;Premium;1.199,00 €;Aktiv\n"
    ).encode()
    preview = preview_file("kunden.csv", data)
    mapping = preview.mapping.with_choice("churned", "Status")
    subs = prepare_table(preview.raw, mapping).frame
    result = churn_rate(subs)
    assert result.numerator == 1
    assert result.value == pytest.approx(25.0)


def test_snapshot_paused_not_churned():
    data = (
        "Kundennummer;Monatsbetrag;Status\n"
        "K1;50;Aktiv\nK2;60;Gekündigt\nK3;40;Aktiv\nK4;70;Gekündigt\nK5;30;Pausiert\n"
    ).encode()
    preview = preview_file("kunden.csv", data)
    subs = prepare_table(
        preview.raw, preview.mapping.with_choice("churned", "Status")
    ).frame
    # K2 and K4 of 5 customers; the paused K5 has not churned.
    assert churn_rate(subs).value == pytest.approx(40.0)
