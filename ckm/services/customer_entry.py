"""Adding by hand: a customer, a contact or an order, with "this looks like …" hints.

Duplicates are cheapest to avoid where they are born: while a person types a name, email or
phone, `similar_customers` proposes existing customers, so the person can open that one
instead (or add the new one anyway, deliberately). Candidates come from indexes only, never
a scan: the same email or phone (exact, indexed; values are stored cleaned), and names from the
customer search index — every typed word (titles such as «شرکت», "Co." left out) or a word
with the same transliteration sound key (رحیمی = Rahimi), as a prefix. Those few are then
scored with rapidfuzz after CKM's Persian normalisation (letter forms, ZWNJ, digits) in any
word order. Validation is the same as for edits (`customers`) and imports
(`importing.parsing`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from ckm.models import Contact, Customer, CustomerKind, Order, Role
from ckm.services import audit, search
from ckm.services.customers.cleaning import clean_change, clean_phone
from ckm.services.customers.edits import add_customer_record
from ckm.services.customers.rules import get_live_customer, live_customer
from ckm.services.duplicates.features import name_words
from ckm.services.errors import ValidationFailed
from ckm.services.importing.parsing import CellProblem, parse_amount, parse_national_id
from ckm.services.permissions import Actor, require
from ckm.services.privacy.blocklist import check_not_blocked
from ckm.services.search.candidates import CandidateIndex
from ckm.services.search.query import parse_query
from ckm.services.search.transliteration import name_key
from ckm.services.validation import clean_email

NAME_SIMILARITY = 85
MAX_HINTS = 5
# Name candidates read from the index per lookup (then scored in Python).
NAME_CANDIDATES = 40
_BASIC = ("name", "kind", "email", "phone", "city", "region", "country", "industry", "external_id")
_EXTRA_TEXT = {"postal_address": 500, "postal_code": 20, "website": 200, "economic_code": 32}


@dataclass(frozen=True)
class SimilarCustomer:
    """An existing customer that the one being typed may be.

    `reason`: "email" or "phone" (the same), "name" (the same name after normalising, titles
    and word order aside), "name_sound" (the same name in the other script) or "name_alike"
    (`percent` alike).
    """

    id: int
    name: str
    external_id: str | None
    reason: str
    percent: int = 100


def _quiet(clean: Callable[[object], str | None], value: str) -> str | None:
    """`clean(value)`, or None when the value does not pass (a hint only, never an error)."""
    try:
        return clean(value)
    except ValidationFailed:
        return None


def _sound(words: list[str]) -> str:
    return " ".join(sorted(key for key in (name_key(word) for word in words) if key))


def _score(typed: list[str], rows: list[tuple[int, str, str | None]]) -> list[SimilarCustomer]:
    """The rows whose name is like the typed words, the most alike first."""
    wanted, wanted_sound = " ".join(typed), _sound(typed)
    scored: list[tuple[int, int, SimilarCustomer]] = []
    for customer_id, name, external_id in rows:
        words = name_words(name)
        percent = round(fuzz.token_sort_ratio(wanted, " ".join(words)))
        if percent >= 100:
            reason = "name"
        elif percent >= NAME_SIMILARITY:
            reason = "name_alike"
        elif wanted_sound and _sound(words) == wanted_sound:
            # Spelled apart but pronounced alike, typically the other script.
            reason, percent = "name_sound", NAME_SIMILARITY
        else:
            continue
        hint = SimilarCustomer(customer_id, name, external_id, reason, percent)
        scored.append((-percent, customer_id, hint))
    return [hint for _, _, hint in sorted(scored)]


def _name_hints(session: Session, name: str) -> list[SimilarCustomer]:
    """Live customers whose name is like `name`, the most alike first.

    Stage 1: the index's documents holding every typed word, or a word with its sound key,
    as a prefix. Stage 2, only when stage 1 proposes nobody: the same with typo corrections
    and nearly-sounding names (the customer search's own correction step).
    """
    typed = name_words(name)
    parsed = parse_query(" ".join(typed))
    if parsed is None or len("".join(typed)) < 3:
        return []
    index = CandidateIndex(session, None)
    sounds = index.sounds(parsed.sound_words)
    expanded = {word: list(alike) for word, alike in sounds.items()}
    hints = _score(
        typed, _live_rows(session, index.words(parsed.full_text(expanded), NAME_CANDIDATES))
    )
    if hints:
        return hints
    corrections, near_sounds = index.near(parsed.typo_words, parsed.sound_words)
    if not corrections and not near_sounds:
        return []
    nearly = {word: list(alike) for word, alike in near_sounds.items()}
    candidates = index.words(parsed.full_text(expanded, corrections, nearly), NAME_CANDIDATES)
    return _score(typed, _live_rows(session, candidates))


def _live_rows(
    session: Session, candidates: list[tuple[int, str]]
) -> list[tuple[int, str, str | None]]:
    if not candidates:
        return []
    rows = session.execute(
        select(Customer.id, Customer.name, Customer.external_id).where(
            Customer.id.in_([customer_id for customer_id, _ in candidates]), live_customer()
        )
    )
    return [(row.id, row.name, row.external_id) for row in rows]


def similar_customers(
    session: Session, *, name: str = "", email: str = "", phone: str = ""
) -> list[SimilarCustomer]:
    """Live customers that look like the one being typed, the most certain first: the same
    email, the same phone, then names by how alike they are."""
    found: dict[int, SimilarCustomer] = {}
    for reason, column, value in (
        ("email", Customer.email, _quiet(clean_email, email)),
        ("phone", Customer.phone, _quiet(clean_phone, phone)),
    ):
        if value:
            for row in session.execute(
                select(Customer.id, Customer.name, Customer.external_id)
                .where(column == value, live_customer())
                .order_by(Customer.id)
                .limit(MAX_HINTS)
            ):
                found.setdefault(row.id, SimilarCustomer(row.id, row.name, row.external_id, reason))
    if name and len(found) < MAX_HINTS:
        for hint in _name_hints(session, name):
            found.setdefault(hint.id, hint)
    return list(found.values())[:MAX_HINTS]


def _text(fields: Mapping[str, object], name: str, maximum: int) -> str | None:
    value = fields.get(name)
    text = str(value).strip() if value is not None else ""
    if len(text) > maximum:
        raise ValidationFailed(f"error.{name}_invalid", field=name, value=text[:80])
    return text or None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def create_customer(session: Session, *, actor: Actor, fields: Mapping[str, object]) -> int:
    """Add a customer typed by hand (editors and admins); returns its id."""
    require(actor, Role.EDITOR)
    values = {
        name: clean_change(session, name, fields.get(name)) for name in _BASIC if name != "kind"
    }
    values["kind"] = clean_change(session, "kind", fields.get("kind") or CustomerKind.COMPANY.value)
    # An erased person does not come back by being typed in again.
    check_not_blocked(session, email=_str(values.get("email")), phone=_str(values.get("phone")))
    if values.get("external_id"):
        taken = session.scalar(
            select(Customer.id).where(Customer.external_id == values["external_id"])
        )
        if taken is not None:
            raise ValidationFailed(
                "error.external_id_taken", field="external_id", value=values["external_id"]
            )
    for name, maximum in _EXTRA_TEXT.items():
        values[name] = _text(fields, name, maximum)
    birth = fields.get("birth_date")
    if birth is not None and not isinstance(birth, date):
        raise ValidationFailed("error.birth_date_invalid", field="birth_date", value=str(birth))
    if birth is not None and birth > date.today():
        raise ValidationFailed("error.birth_date_invalid", field="birth_date", value=str(birth))
    values["birth_date"] = birth
    # The cleaned country is text or None; the check narrows `object` for the parser.
    country = values.get("country")
    try:
        values["national_id"] = parse_national_id(
            fields.get("national_id"),
            kind=str(values["kind"]),
            country=country if isinstance(country, str) else None,
        )
    except CellProblem as problem:
        raise ValidationFailed(
            "error.national_id_invalid",
            field="national_id",
            value=str(problem.values.get("value", "")),
        ) from None
    customer = Customer(
        **values, source="manual", created_by=actor.username, updated_by=actor.username
    )
    session.add(customer)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="customer_created",
        target=f"customer:{customer.id}",
        details={"name": customer.name},
    )
    search.index_customers(session, [customer.id])
    return customer.id


def add_contact(
    session: Session,
    *,
    actor: Actor,
    customer_id: int,
    name: str,
    title: str = "",
    email: str = "",
    phone: str = "",
    is_primary: bool = False,
) -> int:
    """Add a person at a customer (editors and admins); returns the contact id."""
    require(actor, Role.EDITOR)
    get_live_customer(session, customer_id)
    clean_name = clean_change(session, "name", name)
    contact_email, contact_phone = clean_email(email), clean_phone(phone or None)
    check_not_blocked(session, email=contact_email, phone=contact_phone)
    contact = Contact(
        customer_id=customer_id,
        name=clean_name,
        title=_text({"title": title}, "title", 120),
        email=contact_email,
        phone=contact_phone,
        is_primary=bool(is_primary),
    )
    return add_customer_record(session, contact, actor=actor, action="contact_added")


def add_order(
    session: Session,
    *,
    actor: Actor,
    customer_id: int,
    ordered_on: date,
    amount: str,
    currency: str,
    product: str = "",
    category: str = "",
) -> int:
    """Add an order typed by hand (editors and admins). `amount` may carry Persian digits,
    separators and ریال/تومان; تومان is stored as ریال ×10 like in imports."""
    require(actor, Role.EDITOR)
    get_live_customer(session, customer_id)
    if not isinstance(ordered_on, date) or ordered_on > date.today():
        raise ValidationFailed(
            "error.ordered_on_invalid", field="ordered_on", value=str(ordered_on)
        )
    try:
        parsed = parse_amount(amount, currency or None)
    except CellProblem:
        parsed = None
    if parsed is None or abs(parsed[0]) >= Decimal("1e12"):
        raise ValidationFailed("error.amount_invalid", field="amount", value=str(amount))
    value, code, _toman = parsed
    order = Order(
        customer_id=customer_id,
        ordered_on=ordered_on,
        amount=value.quantize(Decimal("0.01")),
        currency=code,
        product=_text({"product": product}, "product", 120),
        category=_text({"category": category}, "category", 80),
        source="manual",
    )
    return add_customer_record(
        session, order, actor=actor, action="order_added", refresh_totals=True
    )
