import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_core.errors import InvalidSettingError
from kpi_core.goals import (
    Goal,
    SegmentFilter,
    deadline_after,
    example_goals,
    format_segments,
    parse_segments,
)
from kpi_core.period import Period

D = date


def _goal(**changes) -> Goal:
    values = {
        "title": "More leads",
        "metric": "new_deals",
        "target": 20,
        "start": D(2025, 10, 1),
        "deadline": D(2025, 12, 31),
    }
    return Goal(**{**values, **changes})


def test_goal_defaults():
    goal = _goal()
    assert goal.target_kind == "absolute"
    assert goal.segments == ()
    assert goal.department == "sales"
    assert re.fullmatch(r"[0-9a-f]{32}", goal.id)


def test_goal_ids_differ():
    assert _goal().id != _goal().id


def test_goal_segments_become_tuple():
    goal = _goal(segments=[SegmentFilter("source", "Website")])
    assert goal.segments == (SegmentFilter("source", "Website"),)


def test_goal_empty_title():
    with pytest.raises(InvalidSettingError, match="no title"):
        _goal(title="  ")


def test_goal_unknown_metric():
    with pytest.raises(InvalidSettingError, match="unknown metric 'page_views'"):
        _goal(metric="page_views")


def test_goal_unknown_department():
    with pytest.raises(InvalidSettingError, match="unknown department 'it'"):
        _goal(department="it")


def test_goal_unknown_target_kind():
    with pytest.raises(InvalidSettingError, match="unknown target kind 'percent'"):
        _goal(target_kind="percent")


def test_goal_relative_zero_change():
    with pytest.raises(InvalidSettingError, match="0 % changes nothing"):
        _goal(target=0, target_kind="relative")


def test_goal_relative_below_minus_100():
    with pytest.raises(InvalidSettingError, match="would go below zero"):
        _goal(target=-120, target_kind="relative")


def test_goal_negative_count_target():
    with pytest.raises(InvalidSettingError, match="a count cannot reach -5"):
        _goal(target=-5)


def test_goal_negative_kpi_target_allowed():
    assert _goal(metric="nps", target=-10).target == -10


def test_goal_direction_relative_sign():
    assert _goal(metric="tickets", target=-25, target_kind="relative").direction == (
        "down"
    )
    assert _goal(target=10, target_kind="relative").direction == "up"


def test_goal_direction_absolute_follows_metric():
    assert _goal(metric="new_deals").direction == "up"
    assert _goal(metric="resolution_hours", target=8).direction == "down"


def test_goal_window_days():
    # 1 October to 31 December: 31 + 30 + 31 days.
    assert _goal().window_days == 92


def test_goal_window_days_without_deadline():
    assert _goal(deadline=None).window_days is None


def test_goal_baseline_period():
    assert _goal().baseline_period == Period(D(2025, 7, 1), D(2025, 9, 30))


def test_goal_baseline_period_deadline_before_start():
    assert _goal(deadline=D(2025, 9, 1)).baseline_period is None


@pytest.mark.parametrize(
    ("start", "months", "deadline"),
    [
        (D(2025, 10, 1), 3, D(2025, 12, 31)),
        (D(2025, 9, 1), 6, D(2026, 2, 28)),
        (D(2025, 3, 1), 12, D(2026, 2, 28)),
        (D(2025, 11, 15), 2, D(2026, 1, 14)),
        (D(2025, 1, 31), 1, D(2025, 2, 27)),
        (D(2024, 1, 31), 1, D(2024, 2, 28)),
        (D(9999, 11, 15), 1, D(9999, 12, 14)),
    ],
    ids=[
        "quarter",
        "half-year",
        "year",
        "mid-month",
        "month-end",
        "leap-year",
        "last-month",
    ],
)
def test_deadline_after_months(start, months, deadline):
    assert deadline_after(start, months) == deadline


@pytest.mark.parametrize(
    ("start", "months"),
    [(D(9999, 12, 1), 1), (D(9999, 12, 31), 1), (D(9999, 6, 1), 36)],
    ids=["next-month", "last-day", "long-window"],
)
def test_deadline_after_past_date_max(start, months):
    with pytest.raises(InvalidSettingError, match="ends after 9999-12-31"):
        deadline_after(start, months)


def test_parse_segments_two_filters():
    segments = parse_segments("channel = phone; category = late delivery")
    assert segments == (
        SegmentFilter("channel", "phone"),
        SegmentFilter("category", "late delivery"),
    )


def test_parse_segments_column_words():
    assert parse_segments("Lead Source=Website") == (
        SegmentFilter("lead_source", "Website"),
    )


def test_parse_segments_header_aliases():
    # German header names of the tickets' channel and category fields.
    segments = parse_segments("Kanal = Telefon; Kategorie = Lieferverzug", "tickets")
    assert segments == (
        SegmentFilter("channel", "Telefon"),
        SegmentFilter("category", "Lieferverzug"),
    )


def test_parse_segments_field_names_kept():
    segments = parse_segments("channel = phone; foo bar = x", "tickets")
    assert segments == (
        SegmentFilter("channel", "phone"),
        SegmentFilter("foo_bar", "x"),
    )


def test_parse_segments_empty_text():
    assert parse_segments("  ") == ()


def test_parse_segments_trailing_separator():
    assert parse_segments("source = Website;") == (SegmentFilter("source", "Website"),)


def test_parse_segments_without_sign():
    with pytest.raises(InvalidSettingError, match="invalid segment filter 'source'"):
        parse_segments("source")


def test_parse_segments_empty_value():
    with pytest.raises(InvalidSettingError, match="write column = value"):
        parse_segments("source = ")


def test_format_segments_text():
    segments = (SegmentFilter("channel", "phone"), SegmentFilter("category", "x"))
    assert format_segments(segments) == "channel = phone; category = x"


_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)


@given(st.lists(st.tuples(_WORDS, _WORDS), max_size=4))
def test_parse_segments_reads_formatted(pairs):
    segments = tuple(SegmentFilter(column, value) for column, value in pairs)
    assert parse_segments(format_segments(segments)) == segments


def test_example_goals_leads():
    leads, _, _ = example_goals(D(2025, 10, 1))
    assert leads.title == "20 new leads from the company website within 3 months"
    assert leads.metric == "new_deals"
    assert leads.target == 20
    assert leads.target_kind == "absolute"
    assert leads.segments == (SegmentFilter("source", "Website"),)
    assert leads.deadline == D(2025, 12, 31)
    assert leads.department == "sales"


def test_example_goals_subscribers():
    _, subscribers, _ = example_goals(D(2025, 10, 1))
    assert subscribers.metric == "new_subscribers"
    assert subscribers.target == 1000
    assert subscribers.segments == ()
    assert subscribers.deadline == D(2026, 3, 31)
    assert subscribers.department == "marketing"


def test_example_goals_complaints():
    _, _, complaints = example_goals(D(2025, 10, 1))
    assert complaints.metric == "tickets"
    assert complaints.target == -25
    assert complaints.target_kind == "relative"
    assert complaints.segments == (
        SegmentFilter("channel", "phone"),
        SegmentFilter("category", "late delivery"),
    )
    assert complaints.deadline == D(2026, 9, 30)
    assert complaints.department == "service"
    # The baseline is the year before the start.
    assert complaints.baseline_period == Period(D(2024, 10, 1), D(2025, 9, 30))
