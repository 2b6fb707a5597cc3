"""Top of the profile: who the customer is and how to reach them, and the brief to take along."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ckm.services.customers import CustomerProfile, brief_markdown, brief_pdf, contact_display
from ckm.services.permissions import Actor
from ckm.services.privacy import sees_contacts
from ckm.ui.i18n import calendar, isolate, joined, language, plain, t
from ckm.ui.privacy import Data, audited_brief, contact_value
from ckm.ui.profile_text import small
from ckm.ui.resources import get_store


def _reach_line(label_key: str, icon: str, value: str | None) -> str:
    """ "Phone: `+98…`": a validated phone or email as a code span, which Markdown neither
    formats nor turns into a link, so a rep copies exactly the address (no invisible
    characters inside it); the isolate keeps it left-to-right in a Persian line."""
    shown = isolate(f"`{value.replace('`', '')}`") if value else t("profile.not_recorded")
    return f"{icon} {t(label_key)}: {shown}"


def show_header(profile: CustomerProfile, actor: Actor, quality: str = "") -> None:
    """Name, what kind of customer and whose, phone and email, then tags, consents and the
    data-quality line `quality` (Markdown) as one caption, and the brief downloads."""
    # Names, places and tags are user text: `plain` shows them as typed, never as Markdown,
    # and `isolate` keeps each in its own reading order inside the joined line.
    st.title(plain(profile.name))
    who = [
        t(f"kind.{profile.kind}"),
        t("customers.owner", name=plain(profile.owner_name))
        if profile.owner_name
        else t("profile.no_owner"),
        isolate(plain(profile.segment)),
        t(f"stage.{profile.relationship_stage}") if profile.relationship_stage else "",
        isolate(plain(", ".join(part for part in (profile.city, profile.region) if part))),
    ]
    reach: list[str] = []
    if sees_contacts(actor):
        # The who line and the ways to reach them as one element (see profile_text).
        reach += [
            small(joined(who)),
            _reach_line(
                "customer.field.phone", ":material/call:", contact_display(profile.phone, actor)
            ),
            _reach_line(
                "customer.field.email", ":material/mail:", contact_display(profile.email, actor)
            ),
        ]
    else:
        st.caption(joined(who))
        # Masked by the service; "Show" asks for a reason and the reveal is audited.
        for field, icon in (("phone", ":material/call:"), ("email", ":material/mail:")):
            label_col, value_col = st.columns([1, 4])
            label_col.markdown(f"{icon} {t(f'customer.field.{field}')}")
            with value_col:
                contact_value(actor, profile.id, field, getattr(profile, field))
    primary = next((contact for contact in profile.contacts if contact.is_primary), None)
    if primary is not None:
        person = [primary.name, primary.title, contact_display(primary.phone, actor)]
        person.append(contact_display(primary.email, actor))
        reach.append(
            ":material/person: "
            + t(
                "profile.primary_contact",
                person=joined(isolate(plain(part)) for part in person if part),
            )
        )
    if reach:
        st.markdown("  \n".join(reach))
    consents = [
        (t("customer.field.consent_contact"), profile.consent_contact),
        (t("customer.field.consent_marketing"), profile.consent_marketing),
        (t("customer.field.consent_profiling"), profile.consent_profiling),
    ]
    # One caption of short lines: every element costs the browser more than its text does.
    lines = [
        t("profile.tags", tags=plain(", ".join(profile.tags))) if profile.tags else "",
        joined(f"{'✓' if given else '✗'} {label}" for label, given in consents),
        quality,
    ]
    st.caption("  \n".join(line for line in lines if line))
    show_downloads(profile, actor)


def show_downloads(profile: CustomerProfile, actor: Actor) -> None:
    """The one-page brief as a file: a PDF to print, or Markdown to keep as text.

    Both are made only when clicked (Streamlit calls `data` then, off the page's run), so
    drawing the profile never waits for a document nobody asked for.
    """
    lang, cal = language(), calendar()
    files: dict[str, Callable[[], str | bytes]] = {
        "pdf": _audited(profile, actor, "pdf", brief_pdf, lang, cal),
        "md": _audited(profile, actor, "md", brief_markdown, lang, cal),
    }
    buttons = (
        ("pdf", "profile.download_pdf", "application/pdf", ":material/picture_as_pdf:"),
        ("md", "profile.download_markdown", "text/markdown", ":material/download:"),
    )
    row = st.container(horizontal=True)
    for kind, label_key, mime, icon in buttons:
        row.download_button(
            t(label_key),
            data=files[kind],
            file_name=f"ckm-brief-{profile.id}.{kind}",
            mime=mime,
            icon=icon,
            on_click="ignore",
            key=f"ckm_brief_{kind}_{profile.id}",
        )


def _audited(
    profile: CustomerProfile,
    actor: Actor,
    kind: str,
    make: Callable[..., Data],
    lang: str,
    cal: str,
) -> Callable[[], Data]:
    """What the download button calls on the click: the brief `make` writes (in the language
    and calendar of the run that drew the button), recorded in the audit log."""
    return lambda: audited_brief(
        get_store(),
        actor,
        profile.id,
        kind,
        lambda: make(profile, actor=actor, language=lang, calendar=cal),
    )
