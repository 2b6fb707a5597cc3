"""What each kind of import can fill, and which file headers probably mean which field."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ckm.i18n import translate
from ckm.text import normalise


class Kind(enum.StrEnum):
    CUSTOMERS = "customers"
    CONTACTS = "contacts"
    ORDERS = "orders"
    TOUCHPOINTS = "touchpoints"


CUSTOM_PREFIX = "custom:"
IGNORE = ""


@dataclass(frozen=True)
class FieldSpec:
    """One target field: its parser (by name), whether a row needs it, and its size limit."""

    name: str
    parser: str
    required: bool = False
    maximum: int = 200


_CUSTOMER_FIELDS = (
    FieldSpec("external_id", "text", maximum=64),
    FieldSpec("name", "text", required=True, maximum=200),
    FieldSpec("kind", "customer_kind"),
    FieldSpec("email", "email"),
    FieldSpec("phone", "phone"),
    FieldSpec("city", "text", maximum=100),
    FieldSpec("region", "text", maximum=100),
    FieldSpec("country", "text", maximum=100),
    FieldSpec("industry", "text", maximum=100),
    FieldSpec("segment", "text", maximum=60),
    FieldSpec("tags", "tags", maximum=1000),
    FieldSpec("postal_address", "text", maximum=500),
    FieldSpec("postal_code", "postal_code", maximum=20),
    FieldSpec("birth_date", "date"),
    FieldSpec("website", "text", maximum=200),
    FieldSpec("national_id", "national_id"),
    FieldSpec("economic_code", "economic_code"),
)
_CUSTOMER_REF = FieldSpec("customer_ref", "customer_ref", required=True, maximum=254)
FIELDS: dict[Kind, tuple[FieldSpec, ...]] = {
    Kind.CUSTOMERS: _CUSTOMER_FIELDS,
    Kind.CONTACTS: (
        _CUSTOMER_REF,
        FieldSpec("name", "text", required=True, maximum=200),
        FieldSpec("title", "text", maximum=120),
        FieldSpec("email", "email"),
        FieldSpec("phone", "phone"),
        FieldSpec("is_primary", "bool"),
    ),
    Kind.ORDERS: (
        _CUSTOMER_REF,
        FieldSpec("external_id", "text", maximum=64),
        FieldSpec("ordered_on", "date", required=True),
        FieldSpec("amount", "amount", required=True),
        FieldSpec("currency", "currency"),
        FieldSpec("product", "text", maximum=120),
        FieldSpec("category", "text", maximum=80),
        FieldSpec("channel", "text", maximum=32),
    ),
    Kind.TOUCHPOINTS: (
        _CUSTOMER_REF,
        FieldSpec("occurred_at", "datetime", required=True),
        FieldSpec("channel", "channel", required=True),
        FieldSpec("experience_kind", "experience_kind"),
        FieldSpec("sentiment", "sentiment"),
        FieldSpec("is_complaint", "bool"),
        FieldSpec("summary", "text", required=True, maximum=4000),
    ),
}
# Fields that can identify an existing customer in a customers file, in order of trust.
CUSTOMER_KEYS = ("external_id", "national_id", "email", "phone")


def spec(kind: Kind, name: str) -> FieldSpec:
    for field in FIELDS[kind]:
        if field.name == name:
            return field
    raise KeyError(name)


# Header spellings seen in CRM, accounting and hand-made exports (compared after `normalise`).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": (
        "id",
        "external id",
        "customer id",
        "customer code",
        "code",
        "crm id",
        "account id",
        "کد مشتری",
        "شناسه مشتری",
        "کد",
        "شناسه",
        "شماره مشتری",
        "کد حساب",
    ),
    "customer_ref": (
        "customer id",
        "customer code",
        "customer",
        "customer email",
        "customer phone",
        "account",
        "account id",
        "کد مشتری",
        "شناسه مشتری",
        "مشتری",
        "شماره مشتری",
        "نام مشتری",
        "کد حساب",
        "طرف حساب",
    ),
    "name": (
        "name",
        "customer name",
        "company",
        "company name",
        "full name",
        "account name",
        "contact name",
        "نام",
        "نام مشتری",
        "نام شرکت",
        "نام و نام خانوادگی",
        "شرکت",
        "نام کامل",
        "عنوان",
    ),
    "kind": ("type", "kind", "customer type", "نوع", "نوع مشتری", "حقیقی/حقوقی"),
    "email": ("email", "e-mail", "mail", "email address", "ایمیل", "پست الکترونیک", "رایانامه"),
    "phone": (
        "phone",
        "telephone",
        "tel",
        "mobile",
        "cell",
        "phone number",
        "تلفن",
        "موبایل",
        "همراه",
        "شماره تماس",
        "شماره تلفن",
        "تلفن همراه",
        "شماره همراه",
    ),
    "city": ("city", "town", "شهر"),
    "region": ("region", "state", "province", "استان", "منطقه"),
    "country": ("country", "کشور"),
    "industry": ("industry", "sector", "صنعت", "حوزه فعالیت", "زمینه فعالیت"),
    "segment": ("segment", "بخش بازار", "گروه مشتری"),
    "tags": ("tags", "labels", "برچسب", "برچسب ها"),
    "postal_address": ("address", "postal address", "street", "آدرس", "نشانی", "ادرس"),
    "postal_code": ("postal code", "zip", "zip code", "postcode", "کد پستی"),
    "birth_date": ("birth date", "date of birth", "birthday", "dob", "تاریخ تولد"),
    "website": ("website", "web", "site", "domain", "url", "وب سایت", "سایت", "وبسایت"),
    "national_id": (
        "national id",
        "national code",
        "vat id",
        "کد ملی",
        "شناسه ملی",
        "شماره ملی",
    ),
    "economic_code": ("economic code", "tax id", "کد اقتصادی"),
    "title": ("title", "job title", "position", "role", "سمت", "عنوان شغلی"),
    "is_primary": ("primary", "is primary", "main contact", "اصلی", "رابط اصلی"),
    "ordered_on": (
        "date",
        "order date",
        "ordered on",
        "invoice date",
        "تاریخ",
        "تاریخ سفارش",
        "تاریخ فاکتور",
        "تاریخ خرید",
    ),
    "amount": (
        "amount",
        "total",
        "price",
        "value",
        "sum",
        "مبلغ",
        "مبلغ کل",
        "جمع",
        "مبلغ فاکتور",
        "قیمت",
        "جمع کل",
    ),
    "currency": ("currency", "واحد پول", "ارز"),
    "product": ("product", "item", "sku", "کالا", "محصول", "نام کالا", "شرح کالا"),
    "category": ("category", "group", "product group", "دسته", "گروه کالا", "دسته بندی"),
    "channel": ("channel", "source", "کانال", "روش تماس", "مجرای فروش"),
    "occurred_at": ("date", "time", "when", "occurred at", "تاریخ", "زمان", "تاریخ تماس"),
    "experience_kind": ("experience", "experience kind", "نوع تجربه"),
    "sentiment": ("sentiment", "mood", "feeling", "حس", "احساس", "رضایت"),
    "is_complaint": ("complaint", "is complaint", "شکایت"),
    "summary": (
        "summary",
        "notes",
        "note",
        "description",
        "subject",
        "خلاصه",
        "شرح",
        "توضیحات",
        "یادداشت",
        "موضوع",
    ),
}
# Order ids in an orders file are order numbers, not customer codes.
_ORDER_ID_SYNONYMS = (
    "order id",
    "order number",
    "invoice",
    "invoice number",
    "شماره سفارش",
    "کد سفارش",
    "شماره فاکتور",
)
_FUZZY_CUTOFF = 88


def _vocabulary(kind: Kind) -> dict[str, str]:
    """Normalised header spelling → field name, for the fields of `kind` (first wins)."""
    names = [field.name for field in FIELDS[kind]]
    words: dict[str, str] = {}
    if kind is Kind.ORDERS:
        for synonym in ("external id", *_ORDER_ID_SYNONYMS):
            words.setdefault(normalise(synonym), "external_id")
    for name in names:
        if name == "external_id" and kind is not Kind.CUSTOMERS:
            continue
        for synonym in (name.replace("_", " "), *_SYNONYMS.get(name, ())):
            words.setdefault(normalise(synonym), name)
    return words


def suggest_mapping(kind: Kind, headers: list[str]) -> dict[str, str]:
    """A suggested target for each header: a field name, `custom:<header>` or "" (ignore).

    Exact matches (after CKM's normalisation, so ي/ی, ZWNJ and case do not matter) first, then
    close spellings; a field is suggested for one header only. In a customers file, unknown
    columns become custom fields so nothing in the file is thrown away.
    """
    vocabulary = _vocabulary(kind)
    added_by_ckm = {
        normalise(translate(f"import.errors.{name}", language))
        for name in ("line", "column", "problem")
        for language in ("en", "fa")
    }
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    pending: list[str] = []
    for header in headers:
        if normalise(header) in added_by_ckm:
            # The columns CKM's error file adds: the next import must not take them for data.
            mapping[header] = IGNORE
            continue
        target = vocabulary.get(normalise(header).replace("_", " "))
        if target and target not in taken:
            mapping[header] = target
            taken.add(target)
        else:
            pending.append(header)
    for header in pending:
        if header in mapping:
            continue
        best = process.extractOne(
            normalise(header), list(vocabulary), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF
        )
        target = vocabulary[best[0]] if best else None
        if target and target not in taken:
            mapping[header] = target
            taken.add(target)
        elif kind is Kind.CUSTOMERS and header.strip():
            mapping[header] = CUSTOM_PREFIX + header.strip()[:80]
        else:
            mapping[header] = IGNORE
    return {header: mapping[header] for header in headers}
