"""A labelled duplicate-customer data set with realistic Persian and English variants.

Each generated *entity* is one real customer; some get one or two extra records written the
way a second person or a second file would: Arabic letter forms (ي/ك), ZWNJ vs space vs joined,
honorifics («خانم», «مهندس», «شرکت», "Mr", "Co."), transliteration (علی رحیمی ↔ Ali Rahimi /
Rahimy), swapped first and last names, a typo, other phone formats (+98, 0098, Persian digits),
email typos, a move to another city. Hard negatives are built in: many different people share
common names, relatives share a home phone and surname, and some records carry no phone or
email at all. A small share of duplicates keep neither phone nor email (name and city only);
a careful detector should NOT claim those at a high threshold, and they count against recall.

`generate(count, seed)` returns records and the set of true duplicate pairs (by record index).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

# (Persian, Latin spellings...) — the first Latin spelling is the "usual" one.
FIRST = [
    ("علی", "Ali", "Aly"),
    ("محمد", "Mohammad", "Mohamad", "Muhammad"),
    ("رضا", "Reza", "Rezaa"),
    ("حسین", "Hossein", "Hosein", "Hussein"),
    ("مهدی", "Mahdi", "Mehdi"),
    ("امیر", "Amir", "Ameer"),
    ("سعید", "Saeed", "Saeid", "Said"),
    ("حمید", "Hamid", "Hameed"),
    ("مجید", "Majid", "Majeed"),
    ("کاوه", "Kaveh", "Kave"),
    (
        "بابک",
        "Babak",
    ),
    (
        "فرهاد",
        "Farhad",
    ),
    ("کیوان", "Keyvan", "Kayvan"),
    ("یوسف", "Yousef", "Yusef"),
    ("پیمان", "Peyman", "Payman"),
    ("مریم", "Maryam", "Mariam"),
    (
        "زهرا",
        "Zahra",
    ),
    ("فاطمه", "Fatemeh", "Fatima"),
    ("سارا", "Sara", "Sarah"),
    (
        "نرگس",
        "Narges",
    ),
    ("لیلا", "Leila", "Leyla", "Layla"),
    ("شیرین", "Shirin", "Shireen"),
    ("نسرین", "Nasrin", "Nasreen"),
    (
        "الهام",
        "Elham",
    ),
    ("مینا", "Mina", "Meena"),
    (
        "پریسا",
        "Parisa",
    ),
    (
        "نازنین",
        "Nazanin",
    ),
    ("سمیرا", "Samira", "Sameera"),
    ("کیمیا", "Kimia", "Kimiya"),
    ("آزاده", "Azadeh", "Azade"),
    ("محمدرضا", "Mohammadreza", "Mohammad Reza"),
    ("علیرضا", "Alireza", "Ali Reza"),
    ("امیرحسین", "Amirhossein", "Amir Hossein"),
]
LAST = [
    ("رحیمی", "Rahimi", "Rahimy", "Rahimee"),
    ("کریمی", "Karimi", "Karimy"),
    ("احمدی", "Ahmadi", "Ahmady"),
    ("حسینی", "Hosseini", "Hoseini", "Husseini"),
    ("موسوی", "Mousavi", "Musavi", "Moosavi"),
    ("رضایی", "Rezaei", "Rezaee", "Rezai"),
    ("محمدی", "Mohammadi", "Mohamadi"),
    ("جعفری", "Jafari", "Jafary"),
    ("کاظمی", "Kazemi", "Kazemy"),
    (
        "یزدانی",
        "Yazdani",
    ),
    ("نوری", "Nouri", "Noori", "Nuri"),
    ("صادقی", "Sadeghi", "Sadeqi"),
    ("قاسمی", "Ghasemi", "Qasemi"),
    (
        "شریفی",
        "Sharifi",
    ),
    (
        "طاهری",
        "Taheri",
    ),
    (
        "نجفی",
        "Najafi",
    ),
    ("عباسی", "Abbasi", "Abasi"),
    (
        "فرهادی",
        "Farhadi",
    ),
    ("سلیمانی", "Soleimani", "Soleymani"),
    (
        "اکبری",
        "Akbari",
    ),
    ("باقری", "Bagheri", "Baqeri"),
    (
        "مرادی",
        "Moradi",
    ),
    ("زارعی", "Zarei", "Zareei"),
    (
        "ملکی",
        "Maleki",
    ),
    ("خسروی", "Khosravi", "Khosravy"),
    (
        "بهرامی",
        "Bahrami",
    ),
    (
        "کامرانی",
        "Kamrani",
    ),
    ("شجاعی", "Shojaei", "Shojaee"),
    (
        "افشار",
        "Afshar",
    ),
    (
        "تهرانی",
        "Tehrani",
    ),
    ("حسین‌زاده", "Hosseinzadeh", "Hossein Zadeh"),
    ("علی‌پور", "Alipour", "Alipoor"),
    ("قلی‌زاده", "Gholizadeh", "Gholi Zadeh"),
    (
        "کریم‌خانی",
        "Karimkhani",
    ),
    (
        "نیک‌نام",
        "Niknam",
    ),
    ("میرزایی", "Mirzaei", "Mirzaee"),
    ("پورمحمدی", "Pourmohammadi", "Pour Mohammadi"),
    ("دهقان", "Dehghan", "Dehqan"),
    ("اصفهانی", "Esfahani", "Isfahani"),
    (
        "شیرازی",
        "Shirazi",
    ),
]
COMPANY_WORDS = [
    ("فولاد", "Foolad"),
    ("پارس", "Pars"),
    ("آریا", "Arya"),
    ("سپهر", "Sepehr"),
    ("کیان", "Kian"),
    ("نوین", "Novin"),
    ("البرز", "Alborz"),
    ("زاگرس", "Zagros"),
    ("مبارکه", "Mobarakeh"),
    ("کاشی", "Kashi"),
    ("صنعت", "Sanat"),
    ("تجارت", "Tejarat"),
    ("پویا", "Pouya"),
    ("رایان", "Rayan"),
    ("آسیا", "Asia"),
    ("ایران", "Iran"),
    ("خزر", "Khazar"),
    ("دنا", "Dena"),
    ("سینا", "Sina"),
    ("امید", "Omid"),
    ("نیرو", "Niroo"),
    ("گستر", "Gostar"),
    ("ساز", "Saz"),
    ("پخش", "Pakhsh"),
    ("داده", "Dadeh"),
]
CITIES = ["تهران", "اصفهان", "شیراز", "تبریز", "مشهد", "کرج", "قم", "اهواز", "رشت", "یزد", "Tehran"]
FREE = ["gmail.com", "yahoo.com", "outlook.com", "chmail.ir"]
HONORIFIC_FA = ["خانم", "آقای", "مهندس", "دکتر"]
HONORIFIC_EN = ["Mr", "Mrs", "Dr", "Eng."]


@dataclass(frozen=True)
class Record:
    entity: int
    kind: str
    name: str
    phone: str | None
    email: str | None
    city: str | None


def _phone_formats(digits: str, rng: random.Random) -> str:
    """digits = '912xxxxxxx' (the national number without trunk 0)."""
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    forms = [
        f"0{digits}",
        f"0{digits[:3]} {digits[3:6]} {digits[6:]}",
        f"+98 {digits[:3]} {digits[3:6]} {digits[6:]}",
        f"0098{digits}",
        f"+98-{digits}",
        f"0{digits}".translate(persian),
        f"(+98) {digits}",
    ]
    return rng.choice(forms)


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    index = rng.randrange(1, len(text) - 1)
    action = rng.choice(["drop", "swap", "double"])
    if action == "drop":
        return text[:index] + text[index + 1 :]
    if action == "swap":
        return text[: index - 1] + text[index] + text[index - 1] + text[index + 1 :]
    return text[:index] + text[index] + text[index:]


def _email_typo(email: str, rng: random.Random) -> str:
    local, domain = email.split("@")
    if rng.random() < 0.5:
        domain = {
            "gmail.com": rng.choice(["gmial.com", "gmail.co", "gmai.com"]),
            "yahoo.com": rng.choice(["yaho.com", "yahooo.com"]),
            "outlook.com": "outlok.com",
            "chmail.ir": "chmial.ir",
        }.get(domain, domain[:-1] if len(domain) > 6 else domain)
    else:
        local = _typo(local, rng)
    return f"{local}@{domain}"


def _arabic_forms(text: str) -> str:
    return text.replace("ی", "ي").replace("ک", "ك")


def _zwnj_variant(text: str, rng: random.Random) -> str:
    if "\u200c" in text:
        return text.replace("\u200c", rng.choice([" ", ""]))
    for joined, split in (
        ("محمدرضا", "محمد رضا"),
        ("علیرضا", "علی رضا"),
        ("امیرحسین", "امیر حسین"),
    ):
        if joined in text:
            return text.replace(joined, rng.choice([split, joined.replace("رضا", "\u200cرضا")]))
    return text


def _person(rng: random.Random) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return rng.choice(FIRST), rng.choice(LAST)


def generate(
    count: int, seed: int, dup_share: float = 0.25
) -> tuple[list[Record], set[tuple[int, int]]]:
    """About `count` records; returns (records, true duplicate pairs as sorted index pairs)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    records: list[Record] = []
    used_phones: set[str] = set()
    used_emails: set[str] = set()

    def new_phone() -> str:
        while True:
            digits = f"9{rng.choice('0123')}{rng.randint(0, 9)}{rng.randint(1000000, 9999999)}"
            if digits not in used_phones:
                used_phones.add(digits)
                return digits

    entity = 0
    while len(records) < count:
        entity += 1
        is_person = rng.random() < 0.7
        latin = rng.random() < 0.35
        phone = new_phone() if rng.random() < 0.85 else None
        city = rng.choice(CITIES) if rng.random() < 0.85 else None
        if is_person:
            first, last = _person(rng)
            name = f"{first[1]} {last[1]}" if latin else f"{first[0]} {last[0]}"
            email = None
            while rng.random() < 0.6 and email is None:
                candidate = (
                    f"{first[1].lower().replace(' ', '')}.{last[1].lower().replace(' ', '')}"
                    f"{rng.randint(1, 999)}@{rng.choice(FREE)}"
                )
                if candidate not in used_emails:  # an address belongs to one person
                    used_emails.add(candidate)
                    email = candidate
        else:
            first, last = rng.sample(COMPANY_WORDS, 2)
            third = rng.choice(COMPANY_WORDS)
            name = (
                f"{first[1]} {last[1]} {third[1]}" if latin else f"{first[0]} {last[0]} {third[0]}"
            )
            domain = f"{first[1].lower()}{last[1].lower()}{entity}.ir"  # one company, one domain
            email = (
                f"{rng.choice(['sales', 'info', 'office', 'contact'])}@{domain}"
                if rng.random() < 0.6
                else None
            )
        base = Record(
            entity,
            "person" if is_person else "company",
            name,
            "0" + phone if phone else None,
            email,
            city,
        )
        records.append(base)
        # Hard negative: a relative with the same surname and home phone.
        if is_person and phone and rng.random() < 0.04:
            other_first = rng.choice(FIRST)
            entity += 1
            relative = f"{other_first[1]} {last[1]}" if latin else f"{other_first[0]} {last[0]}"
            if relative != name:
                records.append(replace(base, entity=entity, name=relative, email=None))
        if rng.random() >= dup_share:
            continue
        for _ in range(rng.choice([1, 1, 1, 2])):
            records.append(_variant(base, rng, is_person, first, last, phone))
    pairs: set[tuple[int, int]] = set()
    by_entity: dict[int, list[int]] = {}
    for index, record in enumerate(records):
        by_entity.setdefault(record.entity, []).append(index)
    for members in by_entity.values():
        for position, low in enumerate(members):
            for high in members[position + 1 :]:
                pairs.add((low, high))
    return records, pairs


def _variant(
    base: Record,
    rng: random.Random,
    is_person: bool,
    first: tuple[str, ...],
    last: tuple[str, ...],
    phone: str | None,
) -> Record:
    """Another record of the same customer, as a second person or file would write it."""
    name = base.name
    persian = not name.isascii()
    changes = rng.sample(
        ["letters", "zwnj", "honorific", "translit", "swap", "typo"], rng.randint(1, 3)
    )
    if is_person and "translit" in changes:
        if persian:
            name = f"{rng.choice(first[1:])} {rng.choice(last[1:])}"
        else:
            name = f"{first[0]} {last[0]}"
        persian = not persian
    if is_person and "swap" in changes:
        words = name.split(" ")
        # Multi-word surnames («پور محمدی») stay together: swap at the first space only.
        head, _, tail = name.partition(" ")
        name = f"{tail} {head}" if len(words) > 1 else name
    if persian and "letters" in changes:
        name = _arabic_forms(name)
    if persian and "zwnj" in changes:
        name = _zwnj_variant(name, rng)
    if "honorific" in changes:
        if is_person:
            title = rng.choice(HONORIFIC_FA if persian else HONORIFIC_EN)
        else:
            title = "شرکت" if persian else "Co."
        name = f"{title} {name}" if persian or is_person else f"{name} {title}"
    if "typo" in changes and rng.random() < 0.5:
        name = _typo(name, rng)
    # Contact details: at least one strong identifier kept, except for a few (name+city only).
    keep_phone = phone is not None and rng.random() < 0.75
    keep_email = base.email is not None and rng.random() < 0.7
    if not keep_phone and not keep_email and rng.random() < 0.85:
        keep_phone = phone is not None
        keep_email = base.email is not None and not keep_phone
    new_phone = _phone_formats(phone, rng) if keep_phone and phone else None
    email = base.email if keep_email else None
    if email and rng.random() < 0.35:
        email = _email_typo(email, rng)
    if email and rng.random() < 0.2:
        email = email.upper()
    city = base.city
    if rng.random() < 0.2:
        city = rng.choice(CITIES)  # moved
    elif rng.random() < 0.2:
        city = None
    return Record(base.entity, base.kind, name, new_phone, email, city)
