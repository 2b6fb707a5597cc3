"""Admin page, privacy tab: a person's data export, their erasure, and the retention rules."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from ckm.db import Store
from ckm.models import Customer
from ckm.services.permissions import Actor
from ckm.services.privacy import erase_customer, export_subject
from ckm.services.privacy.erasure import ErasureSummary
from ckm.services.privacy.settings import retention_policy
from ckm.services.privacy.subject import ERASED_MARK
from ckm.ui.confirm import confirmed
from ckm.ui.flash import flash, show_flashes
from ckm.ui.i18n import isolate, number, plain, t
from ckm.ui.privacy import merged_away_notice
from ckm.ui.writes import write

_FLASHES = "admin_privacy"


def _customer_name(store: Store, customer_id: int) -> str | None:
    with store.read() as session:
        return session.scalar(
            select(Customer.name).where(
                Customer.id == customer_id, Customer.merged_into_id.is_(None)
            )
        )


def _export_file(store: Store, actor: Actor, customer_id: int) -> bytes:
    with store.write() as session:
        return export_subject(session, actor=actor, customer_id=customer_id)


def _erase(actor: Actor, customer_id: int, reason: str) -> None:
    done: list[ErasureSummary] = []

    def action(session: Session) -> None:
        done.append(erase_customer(session, actor=actor, customer_id=customer_id, reason=reason))

    if write(action):
        summary = done[0]
        # Cached pages may still hold the person's data: drop every cached result.
        st.cache_data.clear()
        text = t(
            "privacy.erase.done",
            id=number(customer_id),
            notes=number(summary.notes),
            ref=summary.ref,
        )
        flash("success", text, place=_FLASHES, icon=":material/check_circle:")
        st.rerun()


def _retention_rules() -> None:
    policy = retention_policy()
    st.subheader(t("privacy.retention.title"))

    def days(value: int) -> str:
        return (
            t("privacy.retention.forever")
            if value == 0
            else t("privacy.retention.days", days=number(value))
        )

    st.markdown(t("privacy.retention.touchpoints", rule=days(policy.touchpoint_days)))
    st.markdown(t("privacy.retention.audit", rule=days(policy.audit_days)))
    st.caption(t("privacy.retention.help"))


def draw_privacy(store: Store, actor: Actor) -> None:
    """Pick a customer by number; export everything about them, or erase them."""
    show_flashes(_FLASHES)
    st.caption(t("privacy.dsr.intro"))
    customer_id = int(
        st.number_input(
            t("privacy.dsr.customer_id"),
            min_value=0,
            value=0,
            step=1,
            help=t("privacy.dsr.customer_id_help"),
            key="ckm_dsr_customer",
        )
    )
    name = _customer_name(store, customer_id) if customer_id else None
    if customer_id and name is None:
        if not merged_away_notice(store, customer_id):
            st.info(t("privacy.dsr.not_found", id=number(customer_id)))
    elif name == ERASED_MARK:
        st.info(t("privacy.dsr.already_erased", id=number(customer_id)))
    elif name is not None:
        st.markdown(t("privacy.dsr.chosen", name=plain(isolate(name)), id=number(customer_id)))
        st.download_button(
            t("privacy.dsr.download"),
            data=lambda: _export_file(store, actor, customer_id),
            file_name=f"ckm-customer-{customer_id}.zip",
            mime="application/zip",
            on_click="ignore",
            icon=":material/folder_zip:",
            key="ckm_dsr_download",
        )
        st.divider()
        st.markdown(f"**{t('privacy.erase.title')}**")
        st.caption(t("privacy.erase.explain"))
        reason = st.text_input(
            t("privacy.erase.reason"), help=t("privacy.erase.reason_help"), key="ckm_erase_reason"
        )
        if confirmed(
            f"ckm_erase_{customer_id}",
            t("privacy.erase.button"),
            t("privacy.erase.question", name=plain(isolate(name))),
            confirm_label=t("privacy.erase.yes"),
        ):
            _erase(actor, customer_id, reason)
    st.divider()
    _retention_rules()
