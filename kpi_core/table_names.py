"""The names that a KPI's warnings and reasons give its tables and columns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableNames:
    """The stored name of each table type in use (such as "tickets" and
    "ticket_messages"), and the file column mapped to each tickets field,
    such as "Replies" for replies. A name that is missing gives the
    messages a generic one ("the message log")."""

    tables: Mapping[str, str] = field(default_factory=dict)
    ticket_columns: Mapping[str, str | None] = field(default_factory=dict)
