"""Goals page: SMART goals with their progress, pace, forecast and SMART
check, and the forms to create, edit and delete them."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import date

import polars as pl
import streamlit as st

from kpi_core import charts
from kpi_core.business_hours import WorkingTime
from kpi_core.compare_periods import data_range
from kpi_core.errors import InputError
from kpi_core.formatting import format_number, format_value
from kpi_core.goal_currency import table_currency, target_currency
from kpi_core.goal_progress import NOT_AVAILABLE
from kpi_core.goal_store import GoalStore
from kpi_core.goals import (
    METRICS,
    Goal,
    GoalStatus,
    SmartCheck,
    deadline_after,
    evaluate_goal,
    format_segments,
    parse_segments,
    placed_example_goals,
    smart_check,
    zero_target_problem,
)
from kpi_core.goals_workbook import GoalRow, goals_workbook
from kpi_core.money import DEFAULT_CURRENCY
from kpi_core.schema import TABLES
from kpi_core.table_names import TableNames
from kpi_core.workspace import TableEntry
from pages.ui.currencies import PageTables, is_money_metric, page_tables_with
from pages.ui.downloads import XLSX_MIME, chart_downloads, show_chart
from pages.ui.markdown_escape import escape_markdown
from pages.ui.navigation import require_app_entry
from pages.ui.share_link import share_controls
from pages.ui.shared_views import (
    default_unless_set,
    editor_unlocked,
    for_viewer,
    shared_view,
    view_widget_options,
)
from pages.ui.table_choice import user_chose_table
from pages.ui.table_sources import show_table_sources
from pages.ui.url_params import check_url_dates
from pages.ui.working_time import page_working_time, working_time_caption
from pages.ui.workspace_access import workspace

# The ticket message log is read by the follow-ups per ticket, as on the
# Service page.
TABLE_TYPES = (
    "deals",
    "tickets",
    "ticket_messages",
    "email_events",
    "nps",
    "subscriptions",
)
DEPARTMENT_LABELS = {"sales": "Sales", "marketing": "Marketing", "service": "Service"}
TARGET_KIND_LABELS = {
    "absolute": "An absolute value",
    "relative": "A change in % against the same length of time before the start",
}
_STATUS_LABELS = {
    "on track": ":green[:material/check_circle: On track]",
    "at risk": ":orange[:material/warning: At risk]",
    "off track": ":red[:material/cancel: Off track]",
    "achieved": ":green[:material/task_alt: Achieved]",
    "not started": ":gray[:material/schedule: Not started]",
    "not available": ":gray[:material/help: Not available]",
}
_VERDICT_ICONS = {
    "pass": ":green[:material/check:]",
    "warn": ":orange[:material/warning:]",
    "fail": ":red[:material/close:]",
}


def render() -> None:
    st.title("Goals")
    st.write(
        "SMART goals for sales, marketing and service: how far each has come, "
        "the pace it needs, and whether it will make its deadline."
    )
    store = GoalStore(workspace().root)
    stored_goals = store.list_goals()
    view = page_tables_with(
        TABLE_TYPES,
        tuple(g.table_id for g in stored_goals),
        _target_currencies(stored_goals),
    )
    money_note = view.money_note
    as_of = _as_of_picker(_last_goal_date(stored_goals, view))
    editable = editor_unlocked()
    # share_controls calls editor_unlocked too, which would show a second
    # password box with the same key while the page is locked.
    if editable or shared_view() is not None:
        share_controls("goals", "Goals")

    if editable:
        _follow_as_of(as_of)
        # Above the form, which may be collapsed once there are goals.
        if saved_title := st.session_state.pop(_SAVED_TITLE, None):
            st.success(f"Saved the goal “{escape_markdown(saved_title)}”.")
        with st.expander("New goal", expanded=not stored_goals):
            created = _goal_form("new", None, as_of, view)
            if created is not None:
                store.save(created)
                # The evaluation day and the tables depend on the goals, so
                # the page runs again with the new goal among them.
                st.session_state[_SAVED_TITLE] = created.title
                st.rerun()

    goals = store.list_goals()
    if not goals:
        # A read-only page (a shared link, or locked by the editor password)
        # shows no form to point to.
        hint = " Create one with the form above." if editable else ""
        st.info(f"No goals yet.{hint}")
        if editable and st.button("Add the three example goals", key="goals_examples"):
            # Each runs over the evaluation day with its baseline inside the
            # data, so the demo shows progress, pace and a forecast at once.
            for goal in placed_example_goals(as_of, view.tables):
                store.save(_on_table_in_use(goal, view))
            st.rerun()
        return
    measured_on = {
        entry.id: entry
        for goal in goals
        if (entry := _goal_entry(goal, view)) is not None
    }
    log = view.entries.get("ticket_messages")
    if log is not None and any(g.metric == "followups_per_ticket" for g in goals):
        measured_on[log.id] = log
    show_table_sources(*measured_on.values())
    working = page_working_time()
    valid = isinstance(working, WorkingTime)
    if valid and any(goal.metric == "resolution_hours" for goal in goals):
        st.caption(escape_markdown(working_time_caption(working)))
    # A missing rate is shown on each money goal it stops, not for the page:
    # a goal on a table with one currency needs no rate.
    rows: list[GoalRow] = []
    for goal in goals:
        goal_tables, table_note = _goal_tables(goal, view, editable)
        if not valid and goal.metric == "resolution_hours":
            caption = working_time_caption(working)
            st.warning(escape_markdown(f"{goal.title}: {caption}"))
            continue
        names = _table_names(goal, view)
        try:
            status, checks = _evaluate(
                goal,
                tuple(goals),
                f"{view.key}|{names}",
                as_of,
                _exchange_rates(view),
                working if valid else None,
                goal_tables,
                names,
            )
        except InputError as error:
            if money_note and is_money_metric(goal.metric):
                st.warning(escape_markdown(f"{goal.title}: {money_note}"))
            else:
                st.error(escape_markdown(f"{goal.title}: {error}"))
            continue
        if (
            money_note
            and is_money_metric(goal.metric)
            and status.status == NOT_AVAILABLE
        ):
            # The page's money note names the rates to enter and the amounts
            # in a rare currency, which the card's reason does not.
            st.warning(escape_markdown(f"{goal.title}: {money_note}"))
        _goal_card(goal, status, checks, as_of, store, editable, view, table_note)
        entry = _goal_entry(goal, view)
        rows.append(GoalRow(goal, status, checks, entry.name if entry else ""))
    if rows:
        st.sidebar.download_button(
            "Download goals (Excel)",
            goals_workbook(rows, as_of),
            file_name=f"crm-goals-{as_of.isoformat()}.xlsx",
            mime=XLSX_MIME,
            # Not "goals_…": a shared link restores the goals_ keys, and a
            # download button's state cannot be set.
            key="excel_goals",
            on_click="ignore",
        )


def _target_currencies(goals: list[Goal]) -> tuple[str, ...]:
    """Return the currencies of the goals' absolute money targets, so that
    Currencies in the sidebar offers a rate between them and the tables.

    A table without a currency column counts as EUR there.
    """
    return tuple(
        sorted(
            {
                goal.currency
                for goal in goals
                if goal.currency
                and goal.target_kind == "absolute"
                and is_money_metric(goal.metric)
            }
        )
    )


def _exchange_rates(view: PageTables) -> dict[str, float] | None:
    """Return the value of one unit of each currency in the report currency,
    as ``evaluate_goal`` takes them, or None without Currencies."""
    if view.currency is None:
        return None
    return {view.currency: 1.0, **view.rates}


def _goal_tables(
    goal: Goal, view: PageTables, editable: bool = False
) -> tuple[dict[str, pl.DataFrame], str | None]:
    """Return the tables to measure ``goal`` on: those in use, with the table
    the goal names in place of the one of its type, and a caption naming
    that table when the user could mistake it for another."""
    table_type = METRICS[goal.metric].table
    in_use = view.entries.get(table_type)
    label = TABLES[table_type].label.lower()
    if in_use is not None and goal.table_id in ("", in_use.id):
        return view.tables, None
    if goal.table_id in view.stored:
        entry = view.stored[goal.table_id]
        tables = {**view.tables, table_type: view.by_id[goal.table_id]}
        if in_use is None:
            return tables, None
        other = f"not on “{in_use.name}”"
        if user_chose_table(table_type, in_use.id):
            other += " chosen in the sidebar"
        else:
            # A new upload puts its table in use without anybody choosing it.
            other += ", the table in use"
        return tables, f"Measured on the {label} table “{entry.name}”, {other}."
    if goal.table_id and in_use is not None:
        note = (
            "The table this goal was measured on is no longer stored, so it is "
            f"measured on the {label} table “{in_use.name}” in use."
        )
        if editable:
            note += (
                " Tick the box under Edit or delete to keep measuring it on that table."
            )
        return view.tables, note
    return view.tables, None


def _table_names(goal: Goal, view: PageTables) -> TableNames:
    """Return the names of the goal's table and of the ticket message log in
    use, which the warnings of the follow-ups per ticket give them."""
    names = {}
    columns = {}
    entry = _goal_entry(goal, view)
    if entry is not None:
        names[entry.table_type] = entry.name
        if entry.table_type == "tickets":
            columns = dict(entry.mapping)
    log = view.entries.get("ticket_messages")
    if log is not None:
        names["ticket_messages"] = log.name
    return TableNames(tables=names, ticket_columns=columns)


def _goal_entry(goal: Goal, view: PageTables) -> TableEntry | None:
    """Return the stored table ``goal`` is measured on, as ``_goal_tables``
    picks it, or None when no table of its type is stored."""
    in_use = view.entries.get(METRICS[goal.metric].table)
    if in_use is not None and goal.table_id in ("", in_use.id):
        return in_use
    return view.stored.get(goal.table_id, in_use)


def _last_goal_date(goals: list[Goal], view: PageTables) -> date | None:
    """Return the last date in the tables the goals are measured on, or in
    the tables in use while there is no goal, so that choosing another table
    in the sidebar does not move the goals' evaluation day."""
    sources: dict[str, dict[str, pl.DataFrame]] = {}
    for goal in goals:
        table_type = METRICS[goal.metric].table
        tables, _ = _goal_tables(goal, view)
        if table_type in tables:
            key = goal.table_id or table_type
            sources[key] = {table_type: tables[table_type]}
    if not goals:
        sources["in use"] = view.tables
    latest = None
    for tables in sources.values():
        with contextlib.suppress(InputError):
            last = data_range(tables)[1]
            latest = last if latest is None else max(latest, last)
    return latest


def _on_table_in_use(goal: Goal, view: PageTables) -> Goal:
    """Return ``goal`` measured on the table of its metric now in use."""
    entry = view.entries.get(METRICS[goal.metric].table)
    return replace(goal, table_id=entry.id if entry is not None else "")


def _as_of_picker(last_date: date | None) -> date:
    """Let the user pick the day goals are evaluated on, by default the last
    date in the data (``last_date``), so that an old export still shows
    progress."""
    latest = last_date or date.today()
    # A keyed widget keeps its value when its default changes, so the date
    # is moved to the new last date here, unless the user picked another.
    # The bounds are fixed, because Streamlit raises when the date in the
    # session state lies outside them, and its default bounds lie ten years
    # around today.
    default = min(max(latest, _AS_OF_MIN), _AS_OF_MAX)
    current = st.session_state.get(_AS_OF)
    if current is None or current == st.session_state.get(_AS_OF_DEFAULT):
        st.session_state[_AS_OF] = default
    st.session_state[_AS_OF_DEFAULT] = default
    picked = st.sidebar.date_input(
        "Evaluated as of",
        min_value=_AS_OF_MIN,
        max_value=_AS_OF_MAX,
        **view_widget_options(_AS_OF),
    )
    check_url_dates(_AS_OF, picked, _AS_OF_MIN, _AS_OF_MAX)
    st.sidebar.caption(f"The last date in the data is {latest}.")
    return picked


def _follow_as_of(as_of: date) -> None:
    """Move the dates of the new-goal form to their defaults for ``as_of``
    when it changed, because keyed widgets keep their values otherwise."""
    if st.session_state.get(_FORM_AS_OF) not in (None, as_of):
        blank = _blank_goal(as_of)
        st.session_state[f"{_NEW_FORM}_start"] = blank.start
        st.session_state[f"{_NEW_FORM}_deadline"] = blank.deadline
    st.session_state[_FORM_AS_OF] = as_of


@st.cache_data(max_entries=64, show_spinner="Measuring the goal...")
def _evaluate(
    goal: Goal,
    goals: tuple[Goal, ...],
    cache_key: str,
    as_of: date,
    fx: dict[str, float] | None,
    working: WorkingTime | None,
    _tables: dict[str, pl.DataFrame],
    _names: TableNames,
):
    """Evaluate and check one goal once per goal, table versions and names,
    exchange rates, working time and day."""
    del cache_key
    status = evaluate_goal(goal, _tables, as_of, fx, working, _names)
    checks = smart_check(goal, _tables, goals, fx, working, as_of, _names)
    return status, checks


def _goal_card(
    goal: Goal,
    status: GoalStatus,
    checks: dict[str, SmartCheck],
    as_of: date,
    store: GoalStore,
    editable: bool,
    view: PageTables,
    table_note: str | None,
) -> None:
    with st.container(border=True):
        st.subheader(escape_markdown(goal.title))
        st.caption(escape_markdown(_description(goal)))
        if table_note:
            st.caption(escape_markdown(table_note))
        st.markdown(_STATUS_LABELS[status.status])
        if status.reason:
            reason = for_viewer(status.reason) + _rate_hint(goal, view)
            st.caption(escape_markdown(reason))
        for warning in status.warnings:
            st.warning(escape_markdown(for_viewer(warning)))
        _render_figures(goal, status)
        _render_checks(checks)
        if not status.path.is_empty():
            axis = METRICS[goal.metric].label
            unit = "count" if METRICS[goal.metric].is_count else status.unit
            show_chart(
                st,
                charts.goal_progress(
                    status.path, "Actual against the target path", f"{axis} ({unit})"
                ),
            )
        if editable:
            _render_edit(goal, as_of, store, view)


def _rate_hint(goal: Goal, view: PageTables) -> str:
    """Say where to enter the exchange rate a money target lacks, when the
    sidebar shows Currencies; empty otherwise."""
    tables, _ = _goal_tables(goal, view)
    table = tables.get(METRICS[goal.metric].table)
    if view.currency is None or table is None:
        return ""
    money = target_currency(goal, table, _exchange_rates(view))
    if money is None or money.factor is not None:
        return ""
    if shared_view() is not None:
        return ". This link has no such rate; ask for a new link with the rate."
    return ". Enter the rate under Currencies in the sidebar."


def _description(goal: Goal) -> str:
    metric = METRICS[goal.metric].label
    segments = format_segments(goal.segments) or "all rows"
    owner = goal.owner or "no owner"
    deadline = goal.deadline or "no deadline"
    department = DEPARTMENT_LABELS[goal.department]
    return (
        f"{department} · {metric} · {segments} · {owner} · {goal.start} to {deadline}"
    )


def _render_figures(goal: Goal, status: GoalStatus) -> None:
    if status.progress is not None:
        st.progress(status.progress / 100, text=_progress_text(goal, status))
    # Without progress the note gives the reason. Beside the bar it explains
    # why the bar starts at 0.
    if status.progress_note:
        st.caption(escape_markdown(status.progress_note))
    row = st.columns(4)
    row[0].metric("Current", _value(status.current, status.unit))
    row[1].metric("Target", _target_text(goal, status))
    row[2].metric("Baseline", _value(status.baseline, status.unit))
    row[3].metric("Forecast at the deadline", _value(status.forecast, status.unit))
    notes = []
    so_far = _pace(status.pace_so_far, status.unit)
    if status.reached:
        # A pace needed of 0 would read as a goal that has stalled.
        notes.append("The target is already reached.")
        if status.pace_so_far is not None:
            notes.append(f"Pace so far {so_far}.")
    elif _ceiling_exceeded(goal, status):
        # No pace can undo rows already counted, so "pace needed 0" would
        # mislead.
        over = _value(status.current - status.target, status.unit)
        ceiling = _value(status.target, status.unit)
        notes.append(f"The ceiling of {ceiling} is already exceeded by {over}.")
        if status.pace_so_far is not None:
            notes.append(f"Pace so far {so_far}.")
    elif _churn_above_ceiling(goal, status):
        current = _value(status.current, status.unit)
        ceiling = _value(status.target, status.unit)
        notes.append(
            f"The churn so far, {current}, is above the ceiling of {ceiling}. "
            "Only customers who come back before the deadline can bring it "
            f"under. Pace so far {so_far}."
        )
    elif status.required_pace is not None or status.pace_so_far is not None:
        needed = _pace(status.required_pace, status.unit)
        notes.append(f"Pace needed {needed}, pace so far {so_far}.")
        if not status.projected:
            # Only counts and rates that grow with their window are continued
            # at their pace. Without this note, a faster pace so far next to
            # "off track" would read as a contradiction.
            notes.append(
                "The forecast of a rate or an average is its current value; "
                "the paces show its trend, which the status does not project."
            )
        elif METRICS[goal.metric].summed:
            notes.append(
                "The won value adds up over the window as a count does; the "
                "forecast continues it at its pace to the deadline."
            )
        elif not METRICS[goal.metric].is_count:
            notes.append(
                "This rate keeps the customers or contacts at the start as its "
                "base, so it grows with the window; the forecast continues it "
                "at its pace to the deadline."
            )
    if status.forecast_band is not None:
        low, high = (_value(bound, status.unit) for bound in status.forecast_band)
        notes.append(f"Forecast range (95 %): {low} to {high}.")
    if status.n is not None:
        notes.append(f"n = {status.n:,}.")
    if status.baseline_note:
        notes.append(status.baseline_note)
    if status.currency_note:
        notes.append(status.currency_note)
    if status.as_of_note:
        notes.append(status.as_of_note)
    if notes:
        st.caption(escape_markdown(" ".join(notes)))


def _ceiling_exceeded(goal: Goal, status: GoalStatus) -> bool:
    """Tell whether a count goal with a ceiling has already counted more
    rows than the ceiling allows. A churn rate can still fall when customers
    come back within the window."""
    return (
        METRICS[goal.metric].is_count
        and goal.direction == "down"
        and status.current is not None
        and status.target is not None
        and status.current > status.target
    )


def _churn_above_ceiling(goal: Goal, status: GoalStatus) -> bool:
    """Tell whether a churn goal's churn so far is above its ceiling, where
    "pace needed 0" would read as nothing left to do."""
    return (
        status.projected
        and not METRICS[goal.metric].is_count
        and goal.direction == "down"
        and status.current is not None
        and status.target is not None
        and status.current > status.target
    )


def _progress_text(goal: Goal, status: GoalStatus) -> str:
    """Label the progress bar with the formula of
    ``kpi_core.goal_progress.progress_percent``, from the baseline or from 0."""
    value = "current"
    forecast_text = ""
    if status.projected and status.as_of < goal.deadline:
        # The value so far covers part of the window, while the baseline
        # covers a whole one.
        value = "forecast"
        metric = METRICS[goal.metric]
        so_far = "rate"
        if metric.is_count:
            so_far = "count"
        elif metric.summed:
            so_far = "total"
        forecast_text = (
            f", where the forecast is the {so_far} so far continued at its pace "
            "to the deadline"
        )
    origin = "the baseline"
    formula = f"({value} − baseline) / (target − baseline)"
    if status.progress_from_zero:
        origin = "0"
        formula = f"{value} / target"
    return (
        f"{format_number(status.progress, 1)} % of the way from {origin} to "
        f"the target: {formula}{forecast_text}"
    )


def _render_checks(checks: dict[str, SmartCheck]) -> None:
    columns = st.columns(len(checks))
    for column, check in zip(columns, checks.values(), strict=True):
        column.markdown(f"**{check.letter}** {_VERDICT_ICONS[check.verdict]}")
        column.caption(escape_markdown(for_viewer(f"{check.name}: {check.message}")))


def _render_edit(goal: Goal, as_of: date, store: GoalStore, view: PageTables) -> None:
    with st.expander("Edit or delete"):
        changed = _goal_form(goal.id, goal, as_of, view)
        if changed is not None:
            store.update(changed)
            st.rerun()
        # The callback runs before the page does, so a request on a later
        # card also hides the confirmation of an earlier one.
        st.button(
            "Delete this goal",
            key=f"delete_goal_{goal.id}",
            on_click=_request_delete,
            args=(goal.id,),
        )
        if st.session_state.get(_DELETE_PENDING) == goal.id:
            _confirm_delete(goal, store)


def _request_delete(goal_id: str) -> None:
    st.session_state[_DELETE_PENDING] = goal_id


def _confirm_delete(goal: Goal, store: GoalStore) -> None:
    """Delete a goal only after a second, explicit click."""
    st.warning(
        f"Delete the goal “{escape_markdown(goal.title)}”? It is removed from "
        "the workspace, and shared links to the Goals page stop showing it. "
        "This cannot be undone."
    )
    left, right = st.columns([1, 4])
    if left.button("Yes, delete", key=f"delete_goal_confirm_{goal.id}", type="primary"):
        store.delete(goal.id)
        st.session_state.pop(_DELETE_PENDING, None)
        st.rerun()
    if right.button("Cancel", key=f"delete_goal_cancel_{goal.id}"):
        st.session_state.pop(_DELETE_PENDING, None)
        st.rerun()


def _goal_form(
    form_id: str, goal: Goal | None, as_of: date, view: PageTables
) -> Goal | None:
    """Show the goal form, prefilled from ``goal``, and return the goal built
    from it when submitted and valid; errors are shown under the form.

    A new goal is measured on the table in use, and so is an edited goal
    whose metric moves to another table type. Otherwise an edited goal keeps
    its table unless the user ticks the box to move it.
    """
    saved = goal or _blank_goal(as_of)
    key = f"goal_form_{form_id}"
    # A half-filled goal would be saved by Enter in a text box otherwise.
    with st.form(key, clear_on_submit=goal is None, enter_to_submit=False):
        title = st.text_input(
            "Title", value=goal.title if goal else "", key=f"{key}_title"
        )
        left, right = st.columns(2)
        department = left.selectbox(
            "Department",
            list(DEPARTMENT_LABELS),
            index=list(DEPARTMENT_LABELS).index(saved.department),
            format_func=DEPARTMENT_LABELS.__getitem__,
            key=f"{key}_department",
        )
        metric = right.selectbox(
            "Metric",
            list(METRICS),
            index=list(METRICS).index(saved.metric),
            format_func=lambda name: METRICS[name].label,
            key=f"{key}_metric",
        )
        segments = st.text_input(
            "Segment (optional)",
            value=format_segments(saved.segments),
            placeholder="channel = phone; category = late delivery",
            help=(
                "Column = value, several separated by ';'. Case does not matter. "
                "A column is named by its field, such as channel, or by a header "
                "name the Data page knows for it, such as Kanal."
            ),
            key=f"{key}_segments",
        )
        kind = left.radio(
            "Target is",
            list(TARGET_KIND_LABELS),
            index=list(TARGET_KIND_LABELS).index(saved.target_kind),
            format_func=TARGET_KIND_LABELS.__getitem__,
            key=f"{key}_kind",
        )
        target = right.number_input(
            "Target (a value, or the change in %, such as -25)",
            value=float(saved.target),
            step=1.0,
            key=f"{key}_target",
        )
        currencies, currency_index = _currency_options(saved, view)
        currency = right.selectbox(
            "Currency of a money target",
            currencies,
            index=currency_index,
            help=(
                "The currency the target is in, for Average deal size and Won "
                "value. The goal keeps it, so a table in another currency "
                "needs an exchange rate. Other metrics ignore it."
            ),
            key=f"{key}_currency",
        )
        first, second, third = st.columns(3)
        start = first.date_input(
            "Start", **default_unless_set(f"{key}_start", value=saved.start)
        )
        deadline = second.date_input(
            "Deadline", **default_unless_set(f"{key}_deadline", value=saved.deadline)
        )
        owner = third.text_input("Owner", value=saved.owner, key=f"{key}_owner")
        move = _move_box(goal, view, key)
        if not st.form_submit_button("Save goal"):
            return None
    try:
        built = Goal(
            title=title,
            metric=metric,
            target=target,
            start=start,
            deadline=deadline,
            target_kind=kind,
            segments=parse_segments(segments, METRICS[metric].table),
            owner=owner.strip(),
            department=department,
            table_id=saved.table_id,
            currency=currency if is_money_metric(metric) else "",
            id=saved.id,
        )
    except InputError as error:
        message = str(error)
        st.error(escape_markdown(message[:1].upper() + message[1:]))
        return None
    if zero := zero_target_problem(built):
        # Such a goal reads as reached from its first day, so it is not saved.
        st.error(escape_markdown(zero[:1].upper() + zero[1:]))
        return None
    same_type = goal is not None and METRICS[goal.metric].table == METRICS[metric].table
    if move or not same_type:
        return _on_table_in_use(built, view)
    return built


def _currency_options(saved: Goal, view: PageTables) -> tuple[list[str], int]:
    """Return the currencies the form offers and the index of the default:
    the goal's own currency, else that of the deals table in use."""
    deals = view.tables.get("deals")
    in_table = table_currency(deals) if deals is not None else None
    default = saved.currency or in_table or view.currency or DEFAULT_CURRENCY
    options = {default, DEFAULT_CURRENCY, *view.rates}
    if view.currency is not None:
        options.add(view.currency)
    if in_table is not None:
        options.add(in_table)
    ordered = sorted(options)
    return ordered, ordered.index(default)


def _move_box(goal: Goal | None, view: PageTables, key: str) -> bool:
    """Offer to measure an edited goal on the table in use when it is
    measured on another one, and return whether the box is ticked."""
    if goal is None:
        return False
    in_use = view.entries.get(METRICS[goal.metric].table)
    if in_use is None or goal.table_id in ("", in_use.id):
        return False
    label = TABLES[in_use.table_type].label.lower()
    return st.checkbox(
        # A table's name is the user's text; a widget label renders Markdown.
        f"Measure this goal on “{escape_markdown(in_use.name)}”, the {label} "
        "table in use",
        key=f"{key}_move",
    )


def _blank_goal(as_of: date) -> Goal:
    """Defaults of the new-goal form: three months from the first of the
    month of the evaluation day."""
    start = as_of.replace(day=1)
    return Goal("New goal", "new_deals", 0, start, deadline_after(start, 3))


def _target_text(goal: Goal, status: GoalStatus) -> str:
    """Return the target for the card: its value, or the change the user
    set when a relative target has no baseline to give it a value."""
    if status.target is None and goal.target_kind == "relative":
        return f"Baseline {goal.target:+,g} %"
    return _value(status.target, status.unit)


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "count":
        # A relative target and the mean follow-ups per ticket can fall
        # between whole counts, and rounding 4.5 to 4 would show a target
        # already reached.
        return format_number(value, 0 if value == round(value) else 1)
    return format_value(value, unit)


def _pace(pace: float | None, unit: str) -> str:
    if pace is None:
        return "–"
    if unit == "count":
        return f"{format_number(pace, 1)} per month"
    signed = format_number(pace, 2, sign=True)
    return f"{signed} {_SHORT_UNITS.get(unit, unit)} per month"


_SHORT_UNITS = {"percent": "points", "hours": "h", "days": "days", "score": "points"}
_AS_OF = "goals_as_of"
# Session state key of the title of the goal saved in the run before.
_SAVED_TITLE = "_goal_saved_title"
# The default evaluation day of the last run, the last date in the data.
_AS_OF_DEFAULT = "_goals_as_of_default"
_AS_OF_MIN = date(1900, 1, 1)
_NEW_FORM = "goal_form_new"
# Session key of the goal id whose deletion waits for confirmation.
_DELETE_PENDING = "goals:delete_pending"
# The evaluation day the dates of the new-goal form were set for.
_FORM_AS_OF = "_goals_form_as_of"
_AS_OF_MAX = date(2199, 12, 31)


require_app_entry("pages/goals.py")
render()
chart_downloads("goals")
