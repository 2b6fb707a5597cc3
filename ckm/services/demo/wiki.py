"""Demo wiki notes with revisions, verifications and links to customers."""

from __future__ import annotations

import itertools
from datetime import timedelta

from ckm.models import (
    Note,
    NoteCustomerLink,
    NoteRevision,
    utc_now,
)
from ckm.services.demo.common import (
    _PERSIAN_DIGITS,
    STAFF,
    _at,
    _Base,
    _next_id,
    _Plan,
    _sync_sequence,
)
from ckm.services.demo.texts.market import SEGMENT_KEY
from ckm.services.demo.texts.notes import (
    COMPETITORS_EN,
    COMPETITORS_FA,
    GENERAL_NOTES,
    NOTES_EN,
    NOTES_FA,
    WEEKDAYS_EN,
    WEEKDAYS_FA,
)
from ckm.services.demo.texts.showcase import SHOWCASE
from ckm.sql_typing import table_of

ACCOUNT_PLAN_SHARE = 0.25
"""Share of a key account's notes that are its account plan (knowledge checklist item)."""
ACCOUNT_PLAN_TAG = "account-plan"
ACCOUNT_PLAN_EN = (
    "Account plan: {customer}",
    "Goals for the year with {customer}: keep the main lines, grow the second category by "
    "{percent}%. Decision maker: {contact}. Risks: {competitor} is offering lower prices. "
    "Next review in {months} months.",
)
ACCOUNT_PLAN_FA = (
    "برنامهٔ حساب: {customer}",
    "هدف‌های امسال با {customer}: حفظ اقلام اصلی و رشد {percent} درصدی گروه دوم. "
    "تصمیم‌گیرنده: {contact}. خطر: {competitor} قیمت پایین‌تری پیشنهاد می‌دهد. "
    "بازبینی بعدی {months} ماه دیگر.",
)


class _Notes(_Base):
    def notes(self, total: int) -> None:
        """Wiki notes with revisions, mostly linked to customers; a few general pages."""
        self.report(0.8, "demo.progress.notes")
        if total <= 0:
            return
        rng = self.rng
        note_table = table_of(Note)
        next_id = _next_id(self.session, note_table)
        general = GENERAL_NOTES[: min(len(GENERAL_NOTES), max(0, total // 20))]
        # Knowledge gathers around big and troubled accounts, and some owners write more than
        # others: the accounts of the colleague who left are thinly documented on purpose.
        weights = [
            (0.0 if plan.owner == "omid.farahani" else 1.0)
            * (4.0 if plan.segment == SEGMENT_KEY else 1.0)
            * (2.0 if plan.profile in ("declining", "lapsed") else 1.0)
            for plan in self.plans
        ]
        if not any(weights):
            weights = [1.0] * len(self.plans)
        cum = list(itertools.accumulate(weights))
        showcase = [plan for plan in self.plans[: len(SHOWCASE)] if plan.owner != "omid.farahani"]
        for number in range(total):
            note_id = next_id + number
            if number < len(general):
                flow, title, body = general[number]
                self._write_note(note_id, flow, title, [body], author=self._author(None))
                continue
            # The showcase customers get their stories first, so they are always there.
            position = number - len(general)
            if position < len(showcase) * 3:
                plan = showcase[position % len(showcase)]
            else:
                plan = self.plans[rng.choices(range(len(self.plans)), cum_weights=cum)[0]]
            if plan.segment == SEGMENT_KEY and rng.random() < ACCOUNT_PLAN_SHARE:
                self._account_plan(note_id, plan)
                continue
            flow, title, body, updates = rng.choice(NOTES_FA if plan.persian else NOTES_EN)
            values = self._note_values(plan)
            versions = [body.format(**values)]
            for update in updates[: rng.randrange(len(updates) + 1)]:
                versions.append(versions[-1] + "\n\n" + update.format(**values))
            self._write_note(
                note_id,
                flow,
                title.format(**values),
                versions,
                author=self._author(plan),
                customers=[plan.id, *self._related(plan)],
            )
            if number % 20_000 == 0:
                self.report(0.8 + 0.12 * number / total, "demo.progress.notes")
        self.writer.flush()
        _sync_sequence(self.session, note_table)

    def _account_plan(self, note_id: int, plan: _Plan) -> None:
        """An account plan (the template's tag), checked within the last year for most: what
        the knowledge checklist asks of a key account."""
        rng = self.rng
        values = self._note_values(plan)
        title, body = ACCOUNT_PLAN_FA if plan.persian else ACCOUNT_PLAN_EN
        self._write_note(
            note_id,
            "about",
            title.format(**values),
            [body.format(**values)],
            author=self._author(plan),
            customers=[plan.id],
            tags=ACCOUNT_PLAN_TAG,
            verified_days_ago=rng.randrange(5, 300) if rng.random() < 0.7 else None,
        )

    def _note_values(self, plan: _Plan) -> dict[str, object]:
        rng = self.rng
        owner_name = (
            self.staff[plan.owner][1].display_name if plan.owner else rng.choice(STAFF).display_name
        )
        digits = _PERSIAN_DIGITS if plan.persian else {}
        return {
            "customer": plan.name,
            "contact": plan.contact,
            "owner": owner_name,
            "weekday": rng.choice(WEEKDAYS_FA if plan.persian else WEEKDAYS_EN),
            "competitor": rng.choice(COMPETITORS_FA if plan.persian else COMPETITORS_EN),
            "percent": str(rng.randrange(5, 19)).translate(digits),
            "months": str(rng.randrange(2, 7)).translate(digits),
            "days": str(rng.randrange(3, 15)).translate(digits),
            "city": plan.city,
        }

    def _author(self, plan: _Plan | None) -> str:
        if plan and plan.owner and self.staff[plan.owner][1].active and self.rng.random() < 0.7:
            return plan.owner
        return self.rng.choice(self.active_editors)

    def _related(self, plan: _Plan) -> list[int]:
        """Now and then a note concerns a second customer too (a sister company)."""
        if len(self.plans) < 2 or self.rng.random() >= 0.1:
            return []
        other = self.rng.choice(self.plans).id
        return [other] if other != plan.id else []

    def _write_note(
        self,
        note_id: int,
        flow: str,
        title: str,
        versions: list[str],
        *,
        author: str,
        customers: list[int] | None = None,
        tags: str = "",
        verified_days_ago: int | None = None,
    ) -> None:
        rng = self.rng
        now = utc_now()
        created = min(_at(self.today - timedelta(days=rng.randrange(1, 1000)), rng), now)
        revisions = [(created, author)]
        for _ in versions[1:]:
            stamp = min(revisions[-1][0] + timedelta(days=rng.randrange(1, 120)), now)
            # Later revisions are often by a colleague: knowledge shared, not hoarded.
            editor = author if rng.random() < 0.5 else rng.choice(self.active_editors)
            revisions.append((stamp, editor))
        updated_at, updated_by = revisions[-1]
        verified = rng.random() < 0.4
        verified_at = (
            min(updated_at + timedelta(days=rng.randrange(1, 200)), now) if verified else None
        )
        if verified_days_ago is not None:  # checked lately, whenever it was written
            verified = True
            verified_at = max(updated_at, _at(self.today - timedelta(days=verified_days_ago), rng))
            verified_at = min(verified_at, now)
        self.writer.add(
            table_of(Note),
            {
                "id": note_id,
                "title": title,
                "body": versions[-1],
                "flow": flow,
                "tags": tags,
                "author": author,
                "revision": len(versions),
                "created_at": created,
                "updated_by": updated_by,
                "updated_at": updated_at,
                "last_verified_at": verified_at,
                "last_verified_by": updated_by if verified else None,
                "deleted_at": None,
                "deleted_by": None,
            },
        )
        for number, (body, (stamp, editor)) in enumerate(
            zip(versions, revisions, strict=True), start=1
        ):
            self.writer.add(
                table_of(NoteRevision),
                {
                    "note_id": note_id,
                    "revision": number,
                    "title": title,
                    "body": body,
                    "flow": flow,
                    "tags": tags,
                    "author": editor,
                    "created_at": stamp,
                },
            )
            self.counts["note_revisions"] += 1
        for customer_id in dict.fromkeys(customers or []):
            self.writer.add(
                table_of(NoteCustomerLink), {"note_id": note_id, "customer_id": customer_id}
            )
            self.counts["note_links"] += 1
        self.counts["notes"] += 1
