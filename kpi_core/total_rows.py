"""Find the total and subtotal rows inside and below a table by their labels.

Reports and spreadsheets put rows such as "Total", "Summe Q1" or Excel's
"Anna Müller Ergebnis" between and below the records. ``drop_totals``
drops such a row when its other cells read like a total's and keeps it as
a data row when they read like a record's. Its docstring gives the rules.
``kpi_core.table_layout`` calls it once the columns are named.
"""

from __future__ import annotations

import re

import polars as pl

from kpi_core.date_values import MONTH_NAMES

LINE = "_line"

# The words that start a total label.
TOTAL_WORD = (
    r"(?:grand\s+)?(?:totals?|gesamt|gesamtsumme|gesamtergebnis|gesamtbetrag|"
    r"gesamtwert|insgesamt|summe|endsumme|subtotal|sub-total|zwischensumme)"
)
# A total label is the word alone or followed by a colon, a bracket, a
# spaced dash or a number that ends the cell ("Total", "Total: Account",
# "Summe 2024"), so names such as "Total 360 rollout" or "Gesamt-Paket"
# are not labels.
TOTAL_LABEL = (
    rf"(?i)^{TOTAL_WORD}"
    r"(?:$|\s*[:(]|\s+[-–](?:\s|$)|[-–]$|\s+[0-9][0-9.,]*\s*$)"
)
# A part of the period or scope that a total covers: a quarter, half year,
# week, fiscal year, month name, number or a word such as "gesamt".
_PERIOD_PART = (
    r"(?:q[1-4]|[1-4]\.?\s*(?:quartal|q)|quartal\s*[1-4]|h[12]|[12]\.?\s*halbjahr|"
    r"(?:kw|woche|week|wk)\s*\d{1,2}|(?:fy|gj|wj)\s*\d{2,4}|\d{1,4}|"
    r"gesamt|insgesamt|total|overall|alle|ytd|mtd|jahr|year|monat|month|quartal|"
    rf"quarter|(?:{'|'.join(MONTH_NAMES)})\.?)"
)
# A cell that is one such part, such as "Q1" or "KW12".
_PERIOD_CELL = rf"(?i)^{_PERIOD_PART}$"
# A total label with its scope ("Summe Q1", "Total Januar 2025", "Summe
# gesamt", "Summe aller Bestellungen") or the word "Ergebnis" alone. Such
# labels also name campaigns and products, so ``drop_totals`` needs more
# evidence before it drops a row with one (see ``scoped_total`` there).
_SCOPED_TOTAL_LABEL = (
    rf"(?i)^(?:{TOTAL_WORD}|ergebnis)"
    rf"(?:\s+(?:{_PERIOD_PART}(?:\s*[-–/.,]\s*|\s+))*{_PERIOD_PART}"
    r"|\s+(?:aller|alle|all|der|des|für|fuer|for|of)\s+\S.*)?\s*:?$"
)
# Excel's Subtotal command ("Teilergebnis" in German Excel) labels the row
# below each group with the group's value and the function's name: "Anna
# Müller Ergebnis" for a sum in German Excel, "Anna Müller Total" in English
# Excel, "Anna Müller Anzahl" for a count. Such a cell is a total label only
# when the rest of it is the value of the group next to it.
_GROUP_TOTAL_SUFFIX = (
    r"(?i)\s+(?:ergebnis|total|summe|anzahl|count|mittelwert|average|"
    r"maximum|minimum|max|min)$"
)
# Any kind of label, for a first pass over every cell: one regex costs
# less than the three, and few cells match.
ANY_TOTAL_LABEL = "|".join(
    (
        TOTAL_LABEL,
        _GROUP_TOTAL_SUFFIX.removeprefix("(?i)"),
        _SCOPED_TOTAL_LABEL.removeprefix("(?i)"),
    )
)
# A word in another cell of the row (a stage, a status, a name) marks a data
# row, though a currency code such as "EUR" may stand beside a total.
_WORD = r"[^\W\d_]{2,}"
CURRENCY_CODE = r"^[A-Z]{3}$"
# A number, perhaps with a currency symbol or an ISO code at either end.
# The part before the first digit excludes digits. With a digit class on
# both sides of the \d, Python's re (in ``summary_rows``) backtracks in
# polynomial time on a long run of digits that ends in a letter. Polars'
# regex engine has no possessive quantifiers, so the pattern uses none.
NUMBER = (
    r"^(?:[A-Z]{3}\s?)?[-+(]?[.,'\s%€$£]*\d[\d.,'\s%€$£]*\)?-?"
    r"(?:\s?[A-Z]{3})?$"
)
# A date written with dots, slashes or dashes, such as "02.01.2024", which
# ``NUMBER`` would also match.
DATE = r"^\s*\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:\s|$)"
# An id code of letters and digits without spaces, such as "B-7", "K-1001"
# or "ORD-2025-001". A period such as "Q1" or "KW12" is no code.
_ID_CODE = r"^\S*(?:[0-9]\S*[^\W\d_]|[^\W\d_]\S*[0-9])\S*$"
_WHOLE_NUMBER = r"^[0-9]+$"
# A header that names an id or a number: "Kundennummer", "Kunden-Nr.",
# "Bestellnr", "ID", "customer_id", "CustomerID", "Order No." or "Deal #",
# but not "Number of employees".
_ID_HEADER = re.compile(
    r"(?i)(?:^|[^a-z])(?:id|nr|no|#)\.?(?:$|[^a-z])"
    r"|nummer|number(?!\s+of\b)|nr\.?$|(?-i:[a-z]I[Dd]$)"
)
# A column without such a header is a column of ids when at least this many
# rows without a label fill it with distinct whole numbers.
_UNNAMED_ID_ROWS = 3
# A column that at most this share of the rows leave empty is one that a
# record fills, so a total row with a label in the first column that leaves
# it empty is no record.
_NEARLY_EMPTY = 0.05


def drop_totals(
    data: pl.DataFrame,
    names: list[str],
    formula_lines: dict[str, pl.Series] | None = None,
) -> tuple[pl.DataFrame, list[int], list[tuple[int, str]]]:
    """Drop the rows that have a total label and no word in another cell.

    A word that is the value of its column in the row above or below counts
    as the label of the row's group, as in "Summe;;Gewonnen;3000" below the
    won deals. A row with such words, or with only a label of Excel's
    Subtotal command, needs more to be dropped. Its other cells must be
    numbers or currency codes, at least one a number, and it must leave
    empty a column that most rows fill. So a customer named "Total" beside
    a stage, or an order of the product "Phone Pro Max" below one of "Phone
    Pro", stays a data row.

    A row whose only label names a scope (``_SCOPED_TOTAL_LABEL``), such
    as "Summe Q1", needs the label as its first filled cell, beside it
    numbers (at least one), currency codes and group words only, no date,
    no id (``_id_numbers``), and an empty cell in a column that nearly
    every row fills.

    ``formula_lines`` maps a column to the lines of its formula cells
    without a saved result. Such a cell counts as a filled cell with a
    number, as it would with its result.

    Returns the table, the lines dropped, and the line and first label cell
    of each row kept with a label. A row whose only label names a scope and
    that has a date or an id is left out of that list, because such a label
    then names a campaign or a product, as in an order of the campaign
    "Total Q1" or "Total for Business".

    NOTE: a total row with a word beside its label that is no value of the
    rows above or below it stays a data row, such as "Summe;;Gewonnen"
    below deals of other stages or a subtotal "Subtotal (Anna)" beside her
    name. ``table_layout.lay_out`` warns about each kept row with a label.
    """
    # Each column is renamed before use, because Series methods go through
    # pl.col(name), where a header such as "*" or "^a$" would act as a
    # wildcard or a regex.
    columns = [data.get_column(name).alias("cell") for name in names]
    no_rows = pl.repeat(False, data.height, eager=True)
    totals_found, subtotals_found, scoped_found = no_rows, no_rows, no_rows
    labels = []
    for column in columns:
        totals, subtotals, scoped = _total_labels(column)
        labels.append(totals | subtotals | scoped)
        totals_found = totals_found | totals
        subtotals_found = subtotals_found | subtotals
        scoped_found = scoped_found | scoped
    labelled = totals_found | subtotals_found | scoped_found
    if not labelled.any():
        return data, [], []
    # Only the rows with a label are searched for words. That saves most of
    # the work when "total" or "Summe" occurs only in free text.
    positions = labelled.arg_true()
    count = positions.len()
    formula_lines = formula_lines or {}
    unsaved = [_formula_cells(data, formula_lines.get(name)) for name in names]
    filled_columns = [
        column if cells is None else column.zip_with(~cells, _blanks(column.len()))
        for column, cells in zip(columns, unsaved, strict=True)
    ]
    worded = pl.repeat(False, count, eager=True)
    grouped = pl.repeat(False, count, eager=True)
    numbered = pl.repeat(False, count, eager=True)
    other_text = pl.repeat(False, count, eager=True)
    dated = pl.repeat(False, count, eager=True)
    identified = pl.repeat(False, count, eager=True)
    named_ids = _has_named_id_column(names, columns, labelled)
    # True where a label is the row's first filled cell.
    label_first = pl.repeat(False, count, eager=True)
    filled_before = pl.repeat(False, count, eager=True)
    for name, column, label, formulas in zip(
        names, columns, labels, unsaved, strict=True
    ):
        cells = column.gather(positions)
        is_label = label.gather(positions)
        label_first = label_first | (is_label & ~filled_before)
        formula = (
            formulas.gather(positions)
            if formulas is not None
            else pl.repeat(False, count, eager=True)
        )
        filled_before = filled_before | cells.is_not_null() | formula
        other = cells.is_not_null() & ~is_label
        currency = cells.str.contains(CURRENCY_CODE).fill_null(False)
        numbers = (_numbers_not_dates(cells) & other) | formula
        # The code of an amount such as "EUR 8.500,00" is no word.
        words = cells.str.contains(_WORD).fill_null(False) & ~currency & other
        words = words & ~numbers
        if words.any():
            groups = _group_labels(column, positions, labelled) & words
        else:
            groups = words
        dates = cells.str.contains(DATE).fill_null(False) & other
        dated = dated | dates
        codes = cells.str.contains(_ID_CODE) & ~cells.str.contains(_PERIOD_CELL)
        codes = codes.fill_null(False) & ~numbers & ~dates
        ids = _id_numbers(column, name, positions, labelled, named_ids) & numbers
        identified = identified | (codes & other) | ids
        worded = worded | (words & ~groups)
        grouped = grouped | groups
        numbered = numbered | numbers
        other_text = other_text | (other & ~numbers & ~currency & ~groups)
    empty = _leaves_column_empty(filled_columns, positions, labelled)
    unscoped = (totals_found | subtotals_found).gather(positions)
    only_numbers = unscoped & ~other_text & numbered & empty
    # A date beside the label marks a record, such as an order of the
    # campaign "Summe 2024"; a total row carries sums and counts.
    plain = totals_found.gather(positions) & ~grouped & ~dated
    # A total label in the first column, where an id or a name is, marks a
    # total even beside a group's word when the row has a number and a gap in
    # a column that nearly every row fills. An example is
    # "Summe;;;;Gewonnen;;10.007,28 €" below deals of every stage.
    first_label = labels[0].gather(positions) & totals_found.gather(positions)
    nearly_full = _leaves_column_empty(
        filled_columns, positions, labelled, _NEARLY_EMPTY
    )
    in_first = first_label & numbered & nearly_full
    # A label with its scope, such as "Summe Q1", may name a campaign, so
    # an id such as "B-7" or the customer number 1003 beside it, or any
    # value left of it, keeps the row.
    scoped_total = (
        ~unscoped
        & label_first
        & ~other_text
        & ~dated
        & ~identified
        & numbered
        & nearly_full
    )
    dropped = (~worded & (plain | only_numbers)) | in_first | scoped_total
    scoped_record = ~unscoped & (dated | identified)
    warned = positions.filter(~dropped & ~scoped_record)
    kept_labels = _label_cells(data, columns, labels, warned)
    if not dropped.any():
        return data, [], kept_labels
    flags = no_rows.clone().scatter(positions, dropped)
    return data.filter(~flags), data.filter(flags)[LINE].to_list(), kept_labels


def _formula_cells(data: pl.DataFrame, lines: pl.Series | None) -> pl.Series | None:
    """Mark the rows of ``data`` whose line is in ``lines``, or return None
    without lines."""
    if lines is None:
        return None
    return data.get_column(LINE).is_in(lines.implode())


def _blanks(length: int) -> pl.Series:
    """Return ``length`` empty strings, which fill cells that must not read
    as empty."""
    return pl.repeat("", length, dtype=pl.String, eager=True)


def _has_named_id_column(
    names: list[str], columns: list[pl.Series], labelled: pl.Series
) -> bool:
    """Tell whether a column's header names an id (``_ID_HEADER``) and the
    rows without a label fill it with whole numbers or id codes."""
    for name, column in zip(names, columns, strict=True):
        if _ID_HEADER.search(name) is None:
            continue
        cells = column.filter(~labelled)
        if cells.is_empty() or cells.null_count():
            continue
        if (cells.str.contains(_WHOLE_NUMBER) | cells.str.contains(_ID_CODE)).all():
            return True
    return False


def _id_numbers(
    column: pl.Series,
    header: str,
    positions: pl.Series,
    labelled: pl.Series,
    named_ids: bool = False,
) -> pl.Series:
    """Mark the cells at ``positions`` that are whole numbers in a column of
    whole-number ids, such as the customer number 1003 beside "Total Q1".

    The rows without a label must fill such a column with whole numbers
    only. Its header must name an id (``_ID_HEADER``), or at least
    ``_UNNAMED_ID_ROWS`` of those rows fill it, every one of them with a
    number of its own, and no column whose header names an id is filled
    (``named_ids`` False). An id has as many digits as the column's other
    ids (their shortest to their longest). In a column without such a
    header it must also differ from each of them. Where the other ids run
    nearly without gaps, an id must also lie near that run
    (``_near_id_run``). A number that is the sum of the column's values
    above it, from the top or from a row with a label, is a total's number
    and no id.

    NOTE: a count beside the label, such as 3 orders in a column of ids 1
    to 9, passes as an id. So does a total's number among ids with wide
    gaps, such as 1234 among the customer numbers 1017, 1460 and 1932.
    """
    cells = column.gather(positions)
    whole = cells.str.contains(_WHOLE_NUMBER).fill_null(False)
    none = pl.repeat(False, cells.len(), eager=True)
    if not whole.any():
        return none
    others = column.filter(~labelled)
    ids = others.drop_nulls()
    if ids.is_empty() or not ids.str.contains(_WHOLE_NUMBER).all():
        return none
    if _ID_HEADER.search(header) is None:
        filled = ids.len() == others.len() and ids.len() >= _UNNAMED_ID_ROWS
        if named_ids or not filled or ids.n_unique() < ids.len():
            return none
        whole = whole & ~cells.is_in(ids.implode())
    digits = ids.str.len_chars()
    fits = whole & cells.str.len_chars().is_between(digits.min(), digits.max())
    fits = fits & _near_id_run(cells, ids, column.len())
    if not fits.any():
        return fits
    return fits & ~_sums_above(column, positions, labelled)


def _near_id_run(cells: pl.Series, ids: pl.Series, rows: int) -> pl.Series:
    """Mark the ``cells`` that may continue the run of whole-number ``ids``.

    The ids run nearly without gaps when at least _UNNAMED_ID_ROWS distinct
    ids fill at least half of the numbers from the lowest to the highest,
    as numbers that a CRM gives out in turn do. A new record's id then lies
    in the run or at most its length or ``rows`` (the table's rows) beyond
    either end, whichever is more. So the total 1234 below the ids 1001 to
    1009 is no id. Ids with wider gaps pass every cell.
    """
    anywhere = pl.repeat(True, cells.len(), eager=True)
    distinct = ids.cast(pl.Int64, strict=False).drop_nulls().unique()
    if distinct.len() < _UNNAMED_ID_ROWS:
        return anywhere
    low, high = distinct.min(), distinct.max()
    span = high - low
    if distinct.len() * 2 < span + 1:
        return anywhere
    margin = max(span, rows)
    numbers = cells.cast(pl.Int64, strict=False)
    return numbers.is_between(low - margin, high + margin).fill_null(True)


def _sums_above(
    column: pl.Series, positions: pl.Series, labelled: pl.Series
) -> pl.Series:
    """Mark the cells at ``positions``, the rows with a label, whose whole
    number is the sum of the column's cells in the rows without a label
    above them. The sum starts at the top of the table or below any row
    with a label."""
    values = column.cast(pl.Int64, strict=False).zip_with(
        ~labelled, pl.repeat(None, column.len(), dtype=pl.Int64, eager=True)
    )
    running = values.fill_null(0).cum_sum().gather(positions).to_list()
    numbers = column.gather(positions).cast(pl.Int64, strict=False).to_list()
    # The sum from below a labelled row is the running sum here minus the
    # running sum at that row.
    starts = {0}
    found = []
    for total, number in zip(running, numbers, strict=True):
        found.append(number is not None and total - number in starts)
        starts.add(total)
    return pl.Series(found, dtype=pl.Boolean)


def _label_cells(
    data: pl.DataFrame,
    columns: list[pl.Series],
    labels: list[pl.Series],
    positions: pl.Series,
) -> list[tuple[int, str]]:
    """Return the line and the first cell with a label of each row at
    ``positions``."""
    if positions.len() == 0:
        return []
    texts = pl.repeat(None, positions.len(), dtype=pl.String, eager=True)
    # From the last column to the first, so that the first label wins.
    for column, label in zip(reversed(columns), reversed(labels), strict=True):
        texts = column.gather(positions).zip_with(label.gather(positions), texts)
    lines = data.get_column(LINE).gather(positions)
    return list(zip(lines.to_list(), texts.to_list(), strict=True))


def _total_labels(column: pl.Series) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Mark the cells that are a total label (``TOTAL_LABEL``), those that
    are a label of Excel's Subtotal command (``_GROUP_TOTAL_SUFFIX``), and
    those that are only a total label with its scope
    (``_SCOPED_TOTAL_LABEL``)."""
    found = column.str.contains(ANY_TOTAL_LABEL).fill_null(False)
    if not found.any():
        return found, found, found
    positions = found.arg_true()
    cells = column.gather(positions)
    totals = cells.str.contains(TOTAL_LABEL).fill_null(False)
    subtotals = cells.str.contains(_GROUP_TOTAL_SUFFIX).fill_null(False) & ~totals
    scoped = cells.str.contains(_SCOPED_TOTAL_LABEL).fill_null(False) & ~totals
    if subtotals.any():
        group = cells.str.replace(_GROUP_TOTAL_SUFFIX, "")
        # The group's value is the nearest value above or below. It is looked
        # up once past the cells that end like a label, so that "Nord Anzahl"
        # below "Nord Ergebnis" finds "Nord". It is also looked up without
        # skipping, so that "Pro Max Anzahl" finds the product "Pro Max".
        matches = pl.repeat(False, positions.len(), eager=True)
        for skipped in (pl.repeat(False, column.len(), eager=True), found):
            above, below = _neighbour_values(column, positions, skipped)
            matches = matches | (group == above) | (group == below)
        subtotals = subtotals & matches.fill_null(False)
    scoped = scoped & ~subtotals
    no_cells = pl.repeat(False, column.len(), eager=True)
    return (
        no_cells.clone().scatter(positions, totals),
        no_cells.clone().scatter(positions, subtotals),
        no_cells.clone().scatter(positions, scoped),
    )


def _group_labels(
    column: pl.Series, positions: pl.Series, labelled: pl.Series
) -> pl.Series:
    """Mark the cells at ``positions`` that equal the nearest value of their
    column above or below them in a row without a label.

    NOTE: a total row below rows of other groups, such as "Summe;;Gewonnen"
    after deals of every stage, is not recognised. Any value of the column
    would do, but then a real deal of an account "Total" reads as a total.
    """
    cells = column.gather(positions)
    above, below = _neighbour_values(column, positions, labelled)
    return ((cells == above) | (cells == below)).fill_null(False)


def _neighbour_values(
    column: pl.Series, positions: pl.Series, skipped: pl.Series
) -> tuple[pl.Series, pl.Series]:
    """Return the nearest non-empty value above and below each position,
    from the rows that ``skipped`` does not mark."""
    nulls = pl.repeat(None, column.len(), dtype=pl.String, eager=True)
    values = column.zip_with(~skipped, nulls)
    above = values.shift(1).forward_fill().gather(positions)
    below = values.shift(-1).backward_fill().gather(positions)
    return above, below


def _leaves_column_empty(
    columns: list[pl.Series],
    positions: pl.Series,
    labelled: pl.Series,
    empty_share: float = 0.5,
) -> pl.Series:
    """Mark the rows at ``positions`` that are empty in a column that the
    rows without a label fill, all but less than ``empty_share`` of them."""
    empty = pl.repeat(False, positions.len(), eager=True)
    unlabelled = labelled.len() - positions.len()
    for column in columns:
        cells = column.gather(positions)
        if column.null_count() - cells.null_count() < empty_share * unlabelled:
            empty = empty | cells.is_null()
    return empty


def _numbers_not_dates(cells: pl.Series) -> pl.Series:
    """Mark the cells that are numbers and not dates: a total row carries
    sums and counts, but a date such as "02.01.2024" marks a record."""
    numbers = cells.str.contains(NUMBER) & ~cells.str.contains(DATE)
    return numbers.fill_null(False)
