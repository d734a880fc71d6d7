"""Deal stage histories that look like deals exports.

HubSpot writes the day a deal entered each stage into wide "Date entered"
columns of its deals export, which are turned into one row per deal and
stage. Salesforce's OpportunityHistory has the headers of a deals table, so
its values tell the two apart.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from kpi_core.formatting import count_noun
from kpi_core.import_problems import LINE
from kpi_core.mapping import guess_mapping
from kpi_core.raw_table import RawTable
from kpi_core.read_notes import SOURCE
from kpi_core.stages import (
    CUMULATIVE_PROPERTY,
    EXITED_PROPERTY,
    stage_property_columns,
    stage_property_values,
    wide_stage_columns,
)

STAGE = "Stage"
ENTERED = "Entered at"
EXITED = "Exited at"
CUMULATIVE = "Cumulative time in (ms)"


def long_stage_history(raw: RawTable) -> RawTable | None:
    """Turn HubSpot's wide ``Date entered "<Stage> (<Pipeline>)"`` columns into
    one text row per deal and stage entered, or return None for other files.

    Empty cells are stages the deal never entered and become no row. Each
    row keeps the file line of its deal, so errors still point at the file,
    and the "Date entered" column of its stage and date, so they name it.
    """
    stages = wide_stage_columns(raw.frame.columns)
    if len(stages) < 2:
        return None
    others = [c for c in raw.frame.columns if c not in stages and c != LINE]
    id_column = guess_mapping(others, "deals").columns.get("deal_id")
    if id_column is None:
        return None
    long = raw.frame.select(LINE, id_column, *stages).unpivot(
        index=[LINE, id_column], variable_name=STAGE, value_name=ENTERED
    )
    # A deal's latest exit from each stage and its total time there, which
    # correct the times of a deal that re-entered a stage.
    added = {}
    added_columns = {}
    for name, property_name in (
        (EXITED, EXITED_PROPERTY),
        (CUMULATIVE, CUMULATIVE_PROPERTY),
    ):
        columns = stage_property_columns(raw.frame.columns, property_name)
        if any(columns):
            added[name] = stage_property_values(
                raw.frame, list(stages), columns, pl.String
            )
            added_columns[name] = dict(zip(stages, columns, strict=True))
    long = (
        long.with_columns(values.alias(name) for name, values in added.items())
        .with_columns(pl.col(STAGE).alias(SOURCE), pl.col(STAGE).replace_strict(stages))
        .filter(pl.col(ENTERED).str.strip_chars().fill_null("") != "")
        .sort(LINE, maintain_order=True)
        .select(id_column, STAGE, ENTERED, *added, LINE, SOURCE)
    )
    sources = long.get_column(SOURCE)
    long = long.drop(SOURCE)
    cell_sources = {STAGE: sources, ENTERED: sources}
    for name, columns_by_stage in added_columns.items():
        # Each cell comes from its stage's column of the property.
        cell_sources[name] = sources.replace_strict(
            columns_by_stage, default=None, return_dtype=pl.String
        )
    with_columns = ""
    if added:
        labels = {EXITED: "'Date exited'", CUMULATIVE: "'Cumulative time in'"}
        named = " and ".join(labels[name] for name in added)
        with_columns = f" with their {named} columns"
    note = (
        f"{len(stages)} HubSpot 'Date entered' columns{with_columns} were turned "
        f"into {count_noun(long.height, 'stage entry', 'stage entries')}, one row "
        "per deal and stage."
    )
    info = replace(raw.info, notes=(*raw.info.notes, note))
    return replace(
        raw,
        frame=long,
        info=info,
        cells_stripped=False,
        cell_sources=cell_sources,
    )


def deals_or_history(
    frame: pl.DataFrame, headers: list[str], numbers: list[str], detected: str | None
) -> str | None:
    """Choose between deals and a stage history by the values, when the
    headers fit both, as Salesforce's OpportunityHistory fields OpportunityId,
    StageName, Amount and CreatedDate do.

    A file where some deal id repeats with another stage is a stage history,
    and a file where none does is a deals table. Other detections are
    returned unchanged.
    """
    if detected not in ("deals", "stage_history"):
        return detected
    history = guess_mapping(headers, "stage_history", number_headers=numbers)
    deals = guess_mapping(headers, "deals", number_headers=numbers)
    if history.missing_required or deals.missing_required:
        return detected
    id_column = history.columns["deal_id"]
    stage_column = history.columns["stage"]
    if _stage_changes_per_id(frame, id_column, stage_column):
        return "stage_history"
    return "deals"


def _stage_changes_per_id(frame: pl.DataFrame, id_column: str, stage: str) -> bool:
    """Tell whether some id of ``id_column`` has rows with different stages."""
    ids = frame[id_column].alias("id")
    # A deals export, whose ids are unique, needs only this pass.
    if ids.n_unique() == ids.len():
        return False
    pairs = pl.DataFrame({"id": ids, "stage": frame[stage].alias("stage")})
    distinct = pairs.drop_nulls("id").unique()
    return bool(distinct["id"].is_duplicated().any())
