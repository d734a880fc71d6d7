"""Stage histories written as transitions, one row per change from a stage
to the next, as in Salesforce's "Opportunity History" report.

That report has a "From Stage" and a "To Stage" column, but by default no
opportunity id, only the opportunity's name. The name can identify each
deal when the changes of each name form one chain of stages, which this
module checks before it maps the name as the deal id.
"""

from __future__ import annotations

import polars as pl

from kpi_core.errors import MissingColumnError
from kpi_core.mapping import Mapping
from kpi_core.raw_table import RawTable
from kpi_core.read_notes import WARNING_PREFIX, with_note
from kpi_core.schema import FROM_STAGE_HEADERS, normalise_header

# Headers of the stage a change leaves and the stage it enters, after
# ``normalise_header``.
# Salesforce's German report ("Phasenverlauf") writes "Von Phase" and "Zu
# Phase".
_FROM_STAGE_HEADERS = ("fromstage", "vonphase")
_TO_STAGE_HEADERS = ("tostage", "zuphase")
# Headers of a deal's name, after ``normalise_header``.
_DEAL_NAME_HEADERS = ("opportunityname", "dealname", "verkaufschancenname")


def transition_columns(headers: list[str]) -> tuple[str, str] | None:
    """Return the "From Stage" and "To Stage" columns of a stage history
    written as transitions, or None when either is missing."""
    source = _header_named(headers, _FROM_STAGE_HEADERS)
    target = _header_named(headers, _TO_STAGE_HEADERS)
    if source is None or target is None:
        return None
    return source, target


def deal_name_column(headers: list[str]) -> str | None:
    """Return the column that names the deal, such as "Opportunity Name",
    or None."""
    return _header_named(headers, _DEAL_NAME_HEADERS)


def _header_named(headers: list[str], names: tuple[str, ...]) -> str | None:
    return next((h for h in headers if normalise_header(h) in names), None)


def from_stage_hint(headers: list[str], mapping: Mapping) -> str | None:
    """Name the column of the stage a deal left when the mapping has no
    stage, as in a report that has "Von Phase" but not "Zu Phase", or
    return None."""
    if "stage" not in mapping.missing_required:
        return None
    source = next(
        (h for h in headers if normalise_header(h) in FROM_STAGE_HEADERS), None
    )
    if source is None:
        return None
    return (
        f"The column {source!r} is the stage before each change, not the stage "
        "the deal entered, so it is not taken as the stage. Add the stage after "
        "the change ('To Stage', in German 'Zu Phase') to the report and export "
        "it again"
    )


def names_without_one_chain(
    frame: pl.DataFrame, name: str, source: str, target: str
) -> list[str]:
    """Return the deal names whose changes do not form one chain of stages,
    in the order of their first row.

    One deal's changes form a path through its stages: every stage it
    enters it leaves again, except the last, and only the first is left
    without having been entered. An empty ``source`` cell is the deal's
    creation, which a deal has once. So a name is listed when some stage is
    left more than once more than entered, or entered more than once more
    than left, or when more than one stage starts or ends the path. Rows
    without a name or a ``target`` stage are not checked.

    NOTE: two deals of one name whose changes together still form one path,
    such as one created in Prospecting and moved to Qualification and
    another whose only change in the export goes from Qualification back
    to Prospecting, are not found.
    """
    changes = frame.select(
        pl.col(name).alias("deal"),
        pl.col(source).fill_null("").alias("left"),
        pl.col(target).alias("entered"),
    ).filter(pl.col("deal").is_not_null() & pl.col("entered").is_not_null())
    # Signed counts, because the difference of two unsigned ones wraps.
    leaving = changes.group_by("deal", pl.col("left").alias("stage")).agg(
        pl.len().cast(pl.Int64).alias("times_left")
    )
    entering = changes.group_by("deal", pl.col("entered").alias("stage")).agg(
        pl.len().cast(pl.Int64).alias("times_entered")
    )
    balance = (
        leaving.join(entering, on=["deal", "stage"], how="full", coalesce=True)
        .fill_null(0)
        .with_columns((pl.col("times_left") - pl.col("times_entered")).alias("surplus"))
    )
    broken = (
        balance.group_by("deal")
        .agg(
            starts=(pl.col("surplus") == 1).sum(),
            ends=(pl.col("surplus") == -1).sum(),
            uneven=(pl.col("surplus").abs() > 1).any(),
        )
        .filter(pl.col("uneven") | (pl.col("starts") > 1) | (pl.col("ends") > 1))[
            "deal"
        ]
    )
    listed = changes["deal"].unique(maintain_order=True)
    return listed.filter(listed.is_in(broken.implode())).to_list()


def deal_names_as_ids(
    file_name: str, raw: RawTable, headers: list[str], mapping: Mapping
) -> tuple[RawTable, Mapping, MissingColumnError | None]:
    """Map the deal name of a stage history written as transitions, such as
    Salesforce's "Opportunity History" report without "Opportunity ID", to
    the deal id when the names identify the deals. Return the table with a
    note, the mapping, and the error for names that do not.

    The names identify the deals when the changes of each name form one
    chain of stages (``names_without_one_chain``). Otherwise two deals
    share a name and their stage times would be mixed, so the error
    requests the id. A file without such columns is returned unchanged.
    """
    transitions = transition_columns(headers)
    name = deal_name_column(headers)
    if transitions is None or name is None:
        return raw, mapping, None
    source, target = transitions
    shared = names_without_one_chain(raw.frame, name, source, target)
    if shared:
        listed = ", ".join(repr(value) for value in shared[:3])
        if len(shared) > 3:
            listed += f" and {len(shared) - 3:,} more"
        shared_by = "that name" if len(shared) == 1 else "each of these names"
        problem = MissingColumnError(
            f"the file is a deal stage history ({source!r} and {target!r}) "
            f"without a deal id column, and {name!r} cannot stand in for one: "
            f"the changes of {listed} do not form one chain of stages, so more "
            f"than one deal has {shared_by}. Add the opportunity or deal id to "
            "the report and export it again, or choose the deal id column on "
            "the Data page",
            file=file_name,
        )
        return with_note(raw, WARNING_PREFIX + problem.detail), mapping, problem
    note = (
        f"the file has no deal id column, so {name!r} identifies the deals: "
        f"the changes of each name form one chain from {source!r} to "
        f"{target!r}. Add the opportunity or deal id to the report if two "
        "deals can share a name"
    )
    return with_note(raw, note), mapping.with_choice("deal_id", name), None
