"""The canonical tables every KPI works on, and the header aliases that map
real exports onto them.

A file is read as text, its columns are mapped to the fields of one table
type below, and the values are parsed into the field's kind. From then on
every KPI function uses only the canonical field names. Source-specific
header names live here and nowhere else. Aliases are compared after
``normalise_header``, so case, spacing, punctuation and a leading entity
prefix such as Pipedrive's ``Deal - `` do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Field kinds, which decide how a text column is parsed.
ID = "id"
TEXT = "text"
DATE = "date"
NUMBER = "number"
INTEGER = "integer"


@dataclass(frozen=True)
class Field:
    """One canonical column: its name, kind, whether a table needs it, and
    the header names that real exports use for it (English and German)."""

    name: str
    kind: str
    required: bool
    aliases: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class TableSchema:
    """A table type such as deals or tickets, with its fields in order."""

    name: str
    label: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


def _f(
    name: str, kind: str, required: bool, description: str, *aliases: str
) -> Field:
    return Field(name, kind, required, (name, *aliases), description)


DEALS = TableSchema(
    "deals",
    "Deals",
    (
        _f("deal_id", ID, True, "Unique id of the deal",
           "opportunity_id", "Record ID", "Deal ID", "ID", "Id", "Opportunity ID",
           "Deal-ID", "Datensatz-ID"),
        _f("owner", TEXT, False, "Sales rep who owns the deal",
           "sales_agent", "Deal owner", "Owner", "Opportunity Owner", "Sales agent",
           "Sales rep", "Rep", "Deal-Inhaber", "Verantwortlicher", "Vertriebler",
           "Zuständig", "Besitzer"),
        _f("stage", TEXT, True, "Pipeline stage, including won and lost",
           "deal_stage", "Deal Stage", "Stage", "Stage Name", "StageName",
           "Phase", "Deal-Phase", "Dealphase", "Verkaufsphase"),
        _f("status", TEXT, False, "Open, won or lost, where the export has it",
           "Deal status", "Status", "Ergebnis"),
        _f("created_at", DATE, True,
           "Date the deal entered the pipeline (created or first engaged)",
           "engage_date", "Create Date", "Created Date", "Deal created", "Add time",
           "Created", "Created at", "Creation date", "Erstelldatum", "Erstellt am",
           "Anlagedatum", "Erstellungsdatum"),
        _f("closed_at", DATE, False, "Date the deal was won or lost",
           "close_date", "Close Date", "Deal closed on", "Closed on", "Closed at",
           "Won time", "Abschlussdatum", "Schlussdatum", "Geschlossen am"),
        _f("amount", NUMBER, False, "Deal value in its currency",
           "close_value", "Amount", "Value", "Deal value", "Deal amount", "Revenue",
           "Betrag", "Wert", "Umsatz", "Auftragswert"),
        _f("currency", TEXT, False, "ISO currency code of the amount",
           "Currency", "Amount Currency", "Currency of value", "Opportunity Currency",
           "Währung"),
        _f("product", TEXT, False, "Product sold", "Product", "Product name",
           "Produkt"),
        _f("account", TEXT, False, "Customer company",
           "Associated Company", "Account Name", "Account", "Organization",
           "Company", "Company name", "Firma", "Unternehmen", "Organisation",
           "Kunde"),
        _f("deal_type", TEXT, False, "New business, upsell, renewal and so on",
           "Deal Type", "Type", "Opportunity Type", "Dealtyp", "Typ"),
        _f("source", TEXT, False, "Lead source or campaign",
           "Lead Source", "Source", "Original Source", "Campaign", "Quelle",
           "Lead-Quelle", "Kampagne"),
        _f("pipeline", TEXT, False, "Pipeline name", "Pipeline"),
    ),
)

STAGE_HISTORY = TableSchema(
    "stage_history",
    "Deal stage history",
    (
        _f("deal_id", ID, True, "Deal the stage change belongs to",
           "opportunity_id", "Opportunity ID", "OpportunityId", "Record ID",
           "Deal ID"),
        _f("stage", TEXT, True, "Stage the deal entered",
           "To Stage", "Stage", "StageName", "Stage Name", "New Value", "NewValue",
           "Phase"),
        _f("entered_at", DATE, True, "Date and time the deal entered the stage",
           "Entered at", "Date entered", "Changed at", "Created Date", "CreatedDate",
           "Last Modified", "Datum"),
    ),
)

TABLES: dict[str, TableSchema] = {
    table.name: table for table in (DEALS, STAGE_HISTORY)
}

WON_STAGES = frozenset(
    {"won", "closed won", "closedwon", "gewonnen", "abgeschlossen gewonnen",
     "auftrag erhalten"}
)
LOST_STAGES = frozenset(
    {"lost", "closed lost", "closedlost", "verloren", "abgeschlossen verloren"}
)

_PREFIX = re.compile(r"^(deal|obchod|organization|person|opportunity)\s+-\s+")


def normalise_header(header: str) -> str:
    """Reduce a header to lower-case letters and digits for alias matching.

    A Pipedrive-style entity prefix (``Deal - Value``) and a trailing unit in
    brackets (``Amount (EUR)``, ``Created (UTC)``) are dropped first.
    """
    text = unicodedata.normalize("NFKC", header).strip().lower()
    text = _PREFIX.sub("", text)
    text = re.sub(r"\s*\((utc|[a-z]{3}|€|\$|in hrs)\)\s*$", "", text)
    return re.sub(r"[^0-9a-zäöüß]+", "", text)


def deal_status(stage: str | None) -> str:
    """Classify a stage or status label as ``won``, ``lost`` or ``open``."""
    if stage is None:
        return "open"
    label = stage.strip().lower()
    if label in WON_STAGES:
        return "won"
    if label in LOST_STAGES:
        return "lost"
    return "open"
