"""Staff accounts: create, list, change role, deactivate, reset password, preferences."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ckm.i18n import CALENDARS, LANGUAGES
from ckm.models import Role, User, utc_now
from ckm.services import audit
from ckm.services.errors import NotFound, ValidationFailed
from ckm.services.passwords import hash_password
from ckm.services.permissions import Actor, require
from ckm.services.validation import clean_email
from ckm.text import clean_name

USERNAME_PATTERN = re.compile(r"^[\w.@-]{3,64}$")
ZWNJ = "\u200c"


@dataclass(frozen=True)
class UserInfo:
    """What the rest of the app needs to know about a user (no hash)."""

    id: int
    username: str
    display_name: str
    email: str | None
    role: Role
    is_active: bool
    language: str
    calendar: str
    last_login_at: datetime | None

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.id, username=self.username, role=self.role)


def user_info(user: User) -> UserInfo:
    return UserInfo(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        role=Role(user.role),
        is_active=user.is_active,
        language=user.language,
        calendar=user.calendar,
        last_login_at=user.last_login_at,
    )


def normalise_username(username: str) -> str:
    """Usernames compare case-insensitively and without surrounding spaces."""
    return unicodedata.normalize("NFC", username).strip().casefold()


def clean_display_name(name: str) -> str:
    """Trim and NFC-normalise a display name, dropping bidi controls; refuse empty, other
    control characters or > 120.

    Letters of any script are welcome, and so is the zero-width non-joiner that correct
    Persian spelling needs (e.g. «مهرآیین»‌ or «نیک‌نام»).
    """
    cleaned = clean_name(name)
    if not cleaned:
        raise ValidationFailed("error.display_name_required")
    if len(cleaned) > 120:
        raise ValidationFailed("error.display_name_too_long", maximum=120)
    for char in cleaned:
        if unicodedata.category(char) in {"Cc", "Cs", "Co"} or (
            unicodedata.category(char) == "Cf" and char not in {ZWNJ, "\u200d"}
        ):
            raise ValidationFailed("error.display_name_invalid")
    return cleaned


def _role(value: str | Role) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ValidationFailed("error.role_invalid", value=str(value)) from None


def _get(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise NotFound("error.user_not_found", username=username)
    return user


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def _create(
    session: Session,
    *,
    by: str,
    username: str,
    display_name: str,
    password: str,
    role: str | Role,
    email: str | None,
    language: str,
) -> UserInfo:
    name = normalise_username(username)
    if not USERNAME_PATTERN.match(name):
        raise ValidationFailed("error.username_invalid")
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise ValidationFailed("error.username_taken", username=name)
    if language not in LANGUAGES:
        raise ValidationFailed("error.language_invalid")
    user = User(
        username=name,
        display_name=clean_display_name(display_name),
        email=clean_email(email),
        role=_role(role).value,
        password_hash=hash_password(password),
        language=language,
        calendar="jalali" if language == "fa" else "gregorian",
    )
    session.add(user)
    session.flush()
    audit.record(session, actor=by, action="user_created", target=name, details={"role": user.role})
    return user_info(user)


def create_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    display_name: str,
    password: str,
    role: str | Role = Role.VIEWER,
    email: str | None = None,
    language: str = "en",
) -> UserInfo:
    """Add a staff account (admins only)."""
    require(actor, Role.ADMIN)
    return _create(
        session,
        by=actor.username,
        username=username,
        display_name=display_name,
        password=password,
        role=role,
        email=email,
        language=language,
    )


def create_first_admin(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    email: str | None = None,
    language: str = "en",
) -> UserInfo:
    """First-run setup: create the first admin, only while there are no users at all.

    The emptiness check and the insert happen under a lock (BEGIN IMMEDIATE on SQLite, an
    advisory lock on PostgreSQL) so two browsers racing through setup cannot both win.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
    if count_users(session) > 0:
        raise ValidationFailed("error.setup_already_done")
    return _create(
        session,
        by="setup",
        username=username,
        display_name=display_name,
        password=password,
        role=Role.ADMIN,
        email=email,
        language=language,
    )


def list_users(session: Session, *, actor: Actor) -> list[UserInfo]:
    """Every account, active first, by name (admins only)."""
    require(actor, Role.ADMIN)
    users = session.scalars(select(User).order_by(User.is_active.desc(), User.username)).all()
    return [user_info(user) for user in users]


def get_user(session: Session, username: str) -> UserInfo | None:
    """An account by username, or None."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    return user_info(user) if user else None


def list_active_staff(session: Session) -> list[tuple[int, str]]:
    """(id, display name) of active users, for owner pickers; visible to every role."""
    rows = session.execute(
        select(User.id, User.display_name)
        .where(User.is_active.is_(True))
        .order_by(User.display_name)
    ).all()
    return [(row.id, row.display_name) for row in rows]


def _ensure_another_admin_remains(session: Session, user: User) -> None:
    if user.role != Role.ADMIN.value or not user.is_active:
        return
    other_admins = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN.value, User.is_active.is_(True), User.id != user.id)
    )
    if not other_admins:
        raise ValidationFailed("error.last_admin")


def set_role(session: Session, *, actor: Actor, username: str, role: str | Role) -> UserInfo:
    """Change a user's role; the last active admin cannot be demoted."""
    require(actor, Role.ADMIN)
    user = _get(session, username)
    new_role = _role(role)
    if new_role != Role.ADMIN:
        _ensure_another_admin_remains(session, user)
    old = user.role
    user.role = new_role.value
    audit.record(
        session,
        actor=actor.username,
        action="user_role_changed",
        target=user.username,
        details={"from": old, "to": new_role.value},
    )
    return user_info(user)


def set_active(session: Session, *, actor: Actor, username: str, active: bool) -> UserInfo:
    """Deactivate (ending their sessions at once) or reactivate an account."""
    require(actor, Role.ADMIN)
    user = _get(session, username)
    if not active:
        _ensure_another_admin_remains(session, user)
        user.sessions_valid_after = utc_now()
        if user.is_active:
            # Their pages to verify go to the customers' owners, in this transaction.
            from ckm.services.notes.verification import move_verification

            move_verification(session, actor=actor, leaving=user)
    user.is_active = active
    audit.record(
        session,
        actor=actor.username,
        action="user_reactivated" if active else "user_deactivated",
        target=user.username,
    )
    return user_info(user)


def reset_password(session: Session, *, actor: Actor, username: str, password: str) -> None:
    """Set a new password (admins, or users for themselves); ends the user's other sessions."""
    if actor.username != normalise_username(username):
        require(actor, Role.ADMIN)
    user = _get(session, username)
    user.password_hash = hash_password(password)
    user.sessions_valid_after = utc_now()
    audit.record(session, actor=actor.username, action="password_reset", target=user.username)


def set_preferences(
    session: Session, *, actor: Actor, language: str | None = None, calendar: str | None = None
) -> UserInfo:
    """The acting user's own language and calendar."""
    user = _get(session, actor.username)
    if language is not None:
        if language not in LANGUAGES:
            raise ValidationFailed("error.language_invalid")
        user.language = language
    if calendar is not None:
        if calendar not in CALENDARS:
            raise ValidationFailed("error.calendar_invalid")
        user.calendar = calendar
    return user_info(user)
