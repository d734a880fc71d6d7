"""Order status labels that mark no completed purchase.

Order and invoice exports (Stripe, Shopify, WooCommerce, BigCommerce,
German shops) write a payment or order status. Unpaid, void, declined,
cancelled and refunded orders are no revenue and win no customer, so the
import leaves them out. A shipping status column does not show payment.
There "pending" means not shipped yet, so only cancelled, refunded and
returned orders count as no purchase.
"""

from __future__ import annotations

import re

import polars as pl

from kpi_core.formatting import line_list

# Labels after ``_label``: lower case, "wc-" dropped, "_" and "-" as spaces.
# An order that is not paid yet, by its whole label or its first words.
_AWAITING = re.compile(
    r"^(draft|open|unpaid|not paid|pending|payment pending|awaiting payment|on hold|"
    r"checkout draft|expired|abandoned|incomplete|entwurf|offen|unbezahlt|"
    r"nicht bezahlt|ausstehend|zahlung ausstehend|wartet)\b"
)
# An order that was undone or never went through, by its first word.
_UNDONE = re.compile(
    r"^(void|voided|uncollectible|fail|failed|payment failed|declined|"
    r"payment declined|rejected|chargeback|cancel|cancelled|canceled|refund|"
    r"refunded|return|returned|fehlgeschlagen|abgelehnt|storniert|storno|"
    r"erstattet|zurückerstattet|zurueckerstattet|rückerstattet|"
    r"rueckerstattet|retour|retoure|abgebrochen)\b"
)
# Labels of a shipping or fulfilment status, and those a shipping status
# shares with an order status.
_SHIPPING_LABELS = frozenset(
    {
        "shipped", "delivered", "in transit", "out for delivery", "fulfilled",
        "unfulfilled", "partially fulfilled", "partially shipped", "versendet",
        "versandt", "geliefert", "zugestellt", "unterwegs",
    }
)  # fmt: skip
_SHARED_LABELS = frozenset(
    {"pending", "cancelled", "canceled", "returned", "refunded", "on hold"}
)
# Labels of a completed purchase, by their whole label. Any other label is
# counted as a purchase too, but named in a warning, because a status the
# app does not recognise, such as a shop's numeric code, could mark an unpaid
# order.
_PAID = re.compile(
    r"^(paid|paid out|completed?|succeeded|success|successful|processing|"
    r"processed|authori[sz]ed|captured|settled|confirmed|accepted|approved|"
    r"closed|archived|active|done|finished|invoiced|partially refunded|"
    r"bezahlt|abgeschlossen|erledigt|in bearbeitung|bearbeitet|bestätigt|"
    r"bestaetigt|abgerechnet|aktiv|teilweise erstattet|"
    r"teilweise (zurück|zurueck|rück|rueck)erstattet)$"
)
_SHIPPING_HEADER = re.compile(r"ship|fulfil|deliver|versand|liefer|zustell", re.I)
# Labels named in the import note, per kind.
_NAMED = 4


def no_purchase_rows(status: pl.Series, header: str) -> pl.Series:
    """Mark the orders whose ``status`` (read from the column ``header``)
    marks no completed purchase. Empty and other labels, such as "paid",
    "completed" or "partially refunded", are purchases."""
    labels = _label(status)
    frame = pl.DataFrame({"label": labels})
    undone = pl.col("label").str.contains(_UNDONE.pattern)
    if not is_shipping_status(labels, header):
        undone = undone | pl.col("label").str.contains(_AWAITING.pattern)
    return frame.select(undone.fill_null(False)).to_series().alias(status.name)


def is_shipping_status(labels: pl.Series, header: str) -> bool:
    """Tell whether a status column is a shipping status: its header says
    so, or every label is a shipping label or one it shares with an order
    status, with at least one shipping label."""
    if _SHIPPING_HEADER.search(header):
        return True
    known = labels.drop_nulls().unique()
    shipping = known.is_in(list(_SHIPPING_LABELS))
    shared = known.is_in(list(_SHARED_LABELS))
    return bool(shipping.any()) and bool((shipping | shared).all())


def status_note(status: pl.Series, rows: pl.Series) -> str:
    """Name the most frequent labels read as purchases and as no purchase,
    for the import report, so a label read the wrong way can be seen."""
    parts = []
    for name, mask in (("purchases", ~rows), ("no purchase", rows)):
        # Most rows first, and labels of equal counts in file order.
        labels = (
            status.filter(mask & status.is_not_null())
            .to_frame("label")
            .group_by("label", maintain_order=True)
            .len()
            .sort("len", descending=True, maintain_order=True)
        )
        if labels.is_empty():
            continue
        listed = ", ".join(repr(label) for label in labels["label"].head(_NAMED))
        more = labels.height - _NAMED
        if more > 0:
            listed += f" and {more} more"
        parts.append(f"{name} {listed}")
    return "statuses read as " + "; ".join(parts) if parts else ""


def unknown_status_warning(
    status: pl.Series, lines: pl.Series, header: str
) -> str | None:
    """Warn about the orders counted as purchases whose ``status`` label is
    neither a known purchase label nor a shipping label, naming the labels
    and the first of their ``lines``. ``status`` contains only the orders kept
    as purchases."""
    labels = _label(status)
    known = labels.str.contains(_PAID.pattern) | labels.is_in(
        list(_SHIPPING_LABELS | _SHARED_LABELS)
    )
    unknown = (labels.is_not_null() & ~known.fill_null(False)).fill_null(False)
    count = int(unknown.sum())
    if not count:
        return None

    counts = (
        status.filter(unknown)
        .to_frame("label")
        .group_by("label", maintain_order=True)
        .len()
        .sort("len", descending=True, maintain_order=True)
    )
    listed = ", ".join(
        f"{label!r} ({rows:,})" for label, rows in counts.head(_NAMED).iter_rows()
    )
    if counts.height > _NAMED:
        listed += f" and {counts.height - _NAMED} more"

    listed_lines = line_list(lines.filter(unknown))
    orders = "order has" if count == 1 else "orders have"
    return (
        f"{count:,} {orders} a status in {header!r} that the app does not recognise: "
        f"{listed}, on lines {listed_lines}. They are counted as purchases. If such a "
        "status marks an unpaid, cancelled or refunded order, remove those rows "
        "from the file and upload it again."
    )


def _label(status: pl.Series) -> pl.Series:
    """Return the labels in lower case, without WooCommerce's "wc-" prefix
    and with "_" and "-" read as spaces, so "wc-on-hold" is "on hold"."""
    text = status.cast(pl.String).str.strip_chars().str.to_lowercase()
    text = text.str.strip_prefix("wc-").str.replace_all(r"[_\-\s]+", " ")
    return text.str.strip_chars()
