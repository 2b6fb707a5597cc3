"""The profile as a document to download: the one-page brief in the reader's language."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from ckm.i18n import format_date, format_money, format_number, translate
from ckm.services.customers.profile import CustomerProfile

# Characters that can start Markdown or HTML syntax anywhere in a line. Escaping them with a
# backslash keeps them visible as typed while no viewer turns them into links, images,
# emphasis, tables or raw HTML.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|!~&])")
_LINE_START_SPECIAL = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.MULTILINE)


def escape_markdown(text: str | None) -> str:
    """User text as inert Markdown: shown literally, never interpreted."""
    if not text:
        return ""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _LINE_START_SPECIAL.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def _one_line(text: str | None) -> str:
    """A single-line value placed after a label: inline escaping suffices there."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def brief_markdown(profile: CustomerProfile, *, language: str, calendar: str) -> str:
    """The profile as a printable Markdown document ("Download brief")."""

    def t(key: str, **values: object) -> str:
        return translate(key, language, **values)

    def money(amount: Decimal | None) -> str:
        if amount is None:
            return "—"
        return format_money(amount, profile.figures.currency, language)

    def day(value: date | datetime | None) -> str:
        return format_date(value, language, calendar)

    def line(label_key: str, value: str) -> str:
        return f"- **{t(label_key)}:** {value or '—'}"

    def enum_label(prefix: str, value: str | None) -> str:
        return t(f"{prefix}.{value}") if value else "—"

    figures = profile.figures
    yes, no = t("brief.yes"), t("brief.no")
    out: list[str] = [
        f"# {_one_line(profile.name)}",
        "",
        t("brief.generated", date=day(profile.today)),
        "",
        f"## {t('brief.section.customer')}",
        "",
        line("customer.field.kind", enum_label("kind", profile.kind)),
        line("customer.field.owner", _one_line(profile.owner_name)),
        line("customer.field.segment", _one_line(profile.segment)),
        line("customer.field.relationship_stage", enum_label("stage", profile.relationship_stage)),
        line("customer.field.tags", ", ".join(_one_line(tag) for tag in profile.tags)),
        line("customer.field.email", _one_line(profile.email)),
        line("customer.field.phone", _one_line(profile.phone)),
        line("customer.field.city", _one_line(profile.city)),
        line("customer.field.region", _one_line(profile.region)),
        line("customer.field.industry", _one_line(profile.industry)),
        line("customer.field.external_id", _one_line(profile.external_id)),
        line(
            "brief.consents",
            "; ".join(
                f"{t(key)}: {yes if given else no}"
                for key, given in (
                    ("customer.field.consent_contact", profile.consent_contact),
                    ("customer.field.consent_marketing", profile.consent_marketing),
                    ("customer.field.consent_profiling", profile.consent_profiling),
                )
            ),
        ),
        line(
            "brief.provenance",
            t(
                "brief.provenance_text",
                source=_one_line(profile.source),
                created_by=_one_line(profile.created_by) or "—",
                created_at=day(profile.created_at),
                updated_by=_one_line(profile.updated_by) or "—",
                updated_at=day(profile.updated_at),
            ),
        ),
        "",
        f"## {t('brief.section.figures')}",
        "",
        line("brief.lifetime_revenue", money(figures.lifetime_revenue)),
        line("brief.revenue_last_12m", money(figures.revenue_last_12m)),
        line("brief.revenue_prev_12m", money(figures.revenue_prev_12m)),
        line(
            "brief.trend",
            t(f"trend.{figures.direction}")
            + (
                f" ({format_number(figures.revenue_change * 100, language, 1)}%)"
                if figures.revenue_change is not None
                else ""
            ),
        ),
        line("brief.order_count", format_number(figures.order_count, language)),
        line("brief.average_order_value", money(figures.average_order_value)),
        line("brief.last_order", day(figures.last_order_on)),
        line(
            "brief.days_since_last_order",
            format_number(figures.days_since_last_order, language)
            if figures.days_since_last_order is not None
            else "—",
        ),
        line(
            "brief.typical_interval",
            t("brief.days", days=round(figures.typical_interval_days))
            if figures.typical_interval_days is not None
            else "—",
        ),
    ]
    if profile.revenue_by_category:
        out += ["", f"## {t('brief.section.categories')}", ""]
        out += [
            f"- {_one_line(item.category) or t('brief.uncategorised')}: {money(item.revenue)}"
            f" ({t('brief.orders', count=item.orders)})"
            for item in profile.revenue_by_category
        ]
    out += ["", f"## {t('brief.section.open_complaints')}", ""]
    out += [
        f"- {day(item.occurred_at)} · {enum_label('channel', item.channel)} · "
        f"{_one_line(item.summary)}"
        for item in profile.open_complaints
    ] or [t("brief.none")]
    out += ["", f"## {t('brief.section.contacts')}", ""]
    out += [
        "- "
        + " · ".join(
            part
            for part in (
                _one_line(c.name),
                _one_line(c.title),
                _one_line(c.email),
                _one_line(c.phone),
            )
            if part
        )
        for c in profile.contacts
    ] or [t("brief.none")]
    out += ["", f"## {t('brief.section.notes')}", ""]
    if not profile.notes:
        out.append(t("brief.none"))
    for note in profile.notes:
        author = _one_line(note.author_name or note.author) or "—"
        out += [
            f"### {_one_line(note.title)}",
            "",
            f"*{enum_label('flow', note.flow)} · {author} · {day(note.updated_at)}*",
            "",
        ]
        body = escape_markdown(note.excerpt) + ("…" if note.is_truncated else "")
        out += [f"> {text_line}" if text_line else ">" for text_line in body.splitlines()]
        out.append("")
    out += ["", f"## {t('brief.section.touchpoints')}", ""]
    out += [
        f"- {day(item.occurred_at)} · {enum_label('channel', item.channel)} · "
        f"{enum_label('experience', item.experience_kind)} · "
        f"{t(f'sentiment.{item.sentiment}')}"
        + (f" · {t('brief.complaint')}" if item.is_complaint else "")
        + f" — {_one_line(item.summary)}"
        for item in profile.touchpoints
    ] or [t("brief.none")]
    return "\n".join(out).rstrip() + "\n"
