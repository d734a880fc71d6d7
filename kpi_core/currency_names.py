"""The names of the ISO 4217 currencies, to check a "code - name" cell such as
"CAD - Canadian Dollar" in a currency column.

Each code has its English name in the ISO 4217 list first. Where that name
is only the unit ("Yen", "Rand", "Sol"), the usual English name with the
country ("Japanese Yen") follows. The common codes also have their German
names ("Schweizer Franken", "US-Dollar").

NOTE: the names are written by hand and not checked against the current
ISO 4217 list, so a name missing here makes its "code - name" cell an
unknown currency until it is added.
"""

from __future__ import annotations

import re
import unicodedata

from kpi_core.currency_codes import COMMON_CODES, ISO_4217_CODES

ENGLISH_NAMES: dict[str, tuple[str, ...]] = {
    "AED": ("UAE Dirham", "United Arab Emirates Dirham", "Emirati Dirham"),
    "AFN": ("Afghani", "Afghan Afghani"),
    "ALL": ("Lek", "Albanian Lek"),
    "AMD": ("Armenian Dram",),
    "ANG": ("Netherlands Antillean Guilder",),
    "AOA": ("Kwanza", "Angolan Kwanza"),
    "ARS": ("Argentine Peso",),
    "AUD": ("Australian Dollar",),
    "AWG": ("Aruban Florin",),
    "AZN": ("Azerbaijan Manat", "Azerbaijani Manat"),
    "BAM": ("Convertible Mark", "Bosnia and Herzegovina Convertible Mark"),
    "BBD": ("Barbados Dollar", "Barbadian Dollar"),
    "BDT": ("Taka", "Bangladeshi Taka"),
    "BGN": ("Bulgarian Lev",),
    "BHD": ("Bahraini Dinar",),
    "BIF": ("Burundi Franc", "Burundian Franc"),
    "BMD": ("Bermudian Dollar",),
    "BND": ("Brunei Dollar",),
    "BOB": ("Boliviano", "Bolivian Boliviano"),
    "BRL": ("Brazilian Real",),
    "BSD": ("Bahamian Dollar",),
    "BTN": ("Ngultrum", "Bhutanese Ngultrum"),
    "BWP": ("Pula", "Botswana Pula"),
    "BYN": ("Belarusian Ruble",),
    "BYR": ("Belarusian Ruble",),
    "BZD": ("Belize Dollar",),
    "CAD": ("Canadian Dollar",),
    "CDF": ("Congolese Franc",),
    "CHF": ("Swiss Franc",),
    "CLP": ("Chilean Peso",),
    "CNY": ("Yuan Renminbi", "Chinese Yuan", "Chinese Renminbi", "Renminbi"),
    "COP": ("Colombian Peso",),
    "CRC": ("Costa Rican Colon",),
    "CUC": ("Peso Convertible", "Cuban Convertible Peso"),
    "CUP": ("Cuban Peso",),
    "CVE": ("Cabo Verde Escudo", "Cape Verdean Escudo"),
    "CZK": ("Czech Koruna",),
    "DJF": ("Djibouti Franc", "Djiboutian Franc"),
    "DKK": ("Danish Krone",),
    "DOP": ("Dominican Peso",),
    "DZD": ("Algerian Dinar",),
    "EEK": ("Kroon", "Estonian Kroon"),
    "EGP": ("Egyptian Pound",),
    "ERN": ("Nakfa", "Eritrean Nakfa"),
    "ETB": ("Ethiopian Birr",),
    "EUR": ("Euro",),
    "FJD": ("Fiji Dollar", "Fijian Dollar"),
    "FKP": ("Falkland Islands Pound",),
    "GBP": ("Pound Sterling", "British Pound", "British Pound Sterling"),
    "GEL": ("Lari", "Georgian Lari"),
    "GHS": ("Ghana Cedi", "Ghanaian Cedi"),
    "GIP": ("Gibraltar Pound",),
    "GMD": ("Dalasi", "Gambian Dalasi"),
    "GNF": ("Guinean Franc",),
    "GTQ": ("Quetzal", "Guatemalan Quetzal"),
    "GYD": ("Guyana Dollar", "Guyanese Dollar"),
    "HKD": ("Hong Kong Dollar",),
    "HNL": ("Lempira", "Honduran Lempira"),
    "HRK": ("Kuna", "Croatian Kuna"),
    "HTG": ("Gourde", "Haitian Gourde"),
    "HUF": ("Forint", "Hungarian Forint"),
    "IDR": ("Rupiah", "Indonesian Rupiah"),
    "ILS": ("New Israeli Sheqel", "Israeli New Shekel", "Israeli Shekel"),
    "INR": ("Indian Rupee",),
    "IQD": ("Iraqi Dinar",),
    "IRR": ("Iranian Rial",),
    "ISK": ("Iceland Krona", "Icelandic Krona"),
    "JMD": ("Jamaican Dollar",),
    "JOD": ("Jordanian Dinar",),
    "JPY": ("Yen", "Japanese Yen"),
    "KES": ("Kenyan Shilling",),
    "KGS": ("Som", "Kyrgyzstani Som"),
    "KHR": ("Riel", "Cambodian Riel"),
    "KMF": ("Comorian Franc", "Comoro Franc"),
    "KPW": ("North Korean Won",),
    "KRW": ("Won", "South Korean Won"),
    "KWD": ("Kuwaiti Dinar",),
    "KYD": ("Cayman Islands Dollar",),
    "KZT": ("Tenge", "Kazakhstani Tenge"),
    "LAK": ("Lao Kip",),
    "LBP": ("Lebanese Pound",),
    "LKR": ("Sri Lanka Rupee", "Sri Lankan Rupee"),
    "LRD": ("Liberian Dollar",),
    "LSL": ("Loti", "Lesotho Loti"),
    "LTL": ("Lithuanian Litas",),
    "LVL": ("Latvian Lats",),
    "LYD": ("Libyan Dinar",),
    "MAD": ("Moroccan Dirham",),
    "MDL": ("Moldovan Leu",),
    "MGA": ("Malagasy Ariary",),
    "MKD": ("Denar", "Macedonian Denar"),
    "MMK": ("Kyat", "Myanmar Kyat"),
    "MNT": ("Tugrik", "Mongolian Tugrik"),
    "MOP": ("Pataca", "Macanese Pataca"),
    "MRO": ("Ouguiya", "Mauritanian Ouguiya"),
    "MRU": ("Ouguiya", "Mauritanian Ouguiya"),
    "MUR": ("Mauritius Rupee", "Mauritian Rupee"),
    "MVR": ("Rufiyaa", "Maldivian Rufiyaa"),
    "MWK": ("Malawi Kwacha", "Malawian Kwacha"),
    "MXN": ("Mexican Peso",),
    "MYR": ("Malaysian Ringgit",),
    "MZN": ("Mozambique Metical", "Mozambican Metical"),
    "NAD": ("Namibia Dollar", "Namibian Dollar"),
    "NGN": ("Naira", "Nigerian Naira"),
    "NIO": ("Cordoba Oro", "Nicaraguan Cordoba"),
    "NOK": ("Norwegian Krone",),
    "NPR": ("Nepalese Rupee",),
    "NZD": ("New Zealand Dollar",),
    "OMR": ("Rial Omani", "Omani Rial"),
    "PAB": ("Balboa", "Panamanian Balboa"),
    "PEN": ("Sol", "Peruvian Sol"),
    "PGK": ("Kina", "Papua New Guinean Kina"),
    "PHP": ("Philippine Peso",),
    "PKR": ("Pakistan Rupee", "Pakistani Rupee"),
    "PLN": ("Zloty", "Polish Zloty"),
    "PYG": ("Guarani", "Paraguayan Guarani"),
    "QAR": ("Qatari Rial",),
    "RON": ("Romanian Leu",),
    "RSD": ("Serbian Dinar",),
    "RUB": ("Russian Ruble", "Russian Rouble"),
    "RWF": ("Rwanda Franc", "Rwandan Franc"),
    "SAR": ("Saudi Riyal",),
    "SBD": ("Solomon Islands Dollar",),
    "SCR": ("Seychelles Rupee", "Seychellois Rupee"),
    "SDG": ("Sudanese Pound",),
    "SEK": ("Swedish Krona",),
    "SGD": ("Singapore Dollar",),
    "SHP": ("Saint Helena Pound",),
    "SLE": ("Leone", "Sierra Leonean Leone"),
    "SLL": ("Leone", "Sierra Leonean Leone"),
    "SOS": ("Somali Shilling",),
    "SRD": ("Surinam Dollar", "Surinamese Dollar"),
    "SSP": ("South Sudanese Pound",),
    "STD": ("Dobra", "Sao Tome and Principe Dobra"),
    "STN": ("Dobra", "Sao Tome and Principe Dobra"),
    "SVC": ("El Salvador Colon", "Salvadoran Colon"),
    "SYP": ("Syrian Pound",),
    "SZL": ("Lilangeni", "Swazi Lilangeni"),
    "THB": ("Baht", "Thai Baht"),
    "TJS": ("Somoni", "Tajikistani Somoni"),
    "TMT": ("Turkmenistan New Manat", "Turkmenistan Manat"),
    "TND": ("Tunisian Dinar",),
    "TOP": ("Pa'anga", "Tongan Pa'anga"),
    "TRY": ("Turkish Lira",),
    "TTD": ("Trinidad and Tobago Dollar",),
    "TWD": ("New Taiwan Dollar", "Taiwan Dollar"),
    "TZS": ("Tanzanian Shilling",),
    "UAH": ("Hryvnia", "Ukrainian Hryvnia"),
    "UGX": ("Uganda Shilling", "Ugandan Shilling"),
    "USD": ("US Dollar", "United States Dollar"),
    "UYU": ("Peso Uruguayo", "Uruguayan Peso"),
    "UZS": ("Uzbekistan Sum", "Uzbekistani Som"),
    "VED": ("Bolívar Soberano", "Venezuelan Bolívar Soberano"),
    "VEF": ("Bolívar", "Venezuelan Bolívar Fuerte"),
    "VES": ("Bolívar Soberano", "Venezuelan Bolívar"),
    "VND": ("Dong", "Vietnamese Dong"),
    "VUV": ("Vatu", "Vanuatu Vatu"),
    "WST": ("Tala", "Samoan Tala"),
    "XAF": ("CFA Franc BEAC", "Central African CFA Franc"),
    "XCD": ("East Caribbean Dollar",),
    "XCG": ("Caribbean Guilder",),
    "XOF": ("CFA Franc BCEAO", "West African CFA Franc"),
    "XPF": ("CFP Franc",),
    "YER": ("Yemeni Rial",),
    "ZAR": ("Rand", "South African Rand"),
    "ZMW": ("Zambian Kwacha",),
    "ZWG": ("Zimbabwe Gold",),
    "ZWL": ("Zimbabwe Dollar",),
}
GERMAN_NAMES: dict[str, tuple[str, ...]] = {
    "AED": ("VAE-Dirham", "Dirham der Vereinigten Arabischen Emirate"),
    "AUD": ("Australischer Dollar",),
    "BGN": ("Bulgarischer Lew",),
    "BRL": ("Brasilianischer Real",),
    "CAD": ("Kanadischer Dollar",),
    "CHF": ("Schweizer Franken",),
    "CLP": ("Chilenischer Peso",),
    "CNY": ("Renminbi Yuan", "Chinesischer Yuan", "Chinesischer Renminbi"),
    "COP": ("Kolumbianischer Peso",),
    "CZK": ("Tschechische Krone",),
    "DKK": ("Dänische Krone",),
    "EGP": ("Ägyptisches Pfund",),
    "EUR": ("Euro",),
    "GBP": ("Pfund Sterling", "Britisches Pfund"),
    "HKD": ("Hongkong-Dollar",),
    "HUF": ("Forint", "Ungarischer Forint"),
    "IDR": ("Rupiah", "Indonesische Rupiah"),
    "ILS": ("Neuer Schekel", "Israelischer Schekel", "Israelischer Neuer Schekel"),
    "INR": ("Indische Rupie",),
    "ISK": ("Isländische Krone",),
    "JPY": ("Yen", "Japanischer Yen"),
    "KRW": ("Won", "Südkoreanischer Won"),
    "MXN": ("Mexikanischer Peso",),
    "MYR": ("Ringgit", "Malaysischer Ringgit"),
    "NGN": ("Naira", "Nigerianischer Naira"),
    "NOK": ("Norwegische Krone",),
    "NZD": ("Neuseeland-Dollar",),
    "PHP": ("Philippinischer Peso",),
    "PLN": ("Złoty", "Zloty", "Polnischer Złoty", "Polnischer Zloty"),
    "RON": ("Rumänischer Leu",),
    "RUB": ("Russischer Rubel", "Rubel"),
    "SAR": ("Saudi-Rial",),
    "SEK": ("Schwedische Krone",),
    "SGD": ("Singapur-Dollar",),
    "THB": ("Baht", "Thailändischer Baht"),
    "TRY": ("Türkische Lira",),
    "TWD": ("Neuer Taiwan-Dollar", "Taiwan-Dollar"),
    "UAH": ("Hrywnja", "Ukrainische Hrywnja"),
    "USD": ("US-Dollar", "Amerikanischer Dollar"),
    "VND": ("Dong", "Vietnamesischer Dong"),
    "ZAR": ("Rand", "Südafrikanischer Rand"),
}
if ENGLISH_NAMES.keys() != ISO_4217_CODES or GERMAN_NAMES.keys() != COMMON_CODES:
    raise AssertionError(
        "ENGLISH_NAMES must name every ISO 4217 code, GERMAN_NAMES every common code"
    )


# Letters that NFKD does not split into a base letter and an accent, written
# as the Latin letters that a name typed without them has ("Złoty" as
# "Zloty", "Øre" as "Ore"). casefold() already writes "ß" as "ss".
_FOLDED_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe", "þ": "th"}
)
# Plural endings of currency names and the singular ending each replaces:
# English "Dollars" and "Pesos", Swedish "kronor", Danish and Norwegian
# "kroner", German "Kronen", Portuguese "reais", Romanian "lei" and
# Bulgarian "leva".
_PLURAL_ENDINGS = (
    ("kronor", "krona"),
    ("kroner", "krone"),
    ("kronen", "krone"),
    ("reais", "real"),
    ("lei", "leu"),
    ("leva", "lev"),
    ("s", ""),
)
_NAME_WORDS = re.compile(r"[^\s\-–]+")


def _name_key(name: str) -> str:
    """Return ``name`` in lower case without accents, spaces, hyphens,
    apostrophes and full stops, so "US-Dollar" and "us dollar" match."""
    folded = name.casefold().translate(_FOLDED_LETTERS)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(
        character
        for character in decomposed
        if not unicodedata.combining(character)
        and not character.isspace()
        and character not in "-–'’ʻ."
    )


def _singular_keys(name: str) -> set[str]:
    """Return the key of ``name`` and the keys with one of its words in the
    singular, so "Swedish Kronor" and "Pounds Sterling" match "Swedish
    Krona" and "Pound Sterling"."""
    keys = {_name_key(name)}
    for word in _NAME_WORDS.finditer(name):
        for ending, singular in _PLURAL_ENDINGS:
            lower = word[0].casefold()
            # A lone "s" is no plural of an empty word.
            if lower.endswith(ending) and lower != "s":
                start, end = word.span()
                single = lower[: len(lower) - len(ending)] + singular
                keys.add(_name_key(name[:start] + single + name[end:]))
    return keys


_NAME_KEYS: dict[str, frozenset[str]] = {
    code: frozenset(
        _name_key(name) for name in ENGLISH_NAMES[code] + GERMAN_NAMES.get(code, ())
    )
    for code in ENGLISH_NAMES
}
# The codes whose currency each name key names. A key may name several
# codes, such as "ouguiya" (MRO and MRU).
_KEY_CODES: dict[str, set[str]] = {}
for _code, _keys in _NAME_KEYS.items():
    for _key in _keys:
        _KEY_CODES.setdefault(_key, set()).add(_code)


def is_currency_name(name: str, code: str) -> bool:
    """Tell whether ``name`` is a name of the currency ``code`` in any case
    and spacing, or a plural of one ("Australian Dollars", "Danish Kroner",
    "Brazilian Reais")."""
    return bool(_singular_keys(name) & _NAME_KEYS.get(code, frozenset()))


def other_currency_named(name: str, code: str) -> str | None:
    """Return another currency's code whose name ``name`` contains as whole
    words ("Canadian Dollar" in "USD - Canadian Dollar account" is CAD), or
    None. Names shared with ``code`` itself (MRO and MRU) do not count."""
    words = _NAME_WORDS.findall(name)
    for start in range(len(words)):
        for end in range(start + 1, len(words) + 1):
            run = " ".join(words[start:end])
            for key in _singular_keys(run):
                others = _KEY_CODES.get(key, set()) - {code}
                if others and code not in _KEY_CODES.get(key, set()):
                    return min(others)
    return None
