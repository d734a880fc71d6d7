"""Warn when no label of a deals table reads as won or lost.

Without a won or closed flag, a deal's status comes from its status or stage
label (``kpi_core.schema.deal_status_expr``). When no label reads as won or
lost, every deal counts as open and the Sales page shows a close rate of 0 %.
The file may still name its won and lost stages, in words the app does not
know, so the import warns.
"""

from __future__ import annotations

import re

import polars as pl

from kpi_core.mapping import Mapping
from kpi_core.text_cells import LINE

# Distinct labels named per column in the warning.
LABELS_SHOWN = 4
# Words of a label that names a deal's outcome, in English and German.
_OUTCOME_WORDS = re.compile(
    r"(?i)\b(won|lost|closed|gewonnen|verloren|geschlossen|abgeschlossen)\b"
)


def undecided_labels_warning(
    mapping: Mapping, frame: pl.DataFrame, raw: pl.DataFrame
) -> str | None:
    """Return a warning when the labels of a deals table give no won and no
    lost deal and no won or closed flag is mapped, else None.

    ``frame`` is the prepared deals table with its ``status`` column and
    ``raw`` the file's text, whose mapped status and stage columns are named.
    A table with a won or lost deal costs one comparison over the statuses.
    Only when every deal is open are the label columns reduced to their
    distinct labels.
    """
    if mapping.table != "deals" or frame.height == 0:
        return None
    if mapping.columns.get("won") or mapping.columns.get("closed"):
        return None
    if (frame["status"] != "open").any():
        return None
    columns = [
        column
        for column in (mapping.columns.get("status"), mapping.columns.get("stage"))
        if column
    ]
    described = " and ".join(
        f"{column!r} ({_listed_labels(raw[column])})" for column in columns
    )
    noun = "column" if len(columns) == 1 else "columns"
    deals = f"all {frame.height:,} deals count"
    if frame.height == 1:
        deals = "the deal counts"
    fix = (
        "Map another status column"
        if mapping.columns.get("status")
        else "Map a status column"
    )
    return (
        f"none of the labels in {noun} {described} reads as won or lost, so "
        f"{deals} as open and the close rate and win rate find no won deal. "
        f"{fix} or Won and Closed yes/no columns on the Data page, or rename "
        "the won and lost stages to Won and Lost (or Gewonnen and Verloren) in "
        "the file."
    )


def one_sided_labels_warning(
    mapping: Mapping, frame: pl.DataFrame, raw: pl.DataFrame
) -> str | None:
    """Return a warning when a deals table has won deals but no lost one, or
    lost but no won, and labels of its open deals name an outcome, such as
    "Closed - Lost (no budget)". Else None.

    Such a label reads as open, so the win rate of the other side is 100 %
    or 0 %. A table of won deals only is a plausible export, so the warning
    needs a label that looks like the missing side. The labels are only
    looked at when a side is missing.
    """
    if mapping.table != "deals" or frame.height == 0:
        return None
    if mapping.columns.get("won") or mapping.columns.get("closed"):
        return None
    # Two comparisons cost less than the distinct statuses of every deal.
    has_won = bool((frame["status"] == "won").any())
    has_lost = bool((frame["status"] == "lost").any())
    if has_won == has_lost:
        return None
    missing = "lost" if has_won else "won"
    open_lines = frame.filter(pl.col("status") == "open")[LINE]
    rows = raw.filter(pl.col(LINE).is_in(open_lines.implode()))
    suspects = []
    for column in (mapping.columns.get("status"), mapping.columns.get("stage")):
        if not column:
            continue
        labels = rows[column].drop_nulls().unique(maintain_order=True)
        named = labels.filter(labels.str.contains(_OUTCOME_WORDS.pattern))
        suspects += [repr(label) for label in named.head(LABELS_SHOWN).to_list()]
    if not suspects:
        return None
    return (
        f"no deal reads as {missing}, but open deals have the labels "
        f"{', '.join(suspects)}, which name an outcome. The win rate counts "
        f"them as open. If they mark {missing} deals, rename them to "
        f"{missing.capitalize()} in the file, or map a status column or Won and "
        "Closed yes/no columns on the Data page."
    )


def _listed_labels(values: pl.Series) -> str:
    """List up to ``LABELS_SHOWN`` distinct filled labels in file order, as in
    "'Termin geplant', 'Vertrag gesendet' and 3 more"."""
    # The alias keeps a header such as "*" from acting as a wildcard.
    distinct = values.alias("label").unique(maintain_order=True)
    labels = distinct.str.strip_chars().drop_nulls()
    labels = labels.filter(labels != "").unique(maintain_order=True)
    if labels.len() == 0:
        return "all empty"
    listed = ", ".join(repr(label) for label in labels.head(LABELS_SHOWN).to_list())
    more = labels.len() - LABELS_SHOWN
    if more > 0:
        listed += f" and {more:,} more"
    return listed
