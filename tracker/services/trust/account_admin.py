"""Accounts run on the web: the office administers every account; a unit's admin its own unit's members only
(a township cannot make itself a second admin, nor reach another unit's people). The CLI keeps making the first
account. Every change is an audit event in the change's transaction; an account is disabled, never deleted, so
its history keeps its name.

Whoever may not administer an account hears "not found", whether it exists or not, as for every object one may
not see: ids cannot be probed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.orm import contains_eager

from ...errors import Invalid, NotAllowed, NotFound
from ...extensions import db
from ...models import Role, Unit, User, UserSession
from . import accounts, audit, permissions

# The roles a unit's admin hands out: its own members. Admins, leaders and the office are the office's to make.
UNIT_ADMIN_GRANTS = (Role.UNIT_MEMBER,)


def may_administer_accounts(actor: User) -> bool:
    """The accounts page: the office for everyone, a unit's admin for its members."""
    return actor.role in (Role.OFFICE_ADMIN, Role.UNIT_ADMIN)


def may_administer(actor: User, user: User) -> bool:
    if permissions.is_office(actor):
        return True
    return (actor.role == Role.UNIT_ADMIN and user.unit_id == actor.unit_id and user.role in UNIT_ADMIN_GRANTS)


def require_administer_accounts(actor: User) -> None:
    permissions.require_not_read_only(actor)
    if not may_administer_accounts(actor):
        raise NotAllowed("只有领导小组办公室和单位管理员可以管理账号", "Only the office and unit administrators manage "
                         "accounts", code="accounts_forbidden")


def account_to_administer(user_id: int, *, actor: User) -> User:
    """An account the actor may administer, by id; "not found" for any other, existing or not."""
    user = db.session.get(User, user_id) if may_administer_accounts(actor) else None
    if user is None or not may_administer(actor, user):
        raise NotFound("用户不存在", "User not found", code="user_not_found")
    return user


def grantable_roles(actor: User) -> tuple[Role, ...]:
    return tuple(Role) if permissions.is_office(actor) else UNIT_ADMIN_GRANTS if may_administer_accounts(actor) else ()


def grantable_unit_ids(actor: User) -> set[int] | None:
    """The units the actor may place accounts in; None for all (the office)."""
    return None if permissions.is_office(actor) else {actor.unit_id}


@dataclass(frozen=True)
class AccountFilters:
    q: str | None = None
    role: Role | None = None
    unit_id: int | None = None
    enabled: bool | None = None


@dataclass(frozen=True)
class AccountRow:
    user: User
    last_sign_in: datetime | None


def list_accounts(*, actor: User, filters: AccountFilters = AccountFilters(), limit: int = 500) -> list[AccountRow]:
    """The accounts the actor administers, each with its unit and last sign-in; two queries whatever the count."""
    require_administer_accounts(actor)
    query = (sa.select(User).join(Unit, Unit.id == User.unit_id).options(contains_eager(User.unit))
             .order_by(Unit.id, User.username).limit(limit))
    if not permissions.is_office(actor):
        query = query.where(User.unit_id == actor.unit_id, User.role.in_(UNIT_ADMIN_GRANTS))
    if filters.q:
        like = f"%{filters.q.strip()}%"
        query = query.where(sa.or_(User.username.ilike(like), User.display_name.ilike(like), User.email.ilike(like)))
    if filters.role is not None:
        query = query.where(User.role == filters.role)
    if filters.unit_id is not None:
        query = query.where(User.unit_id == filters.unit_id)
    if filters.enabled is not None:
        query = query.where(User.is_enabled.is_(filters.enabled))
    users = list(db.session.scalars(query))
    last = dict(db.session.execute(
        sa.select(UserSession.user_id, sa.func.max(UserSession.created_at))
        .where(UserSession.user_id.in_([u.id for u in users])).group_by(UserSession.user_id)).all()) if users else {}
    return [AccountRow(user, last.get(user.id)) for user in users]


def _unit_for(actor: User, unit_id: int) -> Unit:
    allowed = grantable_unit_ids(actor)
    unit = db.session.get(Unit, unit_id)
    if unit is None or (allowed is not None and unit_id not in allowed):
        raise Invalid("只能在本单位创建或调入账号", "Accounts go into your own unit only",
                      code="unit_not_allowed", fields={"unit_id": ["不能选择该单位"]})
    return unit


def _role_for(actor: User, role: Role) -> Role:
    if role not in grantable_roles(actor):
        raise Invalid("单位管理员只能设置本单位的普通成员账号", "A unit administrator makes member accounts only",
                      code="role_not_allowed", fields={"role": ["不能授予该角色"]})
    return role


def create_account(*, actor: User, username: str, display_name: str, role: Role, unit_id: int,
                   email: str | None, hasher: PasswordHasher, now: datetime) -> tuple[User, str]:
    """A new account with a generated password, shown once to whoever made it and changed at the first login."""
    require_administer_accounts(actor)
    unit, role = _unit_for(actor, unit_id), _role_for(actor, role)
    password = accounts.generate_password()
    user = accounts.create_user(username=username, display_name=display_name, role=role, unit=unit,
                                password=password, hasher=hasher, actor=actor, now=now, email=email)
    return user, password


def update_account(user: User, *, actor: User, display_name: str, email: str | None, role: Role, unit_id: int,
                   now: datetime) -> User:
    """Name, mail, role and unit (a move between units is the office's). A role or unit change ends the
    account's web sessions, so it signs in again under what it now is."""
    require_administer_accounts(actor)
    if not may_administer(actor, user):
        raise NotFound("用户不存在", "User not found", code="user_not_found")
    unit, role = _unit_for(actor, unit_id), _role_for(actor, role)
    if user.id == actor.id and role != actor.role:
        raise Invalid("不能修改自己的角色", "You cannot change your own role", code="self_role",
                      fields={"role": ["不能修改自己的角色"]})
    before = {"display_name": user.display_name, "email": user.email, "role": str(user.role),
              "unit": user.unit.key}
    moved = role != user.role or unit.id != user.unit_id
    user.display_name, user.email, user.role, user.unit_id = display_name, email, role, unit.id
    after = {"display_name": display_name, "email": email, "role": str(role), "unit": unit.key}
    if after == before:
        return user
    db.session.flush()
    if moved:
        accounts.end_sessions(user, now=now)
    audit.record(actor=actor, action="user.update", entity_type="user", entity_id=user.id, now=now,
                 before={k: v for k, v in before.items() if after[k] != v},
                 after={k: v for k, v in after.items() if before[k] != v})
    return user


def set_enabled(user: User, *, enabled: bool, actor: User, now: datetime) -> None:
    """Disabling ends the account's sessions and stops its API tokens at once; nothing is deleted."""
    require_administer_accounts(actor)
    if not may_administer(actor, user):
        raise NotFound("用户不存在", "User not found", code="user_not_found")
    if user.id == actor.id and not enabled:
        raise Invalid("不能停用自己的账号", "You cannot disable your own account", code="self_disable")
    if user.is_enabled == enabled:
        return
    user.is_enabled = enabled
    if not enabled:
        accounts.end_sessions(user, now=now)
    audit.record(actor=actor, action="user.enable" if enabled else "user.disable", entity_type="user",
                 entity_id=user.id, after={"username": user.username}, now=now)


def reset_password(user: User, *, actor: User, hasher: PasswordHasher, now: datetime,
                   keep_session: str | None = None) -> str:
    """A generated password, shown once to the administrator, to be changed at the next login. The user's
    sessions end (but `keep_session`, the administrator's own when resetting itself); API tokens stay."""
    require_administer_accounts(actor)
    if not may_administer(actor, user):
        raise NotFound("用户不存在", "User not found", code="user_not_found")
    password = accounts.generate_password()
    accounts.reset_password(user, password=password, hasher=hasher, actor=actor, now=now, keep_session=keep_session)
    return password
