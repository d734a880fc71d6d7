import csv
import math
import re
from datetime import date

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_core.errors import InvalidSettingError, InvalidValueError, MissingColumnError
from kpi_core.importing import load_file
from kpi_core.mapping import guess_mapping
from kpi_core.nps import (
    find_score_column,
    net_promoter_score,
    nps_breakdown,
    nps_distribution,
    nps_series,
)
from kpi_core.period import Period

D = date
SCHEMA = {
    "score": pl.Int64,
    "customer_id": pl.String,
    "responded_at": pl.Date,
    "channel": pl.String,
}
# 2 promoters (10, 9), 2 passives (8, 7), 1 detractor (0) and one blank.
SAMPLE = [
    (10, "c1", D(2025, 1, 5), "email"),
    (9, "c2", D(2025, 1, 20), "web"),
    (8, "c1", D(2025, 2, 3), "email"),
    (7, "c3", D(2025, 2, 10), "web"),
    (0, "c2", D(2025, 2, 15), None),
    (None, "c4", D(2025, 2, 16), "web"),
]
JANUARY = Period(D(2025, 1, 1), D(2025, 1, 31))


def responses(rows=SAMPLE) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def test_nps_hand_worked_sample():
    result = net_promoter_score(responses())
    assert result.value == pytest.approx((2 - 1) / 5 * 100)
    assert result.n == 5
    assert result.unit == "score"
    assert result.numerator == 2 - 1
    assert result.denominator == 5


def test_nps_bucket_counts():
    result = net_promoter_score(responses())
    assert result.extra == {"promoters": 2, "passives": 2, "detractors": 1}


def test_nps_interval_standard_error():
    # p = 2/5 promoters, d = 1/5 detractors.
    margin = 1.96 * math.sqrt((0.4 + 0.2 - (0.4 - 0.2) ** 2) / 5) * 100
    low, high = net_promoter_score(responses()).ci95
    assert low == pytest.approx(20 - margin)
    assert high == pytest.approx(20 + margin)


def test_nps_interval_clipped_at_100():
    # 2 promoters of 3: 66.7 +- 1.96 x sqrt((2/3 - (2/3)^2) / 3) x 100 > 100.
    rows = [(10, "a", None, None), (9, "b", None, None), (7, "c", None, None)]
    low, high = net_promoter_score(responses(rows)).ci95
    assert high == 100.0
    margin = 1.96 * math.sqrt((2 / 3 - (2 / 3) ** 2) / 3) * 100
    assert low == pytest.approx(2 / 3 * 100 - margin)


def test_nps_formula_text():
    formula = net_promoter_score(responses()).formula
    assert formula.endswith("(2 - 1) / 5 x 100 = 20.0")


def test_nps_text_blanks_not_responses():
    frame = pl.DataFrame({"score": ["10", "", "  ", None, "0"]})
    result = net_promoter_score(frame)
    assert result.n == 2
    assert result.value == pytest.approx((1 - 1) / 2 * 100)
    assert result.excluded == {"response without a score": 3}


def test_nps_blank_counted_in_its_period():
    # c4's blank of 16 February is in February, not in January.
    february = Period(D(2025, 2, 1), D(2025, 2, 28))
    assert net_promoter_score(responses()).excluded == {"response without a score": 1}
    assert net_promoter_score(responses(), february).excluded == {
        "response without a score": 1
    }
    assert net_promoter_score(responses(), JANUARY).excluded == {}


def test_nps_all_promoters():
    frame = pl.DataFrame({"score": [9, 10, 10]})
    assert net_promoter_score(frame).value == pytest.approx(100)


def test_nps_one_to_ten_scale_kept():
    # A 1-10 scale is taken as it is: 1 is a detractor, 10 a promoter.
    frame = pl.DataFrame({"score": [1, 10, 10, 5]})
    assert net_promoter_score(frame).value == pytest.approx((2 - 2) / 4 * 100)


def test_nps_latest_per_customer():
    # c1's latest is 8 (passive), c2's is 0 (detractor), c3's is 7 and c4
    # only left a blank, so 0 promoters and 1 detractor of 3 customers.
    result = net_promoter_score(responses(), variant="latest_per_customer")
    assert result.value == pytest.approx((0 - 1) / 3 * 100)
    assert result.n == 3
    assert result.excluded == {
        "response without a score": 1,
        "earlier response of the same customer": 2,
    }


def test_nps_latest_same_day_last_row():
    rows = [(0, "c1", D(2025, 1, 5), None), (10, "c1", D(2025, 1, 5), None)]
    result = net_promoter_score(responses(rows), variant="latest_per_customer")
    assert result.value == pytest.approx(100)


def test_nps_latest_prefers_dated_response():
    rows = [(10, "c1", D(2025, 1, 5), None), (0, "c1", None, None)]
    result = net_promoter_score(responses(rows), variant="latest_per_customer")
    assert result.value == pytest.approx(100)


def test_nps_latest_without_customer_id_row():
    rows = [(10, "c1", D(2025, 1, 5), None), (0, None, D(2025, 1, 6), None)]
    result = net_promoter_score(responses(rows), variant="latest_per_customer")
    assert result.n == 1
    assert result.excluded == {"response without a customer id": 1}


def test_nps_latest_without_customer_column():
    frame = pl.DataFrame({"score": [10, 0]})
    result = net_promoter_score(frame, variant="latest_per_customer")
    assert not result.available
    assert "customer id" in result.reason


def test_nps_period_by_response_date():
    # January contains the 10 and the 9.
    result = net_promoter_score(responses(), JANUARY)
    assert result.value == pytest.approx(100)
    assert result.n == 2


def test_nps_period_counts_undated():
    rows = [*SAMPLE, (3, "c5", None, None)]
    result = net_promoter_score(responses(rows), JANUARY)
    assert result.excluded == {"response without a date": 1}


def test_nps_all_data_keeps_undated():
    rows = [*SAMPLE, (3, "c5", None, None)]
    assert net_promoter_score(responses(rows)).n == 6


def test_nps_period_without_date_column():
    frame = pl.DataFrame({"score": [10, 0]})
    result = net_promoter_score(frame, JANUARY)
    assert not result.available
    assert result.excluded == {"response without a date": 2}


def test_nps_empty_frame():
    result = net_promoter_score(responses([]))
    assert not result.available
    assert result.reason == "no NPS responses in this period"


def test_nps_only_blanks():
    result = net_promoter_score(pl.DataFrame({"score": [None, None]}, strict=False))
    assert not result.available


def test_nps_period_without_responses():
    later = Period(D(2030, 1, 1), D(2030, 12, 31))
    assert not net_promoter_score(responses(), later).available


@pytest.mark.parametrize(
    ("values", "shown"),
    [([3, 11], "line 3 ('11')"), (["5", "ten"], "line 3 ('ten')"),
     ([7.5, 2.0], "line 2 ('7.5')"), ([-1, 4], "line 2 ('-1')")],
    ids=["above-ten", "text", "fraction", "negative"],
)  # fmt: skip
def test_nps_invalid_score_names_line(values, shown):
    frame = pl.DataFrame({"score": values, "_line": [2, 3]}, strict=False)
    with pytest.raises(InvalidValueError, match=re.escape(shown)) as error:
        net_promoter_score(frame)
    assert error.value.column == "score"


def test_nps_invalid_score_without_lines():
    frame = pl.DataFrame({"score": [5, 12]})
    with pytest.raises(InvalidValueError, match="row 2"):
        net_promoter_score(frame)


def test_nps_many_invalid_scores_shortened():
    frame = pl.DataFrame({"score": [11] * 8, "_line": list(range(2, 10))})
    with pytest.raises(InvalidValueError, match="and 3 more"):
        net_promoter_score(frame)


def test_nps_missing_score_column():
    with pytest.raises(MissingColumnError, match="score"):
        net_promoter_score(pl.DataFrame({"rating": [1]}))


def test_nps_unknown_variant():
    with pytest.raises(InvalidSettingError, match="latest_per_customer"):
        net_promoter_score(responses(), variant="newest")


@given(st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=1, max_size=60))
def test_nps_within_scale(scores):
    frame = pl.DataFrame({"score": scores}, schema={"score": pl.Int64})
    result = net_promoter_score(frame)
    if result.available:
        assert -100 <= result.value <= 100
        assert -100 <= result.ci95[0] <= result.ci95[1] <= 100


def test_nps_distribution_lists_whole_scale():
    table = nps_distribution(responses())
    assert table["score"].to_list() == list(range(11))
    assert table["count"].to_list() == [1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]


def test_nps_distribution_buckets():
    table = nps_distribution(responses())
    buckets = dict(zip(table["score"], table["bucket"], strict=True))
    assert buckets[6] == "detractor"
    assert buckets[7] == "passive"
    assert buckets[9] == "promoter"


def test_nps_distribution_share():
    table = nps_distribution(responses())
    assert table.filter(pl.col("score") == 10)["share"].item() == pytest.approx(20)


def test_nps_distribution_empty_frame():
    table = nps_distribution(responses([]))
    assert table["count"].sum() == 0
    assert table["share"].null_count() == 11


def test_nps_series_per_month():
    table = nps_series(responses(), grain="month")
    assert table["period_start"].to_list() == [D(2025, 1, 1), D(2025, 2, 1)]
    # January: 10 and 9. February: 8, 7 and 0 (the blank is no response).
    assert table["nps"].to_list() == pytest.approx([100, (0 - 1) / 3 * 100])
    assert table["responses"].to_list() == [2, 3]


def test_nps_series_unknown_grain():
    with pytest.raises(InvalidSettingError, match="grain"):
        nps_series(responses(), grain="decade")


def test_nps_series_empty_frame():
    assert nps_series(responses([])).is_empty()


def test_nps_breakdown_per_channel():
    table = nps_breakdown(responses(), segment="channel")
    scores = dict(zip(table["channel"], table["nps"], strict=True))
    # email: 10 and 8; web: 9 and 7; no channel: 0.
    assert scores == pytest.approx({"email": 50.0, "web": 50.0, "(none)": -100.0})


def test_nps_breakdown_lowest_first():
    table = nps_breakdown(responses(), segment="channel")
    assert table["channel"][0] == "(none)"


def test_nps_breakdown_missing_segment():
    with pytest.raises(MissingColumnError, match="segment"):
        nps_breakdown(responses(), segment="segment")


def test_find_score_column_typeform_export():
    frame = pl.DataFrame(
        {
            "#": ["a1f", "b2c", "c3d"],
            "How likely are you to recommend us to a friend?": ["10", "", "3"],
            "What could we do better?": ["x", "y", ""],
            "Submit Date (UTC)": ["2025-01-01 10:00:00"] * 3,
        }
    )
    expected = "How likely are you to recommend us to a friend?"
    assert find_score_column(frame) == expected


def test_find_score_column_prefers_recommend_header():
    frame = pl.DataFrame(
        {"Rate our support (1-5)": [4, 5], "Would you recommend us?": [9, 2]}
    )
    assert find_score_column(frame) == "Would you recommend us?"


def test_find_score_column_ambiguous():
    frame = pl.DataFrame({"Question 1": [4, 5], "Question 2": [9, 2]})
    assert find_score_column(frame) is None


def test_find_score_column_out_of_range():
    frame = pl.DataFrame({"How likely are you to recommend us?": ["11", "3"]})
    assert find_score_column(frame) is None


def test_find_score_column_all_empty():
    frame = pl.DataFrame({"How likely are you to recommend us?": ["", None]})
    assert find_score_column(frame) is None


def test_nps_needful_things_reviews(datasets_dir):
    path = datasets_dir / "needful-things-ecommerce" / "reviews.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        scores = [int(row["nps_score"]) for row in csv.DictReader(handle)]
    promoters = sum(1 for score in scores if score >= 9)
    detractors = sum(1 for score in scores if score <= 6)

    frame = pl.read_csv(path).rename({"nps_score": "score"})
    result = net_promoter_score(frame)
    assert result.n == len(scores) == 495
    assert result.value == pytest.approx((promoters - detractors) / len(scores) * 100)
    assert result.extra["promoters"] == promoters
    assert result.extra["detractors"] == detractors


def test_find_score_column_needful_things(datasets_dir):
    # id and order_id hold whole numbers too, but far above 10.
    path = datasets_dir / "needful-things-ecommerce" / "reviews.csv"
    frame = pl.read_csv(path, infer_schema=False)
    assert find_score_column(frame) == "nps_score"


def test_nps_mapping_needful_things_headers():
    mapping = guess_mapping(["id", "order_id", "nps_score"], "nps")
    assert mapping.columns["score"] == "nps_score"
    assert mapping.columns["response_id"] == "id"


def test_nps_mapping_surveymonkey_headers():
    headers = ["Respondent ID", "Collector ID", "Start Date", "End Date",
               "Email Address", "NPS"]  # fmt: skip
    mapping = guess_mapping(headers, "nps")
    assert mapping.columns["score"] == "NPS"
    assert mapping.columns["responded_at"] == "End Date"
    assert mapping.columns["customer_id"] == "Email Address"


def test_find_score_column_bad_value_after_sample():
    # One "11" in 1,501 cells is within 1 % (15 cells), so the question
    # stays a candidate beside "Rating", and its header decides.
    question = [str(row % 11) for row in range(1_500)] + ["11"]
    frame = pl.DataFrame(
        {"How likely are you to recommend us?": question, "Rating": ["3"] * 1_501}
    )
    assert find_score_column(frame) == "How likely are you to recommend us?"


def test_find_score_column_too_many_bad_values_late():
    # 16 of 1,516 cells (more than 1 %, 15) are not scores, all after the
    # first 1,000 rows, so only "Rating" is left.
    question = [str(row % 11) for row in range(1_500)] + ["11"] * 16
    frame = pl.DataFrame(
        {"How likely are you to recommend us?": question, "Rating": ["3"] * 1_516}
    )
    assert find_score_column(frame) == "Rating"


def test_find_score_column_text_in_first_row():
    # "n/a" is 1 of 2,001 cells, within 1 %.
    question = "How likely are you to recommend us?"
    frame = pl.DataFrame({question: ["n/a"] + ["7"] * 2_000})
    assert find_score_column(frame) == question


def test_find_score_column_small_file_strict():
    # 1 % of 99 cells is 0 cells.
    question = "How likely are you to recommend us?"
    frame = pl.DataFrame({question: ["11"] + ["7"] * 98})
    assert find_score_column(frame) is None


def test_stray_score_value_read_as_empty():
    # Of 150 responses, line 151 contains an Arabic-Indic three. That is 1 %
    # of the cells, so the column is found and only that score is read as
    # empty, which makes the row a blank answer.
    rows = [f"r{i},{i % 11},Good" for i in range(149)] + ["r149,\u0663,Good"]
    data = "#,How likely are you to recommend us?,Why?\n" + "\n".join(rows) + "\n"
    prepared = load_file("typeform.csv", data.encode("utf-8"))
    assert prepared.table == "nps"
    assert prepared.rows_used == 150
    assert prepared.frame["score"].null_count() == 1
    (problem,) = prepared.problems
    assert problem.lines == (151,)


def test_find_score_column_empty_first_rows():
    values = [""] * 1_000 + [None] * 200 + [" 9 ", "10", "0"]
    assert find_score_column(pl.DataFrame({"NPS": values})) == "NPS"


def test_find_score_column_integer_out_of_range_late():
    question = "How likely are you to recommend us?"
    frame = pl.DataFrame({"Score": [5] * 1_200 + [42], question: [9] * 1_201})
    assert find_score_column(frame) == question
