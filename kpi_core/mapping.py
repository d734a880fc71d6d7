"""Map the columns of a read file onto the fields of a canonical table.

Headers are compared with the aliases in ``kpi_core.schema`` after
normalisation. An exact alias match is sure; a header that only contains an
alias is a weaker guess. The user sees the confidence per field and can
correct every choice before the data is used.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from kpi_core.errors import MissingColumnError
from kpi_core.schema import (
    CREATED_START_ALIAS,
    DATE,
    DURATION,
    FLAG,
    FROM_STAGE_HEADERS,
    ID,
    TABLES,
    Field,
    TableSchema,
    normalise_header,
)

EXACT = 1.0
PARTIAL = 0.6
# One exact required field and one more exact field, or several weaker ones.
MIN_SCORE = 3.0
# More than an exact optional field adds (1.0) and less than an exact
# required one (2.0). So a type that lacks a required column loses to a
# complete type that matches the same columns.
MISSING_REQUIRED_PENALTY = 1.5
_MIN_ALIAS_LENGTH_FOR_PARTIAL = 4
# A subscription's amount is the price of one unit per billing interval. So a
# partial match must not take a recurring revenue total such as "arr_amount".
# Read per interval and times the seats, its ARR came out 304 times too high.
_TOTAL_EXCLUDED = frozenset({("subscriptions", "amount")})
_RECURRING_TOTAL_WORDS = frozenset({"arr", "mrr", "acv", "tcv"})
# A subscriptions table without start dates is a customer list (a snapshot):
# its KPIs need a monthly charge and a churned flag instead.
SNAPSHOT_FIELDS = ("monthly_charge", "churned")
# Text fields whose values name a group, such as a person, stage, source or
# product. A header match does not map a column of plain numbers onto them,
# because such a column is a count or an amount: the UCI bank data's
# "campaign" counts the calls made to a client.
LABEL_FIELDS = frozenset(
    {
        "owner",
        "stage",
        "product",
        "account",
        "deal_type",
        "source",
        "pipeline",
        "campaign",
        "channel",
        "agent",
        "category",
        "priority",
        "segment",
        "plan",
    }
)
# A header that starts with one of these words names a date or a time, such
# as HubSpot's 'Date entered "Qualified (Sales Pipeline)"' or a German
# 'Eintrittsdatum "…"'. A partial match does not take it for a label field
# such as the pipeline.
_TIME_HEADER = re.compile(
    r"(?i)^\W*(?:\w*datum|date|time|zeit|zeitpunkt|timestamp|cumulative time"
    r"|kumulierte zeit|latest time|latest date)\b"
)
# A type listed here is detected only when one of its listed fields has a
# column. Accounts exports and churn event logs share the customer id, plan
# and churn flag of subscriptions. Only a subscriptions table records when a
# subscription ran or what it charges. A creation date is no evidence,
# although Stripe's is the start, because accounts exports have one too.
TYPE_EVIDENCE = {
    "subscriptions": (
        "started_at",
        "ended_at",
        "canceled_at",
        "monthly_charge",
        "interval",
    ),
}
# HubSpot contacts and companies exports have a "Lifecycle Stage" (subscriber,
# lead, customer ...), which reads like a deal stage. Without a deals column
# that matches exactly, such a file lists people or companies, not deals.
_LIFECYCLE_HEADERS = frozenset({"lifecyclestage"})
_DEAL_EVIDENCE = ("stage", "amount", "closed_at")
_WORDS = re.compile(r"[A-ZÄÖÜ]+(?![a-zäöüß])|[A-ZÄÖÜ]?[a-zäöüß]+|[0-9]+")


@dataclass(frozen=True)
class Mapping:
    """The file column that feeds each canonical field of one table type.

    ``columns`` maps every field of the table to a column name or ``None``.
    ``confidence`` is 1.0 for an exact header alias or a choice the user made,
    and 0.6 for a header that only contains an alias.
    """

    table: str
    columns: dict[str, str | None]
    confidence: dict[str, float] = field(default_factory=dict)

    @property
    def schema(self) -> TableSchema:
        return TABLES[self.table]

    @property
    def is_snapshot(self) -> bool:
        """True for a subscriptions mapping without a start date column."""
        return self.table == "subscriptions" and not self.columns.get("started_at")

    @property
    def missing_required(self) -> list[str]:
        """Return the required fields without a column, and for a snapshot the
        monthly charge and churned flag it lacks."""
        needed = list(self.schema.required)
        if self.stage_stand_in:
            needed.remove("stage")
        if self.is_snapshot:
            needed += SNAPSHOT_FIELDS
        if self.table == "spend" and not any(
            self.columns.get(name) for name in SPEND_DATE_FIELDS
        ):
            # Spend without a day or reporting window counts in no period.
            needed.append("spent_at")
        return [name for name in needed if not self.columns.get(name)]

    @property
    def stage_stand_in(self) -> tuple[str, ...]:
        """The fields whose columns give the deals' status in place of a
        stage column the mapping lacks: the status, or the won and closed
        flags together. Empty for a mapped stage and for other tables.

        Such a deals table needs no stage column, because the stage serves
        only to read the outcome and to group the pipeline, and the status
        does both (``deal_outcomes.stage_from_status``). A won flag alone
        cannot tell lost deals from open ones.
        """
        if self.table != "deals" or self.columns.get("stage"):
            return ()
        for fields in STAGE_STAND_INS:
            if all(self.columns.get(name) for name in fields):
                return fields
        return ()

    def with_choice(self, field_name: str, column: str | None) -> Mapping:
        """Return a copy with one field mapped by the user."""
        columns = dict(self.columns)
        confidence = dict(self.confidence)
        columns[field_name] = column
        confidence[field_name] = EXACT if column else 0.0
        return Mapping(self.table, columns, confidence)

    def used_columns(self) -> dict[str, str]:
        return {name: column for name, column in self.columns.items() if column}


# The deals fields that can stand in for a missing stage column, in order of
# preference (``Mapping.stage_stand_in``).
STAGE_STAND_INS = (("status",), ("won", "closed"))
# A spend row needs one of these to be placed in a period.
SPEND_DATE_FIELDS = ("spent_at", "period_start", "period_end")


def guess_mapping(
    headers: list[str],
    table: str,
    flag_headers: Collection[str] = (),
    number_headers: Collection[str] = (),
    undated_headers: Collection[str] = (),
    *,
    with_unit_aliases: bool = True,
) -> Mapping:
    """Guess the column for each field of ``table`` from the header names.

    Each header feeds at most one field. Exact alias matches are assigned
    first, in schema order, then partial matches. Among several exact
    matches a header that names the field itself wins: the field name or
    one of its ``own_names``, such as "Kategorie" over "Type". After those
    the alias listed first in the schema wins. A yes/no field only
    takes a header of ``flag_headers``, the columns whose values read as
    yes or no, and a date field takes none of them, because "Closed" heads
    a yes/no column in Salesforce reports and a date in other exports.
    Nor does a date field take a header of ``undated_headers``, the columns
    whose values mostly read as no date, such as a "Closed" column of agent
    names. A field's ``whole_header_aliases`` take no partial match. A field of
    ``LABEL_FIELDS`` takes no header of ``number_headers``, the columns whose
    values are all numbers, unless the header names an id column, and no
    partial match of a header that names a date or a time. A duration field
    takes only a header that matches one of its aliases exactly, unit
    included, so "Full resolution time (min)" does not match "Full
    resolution time (hrs)". A field's ``unit_aliases`` match the same way,
    after its other aliases, so "Created (UTC)" does not match "Created".
    ``with_unit_aliases`` False leaves them out. The stage takes no
    header of the stage a deal left (``FROM_STAGE_HEADERS``), such as "Von
    Phase", although it contains the alias "Phase".
    """
    schema = TABLES[table]
    normalised = {header: _normalised(header) for header in headers}
    with_units = {header: _with_unit(header) for header in headers}
    # The last part of an API field path, such as "currency" of Stripe's
    # "plan.currency", which would otherwise match "plan" in part.
    tails = {header: _field_path_tail(header) for header in headers}
    columns: dict[str, str | None] = {f.name: None for f in schema.fields}
    confidence: dict[str, float] = {f.name: 0.0 for f in schema.fields}
    assigned: set[str] = set()
    for level in (EXACT, PARTIAL):
        for schema_field in schema.fields:
            if columns[schema_field.name]:
                continue
            if schema_field.kind in (FLAG, DURATION) and level < EXACT:
                continue
            aliases = _field_aliases(schema_field, level)
            keys = normalised
            if schema_field.kind == DURATION:
                aliases = _aliases_with_units(schema_field.aliases)
                keys = with_units
            free = [h for h in headers if h not in assigned]
            if schema_field.kind == FLAG:
                free = [h for h in free if h in flag_headers]
            if schema_field.kind == DATE:
                free = [
                    h
                    for h in free
                    if h not in flag_headers and h not in undated_headers
                ]
            if schema_field.name == "stage":
                free = [h for h in free if normalised[h] not in FROM_STAGE_HEADERS]
            if schema_field.name in LABEL_FIELDS:
                free = [h for h in free if h not in number_headers or is_id_header(h)]
                if level < EXACT:
                    free = [h for h in free if not _TIME_HEADER.match(h)]
            if level < EXACT and schema_field.kind != ID:
                # An id column feeds only id fields: "churn_event_id" contains
                # the alias "churn" but contains no churned flag.
                free = [h for h in free if not is_id_header(h)]
            if level < EXACT and (table, schema_field.name) in _TOTAL_EXCLUDED:
                free = [h for h in free if not _names_recurring_total(h)]
            header = _best_header(free, keys, aliases, level)
            # An id field keeps to whole names: "plan.id" is no subscription
            # id. A duration's unit would be lost in a tail.
            whole_names_only = schema_field.kind in (ID, DURATION)
            if header is None and level == EXACT and not whole_names_only:
                header = _best_header(free, tails, aliases, level)
            if (
                header is None
                and level == EXACT
                and with_unit_aliases
                and schema_field.unit_aliases
            ):
                unit_aliases = _aliases_with_units(schema_field.unit_aliases)
                header = _best_header(free, with_units, unit_aliases, level)
            if header is not None:
                columns[schema_field.name] = header
                confidence[schema_field.name] = level
                assigned.add(header)
    return Mapping(table, columns, confidence)


def detect_table(
    headers: list[str], number_headers: Collection[str] = ()
) -> tuple[str | None, dict[str, float]]:
    """Return the table type the headers fit best, and the score of each type.

    The score adds the confidence of every matched field, counting required
    fields twice, so a file is recognised by all the columns it shares with
    a type and not only by the one or two it needs. The type is chosen by
    that score less ``MISSING_REQUIRED_PENALTY`` per required field without
    a column, so "Date, Channel, Amount, Currency" is marketing spend and
    not orders without a customer. The chosen type is returned when its
    score is at least ``MIN_SCORE``; its required fields may still be
    missing, which the mapping then reports. A type of ``TYPE_EVIDENCE``
    without a column for any of its listed fields is not chosen, and no
    type is chosen for a contacts export (``contacts_stage_header``). When
    no type is chosen, the first value is ``None`` and the user chooses.
    ``number_headers`` are passed on to ``guess_mapping``.
    The fields' ``unit_aliases`` do not count. Stripe writes "Created
    (UTC)" in its payments and subscriptions exports alike, so that header
    does not distinguish them, and counted it would make a subscriptions
    export with few columns read as orders.
    """
    scores: dict[str, float] = {}
    ranks: dict[str, float] = {}
    contacts = contacts_stage_header(headers) is not None
    for name, schema in TABLES.items():
        mapping = guess_mapping(
            headers, name, number_headers=number_headers, with_unit_aliases=False
        )
        scores[name] = round(
            sum(
                mapping.confidence.get(f.name, 0.0) * (2 if f.required else 1)
                for f in schema.fields
            ),
            3,
        )
        missing = sum(1 for f in schema.required if not mapping.columns.get(f))
        if _has_evidence(mapping):
            ranks[name] = scores[name] - MISSING_REQUIRED_PENALTY * missing
    if not ranks or contacts:
        return None, scores
    best = max(ranks, key=lambda name: (ranks[name], -len(TABLES[name].required)))
    if scores[best] < MIN_SCORE:
        return None, scores
    return best, scores


def contacts_stage_header(headers: list[str]) -> str | None:
    """Return the lifecycle stage header of a contacts or companies export,
    or None when the headers have none or also have a deal stage, amount or
    close date column."""
    lifecycle = next((h for h in headers if _normalised(h) in _LIFECYCLE_HEADERS), None)
    if lifecycle is None:
        return None
    deals = guess_mapping(headers, "deals")
    if any(deals.confidence[name] == EXACT for name in _DEAL_EVIDENCE):
        return None
    return lifecycle


def unknown_table_hint(headers: list[str]) -> str | None:
    """Describe a kind of export that no table type fits, or return None."""
    header = contacts_stage_header(headers)
    if header is None:
        return None
    return (
        f"The column {header!r} without a deal stage, amount or close date "
        "marks a contacts or companies export, such as HubSpot writes: one row "
        "per person or company, which no KPI uses. Export the deals, with "
        "their stage, amount and dates, instead."
    )


def _has_evidence(mapping: Mapping) -> bool:
    fields = TYPE_EVIDENCE.get(mapping.table)
    if fields is None:
        return True
    created = normalise_header(CREATED_START_ALIAS)
    headers = [mapping.columns.get(name) for name in fields]
    return any(header and _normalised(header) != created for header in headers)


def describe_table_types() -> str:
    """Name every table type with the labels of the fields it needs, as in
    "deals (Stage, Created date)", for messages about a file of an unknown
    type."""
    parts = []
    for schema in TABLES.values():
        needed = ", ".join(schema.field_label(name) for name in schema.required)
        if schema.name == "subscriptions":
            start = schema.field_label("started_at")
            snapshot = " and ".join(schema.field_label(n) for n in SNAPSHOT_FIELDS)
            needed = f"{needed} with {start}, or {needed} with {snapshot}"
        parts.append(f"{schema.noun} ({needed})")
    return "; ".join(parts)


def require_complete(mapping: Mapping, file: str, hint: str | None = None) -> None:
    """Raise MissingColumnError when a required field has no column.
    ``hint`` is a sentence the message ends with, such as the name of a
    column that was rejected for the missing field."""
    missing = mapping.missing_required
    if not missing:
        return
    fields = [mapping.schema.field(name) for name in missing]
    expected = ", ".join(
        f"{field.label} (for example {_example_headers(field)})" for field in fields
    )
    table = mapping.schema.a_table
    if mapping.is_snapshot:
        table += " without start dates (a customer list)"
    raise MissingColumnError(
        f"no column found for {expected} of {table}; rename the column in the "
        f"file or choose it in the column mapping{'. ' + hint if hint else ''}",
        file=file,
    )


def _example_headers(field: Field) -> str:
    """Format the field's example headers as "'Create Date' or 'Created
    Date'", or its first alias after the canonical name when it has none."""
    examples = field.examples or field.aliases[1:2]
    return " or ".join(repr(header) for header in examples)


def is_id_header(header: str) -> bool:
    """Tell whether a header names an id column: its last word is "id", as in
    "churn_event_id", "customerID" or "Kunden-ID"."""
    words = _WORDS.findall(header)
    return bool(words) and words[-1].lower() == "id"


def header_signature(headers: list[str]) -> str:
    """Return a stable key for a set of headers, to remember user mappings."""
    joined = "\n".join(sorted(normalise_header(h) for h in headers))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=4096)
def _normalised(header: str) -> str:
    # Cached, because detecting the table type maps the same headers onto
    # every table type.
    return _header_key(header)


def _header_key(text: str) -> str:
    """Normalise a header or alias for matching. A text of signs only, such
    as Typeform's "#", is kept as it is, because ``normalise_header`` would
    reduce it to an empty text, which no alias matches."""
    return normalise_header(text) or text.strip()


def _field_path_tail(header: str) -> str:
    """Return the normalised last part of a dotted field path such as
    "items.data.price.currency", or "" for a header without a dot inside."""
    head, dot, tail = header.strip().rpartition(".")
    if not dot or not head or not tail:
        return ""
    return _normalised(tail)


def _field_aliases(schema_field: Field, level: float) -> tuple[str, ...]:
    """Return the normalised aliases that can match at ``level``, in their
    rank among exact matches: all of them for an exact match, and for a
    partial one all but the field's ``whole_header_aliases``.

    The names of the field itself rank first: its name and its
    ``own_names``, such as "Kategorie". The other aliases follow in schema
    order, because a looser one such as "Type" may head a column of other
    values beside a column named after the field.
    """
    own = (schema_field.name, *schema_field.own_names)
    others = [alias for alias in schema_field.aliases if alias not in own]
    aliases = (*own, *others)
    if level < EXACT:
        whole = schema_field.whole_header_aliases
        aliases = tuple(alias for alias in aliases if alias not in whole)
    return _normalised_aliases(aliases)


@functools.lru_cache(maxsize=512)
def _normalised_aliases(aliases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_header_key(alias) for alias in aliases)


@functools.lru_cache(maxsize=4096)
def _with_unit(header: str) -> str:
    return normalise_header(header, keep_unit=True)


@functools.lru_cache(maxsize=64)
def _aliases_with_units(aliases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalise_header(alias, keep_unit=True) for alias in aliases)


def _names_recurring_total(header: str) -> bool:
    """Tell whether ``header`` names a recurring revenue total, such as
    "arr_amount" or "MRR (EUR)", by one of its words."""
    words = {word.lower() for word in _WORDS.findall(header)}
    return bool(words & _RECURRING_TOTAL_WORDS)


def _best_header(
    headers: list[str],
    normalised: dict[str, str],
    aliases: tuple[str, ...],
    level: float,
) -> str | None:
    """Pick the header matching at ``level``.

    Among exact matches the header whose alias comes first in ``aliases``
    wins, so a preferred column (Zendesk's final "Solved at") is taken
    wherever it sits in the file.
    """
    matches = [h for h in headers if _match_level(normalised[h], aliases) >= level]
    if not matches:
        return None
    if level < EXACT:
        return matches[0]
    return min(matches, key=lambda h: aliases.index(normalised[h]))


def _match_level(header: str, aliases: tuple[str, ...]) -> float:
    if not header:
        return 0.0
    if header in aliases:
        return EXACT
    for alias in aliases:
        if len(alias) >= _MIN_ALIAS_LENGTH_FOR_PARTIAL and alias in header:
            return PARTIAL
    return 0.0
