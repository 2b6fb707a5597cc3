"""How people are named in what CKM shows: one rule for pages and for documents (the brief)."""

from __future__ import annotations

from ckm.i18n import translate

# Names CKM records for work it did itself: the system account (scripts, the demo, jobs),
# first-run setup, the background worker. The system account has no row in the users table,
# so no display name: shown by these names it read "written by system" even in Persian.
SYSTEM_ACTORS = frozenset({"system", "setup", "worker"})


def shown_person(name: str | None, language: str) -> str:
    """A username or display name as shown in `language`: CKM's own accounts by a name in
    that language ("CKM (automatic)"), anyone else as given (the caller escapes and isolates)."""
    if name in SYSTEM_ACTORS:
        return translate("people.system", language)
    return name or ""
