"""Adding by hand, as components the Customers page and the profile call: a customer (with
"this looks like …" hints while typing), a contact and an order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st
from sqlalchemy.orm import Session

from ckm.models import CustomerKind, Role
from ckm.services import customer_entry
from ckm.services.permissions import Actor
from ckm.ui.flash import flash, show_flashes
from ckm.ui.glossary import DATE_FORMAT, date_help
from ckm.ui.i18n import number, plain, t
from ckm.ui.import_steps import labeller
from ckm.ui.profile_link import profile_link
from ckm.ui.profile_tabs import open_tab
from ckm.ui.resources import get_store
from ckm.ui.writes import write

_KEY = "ckm_new_customer"
NEW_CUSTOMER = "customer_forms_new"
"""Where "Customer added" is shown: above the panel that adds one."""
ADDED = "customer_forms_added"
"""Where a saved contact or order is confirmed: above the profile's adding tabs."""


def add_tabs_key(customer_id: int) -> str:
    """The state key of the profile's adding tabs (the open tab's label): one per customer,
    so the tab opened for one customer is not drawn on every next profile."""
    return f"ckm_profile_add_tab_{customer_id}"


CURRENCIES = ["IRR", "TOMAN", "USD", "EUR", "AED", "GBP"]


def _hint_text(match: customer_entry.SimilarCustomer) -> str:
    """ "This looks like «name» (code) — why", in the reader's language."""
    name, code = plain(match.name), plain(match.external_id) or t("entry.no_code")
    if match.reason == "name_sound":
        return t("entry.looks_like_sound", name=name, code=code)
    if match.reason == "name_alike":
        return t("entry.looks_like_alike", name=name, code=code, percent=number(match.percent))
    return t("entry.looks_like", name=name, code=code, reason=t(f"entry.reason.{match.reason}"))


def _hints(name: str, email: str, phone: str) -> bool:
    """Existing customers the typed one may be, each with a link; True when there are any."""
    with get_store().read() as session:
        similar = customer_entry.similar_customers(session, name=name, email=email, phone=phone)
    for match in similar:
        st.warning(_hint_text(match), icon=":material/content_copy:")
        profile_link(t("entry.open", name=plain(match.name)), match.id)
    return bool(similar)


def add_customer_panel(actor: Actor) -> None:
    """An expander to add a customer (editors and admins only); typed values survive errors."""
    if not actor.can(Role.EDITOR):
        return
    show_flashes(NEW_CUSTOMER)
    with st.expander(t("entry.add_customer"), icon=":material/person_add:"):
        first, second, third = st.columns(3)
        name = first.text_input(t("customer.field.name"), key=f"{_KEY}_name")
        email = second.text_input(t("customer.field.email"), key=f"{_KEY}_email")
        phone = third.text_input(t("customer.field.phone"), key=f"{_KEY}_phone")
        hinted = bool(name or email or phone) and _hints(name, email, phone)
        kind = first.selectbox(
            t("customer.field.kind"),
            [k.value for k in CustomerKind],
            format_func=labeller(lambda k: f"kind.{k}"),
            key=f"{_KEY}_kind",
        )
        city = second.text_input(t("customer.field.city"), key=f"{_KEY}_city")
        code = third.text_input(t("customer.field.external_id"), key=f"{_KEY}_code")
        with st.expander(t("entry.more")):
            left, right = st.columns(2)
            extra = {
                "postal_address": left.text_input(
                    t("import.field.postal_address"), key=f"{_KEY}_address"
                ),
                "postal_code": right.text_input(
                    t("import.field.postal_code"), key=f"{_KEY}_postcode"
                ),
                "national_id": left.text_input(t("import.field.national_id"), key=f"{_KEY}_nid"),
                "economic_code": right.text_input(
                    t("import.field.economic_code"), key=f"{_KEY}_eco"
                ),
                "website": left.text_input(t("import.field.website"), key=f"{_KEY}_web"),
                "country": right.text_input(t("customer.field.country"), key=f"{_KEY}_country"),
                "birth_date": left.date_input(
                    t("import.field.birth_date"),
                    value=None,
                    min_value=date(1900, 1, 1),
                    max_value=date.today(),
                    format=DATE_FORMAT,
                    help=date_help(),
                    key=f"{_KEY}_birth",
                ),
            }
        # With look-alikes shown, a new customer is added only deliberately.
        anyway = hinted and st.checkbox(t("entry.add_anyway"), key=f"{_KEY}_anyway")
        if st.button(
            t("entry.create"), type="primary", key=f"{_KEY}_create", disabled=hinted and not anyway
        ):
            fields = {
                "name": name,
                "email": email or None,
                "phone": phone or None,
                "kind": kind,
                "city": city or None,
                "external_id": code or None,
                **extra,
            }
            fields["country"] = fields["country"] or None
            made: list[int] = []
            if write(
                lambda session: made.append(
                    customer_entry.create_customer(session, actor=actor, fields=fields)
                ),
                rescore=True,
            ):
                for key in [key for key in st.session_state if str(key).startswith(_KEY)]:
                    del st.session_state[key]
                flash(
                    "success",
                    t("entry.created"),
                    place=NEW_CUSTOMER,
                    profile=(plain(name), made[0]),
                )
                st.rerun()


def add_to_profile_panel(actor: Actor, customer_id: int) -> None:
    """Add a contact or an order to this customer (editors and admins only), in two tabs of
    which only the open one's form is drawn."""
    if not actor.can(Role.EDITOR):
        return
    show_flashes(ADDED)
    name, tab = open_tab(add_tabs_key(customer_id), ["entry.add_contact", "entry.add_order"])
    with tab:
        if name == "entry.add_contact":
            _contact_form(actor, customer_id)
        else:
            _order_form(actor, customer_id)


def _contact_form(actor: Actor, customer_id: int) -> None:
    with st.form(f"ckm_contact_{customer_id}"):
        left, right = st.columns(2)
        name = left.text_input(t("customer.field.name"))
        title = right.text_input(t("import.field.title"))
        email = left.text_input(t("customer.field.email"))
        phone = right.text_input(t("customer.field.phone"))
        primary = st.checkbox(t("entry.is_primary"))
        _save_button(
            lambda session: customer_entry.add_contact(
                session,
                actor=actor,
                customer_id=customer_id,
                name=name,
                title=title,
                email=email,
                phone=phone,
                is_primary=primary,
            ),
            "entry.contact_added",
        )


def _order_form(actor: Actor, customer_id: int) -> None:
    with st.form(f"ckm_order_{customer_id}"):
        left, right = st.columns(2)
        ordered_on = left.date_input(
            t("import.field.ordered_on"),
            value=date.today(),
            max_value=date.today(),
            format=DATE_FORMAT,
            help=date_help(),
        )
        amount = right.text_input(t("import.field.amount"), help=t("import.currency_help"))
        currency = left.selectbox(
            t("import.field.currency"),
            CURRENCIES,
            format_func=labeller(lambda c: f"import.currency.{c}"),
        )
        product = right.text_input(t("import.field.product"))
        category = left.text_input(t("import.field.category"))
        _save_button(
            lambda session: customer_entry.add_order(
                session,
                actor=actor,
                customer_id=customer_id,
                ordered_on=ordered_on,
                amount=amount,
                currency=currency,
                product=product,
                category=category,
            ),
            "entry.order_added",
        )


def _save_button(action: Callable[[Session], object], done_key: str) -> None:
    """The form's Save: runs `action` (scores refreshed afterwards) and, when it is saved,
    draws the page again with the message `done_key` above the tabs."""
    if st.form_submit_button(t("entry.save"), type="primary") and write(action, rescore=True):
        flash("success", t(done_key), place=ADDED)
        st.rerun()
