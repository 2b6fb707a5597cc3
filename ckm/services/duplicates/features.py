"""What detection compares: each customer reduced to normalised fields and blocking keys.

Every rule comes from CKM's own text handling, so detection and search agree on what "the same
text" means: `ckm.text.normalise` (Arabic/Persian letter forms, ZWNJ, vowel marks, digits),
`ckm.text.normalise_phone` (+98 / 0098 / 0 → one form) and the transliteration sound key of
`ckm.services.search.transliteration.name_key` (رحیمی = Rahimi = Rahimee). On top of those,
names lose honorifics and company words («شرکت», «خانم», «مهندس», "Co.", "Mr") that say
nothing about *which* customer it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ckm.services.search.transliteration import name_key
from ckm.text import normalise, normalise_phone

# Words that describe a title or a legal form, not the customer: dropped before comparing.
HONORIFICS = frozenset(
    normalise(word)
    for word in (
        "شرکت آقای آقا خانم مهندس دکتر استاد حاج حاجی سرکار جناب سهامی خاص عام "
        "گروه موسسه مؤسسه بازرگانی تولیدی صنایع "
        "mr mrs ms miss dr eng engr prof sir madam co company corp corporation inc ltd llc "
        "plc gmbh group pjsc the"
    ).split()
)
# Email providers shared by unrelated people: "same domain" means nothing for them.
FREE_MAIL = frozenset(
    "gmail.com yahoo.com hotmail.com outlook.com live.com icloud.com mail.com aol.com "
    "protonmail.com ymail.com chmail.ir yahoo.co.uk gmx.com email.com mail.ru yandex.com".split()
)
# Shared mailboxes ("info@"): never enough alone to call two records one customer.
GENERIC_LOCAL = frozenset("info sales contact office admin support hello mail team hr".split())

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
# Words of an Iranian address that only say what kind of place the next word names
# (street, alley, plaque, unit, floor, square...), with their usual abbreviations.
ADDRESS_WORDS = frozenset(
    normalise(word)
    for word in (
        "خیابان خ کوچه ک بن بست بنبست پلاک پ واحد طبقه ط میدان م بلوار بزرگراه اتوبان "
        "جنب روبروی نبش کدپستی شهر استان ایران street st ave avenue alley no unit floor"
    ).split()
)
_WEB_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?")
_NOT_DIGIT = re.compile(r"\D")


def website_domain(website: str | None) -> str:
    """The host of a website address, lower case, without scheme, "www." and path."""
    if not website:
        return ""
    text = normalise(website).replace(" ", "")
    return _WEB_PREFIX.sub("", text).split("/", 1)[0].split("?", 1)[0].strip(".")


def address_key(address: str | None, city: str | None = None) -> str:
    """An address reduced to the words and numbers that place it: the kind-of-place words
    (خیابان/خ./کوچه/پلاک…) and the city dropped, digits in one form."""
    if not address:
        return ""
    dropped = _dropped_words(city or "")
    words = _PUNCT.sub(" ", normalise(address)).split()
    return " ".join(word for word in words if word not in dropped)


@lru_cache(maxsize=1024)
def _dropped_words(city: str) -> frozenset[str]:
    # Cached: a base has a few hundred cities at most, and detection asks once per customer.
    return ADDRESS_WORDS | frozenset(normalise(city).split())


@lru_cache(maxsize=1024)
def _city(city: str) -> str:
    return " ".join(_PUNCT.sub(" ", normalise(city)).split())


@dataclass(frozen=True, slots=True)
class Features:
    """One customer, ready to compare."""

    id: int
    kind: str
    name: str  # normalised, honorifics dropped, words in their original order
    name_sorted: str  # the same words sorted (swapped first/last names compare equal)
    name_joined: str  # without spaces (ZWNJ vs space vs joined spellings compare equal)
    key_sorted: str  # transliteration sound keys of the words, sorted, joined by spaces
    key_joined: str  # sound key of the words in order, no spaces
    phone: str
    email: str
    email_local: str
    email_domain: str
    city: str
    national_id: str
    # (word, sound key) per name word, for the word-by-word check.
    words: tuple[tuple[str, str], ...] = ()
    postal_code: str = ""  # digits only
    birth_date: str = ""  # ISO date
    domain: str = ""  # website host without www., or a company mailbox's domain
    address: str = ""  # street words and numbers, abbreviations and the city dropped
    # The phones and emails of the customer's contact persons (the contacts table), normalised
    # like the customer's own, without the customer's own ones: a sales sheet carries the
    # contact's mobile, the CRM the office line with the contact listed under the company.
    contact_phones: tuple[str, ...] = ()
    contact_emails: tuple[str, ...] = ()
    # A company's name as registered (`registered_name`); empty for persons.
    registered: str = ""

    @property
    def phones(self) -> tuple[str, ...]:
        """Every phone of the customer: its own first, then its contacts'."""
        return (self.phone, *self.contact_phones) if self.phone else self.contact_phones

    @property
    def emails(self) -> tuple[str, ...]:
        """Every email of the customer: its own first, then its contacts'."""
        return (self.email, *self.contact_emails) if self.email else self.contact_emails


_REPEATS = re.compile(r"(.)\1+", re.DOTALL)


def _collapse(key: str) -> str:
    """The key with each run of one letter written once."""
    return _REPEATS.sub(r"\1", key)


# Legal forms written after a company's name («… (سهامی خاص)», "… Co. Ltd").
LEGAL_FORMS = frozenset(
    normalise(word)
    for word in (
        "شرکت سهامی خاص عام با مسئولیت محدود تضامنی گروه "
        "co company corp corporation inc ltd llc plc gmbh group pjsc"
    ).split()
)


def name_words(name: str | None) -> list[str]:
    """The normalised words of a name without punctuation, titles and legal forms.

    Titles are dropped from the front only and legal forms from the end, so a surname that
    contains such a word keeps it («امیر حاجی‌نژاد» keeps «حاجی»).
    """
    words = _PUNCT.sub(" ", normalise(name or "")).split()
    start, end = 0, len(words)
    while start < end and words[start] in HONORIFICS:
        start += 1
    while end > start and words[end - 1] in LEGAL_FORMS:
        end -= 1
    return words[start:end] or words


# What a register adds to a company's name: «شرکت» in front, the legal form after it. Words such
# as «بازرگانی», «صنایع», «گروه» are kept: they are part of a registered name.
REGISTRY_WORDS = frozenset(
    normalise(word)
    for word in (
        "شرکت سهامی خاص عام با مسئولیت محدود تضامنی "
        "the co company corp corporation inc ltd llc plc gmbh pjsc"
    ).split()
)


def registered_name(name: str | None) -> str:
    """A company's registered name, comparable exactly: CKM's letter folding, «شرکت» and the
    legal form dropped, spaces and ZWNJ ignored («شرکت آریا خودرو (سهامی خاص)» = «آريا‌خودرو»).
    Iran's register gives a name to one company only, so two firms equal here are one firm."""
    words = _PUNCT.sub(" ", normalise(name or "")).split()
    start, end = 0, len(words)
    while start < end and words[start] in REGISTRY_WORDS:
        start += 1
    while end > start and words[end - 1] in REGISTRY_WORDS:
        end -= 1
    return "".join(words[start:end])


def features(
    customer_id: int,
    *,
    kind: str | None,
    name: str | None,
    phone: str | None,
    email: str | None,
    city: str | None,
    national_id: str | None = None,
    postal_code: str | None = None,
    postal_address: str | None = None,
    birth_date: date | str | None = None,
    website: str | None = None,
    contact_phones: Iterable[str | None] = (),
    contact_emails: Iterable[str | None] = (),
) -> Features:
    """The comparable form of one customer (`contact_*`: its contact persons' phones and
    emails, from the contacts table)."""
    words = name_words(name)
    keys = [name_key(word) for word in words]
    address = _email(email)
    local, _, domain = address.rpartition("@")
    own_phone = normalise_phone(phone)
    phones = _others((normalise_phone(value) for value in contact_phones), own_phone, 7)
    mailboxes = (_email(value) for value in contact_emails)
    emails = _others((box for box in mailboxes if box.partition("@")[0] and "@" in box), "", 3)
    if local:
        emails = tuple(box for box in emails if box != address)
    site = website_domain(website)
    if kind == "company" and not site:
        # The firm's own mailbox first, then its people's mailboxes at a company domain.
        for mailbox in (address, *emails):
            host = mailbox.rpartition("@")[2]
            if host and host not in FREE_MAIL and "@" in mailbox:
                site = host
                break
    postal = _NOT_DIGIT.sub("", normalise(postal_code)) if postal_code else ""
    return Features(
        id=customer_id,
        kind=kind or "",
        name=" ".join(words),
        name_sorted=" ".join(sorted(words)),
        name_joined="".join(words),
        key_sorted=" ".join(sorted(key for key in keys if key)),
        key_joined=_collapse("".join(keys)),
        phone=own_phone,
        email=address if local else "",
        email_local=local,
        email_domain=domain if local else "",
        city=_city(city) if city else "",
        national_id=_NOT_DIGIT.sub("", normalise(national_id)) if national_id else "",
        words=tuple(zip(words, keys, strict=True)),
        postal_code=postal if len(postal) >= 5 else "",
        birth_date=birth_date.isoformat() if isinstance(birth_date, date) else (birth_date or ""),
        domain=site,
        address=address_key(postal_address, city),
        contact_phones=phones,
        contact_emails=emails,
        registered=registered_name(name) if kind == "company" else "",
    )


def _email(email: str | None) -> str:
    return normalise(email or "").replace(" ", "")


def _others(values: Iterable[str], own: str, shortest: int) -> tuple[str, ...]:
    """The distinct values (in first-seen order) other than `own`, none shorter than
    `shortest` (a phone of a few digits is an extension, not a number)."""
    seen: dict[str, None] = {}
    for value in values:
        if len(value) >= shortest and value != own:
            seen.setdefault(value, None)
    return tuple(seen)


def contact_keys(item: Features) -> list[str]:
    """The phone ("p:") and email ("e:") blocking keys of the customer's contact persons,
    written like the customer's own keys so that a contact's mobile meets the same number
    written as another record's phone."""
    return [f"p:{phone}" for phone in item.contact_phones] + [
        f"e:{email}" for email in item.contact_emails
    ]


def blocking_keys(item: Features) -> list[str]:
    """The blocks this customer falls into; only customers sharing a block are compared.

    Same phone; same email; same national id; same postal code; same website domain; the same
    first three address words with a number among them (one building); same email address
    before the @ (a typo in the
    domain); same company domain plus the same first sound key; same name sound key (any word
    order, or spaces/ZWNJ ignored); same first five letters of the sound key in the same city.
    """
    keys: list[str] = []
    if len(item.phone) >= 7:
        keys.append("p:" + item.phone)
    if item.email:
        keys.append("e:" + item.email)
    if len(item.national_id) >= 8:
        keys.append("i:" + item.national_id)
    if len(item.postal_code) >= 10:
        keys.append("z:" + item.postal_code)
    if item.domain and item.domain not in FREE_MAIL:
        keys.append("w:" + item.domain)
    place = item.address.split()
    if len(place) >= 3 and any(word.isdigit() for word in place[:3]):
        keys.append("a:" + " ".join(place[:3]))  # street, alley, plaque: one building
    if len(item.email_local) >= 5 and item.email_local not in GENERIC_LOCAL:
        keys.append("l:" + item.email_local)
    first_key = item.key_sorted.split(" ", 1)[0] if item.key_sorted else ""
    if item.email_domain and item.email_domain not in FREE_MAIL and first_key:
        keys.append(f"d:{item.email_domain}:{first_key}")
    if len(item.key_joined) >= 3:
        keys.append("k:" + item.key_joined)
        keys.append("s:" + item.key_sorted.replace(" ", ""))
    if len(item.key_joined) >= 5 and item.city:
        keys.append(f"c:{item.city}:{item.key_joined[:5]}")
    return keys
