"""Read a subscription's billing interval as the number of months one price
covers, so that MRR = price / months.

Billing tools and hand-kept sheets write the interval as a word ("monthly",
"jährlich", "Quartal"), an abbreviation ("monatl.", "p.a."), a count of
units ("3 Monate", "every 6 months", "2 Jahre"), or as a fee that does not
recur ("Einmalzahlung", "one-time"). A label is compared after
``normalise_interval``, so case, umlauts written as "ae", dots, hyphens and
underscores do not matter.
"""

from __future__ import annotations

import re
import unicodedata

DAY_MONTHS = 12 / 365
WEEK_MONTHS = 12 / 52

# Unit words, each with the months it covers. A unit word may follow a count
# ("3 Monate", "2-jährlich") and a word such as "pro" or "every".
_UNIT_MONTHS: dict[str, float] = {
    **dict.fromkeys(
        ("day", "days", "daily", "tag", "tage", "tagen", "taeglich", "taegl"),
        DAY_MONTHS,
    ),
    **dict.fromkeys(
        ("week", "weeks", "weekly", "wk", "wks", "woche", "wochen")
        + ("woechentlich", "woechentl"),
        WEEK_MONTHS,
    ),
    **dict.fromkeys(
        ("month", "months", "monthly", "mo", "mos", "mon", "mth", "mths")
        + ("monat", "monate", "monaten", "monats", "monatlich", "monatl", "mtl"),
        1.0,
    ),
    **dict.fromkeys(
        ("quarter", "quarters", "quarterly", "qtr", "quartal", "quartale")
        + ("quartalen", "quartals", "quartalsweise", "quartalsw", "vierteljahr")
        + ("vierteljahre", "vierteljaehrlich", "vierteljaehrl"),
        3.0,
    ),
    **dict.fromkeys(
        ("halbjahr", "halbjahre", "halbjaehrlich", "halbjaehrl")
        + ("semiannual", "semiannually"),
        6.0,
    ),
    **dict.fromkeys(
        ("year", "years", "yearly", "yr", "yrs", "annual", "annually", "annum")
        + ("jahr", "jahre", "jahren", "jahres", "jaehrlich", "jaehrl"),
        12.0,
    ),
}
# Labels of several words, or without a unit word, that name an interval.
# "Biannual" and "bimonthly" are left out on purpose: each is used for
# twice per year or month as well as for every second one.
_WHOLE_LABELS: dict[str, float] = {
    **dict.fromkeys(("p m",), 1.0),
    **dict.fromkeys(
        ("half year", "half yearly", "halfyear", "halfyearly", "semi annual")
        + ("semi annually", "six monthly"),
        6.0,
    ),
    **dict.fromkeys(("p a",), 12.0),
    **dict.fromkeys(("biennial", "biennially", "zweijaehrlich"), 24.0),
}
# Words before the unit or count, as in "pro Jahr", "per annum", "every 3
# months", "alle 2 Jahre" or "jeden Monat", also several in a row, as in
# "billed every 3 months".
_LEADING_WORDS = frozenset(
    {"pro", "per", "je", "every", "each", "alle", "jede", "jeden", "jedes", "jedem"}
    | {"billed"}
)
# Words after the unit, as in "Monthly plan", "Annual plan" or "yearly
# billing": a billing tool's plan states its price per interval. A label
# that names two intervals, such as "Monthly (billed annually)", a monthly
# price billed once a year, stays unknown.
_TRAILING_WORDS = frozenset({"plan", "billing"})
ONE_TIME_LABELS = frozenset(
    {
        "one time",
        "onetime",
        "one time fee",
        "one time payment",
        "once",
        "one off",
        "oneoff",
        "single payment",
        "non recurring",
        "nonrecurring",
        "einmalig",
        "einmal",
        "einmalzahlung",
        "einmalige zahlung",
        "einmalbetrag",
        "einmalgebuehr",
    }
)
# How to write an interval that the app reads, for messages about one it
# cannot read.
INTERVAL_ADVICE = (
    "write the billing interval as monthly, quarterly, half-yearly or yearly "
    "(monatlich, vierteljährlich, halbjährlich, jährlich), as a count such as "
    "'3 Monate', '2 years' or 'every 6 months', or as one-time (einmalig) for "
    "a fee that does not recur"
)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SEPARATORS = re.compile(r"[\s._/-]+")


def normalise_interval(text: str) -> str:
    """Return ``text`` in lower case with umlauts as "ae", "oe", "ue" and
    "ss", and dots, hyphens, underscores and slashes read as spaces, with
    single spaces between words and none at either end."""
    folded = unicodedata.normalize("NFC", text).casefold().translate(_UMLAUTS)
    return _SEPARATORS.sub(" ", folded).strip()


def interval_months(text: str) -> float | None:
    """Return the months one price of interval ``text`` covers, such as 3.0
    for "quarterly" or "3 Monate". None for a one-time fee, an empty label
    and a label this module cannot read."""
    words = normalise_interval(text).split()
    if len(words) > 1 and words[-1] in _TRAILING_WORDS:
        words = words[:-1]
    label = " ".join(words)
    if label in _WHOLE_LABELS:
        return _WHOLE_LABELS[label]
    while words and words[0] in _LEADING_WORDS:
        words = words[1:]
    count = 1
    if len(words) == 2 and words[0].isdigit():
        count = int(words[0])
        words = words[1:]
    if len(words) != 1 or count < 1 or words[0] not in _UNIT_MONTHS:
        return None
    return count * _UNIT_MONTHS[words[0]]


def is_one_time(text: str) -> bool:
    """Tell whether interval ``text`` names a fee that does not recur."""
    return normalise_interval(text) in ONE_TIME_LABELS


def is_known_interval(text: str) -> bool:
    """Tell whether interval ``text`` is empty, recurs on a known interval
    or names a one-time fee."""
    return (
        normalise_interval(text) == ""
        or is_one_time(text)
        or interval_months(text) is not None
    )
