"""The companies and people that every demo table shares.

Each account is one business customer or prospect of the vendor, with the
Stripe customer id that billing, orders and surveys use, and the company
name that the CRM and the helpdesk show. Email addresses use the
``.example`` top-level domain and ``example.com``, ``.net`` and ``.org``,
which RFC 2606 reserves, so none of them can reach anybody.
"""

from __future__ import annotations

import math
import random
import string
from dataclasses import dataclass
from datetime import date, timedelta

from sample_data.timeline import FIRST_DAY

# The accounts of the first demo version come first, so their names stay.
FIRST_ACCOUNTS = [
    "Bäckerei Huber GmbH",
    "Müller Logistik AG",
    "Schneider & Söhne KG",
    "Nordlicht Energie GmbH",
    "Alpenblick Hotels",
    "Rheinwerk Maschinenbau",
    "Stadtwerke Emsland",
    "Kaiser Dental GmbH",
    "Fränkische Brauhaus AG",
    "Hanse Consulting",
    "Weber Elektrotechnik",
    "Grünwald Gartenbau",
    "Spreeblick Medien",
    "Isar Immobilien GmbH",
    "Bodensee Reisen",
    "Zahnrad Automotive",
    "Elbe Pharma KG",
    "Schwarzwald Holzbau",
    "Moselwein Handel",
    "Ruhr Steel Services",
]
NAME_STEMS = (
    "Taunus", "Harz", "Allgäu", "Weser", "Main", "Eifel", "Ostsee", "Nordsee", "Havel",
    "Lahn", "Neckar", "Donau", "Saale", "Werra", "Altmühl", "Chiemsee", "Sauerland",
    "Uckermark", "Vogel", "Brandt", "Krüger", "Lorenz", "Hartmann", "Winter", "Sommer",
    "Berger", "Seidel", "Vogt", "Engel", "Kühn", "Roth", "Franke", "Albrecht", "Busch",
    "Pohl", "Graf", "Haas", "Ludwig", "Kraus", "Jäger"
)  # fmt: skip
INDUSTRIES = (
    "Logistik", "Maschinenbau", "Dental", "Gartenbau", "Medien", "Immobilien", "Reisen",
    "Pharma", "Holzbau", "Elektrotechnik", "Consulting", "Energie", "Hotels",
    "Automotive", "Steuerberatung", "Bau", "Druck", "Metallbau", "Sanitär", "Textil",
    "Personaldienste", "Lebensmittel", "Optik", "Haustechnik", "Verpackung",
    "Spedition", "Kunststofftechnik"
)  # fmt: skip
LEGAL_FORMS = {"GmbH": 6, "AG": 1, "KG": 1, "GmbH & Co. KG": 2, "e.K.": 1}
FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannah", "Jan", "Julia",
    "Katrin", "Lars", "Lea", "Lukas", "Maria", "Max", "Nina", "Oliver", "Paul", "Petra",
    "Ralf", "Sarah", "Simon", "Sophie", "Stefan", "Thomas", "Ute", "Vanessa", "Yusuf",
    "Zoe", "Ayse", "Mehmet", "Ingrid", "Klaus", "Monika", "Jörg", "Sven", "Tanja",
    "Frank", "Heike"
)  # fmt: skip
LAST_NAMES = (
    "Schmidt", "Meyer", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun",
    "Hofmann", "Hartung", "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Schmid",
    "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber",
    "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn",
    "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler",
    "Lorenz"
)  # fmt: skip
ACCOUNT_COUNT = 420
# Accounts that became customers before the two years began, from
# EARLIEST_START on, and their mean months until they cancel.
EARLIER_CUSTOMERS = 150
EARLIEST_START = date(2022, 1, 1)
MEAN_MONTHS_TO_CANCEL = 50
_ID_CHARACTERS = string.ascii_letters + string.digits
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "&": " "})


@dataclass(frozen=True)
class Contact:
    name: str
    email: str


@dataclass(frozen=True)
class Account:
    """A company with its Stripe customer id and its people.

    ``customer_since`` is the start of the first subscription of an account
    that became a customer before 2025-01-01, else None. ``canceled`` is the
    day such a customer canceled, if that was before 2025-01-01 too.
    ``satisfaction`` is a standard normal score. Happy customers give higher
    NPS scores and cancel less often.
    """

    name: str
    customer_id: str
    domain: str
    contacts: tuple[Contact, ...]
    satisfaction: float
    customer_since: date | None
    canceled: date | None

    @property
    def is_customer_at_start(self) -> bool:
        return self.customer_since is not None and self.canceled is None


def build_accounts(rng: random.Random) -> list[Account]:
    """Build the accounts, the names of the first demo version first."""
    names = _company_names(rng)
    earlier = set(rng.sample(range(len(names)), EARLIER_CUSTOMERS))
    domains: set[str] = set()
    accounts = []
    for index, name in enumerate(names):
        domain = _unique_domain(name, domains)
        satisfaction = rng.gauss(0.0, 1.0)
        since = canceled = None
        if index in earlier:
            since, canceled = _earlier_customer(rng, satisfaction)
        accounts.append(
            Account(
                name=name,
                customer_id=random_id(rng, "cus_", 14),
                domain=domain,
                contacts=_contacts(rng, domain),
                satisfaction=satisfaction,
                customer_since=since,
                canceled=canceled,
            )
        )
    return accounts


def random_id(rng: random.Random, prefix: str, length: int) -> str:
    """Return an id in Stripe's style: a prefix and random letters and digits."""
    return prefix + "".join(rng.choices(_ID_CHARACTERS, k=length))


def person_email(first: str, last: str, domain: str) -> str:
    local = f"{first}.{last}".lower().translate(_UMLAUTS)
    return f"{local}@{domain}"


def _company_names(rng: random.Random) -> list[str]:
    names = list(FIRST_ACCOUNTS)
    used = set(names)
    forms, weights = list(LEGAL_FORMS), list(LEGAL_FORMS.values())
    while len(names) < ACCOUNT_COUNT:
        stem, industry = rng.choice(NAME_STEMS), rng.choice(INDUSTRIES)
        form = rng.choices(forms, weights)[0]
        if f"{stem} {industry}" not in used:
            used.add(f"{stem} {industry}")
            names.append(f"{stem} {industry} {form}")
    return names


def _unique_domain(name: str, used: set[str]) -> str:
    words = name.lower().translate(_UMLAUTS).split()
    name_words = [w for w in words if w not in ("gmbh", "ag", "kg", "co.", "e.k.")]
    slug = "-".join(word.strip(".") for word in name_words)
    domain, suffix = f"{slug}.example", 2
    while domain in used:
        domain, suffix = f"{slug}{suffix}.example", suffix + 1
    used.add(domain)
    return domain


def _contacts(rng: random.Random, domain: str) -> tuple[Contact, ...]:
    people: list[Contact] = []
    count = rng.randint(2, 5)
    while len(people) < count:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = person_email(first, last, domain)
        if all(person.email != email for person in people):
            people.append(Contact(f"{first} {last}", email))
    return tuple(people)


def _earlier_customer(
    rng: random.Random, satisfaction: float
) -> tuple[date, date | None]:
    """Return the start of a customer that joined before 2025-01-01 and the
    day it canceled, or None when it was still a customer then."""
    since = EARLIEST_START + timedelta(
        days=rng.randint(0, (FIRST_DAY - EARLIEST_START).days - 14)
    )
    mean_days = MEAN_MONTHS_TO_CANCEL * 30.44 * math.exp(0.5 * satisfaction)
    canceled = since + timedelta(days=rng.expovariate(1 / mean_days))
    return since, canceled if canceled < FIRST_DAY else None
