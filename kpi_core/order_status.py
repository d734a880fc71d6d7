"""Which orders are no completed purchase, by their status label.

Order and invoice exports (Stripe, Shopify, WooCommerce, German shops)
write a payment or order status. Unpaid, void, cancelled and refunded
orders are no revenue and win no customer, so the import leaves them out.
A shipping status column does not show payment. There "pending" means not
shipped yet, so only cancelled, refunded and returned orders count as no
purchase.
"""

from __future__ import annotations

import re

import polars as pl

# Labels after ``_label``: lower case, "wc-" dropped, "_" and "-" as spaces.
# Statuses of an order that is not paid yet.
AWAITING_PAYMENT = frozenset(
    {
        "draft", "open", "unpaid", "pending", "pending payment",
        "payment pending", "awaiting payment", "on hold", "checkout draft",
        "expired", "abandoned", "entwurf", "offen", "unbezahlt", "ausstehend",
        "zahlung ausstehend",
    }
)  # fmt: skip
# Statuses of an order that was undone or never went through.
UNDONE = frozenset(
    {
        "void", "voided", "uncollectible", "failed", "payment failed",
        "cancelled", "canceled", "refunded", "returned", "fehlgeschlagen",
        "storniert", "storno", "erstattet", "zurückerstattet",
        "rückerstattet", "retoure", "abgebrochen",
    }
)  # fmt: skip
NO_PURCHASE = AWAITING_PAYMENT | UNDONE
# Labels and header words of a shipping or fulfilment status.
_SHIPPING_LABELS = frozenset(
    {
        "shipped", "delivered", "in transit", "out for delivery", "fulfilled",
        "unfulfilled", "partially fulfilled", "versendet", "versandt",
        "geliefert", "zugestellt",
    }
)  # fmt: skip
_SHIPPING_HEADER = re.compile(
    r"ship|fulfil|deliver|versand|liefer|zustell", re.IGNORECASE
)


def no_purchase_rows(status: pl.Series, header: str) -> pl.Series:
    """Mark the orders whose ``status`` (read from the column ``header``)
    marks no completed purchase. Empty and unknown labels, such as
    "paid", "completed" or "partially refunded", are purchases."""
    labels = _label(status)
    shipping = _SHIPPING_HEADER.search(header) is not None or bool(
        labels.is_in(list(_SHIPPING_LABELS)).any()
    )
    undone = UNDONE if shipping else NO_PURCHASE
    return labels.is_in(list(undone)).fill_null(False)


def _label(status: pl.Series) -> pl.Series:
    """Return the labels in lower case, without WooCommerce's "wc-" prefix
    and with "_" and "-" read as spaces, so "wc-on-hold" is "on hold"."""
    text = status.cast(pl.String).str.strip_chars().str.to_lowercase()
    text = text.str.strip_prefix("wc-").str.replace_all(r"[_\-\s]+", " ")
    return text.str.strip_chars()
