"""A labelled duplicate-customer data set, written the way real source systems write customers.

Each *entity* is one real customer (a person or a company) with its true details: a name in
Persian and Latin spellings, a mobile or office phone, email, city, postal address and postal
code, birth date (persons), website (companies), national id (کد ملی for persons, شناسه ملی for
companies, with a valid check digit) and economic code (companies). Every *record* of an entity
comes from one of three sources, each with its own fill rates and habits:

=============  =======  ========================================================================
source         records  what it carries (share of its records that have the field)
=============  =======  ========================================================================
crm            45 %     name (35 % in Latin letters), phone 85 %, email 65 % (persons 55 %),
                        city 80 %, website 40 % of companies, address 20 %, postal code 10 %,
                        birth date 10 % of persons, national id 10 %; the contacts table of
                        70 % of companies (the primary contact, each other one 60 %; a
                        contact's mobile 85 %, email 60 %)
accounting     30 %     formal Persian name (companies with «شرکت … سهامی خاص»), national id
                        80 % of persons / 90 % of companies (invoices need it), economic code
                        60 % of companies, postal code 85 %, address 90 %, city 95 %, phone 65 %
                        (companies: the office line), email 15 %, birth date 5 %; the person
                        invoices go to for 20 % of companies (mobile 70 %, email 30 %)
sales sheet    25 %     name as spoken (honorifics half the time), the contact's mobile 90 %,
                        city 50 %, email 10 % (a company's: the contact's own); nothing else
=============  =======  ========================================================================

Why these rates: a CRM is fed by web forms and campaigns (contact channels, rarely ids);
accounting must print the buyer's national id, economic code and postal code on an official
invoice, and keeps the address it posts to; a sales rep's sheet is a name and a number to call.
A company's record from a sales sheet carries its contact's mobile, not the office line the
CRM and accounting keep, so those pairs share no phone of the customer record; what they share
is in the contacts table: a company has one to three contact persons (name, a mobile, an email
at the company's domain 50 % / a personal free-mail box 30 % / none), the CRM and accounting
list them as contacts, and the sales rep deals with one of them (the first, or another one a
fifth of the time). Contacts are drawn from a random stream of their own, so every other field
of every record is the one the generator wrote before contacts existed (only a sales sheet's
company phone, when the rep's contact is not the first one, and its email change).

A quarter of entities get one or two more records (from any source, the same one included: a
re-import). What differs between records of one customer: Arabic letter forms (ي/ك), ZWNJ vs
space vs joined, honorifics and legal forms, transliteration (Persian ↔ Latin spellings),
"Last, First" and swapped names, a typo, phone formats (+98, 0098, Persian digits, spaces),
email typos and upper case, address abbreviations (خ./ک./پ.) and digit forms, a dropped unit,
a move (new address, postal code and often city: 12 %), postal code with or without its dash,
national id with dashes, Persian digits or its leading zeros dropped by a spreadsheet (read
through the importer's own parser, so an id it would refuse is left empty), a birth date with
day and month swapped (3 %).

Different customers that look alike (hard negatives, at realistic rates, not inflated): person
names drawn from 45 first names and about 300 surnames (real Iranian surnames are far more
varied; the share of person records whose name another entity also carries is printed by
`collision_share`), a relative at the same home (3 % of persons: same surname, address, postal
code), and companies in the same building (2 %: same street and plaque, another unit and
postal code). Company names are one or two of 60 brand words and one of 30 industry words
(three brand words once a large base has used most of those), and no two companies share one
(Iran's company register refuses a name already taken).

Near-name firms (siblings, 4 % of companies): the register refuses the *same* name, not a near
one, and near names are common among real firms: a holding's regional or trading arm
(«ایران خودرو» / «ایران خودرو خراسان»), a distributor named after the maker («… پخش»,
«… گستر», «… تجارت»), an unrelated firm that picked a neighbouring name. So a company has, with
probability 4 %, a distinct firm in the base whose name is its own plus one word (a region
«شرق/غرب/شمال/جنوب/مرکزی/خراسان/پارس» or an activity word «گستر/تجارت/پخش/نوین/صنعت» at the
end: 60 %, and 85 % for names of two words; «بازرگانی/صنایع» in front: 15 %, words CKM's name
rule drops as titles, so only a rule that keeps them tells the two names apart) or minus one
brand word (25 % of names of three words), always with the same industry word. Five near
names are tried; when all are taken (the register refuses them) there is no sibling, so 3.3–
3.8 % of companies have one (86–103 siblings, 116–132 sibling pairs at 10,000 records). A
sibling has its own national id, economic code, phones, address, postal code, website and
contacts, and the same city 40 % of the time (a regional arm is elsewhere, a distributor often
in the same city). It is written once, by one source, and marked `sibling_of` (the entity
whose name it is near), so the benchmark counts how many such pairs a detector proposes.
Why 4 %: no statistic of near names in a customer base was found; it is a guess of the same
kind as the fill rates (a handful of holdings with two or three similarly named members in a
base of a few thousand firms), a minority of the hard negatives like the relatives (3 %) and
the firms in one building (2 %). Siblings are drawn after every other record, from a random
stream of their own, and appended at the end, so every other record, its index and every true
pair are what the generator wrote before them (checked on seeds 101/202/303 at 10,000 and
101/202 at 100,000); they add about 1 % records and no true pair.

`generate(count, seed)` returns records and the set of true duplicate pairs (by record index).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ckm.services.importing.parsing import CellProblem, parse_national_id

# Persian spelling, then Latin spellings (the first is the usual one); weights: how common.
FIRST = [
    line.split()
    for line in """\
محمد Mohammad Mohamad Muhammad
علی Ali Aly
حسین Hossein Hosein Hussein
رضا Reza Rezaa
مهدی Mahdi Mehdi
امیر Amir Ameer
سعید Saeed Saeid
حمید Hamid Hameed
مجید Majid Majeed
کاوه Kaveh Kave
بابک Babak
فرهاد Farhad
کیوان Keyvan Kayvan
یوسف Yousef Yusef
پیمان Peyman Payman
حسن Hassan Hasan
جواد Javad
مسعود Masoud Masood
بهروز Behrouz Behrooz
داوود Davoud Davood
محمدرضا Mohammadreza
علیرضا Alireza
امیرحسین Amirhossein
ابراهیم Ebrahim Ibrahim
اکبر Akbar
فاطمه Fatemeh Fatima
زهرا Zahra
مریم Maryam Mariam
سارا Sara Sarah
نرگس Narges
لیلا Leila Leyla
شیرین Shirin Shireen
نسرین Nasrin Nasreen
الهام Elham
مینا Mina Meena
پریسا Parisa
نازنین Nazanin
سمیرا Samira
کیمیا Kimia Kimiya
آزاده Azadeh Azade
معصومه Masoumeh Masoomeh
اعظم Azam
طاهره Tahereh
سپیده Sepideh
راضیه Raziyeh Razieh
""".splitlines()
]
FIRST_WEIGHTS = [8, 6, 5, 4, 4, 3, 3, 3, 3, 2] + [2] * 15 + [6, 6, 5, 3, 3] + [2] * 15
SURNAMES = [
    line.split()
    for line in """\
رحیمی Rahimi Rahimy
کریمی Karimi Karimy
احمدی Ahmadi Ahmady
حسینی Hosseini Hoseini
موسوی Mousavi Musavi Moosavi
رضایی Rezaei Rezaee Rezai
محمدی Mohammadi Mohamadi
جعفری Jafari Jafary
کاظمی Kazemi Kazemy
یزدانی Yazdani
نوری Nouri Noori
صادقی Sadeghi Sadeqi
قاسمی Ghasemi Qasemi
شریفی Sharifi
طاهری Taheri
نجفی Najafi
عباسی Abbasi Abasi
فرهادی Farhadi
سلیمانی Soleimani Soleymani
اکبری Akbari
باقری Bagheri Baqeri
مرادی Moradi
زارعی Zarei Zareei
ملکی Maleki
خسروی Khosravi
بهرامی Bahrami
کامرانی Kamrani
شجاعی Shojaei Shojaee
افشار Afshar
تهرانی Tehrani
میرزایی Mirzaei Mirzaee
دهقان Dehghan Dehqan
اصفهانی Esfahani Isfahani
شیرازی Shirazi
نیکنام Niknam
امینی Amini
ابراهیمی Ebrahimi
اسدی Asadi
بیگی Beigi
توکلی Tavakoli
جلالی Jalali
حیدری Heidari Heydari
خلیلی Khalili
رستمی Rostami
سبحانی Sobhani
صالحی Salehi
عزیزی Azizi
فتحی Fathi
قربانی Ghorbani Qorbani
کرمانی Kermani
منصوری Mansouri
نادری Naderi
هاشمی Hashemi
وحیدی Vahidi
یعقوبی Yaghoubi
""".splitlines()
]
# Iranian surnames are very often a name or place plus -zadeh, -pour, -nejad, -khani, -lou, -far.
STEMS = [
    line.split()
    for line in """\
حسین Hossein
علی Ali
رضا Reza
قلی Gholi
کریم Karim
حسن Hassan
جعفر Jafar
اکبر Akbar
محمد Mohammad
تقی Taghi
نقی Naghi
اسماعیل Esmaeil
ابراهیم Ebrahim
یوسف Yousef
عباس Abbas
مهدی Mahdi
امیر Amir
کاظم Kazem
صادق Sadegh
باقر Bagher
شاه Shah
ملک Malek
خان Khan
آقا Agha
میر Mir
نصر Nasr
فرج Faraj
نظر Nazar
حاجی Haji
ولی Vali
صفر Safar
رحمان Rahman
غلام Gholam
سلطان Soltan
بهرام Bahram
داوود Davoud
مراد Morad
حبیب Habib
""".splitlines()
]
SUFFIXES = [("زاده", "zadeh"), ("پور", "pour"), ("نژاد", "nejad"), ("خانی", "khani"), ("لو", "lou")]
ZWNJ = "\u200c"


def _surnames() -> list[tuple[str, ...]]:
    """Plain surnames plus stem + suffix compounds, Persian with a ZWNJ, Latin joined or spaced."""
    names: list[tuple[str, ...]] = [tuple(row) for row in SURNAMES]
    for persian, latin in STEMS:
        for suffix_fa, suffix_en in SUFFIXES:
            joiner = ZWNJ if persian[-1] not in "دذرزژوا" else ""
            names.append(
                (
                    persian + joiner + suffix_fa,
                    latin + suffix_en,
                    f"{latin} {suffix_en.capitalize()}",
                )
            )
    return names


LAST = _surnames()
COMPANY_WORDS = [
    line.split()
    for line in """\
فولاد Foolad
پارس Pars
آریا Arya
سپهر Sepehr
کیان Kian
نوین Novin
البرز Alborz
زاگرس Zagros
مبارکه Mobarakeh
کاشی Kashi
صنعت Sanat
تجارت Tejarat
پویا Pouya
رایان Rayan
آسیا Asia
ایران Iran
خزر Khazar
دنا Dena
سینا Sina
امید Omid
نیرو Niroo
گستر Gostar
ساز Saz
پخش Pakhsh
داده Dadeh
مهر Mehr
آرمان Arman
نگین Negin
ستاره Setareh
پیشرو Pishro
آفتاب Aftab
کوثر Kowsar
سپید Sepid
الماس Almas
فجر Fajr
بهمن Bahman
مهرگان Mehregan
پارسیان Parsian
آتیه Atieh
توس Toos
کارون Karoon
هامون Hamoon
سهند Sahand
دماوند Damavand
کوشا Kousha
آرین Arian
سامان Saman
روشن Roshan
بهین Behin
اطلس Atlas
آوا Ava
تابان Taban
پرتو Partow
آذر Azar
رهاورد Rahavard
سپاهان Sepahan
نیکان Nikan
آیریک Airik
مانا Mana
ژیوار Zhivar
""".splitlines()
]
INDUSTRY = [
    line.split()
    for line in """\
خودرو Khodro
سیمان Siman
دارو Darou
شیمی Shimi
نساجی Nasaji
لوله Looleh
الکتریک Electric
پلاستیک Plastic
غذا Ghaza
بتن Beton
کاغذ Kaghaz
چرم Charm
شیشه Shisheh
سازه Sazeh
ماشین Mashin
رنگ Rang
نفت Naft
ارتباط Ertebat
کشاورزی Keshavarzi
معدن Madan
فلز Felez
آلومینیوم Aluminium
تجهیز Tajhiz
ساختمان Sakhteman
لبنیات Labaniat
پوشاک Pooshak
مبلمان Mobleman
چاپ Chap
ابزار Abzar
نور Noor
""".splitlines()
]
CITIES = ["تهران", "اصفهان", "شیراز", "تبریز", "مشهد", "کرج", "قم", "اهواز", "رشت", "یزد"]
CITY_WEIGHTS = [30, 9, 7, 7, 9, 6, 4, 4, 3, 3]
STREETS = (
    "ولیعصر انقلاب آزادی شریعتی مطهری بهشتی طالقانی کارگر فاطمی جمهوری ستارخان پاسداران "
    "میرداماد ونک جردن نیاوران چهارباغ توحید کریمخان زند امام‌خمینی فردوسی سعدی حافظ "
    "مولوی بهار لاله نرگس گلستان"
).split()
ALLEYS = "لاله نسترن یاس شقایق اقاقیا مریم بنفشه سوم پنجم هفتم دوازدهم بیستم".split()
FREE = ["gmail.com", "yahoo.com", "outlook.com", "chmail.ir"]
HONORIFIC_FA = ["آقای", "خانم", "مهندس", "دکتر", "جناب آقای", "آقای مهندس", "خانم دکتر"]
HONORIFIC_EN = ["Mr", "Mrs", "Dr", "Eng."]
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

SOURCES = ("crm", "accounting", "sales")
SOURCE_SHARES = (45, 30, 25)
# Fill rate of each field per source, persons / companies (the table in the module docstring).
_FILL_TABLE = """\
field          crm        accounting  sales
phone          .85/.85    .65/.65     .90/.90
email          .55/.75    .15/.15     .10/.10
city           .80/.80    .95/.95     .50/.50
website        0/.40      0/.05       0/.05
address        .20/.20    .90/.90     0/0
postal_code    .10/.10    .85/.85     0/0
birth_date     .10/0      .05/0       0/0
national_id    .10/.10    .80/.90     0/0
economic_code  0/0        0/.60       0/0
"""


def _fill_rates() -> dict[str, dict[str, tuple[float, float]]]:
    header, *rows = (line.split() for line in _FILL_TABLE.splitlines())
    rates: dict[str, dict[str, tuple[float, float]]] = {source: {} for source in header[1:]}
    for field, *cells in rows:
        for source, cell in zip(header[1:], cells, strict=True):
            person, company = cell.split("/")
            rates[source][field] = (float(person), float(company))
    return rates


FILL = _fill_rates()


@dataclass(frozen=True)
class Record:
    entity: int
    kind: str
    source: str
    name: str
    phone: str | None
    email: str | None
    city: str | None
    postal_address: str | None = None
    postal_code: str | None = None
    birth_date: date | None = None
    website: str | None = None
    national_id: str | None = None
    economic_code: str | None = None
    # The contacts table rows this source holds for a company: (name, phone, email).
    contacts: tuple[tuple[str, str | None, str | None], ...] = ()
    # A near-name different firm: the entity whose name this one's is near (see the docstring).
    sibling_of: int | None = None

    def fields(self) -> dict[str, object]:
        """The keyword arguments of `ckm.services.duplicates.features.features`."""
        return {
            "kind": self.kind,
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "city": self.city,
            "national_id": self.national_id,
            "postal_code": self.postal_code,
            "postal_address": self.postal_address,
            "birth_date": self.birth_date,
            "website": self.website,
            "contact_phones": [phone for _, phone, _ in self.contacts if phone],
            "contact_emails": [email for _, _, email in self.contacts if email],
        }


@dataclass(frozen=True)
class Entity:
    """The truth about one customer, before any source writes it down."""

    id: int
    kind: str
    persian: str
    latin: tuple[str, ...]  # Latin spellings of the name
    first: tuple[str, ...]
    last: tuple[str, ...]
    mobile: str  # national number without the trunk 0
    office: str | None
    email: str | None
    city: str
    street: str
    alley: str
    plaque: int
    unit: int
    postal_code: str
    birth_date: date | None
    website: str | None
    national_id: str
    economic_code: str | None
    # A company's contact persons (persons: none): (Persian name, Latin name, mobile, email).
    # The first one's mobile is `mobile`.
    contacts: tuple[tuple[str, str, str, str | None], ...] = ()


def _phone_formats(digits: str, rng: random.Random) -> str:
    """digits = the national number without the trunk 0 ('912…' or '21…')."""
    forms = [
        f"0{digits}",
        f"0{digits}",
        f"0{digits[:3]} {digits[3:6]} {digits[6:]}",
        f"+98 {digits[:3]} {digits[3:6]} {digits[6:]}",
        f"0098{digits}",
        f"+98-{digits}",
        f"0{digits}".translate(PERSIAN_DIGITS),
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


def _zwnj_variant(text: str, rng: random.Random) -> str:
    if ZWNJ in text:
        return text.replace(ZWNJ, rng.choice([" ", ""]))
    for joined, split in (
        ("محمدرضا", "محمد رضا"),
        ("علیرضا", "علی رضا"),
        ("امیرحسین", "امیر حسین"),
    ):
        if joined in text:
            return text.replace(joined, rng.choice([split, joined.replace("رضا", ZWNJ + "رضا")]))
    return text


def _national_code(rng: random.Random) -> str:
    """A random کد ملی with a valid check digit."""
    body = f"{rng.randint(0, 999):03d}{rng.randint(0, 999999):06d}"
    total = sum(int(body[i]) * (10 - i) for i in range(9)) % 11
    return body + str(total if total < 2 else 11 - total)


def _legal_id(rng: random.Random) -> str:
    """A random شناسه ملی (starts 10, 14: registered companies) with a valid check digit."""
    body = rng.choice(["10", "14"]) + f"{rng.randint(0, 99999999):08d}"
    shift = int(body[9]) + 2
    weights = (29, 27, 23, 19, 17, 29, 27, 23, 19, 17)
    total = sum((int(body[i]) + shift) * weights[i] for i in range(10)) % 11
    return body + str(0 if total == 10 else total)


def _postal_code(rng: random.Random) -> str:
    # Iranian postal codes: 10 digits, no 0 or 2 in the first five.
    head = "".join(rng.choice("13456789") for _ in range(5))
    return head + f"{rng.randint(0, 99999):05d}"


class _Draw:
    """Unique identifiers and weighted choices for one data set."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def unique(self, make: object) -> str:
        while True:
            value = make()  # type: ignore[operator]
            if value not in self.used:
                self.used.add(value)
                return str(value)

    def mobile(self) -> str:
        rng = self.rng
        return self.unique(
            lambda: f"9{rng.choice('0123')}{rng.randint(0, 9)}{rng.randint(1000000, 9999999)}"
        )

    def office(self, city_index: int) -> str:
        area = ["21", "31", "71", "41", "51", "26", "25", "61", "13", "35"][city_index]
        rng = self.rng
        return self.unique(lambda: f"{area}{rng.randint(20000000, 99999999)}")


def _entity(ident: int, draw: _Draw) -> Entity:
    rng = draw.rng
    city_index = rng.choices(range(len(CITIES)), CITY_WEIGHTS)[0]
    street, alley = rng.choice(STREETS), rng.choice(ALLEYS)
    common = {
        "id": ident,
        "mobile": draw.mobile(),
        "city": CITIES[city_index],
        "street": street,
        "alley": alley,
        "plaque": rng.randint(1, 220),
        "unit": rng.randint(1, 12),
        "postal_code": draw.unique(lambda: _postal_code(rng)),
    }
    if rng.random() < 0.65:
        first = tuple(rng.choices(FIRST, FIRST_WEIGHTS)[0])
        last = tuple(rng.choice(LAST))
        email = None
        if rng.random() < 0.7:
            email = draw.unique(
                lambda: (
                    f"{first[1].lower()}.{last[1].lower().replace(' ', '')}"
                    f"{rng.choice(['', str(rng.randint(1, 99)), str(rng.randint(1960, 2003))])}"
                    f"@{rng.choice(FREE)}"
                )
            )
        born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 53 * 365))
        return Entity(
            kind="person",
            persian=f"{first[0]} {last[0]}",
            latin=tuple(f"{a} {b}" for a in first[1:] for b in last[1:]),
            first=first,
            last=last,
            office=None,
            email=email,
            birth_date=born,
            website=None,
            national_id=draw.unique(lambda: _national_code(rng)),
            economic_code=None,
            **common,  # type: ignore[arg-type]
        )
    # Two companies cannot register the same name in Iran: names are unique per entity. One
    # or two brand words and an industry word; a third brand word once those are mostly taken
    # (a big base), so that drawing a free name always ends.
    words: list[list[str]] = []
    tries = 0

    def company_name() -> str:
        nonlocal tries
        tries += 1
        brands = rng.choice([1, 2, 2]) if tries <= 20 else 3
        words[:] = [*rng.sample(COMPANY_WORDS, brands), rng.choice(INDUSTRY)]
        return " ".join(sorted(word[0] for word in words))

    draw.unique(company_name)
    stem = f"{words[0][1].lower()}{words[1][1].lower()}"
    domain = draw.unique(
        lambda: (
            stem
            + rng.choice(["", "co", "group", str(rng.randint(1, 99))])
            + rng.choice([".ir", ".ir", ".com", ".co.ir"])
        )
    )
    return Entity(
        kind="company",
        persian=" ".join(word[0] for word in words),
        latin=(" ".join(word[1] for word in words),),
        first=(),
        last=(),
        office=draw.office(city_index),
        email=f"{rng.choice(['info', 'sales', 'office', 'contact'])}@{domain}"
        if rng.random() < 0.8
        else None,
        birth_date=None,
        website=domain,
        national_id=draw.unique(lambda: _legal_id(rng)),
        economic_code=draw.unique(lambda: f"4{rng.randint(10**10, 10**11 - 1)}"),
        **common,  # type: ignore[arg-type]
    )


def _name(entity: Entity, source: str, rng: random.Random) -> str:
    """The name as this source writes it."""
    latin = source == "crm" and rng.random() < 0.35
    if entity.kind == "company":
        name = entity.latin[0] if latin else entity.persian
        if source == "accounting":
            name = f"شرکت {name} ({rng.choice(['سهامی خاص', 'سهامی عام', 'با مسئولیت محدود'])})"
        elif latin and rng.random() < 0.5:
            name = f"{name} {rng.choice(['Co.', 'Company', 'Group', 'Ltd'])}"
        elif not latin and rng.random() < 0.3:
            name = f"شرکت {name}"
    else:
        if latin:
            name = rng.choice(list(entity.latin[:1]) * 3 + list(entity.latin))
            if rng.random() < 0.15:  # "Rahimi, Ali" and "RAHIMI Ali" exports
                first, _, last = name.partition(" ")
                name = rng.choice([f"{last}, {first}", f"{last.upper()} {first}"])
        else:
            name = entity.persian
        if source == "sales" and rng.random() < 0.5:
            title = rng.choice(HONORIFIC_EN if latin else HONORIFIC_FA)
            name = f"{title} {name}"
        if not latin and rng.random() < 0.08:  # family name first, as on some forms
            name = f"{entity.last[0]} {entity.first[0]}"
    if not name.isascii():
        if rng.random() < 0.25:
            name = name.replace("ی", "ي").replace("ک", "ك")
        if rng.random() < 0.3:
            name = _zwnj_variant(name, rng)
    if rng.random() < 0.06:
        name = _typo(name, rng)
    return name


def _address(entity: Entity, rng: random.Random) -> str:
    """A Persian postal address as a person types it: abbreviations and digit forms vary."""
    street = rng.choice(["خیابان ", "خ ", "خ. ", ""]) + entity.street
    alley = rng.choice(["کوچه ", "ک ", "ک. "]) + entity.alley
    plaque = rng.choice(["پلاک ", "پ ", "پ. ", "پلاک "]) + str(entity.plaque)
    parts = [street, alley, plaque]
    if rng.random() < 0.7:
        parts.append(rng.choice(["واحد ", "طبقه ", "واحد "]) + str(entity.unit))
    if rng.random() < 0.5:
        parts.insert(0, entity.city)
    text = rng.choice(["، ", " - ", "، ", " "]).join(parts)
    return text.translate(PERSIAN_DIGITS) if rng.random() < 0.6 else text


def _record(entity: Entity, source: str, rng: random.Random) -> Record:
    fill = {
        field: rates[0 if entity.kind == "person" else 1] for field, rates in FILL[source].items()
    }

    def has(field: str) -> bool:
        return rng.random() < fill[field]

    phone = None
    if has("phone"):
        number = entity.mobile
        if entity.kind == "company" and source != "sales" and entity.office and rng.random() < 0.8:
            number = entity.office
        phone = _phone_formats(number, rng)
    email = entity.email if has("email") else None
    if email and rng.random() < 0.12:
        email = _email_typo(email, rng)
    if email and rng.random() < 0.1:
        email = email.upper()
    postal_code = None
    if has("postal_code"):
        code = entity.postal_code
        code = rng.choice([code, code, f"{code[:5]}-{code[5:]}"])
        postal_code = code.translate(PERSIAN_DIGITS) if rng.random() < 0.3 else code
    national_id = None
    if has("national_id"):
        raw = entity.national_id
        raw = rng.choice([raw, raw, raw, f"{raw[:3]}-{raw[3:9]}-{raw[9:]}", raw.lstrip("0") or raw])
        if rng.random() < 0.3:
            raw = raw.translate(PERSIAN_DIGITS)
        if rng.random() < 0.01:
            raw = _typo(raw, rng)  # a slip: the importer's check digit refuses most
        try:
            national_id = parse_national_id(raw, kind=entity.kind, country=None)
        except CellProblem:
            national_id = None
    birth = entity.birth_date if entity.birth_date and has("birth_date") else None
    if birth and birth.day <= 12 and rng.random() < 0.03:
        birth = date(birth.year, birth.day, birth.month)
    website = None
    if entity.website and has("website"):
        website = (
            rng.choice(["", "www.", "http://", "https://www."])
            + entity.website
            + rng.choice(["", "/"])
        )
    return Record(
        entity=entity.id,
        kind=entity.kind,
        source=source,
        name=_name(entity, source, rng),
        phone=phone,
        email=email,
        city=entity.city if has("city") else None,
        postal_address=_address(entity, rng) if has("address") else None,
        postal_code=postal_code,
        birth_date=birth,
        website=website,
        national_id=national_id,
        economic_code=entity.economic_code
        if entity.economic_code and has("economic_code")
        else None,
    )


# Share of a company's records from each source that carry its contacts table (name, mobile,
# email of the people the firm deals through). A CRM is organised around accounts and their
# contacts (a deal needs a person to call); accounting keeps at most the person its invoices go
# to; a sales sheet is one row per customer, its phone being the contact's mobile.
CONTACT_FILL = {"crm": 0.70, "accounting": 0.20, "sales": 0.0}


def _with_contacts(entity: Entity, side: random.Random, used: set[str]) -> Entity:
    """A company's one to three contact persons, drawn from the side stream. The first is the
    one whose mobile the entity already carries (the sales sheets' number); the others get
    mobiles of the 099x ranges, which the main stream never draws (so no number is shared by
    two customers by chance). Emails at the company's domain, a personal free-mail box, or none.
    """
    if entity.kind != "company":
        return entity
    people: list[tuple[str, str, str, str | None]] = []
    for position in range(side.choice([1, 1, 2, 2, 3])):
        first = side.choices(FIRST, FIRST_WEIGHTS)[0]
        last = side.choice(LAST)
        mobile = entity.mobile
        while position and (mobile == entity.mobile or mobile in used):
            mobile = f"99{side.randint(0, 4)}{side.randint(1000000, 9999999)}"
        used.add(mobile)
        surname = last[1].lower().replace(" ", "")
        roll = side.random()
        email: str | None = None
        if roll < 0.5 and entity.website:
            email = f"{first[1][0].lower()}.{surname}@{entity.website}"
        elif roll < 0.8:
            # No dot and three digits: never a mailbox the main stream gives a person customer.
            email = f"{first[1].lower()}{surname}{side.randint(100, 999)}@{side.choice(FREE)}"
        if email in used:
            email = None
        elif email:
            used.add(email)
        people.append((f"{first[0]} {last[0]}", f"{first[1]} {last[1]}", mobile, email))
    return replace(entity, contacts=tuple(people))


def _with_contact_rows(record: Record, entity: Entity, side: random.Random) -> Record:
    """The record as its source holds the company's contacts: the contacts table rows (CRM,
    accounting), or for a sales sheet the contact the rep deals with (the primary one, or
    another one a fifth of the time): that person's mobile and, when the sheet has an email,
    that person's email rather than the firm's general mailbox."""
    if not entity.contacts:
        return record
    if record.source == "sales":
        person = entity.contacts[0]
        if len(entity.contacts) > 1 and side.random() < 0.2:
            person = side.choice(entity.contacts[1:])
        phone = record.phone
        if phone and person is not entity.contacts[0]:
            phone = _phone_formats(person[2], side)
        email = (person[3] or record.email) if record.email else None
        return replace(record, phone=phone, email=email)
    if side.random() >= CONTACT_FILL[record.source]:
        return record
    carried = entity.contacts[:1] if record.source == "accounting" else entity.contacts
    phone_fill, email_fill = (0.85, 0.6) if record.source == "crm" else (0.7, 0.3)
    rows = []
    for position, (persian, latin, mobile, email) in enumerate(carried):
        if position and side.random() >= 0.6:
            continue  # the CRM does not know every person at the firm
        name = latin if side.random() < 0.35 else persian
        phone = _phone_formats(mobile, side) if side.random() < phone_fill else None
        mail = email if email and side.random() < email_fill else None
        if mail and side.random() < 0.1:
            mail = mail.upper()
        rows.append((name, phone, mail))
    return replace(record, contacts=tuple(rows))


def _moved(entity: Entity, draw: _Draw) -> Entity:
    """The same customer after a move: new address and postal code, often a new city."""
    rng = draw.rng
    city = rng.choices(CITIES, CITY_WEIGHTS)[0] if rng.random() < 0.5 else entity.city
    return replace(
        entity,
        city=city,
        street=rng.choice(STREETS),
        alley=rng.choice(ALLEYS),
        plaque=rng.randint(1, 220),
        postal_code=draw.unique(lambda: _postal_code(rng)),
    )


def _neighbour(entity: Entity, ident: int, draw: _Draw, *, relative: bool) -> Entity:
    """Another customer at the same place: a relative at home, or a firm in the same building."""
    rng = draw.rng
    other = _entity(ident, draw)
    if relative and entity.kind == "person" and other.kind == "person":
        other = replace(
            other,
            last=entity.last,
            persian=f"{other.first[0]} {entity.last[0]}",
            latin=tuple(f"{a} {b}" for a in other.first[1:] for b in entity.last[1:]),
        )
        unit, code = entity.unit, entity.postal_code
    else:
        unit = entity.unit % 12 + 1
        code = draw.unique(lambda: entity.postal_code[:8] + f"{rng.randint(0, 99):02d}")
    return replace(
        other,
        city=entity.city,
        street=entity.street,
        alley=entity.alley,
        plaque=entity.plaque,
        unit=unit,
        postal_code=code,
    )


# Near-name firms (the module docstring): share of companies with one, and the words that make
# a sibling's name (Persian, Latin).
SIBLING_SHARE = 0.04
SIBLING_END = [
    line.split()
    for line in """\
شرق Shargh
غرب Gharb
شمال Shomal
جنوب Jonoub
مرکزی Markazi
خراسان Khorasan
پارس Pars
گستر Gostar
تجارت Tejarat
پخش Pakhsh
نوین Novin
صنعت Sanat
""".splitlines()
]
SIBLING_FRONT = [["بازرگانی", "Bazargani"], ["صنایع", "Sanaye"]]


def _sibling_words(entity: Entity, rng: random.Random) -> list[tuple[str, str]]:
    """The words of a near name: the entity's plus or minus one word, the industry word kept."""
    words = list(zip(entity.persian.split(), entity.latin[0].split(), strict=True))
    roll = rng.random()
    if roll < 0.25 and len(words) >= 3:
        del words[rng.randrange(len(words) - 1)]  # a brand word, never the industry word
    elif 0.25 <= roll < 0.40:
        front = rng.choice(SIBLING_FRONT)
        words.insert(0, (front[0], front[1]))
    else:
        end = rng.choice([row for row in SIBLING_END if row[0] not in entity.persian.split()])
        words.append((end[0], end[1]))
    return words


def _sibling(entity: Entity, ident: int, draw: _Draw) -> Entity | None:
    """A different firm whose name is near the entity's (None when five near names tried are
    all taken: the register refuses a name already taken)."""
    rng = draw.rng
    for _ in range(5):
        words = _sibling_words(entity, rng)
        registered = " ".join(sorted(word for word, _ in words))
        if registered not in draw.used:
            break
    else:
        return None
    draw.used.add(registered)
    city_index = (
        CITIES.index(entity.city)
        if rng.random() < 0.4
        else rng.choices(range(len(CITIES)), CITY_WEIGHTS)[0]
    )
    stem = "".join(latin.lower() for _, latin in words[:3])
    domain = draw.unique(lambda: stem + rng.choice(["", "co", str(rng.randint(1, 99))]) + ".ir")
    return Entity(
        id=ident,
        kind="company",
        persian=" ".join(word for word, _ in words),
        latin=(" ".join(latin for _, latin in words),),
        first=(),
        last=(),
        mobile=draw.mobile(),
        office=draw.office(city_index),
        email=f"{rng.choice(['info', 'sales', 'office'])}@{domain}" if rng.random() < 0.8 else None,
        city=CITIES[city_index],
        street=rng.choice(STREETS),
        alley=rng.choice(ALLEYS),
        plaque=rng.randint(1, 220),
        unit=rng.randint(1, 12),
        postal_code=draw.unique(lambda: _postal_code(rng)),
        birth_date=None,
        website=domain,
        national_id=draw.unique(lambda: _legal_id(rng)),
        economic_code=draw.unique(lambda: f"4{rng.randint(10**10, 10**11 - 1)}"),
    )


def _siblings(
    companies: list[Entity], ident: int, draw: _Draw, seed: int, used: set[str]
) -> list[Record]:
    """One record of each near-name firm, drawn after all other records from a stream of their
    own (`draw.used` then holds every name, phone and id the other records use)."""
    rng = random.Random(seed * 1000 + 11)  # noqa: S311 - reproducible test data
    own = _Draw(rng)
    own.used = draw.used
    out: list[Record] = []
    for entity in companies:
        if rng.random() >= SIBLING_SHARE:
            continue
        ident += 1
        sibling = _sibling(entity, ident, own)
        if sibling is None:
            continue
        sibling = _with_contacts(sibling, rng, used)
        source = rng.choices(SOURCES, SOURCE_SHARES)[0]
        record = _with_contact_rows(_record(sibling, source, rng), sibling, rng)
        out.append(replace(record, sibling_of=entity.id))
    return out


def generate(
    count: int, seed: int, dup_share: float = 0.25
) -> tuple[list[Record], set[tuple[int, int]]]:
    """About `count` records, then the near-name firms' records (about 1 % more); returns
    (records, true duplicate pairs as sorted index pairs)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    draw = _Draw(rng)
    # Contacts come from a stream of their own: every other field of every record is drawn
    # exactly as before contacts existed, so data sets with and without them compare.
    side = random.Random(seed * 1000 + 7)  # noqa: S311
    side_used: set[str] = set()
    records: list[Record] = []

    def source() -> str:
        return rng.choices(SOURCES, SOURCE_SHARES)[0]

    ident = 0
    companies: list[Entity] = []
    while len(records) < count:
        ident += 1
        entity = _with_contacts(_entity(ident, draw), side, side_used)
        if entity.kind == "company":
            companies.append(entity)

        def written(now: Entity) -> Record:
            return _with_contact_rows(_record(now, source(), rng), now, side)

        records.append(written(entity))
        share = 0.03 if entity.kind == "person" else 0.02
        if rng.random() < share:
            ident += 1
            other = _neighbour(entity, ident, draw, relative=entity.kind == "person")
            records.append(written(_with_contacts(other, side, side_used)))
        if rng.random() >= dup_share:
            continue
        for _ in range(rng.choice([1, 1, 1, 2])):
            now = _moved(entity, draw) if rng.random() < 0.12 else entity
            records.append(written(now))
    # Near-name different firms, after everything else (they change no record drawn above).
    records += _siblings(companies, ident, draw, seed, side_used)
    pairs: set[tuple[int, int]] = set()
    by_entity: dict[int, list[int]] = {}
    for index, record in enumerate(records):
        by_entity.setdefault(record.entity, []).append(index)
    for members in by_entity.values():
        for position, low in enumerate(members):
            for high in members[position + 1 :]:
                pairs.add((low, high))
    return records, pairs


def collision_share(records: list[Record]) -> float:
    """Share of person records whose normalised name another entity also carries."""
    from ckm.services.duplicates.features import features

    owners: dict[str, set[int]] = {}
    keys = []
    for index, record in enumerate(records):
        if record.kind != "person":
            continue
        key = features(index, kind=record.kind, name=record.name, phone=None, email=None, city=None)
        keys.append((key.name_sorted, record.entity))
        owners.setdefault(key.name_sorted, set()).add(record.entity)
    shared = Counter(len(owners[name]) > 1 for name, _ in keys)
    return shared[True] / max(1, len(keys))
