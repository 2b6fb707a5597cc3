"""The profile as a document to take along: the one-page brief in the reader's language,
as a printable PDF or as Markdown.

Both files are drawn from one list of blocks (title, headings, labelled fields, items,
quotes), so they always say the same thing; only the last step differs.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ckm.i18n import (
    format_date,
    format_money,
    format_number,
    isolate,
    names_in_order,
    translate,
)
from ckm.i18n.people import shown_person
from ckm.services.customers.contact import contact_display
from ckm.services.customers.profile import CustomerProfile
from ckm.services.documents import Block, render_markdown, render_pdf
from ckm.services.permissions import Actor

# A brief is for reading before a call: the latest interactions, not the whole timeline.
BRIEF_TOUCHPOINTS = 15


def brief_blocks(
    profile: CustomerProfile, *, actor: Actor, language: str, calendar: str
) -> list[Block]:
    """Everything the brief says, in order, in `language`; user text isolated, not escaped."""

    def t(key: str, **values: object) -> str:
        return translate(key, language, **values)

    def money(amount: Decimal | None) -> str:
        if amount is None:
            return "—"
        return format_money(amount, profile.figures.currency, language)

    def day(value: date | datetime | None) -> str:
        return format_date(value, language, calendar)

    def field(label_key: str, value: str | None) -> Block:
        return Block("field", isolate(value) if value else "—", t(label_key))

    def enum_label(prefix: str, value: str | None) -> str:
        return t(f"{prefix}.{value}") if value else "—"

    def joined(*parts: str | None) -> str:
        return t("list.dot").join(isolate(part) for part in parts if part)

    figures = profile.figures
    yes, no = t("brief.yes"), t("brief.no")
    blocks = [
        Block("title", profile.name),
        Block("meta", t("brief.generated", date=day(profile.today))),
        Block("heading", t("brief.section.customer")),
        field("customer.field.kind", enum_label("kind", profile.kind)),
        field("customer.field.owner", profile.owner_name),
        field("customer.field.segment", profile.segment),
        field("customer.field.relationship_stage", enum_label("stage", profile.relationship_stage)),
        # The reader's list separator: "VIP، صادرات" in a Persian brief.
        field("customer.field.tags", names_in_order(profile.tags, language)),
        field("customer.field.phone", contact_display(profile.phone, actor)),
        field("customer.field.email", contact_display(profile.email, actor)),
        field("customer.field.city", profile.city),
        field("customer.field.region", profile.region),
        field("customer.field.industry", profile.industry),
        field("customer.field.external_id", profile.external_id),
        Block(
            "field",
            "; ".join(
                f"{t(key)}: {yes if given else no}"
                for key, given in (
                    ("customer.field.consent_contact", profile.consent_contact),
                    ("customer.field.consent_marketing", profile.consent_marketing),
                    ("customer.field.consent_profiling", profile.consent_profiling),
                )
            ),
            t("brief.consents"),
        ),
        Block(
            "field",
            t(
                "brief.provenance_text",
                source=profile.source,
                # People by the name colleagues know them by; CKM's own accounts (no user
                # row) as "CKM (automatic)", a name with no account as recorded.
                created_by=shown_person(profile.created_by_name or profile.created_by, language)
                or "—",
                created_at=day(profile.created_at),
                updated_by=shown_person(profile.updated_by_name or profile.updated_by, language)
                or "—",
                updated_at=day(profile.updated_at),
            ),
            t("brief.provenance"),
        ),
        Block("heading", t("brief.section.figures")),
        field("brief.lifetime_revenue", money(figures.lifetime_revenue)),
        field("brief.revenue_last_12m", money(figures.revenue_last_12m)),
        field("brief.revenue_prev_12m", money(figures.revenue_prev_12m)),
        field(
            "brief.trend",
            t(f"trend.{figures.direction}")
            + (
                f" ({format_number(figures.revenue_change * 100, language, 1)}%)"
                if figures.revenue_change is not None
                else ""
            ),
        ),
        field("brief.order_count", format_number(figures.order_count, language)),
        field("brief.average_order_value", money(figures.average_order_value)),
        field("brief.last_order", day(figures.last_order_on)),
        field(
            "brief.days_since_last_order",
            format_number(figures.days_since_last_order, language)
            if figures.days_since_last_order is not None
            else None,
        ),
        field(
            "brief.typical_interval",
            t("brief.days", days=round(figures.typical_interval_days))
            if figures.typical_interval_days is not None
            else None,
        ),
    ]
    if profile.revenue_by_category:
        blocks.append(Block("heading", t("brief.section.categories")))
        blocks += [
            Block(
                "item",
                f"{isolate(item.category or t('brief.uncategorised'))}: "
                f"{isolate(money(item.revenue))} ({t('brief.orders', count=item.orders)})",
            )
            for item in profile.revenue_by_category
        ]
    blocks.append(Block("heading", t("brief.section.open_complaints")))
    blocks += [
        Block(
            "item",
            joined(day(item.occurred_at), enum_label("channel", item.channel), item.summary),
        )
        for item in profile.open_complaints
    ] or [Block("meta", t("brief.none"))]
    if profile.promises:
        blocks.append(Block("heading", t("brief.section.promises")))
        blocks += [Block("item", joined(p.text, p.note_title)) for p in profile.promises]
    blocks.append(Block("heading", t("brief.section.contacts")))
    blocks += [
        Block(
            "item",
            joined(
                c.name,
                c.title,
                contact_display(c.email, actor),
                contact_display(c.phone, actor),
            ),
        )
        for c in profile.contacts
    ] or [Block("meta", t("brief.none"))]
    blocks.append(Block("heading", t("brief.section.notes")))
    if not profile.notes:
        blocks.append(Block("meta", t("brief.none")))
    for note in profile.notes:
        blocks.append(Block("subheading", note.title))
        blocks.append(
            Block(
                "meta",
                joined(
                    enum_label("flow", note.flow),
                    note.author_name or shown_person(note.author, language) or "—",
                    day(note.updated_at),
                ),
            )
        )
        blocks.append(Block("quote", note.excerpt + ("…" if note.is_truncated else "")))
    blocks.append(Block("heading", t("brief.section.touchpoints")))
    blocks += [
        Block(
            "item",
            joined(
                day(item.occurred_at),
                enum_label("channel", item.channel),
                enum_label("experience", item.experience_kind),
                t(f"sentiment.{item.sentiment}"),
                t("brief.complaint") if item.is_complaint else None,
            )
            + " — "
            + isolate(item.summary),
        )
        for item in profile.touchpoints[:BRIEF_TOUCHPOINTS]
    ] or [Block("meta", t("brief.none"))]
    return blocks


# --------------------------------------------------------------------------- Markdown


def brief_markdown(profile: CustomerProfile, *, actor: Actor, language: str, calendar: str) -> str:
    """The brief as a Markdown document (for people who keep notes as text files)."""
    return render_markdown(brief_blocks(profile, actor=actor, language=language, calendar=calendar))


def brief_pdf(profile: CustomerProfile, *, actor: Actor, language: str, calendar: str) -> bytes:
    """The brief as a printable A4 PDF (Persian shaped by HarfBuzz, laid out right to left)."""
    return render_pdf(
        brief_blocks(profile, actor=actor, language=language, calendar=calendar),
        title=profile.name,
        language=language,
    )
