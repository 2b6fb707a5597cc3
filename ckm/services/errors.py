"""Errors that services raise for the UI to show; each carries an i18n key and its values."""

from __future__ import annotations


class CKMError(Exception):
    """A problem the user can act on. `key` names the message in the i18n catalogue."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class PermissionDenied(CKMError):
    """The acting user's role does not allow this action."""


class NotFound(CKMError):
    """The thing asked for does not exist (or is not visible to this user)."""


class ValidationFailed(CKMError):
    """Input was refused; nothing was written."""


class StaleEdit(CKMError):
    """Someone else saved in between; the caller's version is out of date."""


class Busy(CKMError):
    """The database stayed busy with other writers for too long; nothing was written, and
    trying again in a moment will work."""
