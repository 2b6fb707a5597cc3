"""Note templates: their keys, flows and tags (texts live in the i18n catalogue)."""

from __future__ import annotations

from dataclasses import dataclass

from ckm.models import KnowledgeFlow
from ckm.services.errors import NotFound


@dataclass(frozen=True)
class Template:
    """A note template; its title and body text live in the i18n catalogue."""

    key: str
    flow: str
    tags: tuple[str, ...]

    @property
    def title_key(self) -> str:
        return f"notes.template.{self.key}.title"

    @property
    def body_key(self) -> str:
        return f"notes.template.{self.key}.body"


TEMPLATES: tuple[Template, ...] = (
    Template("meeting", KnowledgeFlow.ABOUT.value, ("meeting",)),
    Template("account_plan", KnowledgeFlow.ABOUT.value, ("account-plan",)),
    Template("competitor", KnowledgeFlow.GENERAL.value, ("competitor",)),
    Template("faq", KnowledgeFlow.FOR.value, ("faq",)),
)


def template(key: str) -> Template:
    """The template called `key`."""
    for candidate in TEMPLATES:
        if candidate.key == key:
            return candidate
    raise NotFound("error.note_template_not_found", name=key)
