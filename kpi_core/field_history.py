"""Stage changes from a field-history export, such as Salesforce's
OpportunityFieldHistory, which logs the changes of every field of a deal.

The import keeps the stage changes and adds each deal's entry into the stage
it was created in, so the file reads as a deal stage history.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from kpi_core.date_values import detect_date_format, parse_dates
from kpi_core.formatting import count_noun, line_list
from kpi_core.import_problems import LINE
from kpi_core.mapping import guess_mapping
from kpi_core.raw_table import RawTable
from kpi_core.read_notes import WARNING_PREFIX
from kpi_core.stages import CREATED_FIELD, first_stages

# Headers of a field-history export's column that names the changed field
# (Salesforce's OpportunityFieldHistory, a CRM's change log), lower-cased,
# and the values of that column that mean the stage.
_FIELD_HEADERS = ("field", "changed field", "field name", "feld")
_STAGE_FIELDS = ("stagename", "stage", "stage name", "deal stage", "dealstage", "phase")
# The columns with the field's value after and before the change,
# lower-cased without spaces.
_NEW_VALUE_HEADERS = ("newvalue", "new_value", "neuerwert")
_OLD_VALUE_HEADERS = ("oldvalue", "old_value", "alterwert")


def stage_field_rows(raw: RawTable) -> RawTable | None:
    """Keep the stage changes of a field history, such as Salesforce's
    OpportunityFieldHistory, and add each deal's entry into the stage it was
    created in, or return None for other files.

    Another field's new value would otherwise read as a stage, such as an
    amount of "1000", so the rows of other fields are left out and named in
    a note. The entries added come from the "created" rows
    (``_creation_entries``).
    """
    headers = {column.strip().lower(): column for column in raw.frame.columns}
    field = next((headers[h] for h in _FIELD_HEADERS if h in headers), None)
    new_value = _value_column(headers, _NEW_VALUE_HEADERS)
    if field is None or new_value is None:
        return None
    name = raw.frame[field].cast(pl.String).str.strip_chars().str.to_lowercase()
    is_stage = name.is_in(list(_STAGE_FIELDS)).fill_null(False)
    if not is_stage.any():
        return None
    is_created = (name == CREATED_FIELD).fill_null(False)
    notes = []
    others = raw.frame.filter(~is_stage & ~is_created)
    if others.height:
        field_names = ", ".join(
            repr(value) for value in others[field].drop_nulls().unique().sort().head(3)
        )
        change, lines = (
            ("changes", "line") if others.height == 1 else ("change", "lines")
        )
        notes.append(
            f"skipped {count_noun(others.height, 'row')} that {change} another "
            f"field than the stage ({field_names}) on {lines} {line_list(others[LINE])}"
        )
    frame = raw.frame.filter(is_stage)
    old_value = _value_column(headers, _OLD_VALUE_HEADERS)
    if old_value is not None:
        kinds = pl.select(
            pl.when(pl.lit(is_stage))
            .then(pl.lit("stage"))
            .when(pl.lit(is_created))
            .then(pl.lit("created"))
        ).to_series()
        entries, entry_notes = _creation_entries(raw, kinds, old_value, new_value)
        frame = pl.concat([frame, entries]).sort(LINE, maintain_order=True)
        notes += entry_notes
    if frame.height == raw.frame.height and not notes:
        return None
    info = replace(raw.info, notes=(*raw.info.notes, *notes))
    return replace(raw, frame=frame, info=info)


def _value_column(headers: dict[str, str], names: tuple[str, ...]) -> str | None:
    """Return the column of ``headers`` (lower-cased header to column) whose
    header without spaces is one of ``names``, or None."""
    return next((c for h, c in headers.items() if h.replace(" ", "") in names), None)


def _creation_entries(
    raw: RawTable, kinds: pl.Series, old_value: str, new_value: str
) -> tuple[pl.DataFrame, list[str]]:
    """Return one row per deal for its entry into the stage it was created
    in, and notes on the rows added and on the deals that get none.

    A field history records a stage only when it changes, so that stage is
    the old value of the deal's first stage change (``first_stages``). The
    row added is the deal's "created" row with that stage as its new value,
    so the deal enters it when it was created. ``kinds`` is "stage",
    "created" or null per row of ``raw``.
    """
    mapping = guess_mapping(
        [c for c in raw.frame.columns if c != LINE], "stage_history"
    )
    deal_column = mapping.columns.get("deal_id")
    date_column = mapping.columns.get("entered_at")
    if deal_column is None or date_column is None:
        return raw.frame.clear(), []
    changes = pl.DataFrame(
        {
            "deal_id": raw.frame[deal_column],
            "kind": kinds,
            "previous_stage": raw.frame[old_value],
            "_row": pl.int_range(raw.frame.height, dtype=pl.UInt32, eager=True),
        }
    )
    stages, order_dependent = _first_stages_in_any_order(
        changes, raw.frame[date_column]
    )
    dated = stages.filter(
        pl.col("stage").is_not_null() & pl.col("created_row").is_not_null()
    )
    entries = raw.frame.select(pl.all().gather(dated["created_row"])).with_columns(
        dated["stage"].alias(new_value)
    )
    notes = []
    if dated.height:
        notes.append(
            f"added {count_noun(dated.height, 'entry', 'entries')} into the stage "
            f"a deal was created in, the {old_value!r} of its first stage change, "
            f"dated by its {CREATED_FIELD!r} row"
        )
    lines = raw.frame[LINE]
    notes += _creation_warnings(stages, lines, old_value)
    if order_dependent.height:
        single = order_dependent["deal_id"].n_unique() == 1
        change_lines = lines.gather(order_dependent["change_row"].unique().sort())
        notes.append(
            f"{WARNING_PREFIX}the first stage change of "
            f"{count_noun(order_dependent['deal_id'].n_unique(), 'deal')} depends "
            f"on whether {date_column!r} is read day first or month first "
            f"({'line' if change_lines.len() == 1 else 'lines'} "
            f"{line_list(change_lines)}), so the stage "
            f"{'it was' if single else 'they were'} created in is left out"
        )
    return entries, notes


def _first_stages_in_any_order(
    changes: pl.DataFrame, dates: pl.Series
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return ``first_stages`` of ``changes`` with ``dates`` as changed_at,
    and the deal_id and change_row of the deals whose result depends on the
    date order, which the first frame leaves out.

    The date order the user picks later is not known here, so dates that
    fit both orders must give the same result read day first and month
    first. The second frame has a row per reading for each such deal.
    """
    order = detect_date_format(dates).order
    orders = ("dmy", "mdy") if order == "ambiguous" else (order,)
    found = [
        first_stages(
            changes.with_columns(parse_dates(dates, date_order).alias("changed_at"))
        )
        for date_order in orders
    ]
    if len(found) == 1:
        return found[0], pl.DataFrame(
            schema={"deal_id": pl.String, "change_row": pl.UInt32}
        )
    both = found[0].join(found[1], on="deal_id", suffix="_other")
    same = pl.all_horizontal(
        pl.col(name).eq_missing(pl.col(f"{name}_other"))
        for name in ("stage", "change_row", "created_row")
    )
    differing = both.filter(~same)["deal_id"].implode()
    dependent = pl.col("deal_id").is_in(differing)
    readings = pl.concat(
        [result.filter(dependent).select("deal_id", "change_row") for result in found]
    )
    return found[0].filter(~dependent), readings.drop_nulls()


def _creation_warnings(
    stages: pl.DataFrame, lines: pl.Series, old_value: str
) -> list[str]:
    """Warn about the deals of ``first_stages`` that get no entry into the
    stage they were created in, with their file ``lines``."""
    warnings = []
    created_only = stages.filter(pl.col("change_row").is_null())
    if created_only.height:
        single = created_only.height == 1
        it_is = "it is" if single else "they are"
        where = lines.gather(created_only["created_row"]).sort()
        warnings.append(
            f"{WARNING_PREFIX}{count_noun(created_only.height, 'deal')} "
            f"{'has' if single else 'have'} a {CREATED_FIELD!r} row but no stage "
            f"change ({'line' if single else 'lines'} {line_list(where)}). The field "
            f"history names a stage only when it changes, so the stage {it_is} "
            f"still in is unknown, and {it_is} left out of the time in each stage"
        )
    undated = stages.filter(
        pl.col("stage").is_not_null()
        & pl.col("change_row").is_not_null()
        & pl.col("created_row").is_null()
    )
    if undated.height:
        single = undated.height == 1
        where = lines.gather(undated["change_row"]).sort()
        warnings.append(
            f"{WARNING_PREFIX}{count_noun(undated.height, 'deal')} "
            f"{'has' if single else 'have'} no {CREATED_FIELD!r} row dated on or "
            f"before {'its' if single else 'their'} first stage change "
            f"({'line' if single else 'lines'} {line_list(where)}). The stage "
            f"{'it was' if single else 'they were'} created in, the {old_value!r} "
            "of that change, has no entry date, so its time is left out"
        )
    return warnings
