"""Login controls a 等保 2.0 level 2 audit expects: lockouts, password rules, server-side sessions.

Failures are counted per login name as typed and per client address, so a lockout says nothing about whether
an account exists. Sessions live on the server: the cookie carries only a random id, logout ends the record,
and idle and absolute lifetimes are checked on every request.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher

from ...errors import Invalid
from ...extensions import db
from ...models import Lockout, LoginAttempt, Role, User, UserSession
from . import accounts, audit

SESSION_TOUCH_EVERY = timedelta(seconds=60)


def parse_roles(text: str, setting: str = "TRACKER_TWO_FACTOR_ROLES") -> frozenset[Role]:
    """A roles setting: role names separated by commas, "none" or "all"; an unknown name stops the start."""
    names = [name.strip() for name in text.split(",") if name.strip() and name.strip().lower() != "none"]
    if [name.lower() for name in names] == ["all"]:
        return frozenset(Role)
    unknown = [name for name in names if name not in {role.value for role in Role}]
    if unknown:
        raise ValueError(f"{setting}: unknown role {', '.join(unknown)} "
                         f"(known: {', '.join(role.value for role in Role)}, or none, or all)")
    return frozenset(Role(name) for name in names)


@dataclass(frozen=True)
class SecurityPolicy:
    max_failures: int = 5
    failure_window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=30)
    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_lifetime: timedelta = timedelta(hours=12)
    password_min_length: int = 10
    password_max_age: timedelta | None = None
    two_factor_roles: frozenset[Role] = frozenset()
    # The roles that may sign in with a local password (TRACKER_PASSWORD_ROLES); the others sign on through the
    # city's identity platform (services/trust/sign_on.py).
    password_roles: frozenset[Role] = frozenset(Role)



@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    locked_until: datetime | None = None
    needs_code: bool = False  # the password was right; a second factor is still owed (two_factor.check_code)
    password_off: bool = False  # the password was right, but the account's role signs on through the platform


def locked_until(username: str, address: str, now: datetime) -> datetime | None:
    return db.session.execute(sa.select(sa.func.max(Lockout.until)).where(
        Lockout.until > now,
        sa.or_(sa.and_(Lockout.scope == "account", Lockout.key == username),
               sa.and_(Lockout.scope == "address", Lockout.key == address)),
    )).scalar()


def _recent_failures(column: Any, key: str, scope: str, now: datetime, policy: SecurityPolicy) -> int:
    """Failures in the window, after the last success (for an account) and after the last lockout ended."""
    since = now - policy.failure_window
    last_lock = db.session.execute(sa.select(sa.func.max(Lockout.until)).where(
        Lockout.scope == scope, Lockout.key == key)).scalar()
    bounds = [since] + ([last_lock] if last_lock else [])
    if scope == "account":
        last_ok = db.session.execute(sa.select(sa.func.max(LoginAttempt.at)).where(
            LoginAttempt.username == key, LoginAttempt.succeeded.is_(True))).scalar()
        bounds += [last_ok] if last_ok else []
    return db.session.execute(sa.select(sa.func.count()).where(
        column == key, LoginAttempt.succeeded.is_(False), LoginAttempt.at > max(bounds))).scalar_one()


def attempt_login(username: str, password: str, *, address: str, hasher: PasswordHasher,
                  policy: SecurityPolicy, now: datetime) -> LoginOutcome:
    """Check a login and record it. The caller commits whatever the outcome: failures must be kept."""
    username = username.strip()[:64]
    locked = locked_until(username, address, now)
    if locked is not None:
        audit.record(actor=None, actor_label=username or "?", action="auth.login_refused_locked",
                     entity_type="login", entity_id=None, after={"address": address, "until": locked}, now=now)
        return LoginOutcome(None, locked)
    user = accounts.authenticate(username, password, hasher=hasher)
    db.session.add(LoginAttempt(at=now, username=username, address=address, succeeded=user is not None))
    db.session.flush()
    if user is not None and user.role not in policy.password_roles:  # told only after a right password
        audit.record(actor=user, action="auth.password_off", entity_type="user", entity_id=user.id,
                     after={"address": address}, now=now)
        return LoginOutcome(None, password_off=True)
    if user is not None and user.totp_enabled_at is not None:
        audit.record(actor=user, action="auth.password_ok", entity_type="user", entity_id=user.id,
                     after={"address": address}, now=now)
        return LoginOutcome(user, needs_code=True)
    if user is not None:
        audit.record(actor=user, action="auth.login", entity_type="user", entity_id=user.id,
                     after={"address": address}, now=now)
        return LoginOutcome(user)
    audit.record(actor=None, actor_label=username or "?", action="auth.login_failed", entity_type="login",
                 entity_id=None, after={"address": address}, now=now)
    return LoginOutcome(None, lock_if_too_many(username, address, policy, now))


def lock_if_too_many(username: str, address: str, policy: SecurityPolicy, now: datetime) -> datetime | None:
    """After a recorded failure: lock the account name and/or the address that reached the limit."""
    until = None
    for scope, column, key in (("account", LoginAttempt.username, username),
                               ("address", LoginAttempt.address, address)):
        if _recent_failures(column, key, scope, now, policy) >= policy.max_failures:
            until = now + policy.lockout
            db.session.add(Lockout(scope=scope, key=key, started_at=now, until=until))
            audit.record(actor=None, actor_label=username or "?", action="auth.lockout", entity_type="login",
                         entity_id=None, after={"scope": scope, "key": key, "until": until}, now=now)
    db.session.flush()
    return until


def password_problems(password: str, username: str, policy: SecurityPolicy, lang: str = "zh") -> list[str]:
    """The password policy, the one place it is written: each rule the password breaks, in Chinese (or English
    for an English page)."""
    problems: list[tuple[str, str]] = []
    if len(password) < policy.password_min_length:
        problems.append((f"密码至少 {policy.password_min_length} 个字符",
                         f"The password needs at least {policy.password_min_length} characters"))
    classes = sum([any(c.islower() for c in password), any(c.isupper() for c in password),
                   any(c.isdigit() for c in password), any(not c.isalnum() for c in password)])
    if classes < 3:
        problems.append(("密码须包含大写字母、小写字母、数字、符号中的至少三类",
                         "The password needs three of: capital letters, small letters, digits, symbols"))
    if username and username.lower() in password.lower():
        problems.append(("密码不能包含登录名", "The password may not contain the login name"))
    return [en if lang == "en" else zh for zh, en in problems]


def password_rules(policy: SecurityPolicy, lang: str = "zh") -> str:
    """The policy as the forms show it beside the password field, in the page's language."""
    if lang == "en":
        return (f"At least {policy.password_min_length} characters, with at least three of: capital letters, "
                "small letters, digits, symbols; not containing the login name.")
    return (f"至少 {policy.password_min_length} 个字符,包含大写字母、小写字母、数字、符号中的至少三类,"
            "且不含登录名。")


def require_password_policy(password: str, username: str, policy: SecurityPolicy) -> None:
    """Raise Invalid naming each rule a password chosen by a person breaks (the CLI's --password too)."""
    problems = password_problems(password, username, policy)
    if problems:
        raise Invalid("密码不符合要求:" + ";".join(problems), "The password breaks the password rules",
                      code="password_rejected", fields={"password": problems})


class PasswordChangeRefused(Invalid):
    """The change was refused; a failed check of the current password is already recorded and counts toward
    the lockout, so the caller keeps what was written (`transaction.keep_refusal()`, as after a failed login).
    `fields` names each problem in Chinese, `fields_en` in English."""

    code = "password_rejected"

    def __init__(self, fields: dict[str, list[str]], fields_en: dict[str, list[str]]) -> None:
        super().__init__("密码未修改:" + ";".join(m for ms in fields.values() for m in ms),
                         "Password not changed: " + "; ".join(m for ms in fields_en.values() for m in ms),
                         fields=fields)
        self.fields_en = fields_en

    def fields_in(self, lang: str) -> dict[str, list[str]]:
        return self.fields_en if lang == "en" else self.fields


def change_password(user: User, *, current: str, new: str, address: str, hasher: PasswordHasher,
                    policy: SecurityPolicy, now: datetime, keep_session: str | None = None) -> None:
    """The user's own change. A wrong current password counts as a failed login of that account from that
    address (the same counters and lockout); while the account or address is locked even the right one is
    refused. A change ends the user's other server-side sessions (`keep_session` is the one making it); API
    tokens stay. Raises PasswordChangeRefused naming each problem.
    """
    locked = locked_until(user.username, address, now)
    if locked is not None:
        audit.record(actor=user, action="auth.password_change_refused_locked", entity_type="user",
                     entity_id=user.id, after={"address": address, "until": locked}, now=now)
        raise PasswordChangeRefused({"current": ["尝试次数过多,已暂时锁定,请稍后再试"]},
                                    {"current": ["Too many attempts: locked for now, try again later"]})
    fields: dict[str, list[str]] = {}
    fields_en: dict[str, list[str]] = {}
    if not accounts.check_password(user, current, hasher):
        db.session.add(LoginAttempt(at=now, username=user.username, address=address, succeeded=False))
        db.session.flush()
        audit.record(actor=user, action="auth.password_check_failed", entity_type="user", entity_id=user.id,
                     after={"address": address}, now=now)
        lock_if_too_many(user.username, address, policy, now)
        fields["current"], fields_en["current"] = ["当前密码不正确"], ["The current password is wrong"]
    problems = [password_problems(new, user.username, policy, lang) for lang in ("zh", "en")]
    if not problems[0] and not fields and accounts.check_password(user, new, hasher):
        problems = [["新密码不能与当前密码相同"], ["The new password must differ from the current one"]]
    if problems[0]:
        fields["new"], fields_en["new"] = problems
    if fields:
        raise PasswordChangeRefused(fields, fields_en)
    user.password_hash = hasher.hash(new)
    user.must_change_password = False
    user.password_changed_at = now
    accounts.end_sessions(user, now=now, keep=keep_session)
    audit.record(actor=user, action="user.change_password", entity_type="user", entity_id=user.id, now=now)


def must_change_password(user: User, *, now: datetime, policy: SecurityPolicy) -> bool:
    if user.must_change_password:
        return True
    if policy.password_max_age is None:
        return False
    changed = user.password_changed_at or user.created_at
    return now - changed > policy.password_max_age


def start_session(user: User, *, address: str, now: datetime) -> UserSession:
    record = UserSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now, last_seen_at=now,
                         address=address[:64])
    db.session.add(record)
    db.session.flush()
    return record


def _live_session(session_id: str | None) -> tuple[UserSession, User] | None:
    """A session record not yet ended and its user: one lookup by primary key, joined."""
    if not session_id:
        return None
    found = db.session.execute(sa.select(UserSession, User).join(User, User.id == UserSession.user_id)
                               .where(UserSession.id == session_id, UserSession.ended_at.is_(None))).first()
    return (found[0], found[1]) if found else None


def _must_end(record: UserSession, user: User, now: datetime, policy: SecurityPolicy) -> bool:
    idle = now - record.last_seen_at > policy.idle_timeout
    return idle or now - record.created_at > policy.absolute_lifetime or not user.is_enabled


def session_user(session_id: str | None, *, now: datetime, policy: SecurityPolicy) -> tuple[User | None, bool]:
    """The user of a live session, and whether its record is due a write (`update_session`): ended when idle,
    too old or its account disabled, or touched when last seen more than a minute ago.

    Reads only, so a read request stays a reader; the caller writes in a short transaction of its own.
    """
    found = _live_session(session_id)
    if found is None:
        return None, False
    record, user = found
    if _must_end(record, user, now, policy):
        return None, True
    return user, now - record.last_seen_at > SESSION_TOUCH_EVERY


def update_session(session_id: str | None, *, now: datetime, policy: SecurityPolicy) -> User | None:
    """Ends the session if it must end, else marks it seen now; the user of a session still live."""
    found = _live_session(session_id)
    if found is None:
        return None
    record, user = found
    if _must_end(record, user, now, policy):
        record.ended_at = now
        return None
    record.last_seen_at = now
    return user


def end_session(session_id: str | None, *, actor: User, now: datetime) -> None:
    record = db.session.get(UserSession, session_id) if session_id else None
    if record is not None and record.ended_at is None:
        record.ended_at = now
    audit.record(actor=actor, action="auth.logout", entity_type="user", entity_id=actor.id, now=now)
