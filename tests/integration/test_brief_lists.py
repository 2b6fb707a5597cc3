"""A customer brief lists the customer's tags with the reader's separator: "VIP, export" in
English, "VIP، export" in Persian (where "," reads like a thousands separator)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ckm.db import Store
from ckm.i18n import strip_isolates
from ckm.models import Role
from ckm.services import customer_entry, customers
from ckm.services.customers import CustomerProfile
from ckm.services.permissions import SYSTEM, Actor

EDITOR = Actor(user_id=0, username="sara", role=Role.EDITOR)


def _profile(store: Store, customer_id: int) -> CustomerProfile:
    with store.read() as session:
        return customers.get_profile(session, actor=EDITOR, customer_id=customer_id)


def _briefs(profile: CustomerProfile) -> tuple[str, str]:
    """The customer's Markdown brief as an editor reads it: (English, Persian in Jalali)."""

    def brief(language: str, calendar: str) -> str:
        markdown = customers.brief_markdown(
            profile, actor=EDITOR, language=language, calendar=calendar
        )
        return strip_isolates(markdown)

    return brief("en", "gregorian"), brief("fa", "jalali")


def test_a_briefs_tags_use_the_readers_list_separator(store: Store) -> None:
    with store.write() as session:
        customer_id = customer_entry.create_customer(
            session, actor=EDITOR, fields={"name": "Alpha Steel"}
        )
    with store.write() as session:
        version = customers.get_profile(session, actor=EDITOR, customer_id=customer_id).version
        customers.update_customer(
            session,
            actor=EDITOR,
            customer_id=customer_id,
            expected_version=version,
            changes={"tags": "VIP, صادرات"},
        )
    english, persian = _briefs(_profile(store, customer_id))
    assert "VIP, صادرات" in english
    assert "VIP، صادرات" in persian and "VIP, صادرات" not in persian


def test_a_briefs_lines_join_their_parts_with_the_readers_separator(store: Store) -> None:
    # " · " in English; " | " in Persian, where the middle dot reads as the digit zero.
    with store.write() as session:
        customer_id = customer_entry.create_customer(
            session, actor=EDITOR, fields={"name": "Alpha Steel"}
        )
        customers.add_quick_note(
            session, actor=EDITOR, customer_id=customer_id, title="Pays late", body="Always."
        )
    english, persian = _briefs(_profile(store, customer_id))
    assert "About the customer · sara · " in english
    assert "دانش دربارهٔ مشتری | sara | " in persian
    assert "·" not in persian


def test_a_briefs_notes_and_provenance_name_ckms_own_account(store: Store, tmp_path: Path) -> None:
    # The system account has no user row, so no display name: the brief names it
    # "CKM (automatic)" in the reader's language, in the Markdown and the PDF alike.
    with store.write() as session:
        customer_id = customer_entry.create_customer(
            session, actor=SYSTEM, fields={"name": "Alpha Steel"}
        )
        customers.add_quick_note(
            session, actor=SYSTEM, customer_id=customer_id, title="Pays late", body="Always."
        )
    profile = _profile(store, customer_id)
    english, persian = _briefs(profile)
    assert "About the customer · CKM (automatic) · " in english
    assert "created by CKM (automatic) on " in english
    assert "last changed by CKM (automatic) on " in english
    assert "دانش دربارهٔ مشتری | CKM (خودکار) | " in persian
    assert "ایجاد توسط CKM (خودکار) در " in persian
    assert "system" not in english and "system" not in persian
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(customers.brief_pdf(profile, actor=EDITOR, language="en", calendar="gregorian"))
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("poppler-utils is not installed; .ci/run installs it")
        pytest.skip("poppler-utils is not installed")
    text = subprocess.run(
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "CKM (automatic)" in text and "system" not in text
