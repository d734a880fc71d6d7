"""The ISO 4217 currency codes that the app reads: every code for currency
columns, the codes that are no common word for amount and number cells and
Excel number formats, and the common codes for headers."""

from __future__ import annotations

# ISO 4217 codes of the currencies in use, among them the new XCG and ZWG,
# and the codes replaced since 2022 (ANG, HRK, SLL, ZWL), which older
# exports still contain. Fund codes (BOV, CLF) and metals are left out.
# NOTE: the list is not checked against the current ISO 4217 table, so a
# code missing here is read as an unknown currency until it is added.
_CURRENT_CODES = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD "
    "BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE "
    "CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF "
    "GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES "
    "KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA "
    "MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD "
    "OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG "
    "SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP "
    "TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG "
    "XOF XPF YER ZAR ZMW ZWG ZWL"
)
# Codes withdrawn between 2011 and 2021, which exports of those years still
# contain: BYR (now BYN), CUC (withdrawn), EEK, LTL and LVL (now EUR), MRO
# (now MRU), STD (now STN) and VEF (now VES). Older withdrawn codes such as
# DEM are left out, because each names a unit of its own that no recent
# export contains.
_WITHDRAWN_LIST = "BYR CUC EEK LTL LVL MRO STD VEF"
WITHDRAWN_CODES = frozenset(_WITHDRAWN_LIST.split())
# Every code read in a currency column.
ISO_4217_CODES = frozenset(_CURRENT_CODES.split()) | WITHDRAWN_CODES
# The codes common in CRM, billing and ad exports. Only these are read in a
# header and offered as the currency of amounts that name none. A header
# is free text, where upper-case words such as ALL, TOP or CUP are more
# often words than the lek, the pa'anga or the Cuban peso.
_COMMON_LIST = (
    "AED AUD BGN BRL CAD CHF CLP CNY COP CZK DKK EGP EUR GBP HKD HUF IDR "
    "ILS INR ISK JPY KRW MXN MYR NGN NOK NZD PHP PLN RON RUB SAR SEK SGD "
    "THB TRY TWD UAH USD VND ZAR"
)
COMMON_CODES = frozenset(_COMMON_LIST.split())
if not COMMON_CODES <= ISO_4217_CODES:
    raise AssertionError("every common code must be an ISO 4217 code")
# Codes that are also a common English or German word or abbreviation. In a
# cell, "TOP 50", "ALL -" or "8 ALL" is more likely a word beside a number
# than pa'anga or lek. The words are English all, bam, Bob, cup, mad, mop,
# pen, SOS and top, gel in English and German, and German Jod (iodine). The
# abbreviations are CVE (a vulnerability id), IRR (internal rate of return),
# KGS (kilograms), STD (German Std. for Stunden, English standard) and SVC
# (service). Words among the common codes (COP, HUF, RUB, SEK, TRY) stay
# codes, because exports write those currencies often.
_WORD_LIST = "ALL BAM BOB CUP CVE GEL IRR JOD KGS MAD MOP PEN SOS STD SVC TOP"
WORD_CODES = frozenset(_WORD_LIST.split())
if not WORD_CODES <= ISO_4217_CODES or WORD_CODES & COMMON_CODES:
    raise AssertionError("every word code must be an ISO code and not common")
# The codes read beside any number in an amount or number cell ("EEK 100",
# "100 KES") and in the literal text of an Excel number format. A cell such
# as "TOP 50" stays an invalid number, because its code is a word, while
# "MAD 12,500.00" is read, because its number is written as money
# (``word_code_cells.word_code_cells``). A "code - name" cell in a currency column
# with a word code needs a name of the code's currency ("TOP - Priority"
# is unknown).
CELL_CODES = ISO_4217_CODES - WORD_CODES
# Currency marks written in place of an ISO code: dollars with a country
# prefix, and the Swiss "Fr." and "SFr." for francs. Amount and number cells
# read each as its code, before or after the number, with or without a
# space ("US$1,234.50", "Fr. 1'234.50", "99.00 C$"). A letter right before
# the mark makes it part of a word, so "AR$" and "MFr." stay unread.
PREFIXED_MARKS = {
    "US$": "USD",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "SG$": "SGD",
    "R$": "BRL",
    "MX$": "MXN",
    "Fr.": "CHF",
    "SFr.": "CHF",
}
if not set(PREFIXED_MARKS.values()) <= COMMON_CODES:
    raise AssertionError("every prefixed mark must name a common code")
