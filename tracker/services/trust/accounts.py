"""Accounts, passwords and API tokens.

Passwords are hashed with argon2id. API tokens are random (256 bits), shown once and kept only as a SHA-256
hash: a token is not a password a person chose, so a fast hash leaks nothing and keeps each request cheap.
"""
from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ... import limits
from ...errors import Invalid, NotFound
from ...extensions import db
from ...models import ApiToken, Role, Unit, User, UserSession
from . import audit

TOKEN_PREFIX = "pt_"


def make_hasher(*, fast: bool = False) -> PasswordHasher:
    """argon2id with the library defaults; `fast` is for tests only, where hashing cost is noise."""
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


def generate_password(length: int = 16) -> str:
    """A password with every character class, for accounts created by the setup."""
    alphabet = string.ascii_letters + string.digits + "-_.!@#%"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (any(c.islower() for c in candidate) and any(c.isupper() for c in candidate)
                and any(c.isdigit() for c in candidate) and any(not c.isalnum() for c in candidate)):
            return candidate


def unit_by_key(key: str) -> Unit:
    unit = db.session.execute(sa.select(Unit).where(Unit.key == key)).scalar_one_or_none()
    if unit is None:
        raise NotFound(f"单位 “{key}” 不存在", f"Unit '{key}' does not exist", code="unit_not_found")
    return unit


def user_by_name(username: str) -> User:
    user = db.session.execute(sa.select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"用户 “{username}” 不存在", f"User '{username}' does not exist", code="user_not_found")
    return user


def create_user(*, username: str, display_name: str, role: Role, unit: Unit, password: str,
                hasher: PasswordHasher, actor: User | None, now: datetime, email: str | None = None,
                job_number: str | None = None, must_change_password: bool = True,
                actor_label: str = "cli") -> User:
    """A new account that must change its password at first login. Raises Invalid for a taken name.

    `must_change_password=False` only where nobody will type the password: the demo's accounts share a published
    one on sample data, and an account opened by a sign-on has a random one nobody is shown. `actor_label` names
    who made an account no person made (the command line, a sign-on source).
    """
    username = username.strip()
    if not username or len(username) > limits.LOGIN_NAME:
        raise Invalid(f"登录名不能为空,且不超过 {limits.LOGIN_NAME} 个字符",
                      f"A login name is 1-{limits.LOGIN_NAME} characters",
                      fields={"username": [f"长度为 1 至 {limits.LOGIN_NAME} 个字符"]})
    if db.session.execute(sa.select(User.id).where(User.username == username)).first():
        raise Invalid(f"登录名 “{username}” 已被使用", f"Login name '{username}' is taken",
                      code="username_taken", fields={"username": ["已被使用"]})
    user = User(username=username, display_name=display_name or username, role=role, unit_id=unit.id,
                password_hash=hasher.hash(password), must_change_password=must_change_password, created_at=now,
                email=email, job_number=job_number, password_changed_at=None if must_change_password else now)
    db.session.add(user)
    db.session.flush()
    audit.record(actor=actor, actor_label=actor_label, action="user.create", entity_type="user", entity_id=user.id,
                 after={"username": username, "role": role, "unit": unit.key}, now=now)
    return user


FIRST_ACCOUNTS = (  # login, display name, role, unit key: one of each role a fresh install needs to start
    ("office", "领导小组办公室管理员", Role.OFFICE_ADMIN, "office"),
    ("leader", "市领导(只读)", Role.LEADER, "city"),
    ("sfj_admin", "市司法局管理员", Role.UNIT_ADMIN, "sfj"),
    ("sfj_member", "市司法局经办人", Role.UNIT_MEMBER, "sfj"),
)


def create_first_accounts(*, hasher: PasswordHasher, now: datetime) -> list[tuple[str, str, Role, str]]:
    """One account per role, each with a generated password, when there are no accounts yet (else none): the
    caller shows the (login, password, role, unit key) rows once; every password must be changed at first login."""
    if db.session.execute(sa.select(User.id).limit(1)).first():
        return []
    created = []
    for username, name, role, unit_key in FIRST_ACCOUNTS:
        password = generate_password()
        create_user(username=username, display_name=name, role=role, unit=unit_by_key(unit_key), password=password,
                    hasher=hasher, actor=None, now=now)
        created.append((username, password, role, unit_key))
    return created


def reset_password(user: User, *, password: str, hasher: PasswordHasher, actor: User | None,
                   now: datetime, keep_session: str | None = None) -> None:
    """Set a new password that must be changed at the next login; the user's server-side sessions end (all but
    `keep_session`), API tokens stay: whoever held the old password is logged out of the web."""
    user.password_hash = hasher.hash(password)
    user.must_change_password = True
    user.password_changed_at = now
    end_sessions(user, now=now, keep=keep_session)
    audit.record(actor=actor, actor_label="cli", action="user.reset_password", entity_type="user",
                 entity_id=user.id, now=now)


def end_sessions(user: User, *, now: datetime, keep: str | None = None) -> None:
    """End the user's live server-side sessions, all but `keep`. API tokens are not sessions and stay."""
    query = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep)
    db.session.execute(query.values(ended_at=now))


def display_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    """People by the name they go by, for anything a person reads (a login name stays in URLs and the API):
    one query."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    return {row.id: row.display_name
            for row in db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(wanted)))}


def check_password(user: User, password: str, hasher: PasswordHasher) -> bool:
    try:
        return hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(username: str, password: str, *, hasher: PasswordHasher) -> User | None:
    """The enabled user with this name and password, or None; hashes even for an unknown name."""
    user = db.session.execute(sa.select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        hasher.hash(password)
        return None
    if not check_password(user, password, hasher) or not user.is_enabled:
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, *, name: str, actor: User | None, now: datetime) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is returned once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid("令牌名称不能为空,且不超过 100 个字符", "A token name is 1-100 characters",
                      fields={"name": ["长度为 1 至 100 个字符"]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_token_hash(secret), prefix=secret[:10],
                     created_at=now)
    db.session.add(token)
    db.session.flush()
    audit.record(actor=actor or user, action="token.create", entity_type="api_token", entity_id=token.id,
                 after={"user": user.username, "name": name, "prefix": token.prefix}, now=now)
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_token(token: ApiToken, *, actor: User | None, now: datetime) -> None:
    """Idempotent: revoking a revoked token changes nothing."""
    if token.revoked_at is not None:
        return
    token.revoked_at = now
    audit.record(actor=actor, actor_label="cli", action="token.revoke", entity_type="api_token",
                 entity_id=token.id, after={"prefix": token.prefix}, now=now)


# Built once: on every API request, building this statement cost as much as running it (about 0.12 ms each).
_TOKEN_OWNER = (sa.select(User).join(ApiToken, ApiToken.user_id == User.id)
                .where(ApiToken.token_hash == sa.bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                       User.is_enabled.is_(True)))


def user_for_token(secret: str) -> User | None:
    """The enabled owner of a live token, or None. Asked of the database on every request, never remembered:
    a revoked token, or a disabled account's, stops working at once, in every worker."""
    return db.session.execute(_TOKEN_OWNER, {"token_hash": _token_hash(secret)}).scalar_one_or_none()
