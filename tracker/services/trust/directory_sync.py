"""Directory sync: the city's people (from LDAP, or a sheet of the same shape as the unit intake) laid over the
tracker's accounts, planned row by row, then applied all at once or not at all.

A person is found as sign-on finds them (services/trust/sign_on.py: the link of this source, else the configured
key), so the sync and the login agree on who is who, and every account the sync makes or matches is linked. What
a plan holds, per person: a new account in the unit the directory names, with the least role; an account moved to
another unit (a unit role only, and it becomes the least role there: roles are granted in a unit, they do not
travel; the office's own accounts are never moved by a directory); a changed name, mail or 工号; an account this
sync disabled that is back in the directory, enabled again. Then every enabled account linked to this source whose
person is gone is disabled, never deleted, so its history stays. Units are never created here (their kind and
parent are the office's, through the unit intake): a person in a unit the tracker lacks is a refused row naming
that unit. From LDAP, a unit the tracker has by key takes the directory's 统一社会信用代码 when it has none or
another.

One refused row refuses the whole run, naming each row and why. A directory that lists nobody is refused too: a
wrong filter must not disable everyone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher

from ... import limits
from ...errors import Invalid, TrackerError
from ...extensions import db
from ...models import Event, Role, SignOnLink, Unit, User
from . import accounts, audit
from .ldap_directory import DirectoryUnavailable, DirectoryUnit, LdapSettings, read_directory
from .sign_on import LEAST_ROLE, DirectoryPerson, SignOnRefused, known_account

ACTOR = "directory-sync"
MOVABLE_ROLES = (Role.UNIT_ADMIN, Role.UNIT_MEMBER)
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{18}$")  # GB 32100-2015: 18 of digits and capitals but I O S V Z
JOB_NUMBER = 32  # users.job_number
DETAILS = (("display_name", "display_name", "姓名"), ("mail", "email", "邮箱"), ("job_number", "job_number", "工号"))


@dataclass(frozen=True)
class Entry:
    """One person as the source lists them, and where (a sheet's row number, an LDAP entry's DN)."""

    where: str
    person: DirectoryPerson


@dataclass
class Change:
    where: str
    action: str  # create, link, move, update, enable, disable, unit_code, refused
    who: str
    detail: str = ""
    reasons: list[str] = field(default_factory=list)
    person: DirectoryPerson | None = None
    user: User | None = None
    unit: Unit | None = None
    values: dict[str, Any] = field(default_factory=dict)
    relink: bool = False  # the person's entry was made anew (a new id): the account follows it


@dataclass
class SyncPlan:
    source: str
    changes: list[Change]

    @property
    def refused(self) -> list[Change]:
        return [change for change in self.changes if change.action == "refused"]

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for change in self.changes:
            found[change.action] = found.get(change.action, 0) + 1
        return found


def from_ldap(settings: LdapSettings) -> tuple[list[DirectoryUnit], list[Entry]]:
    """The directory's units and people, each person named by its DN; a network call, so before any transaction."""
    try:
        units, people = read_directory(settings)
    except DirectoryUnavailable as exc:
        raise TrackerError(f"无法读取 LDAP 目录:{exc}", f"The LDAP directory cannot be read: {exc}",
                           code="directory_unavailable") from None
    return units, [Entry(where=dn, person=person) for dn, person in people]


def plan(entries: list[Entry], *, source: str, match: str, units: list[DirectoryUnit] | None = None) -> SyncPlan:
    """What applying the directory would change; reads only."""
    changes: list[Change] = []
    by_key = {unit.key: unit for unit in db.session.scalars(sa.select(Unit))}
    by_name: dict[str, set[str]] = {}
    for unit in by_key.values():
        for name in (unit.name, unit.short_name, unit.credit_code):
            if name:
                by_name.setdefault(name, set()).add(unit.key)
    changes += _plan_units(units or [], by_key)
    if not entries:
        changes.append(Change(where="-", action="refused", who="-",
                              reasons=["目录中没有任何人员,疑似查询条件有误,未作任何修改"]))
        return SyncPlan(source, changes)
    present = {entry.person.subject for entry in entries}
    logins: dict[str, str] = {}
    for entry in entries:
        change = _plan_person(entry, match, by_key, by_name, logins, present)
        if change is not None:
            changes.append(change)
    followed = {change.user.id for change in changes if change.relink and change.user is not None}
    linked = db.session.execute(sa.select(SignOnLink, User).join(User, User.id == SignOnLink.user_id).where(
        SignOnLink.source == source, User.is_enabled.is_(True))).all()
    for link, user in linked:
        if link.subject not in present and user.id not in followed:
            changes.append(Change(where="-", action="disable", who=user.username, user=user,
                                  detail=f"{user.display_name}:已不在目录中"))
    return SyncPlan(source, changes)


def _plan_units(units: list[DirectoryUnit], by_key: dict[str, Unit]) -> list[Change]:
    """The directory's 统一社会信用代码 for the units the tracker has by key; a code that is not one, or that
    another unit holds, is refused."""
    holder = {unit.credit_code: unit.key for unit in by_key.values() if unit.credit_code}
    changes = []
    for found in units:
        known = by_key.get(found.key)
        if known is None or not found.credit_code or known.credit_code == found.credit_code:
            continue
        change = Change(where=found.dn, action="unit_code", who=known.key, unit=known,
                        detail=f"{known.credit_code or '(无)'} → {found.credit_code}",
                        values={"credit_code": found.credit_code})
        if not CREDIT_CODE.match(found.credit_code):
            change.reasons.append(f"“{found.credit_code}”不是 18 位统一社会信用代码")
        elif holder.get(found.credit_code, known.key) != known.key:
            change.reasons.append(f"统一社会信用代码 {found.credit_code} 已属于单位“{holder[found.credit_code]}”")
        holder[found.credit_code] = known.key
        change.action = "refused" if change.reasons else change.action
        changes.append(change)
    return changes


def _plan_person(entry: Entry, match: str, by_key: dict[str, Unit], by_name: dict[str, set[str]],
                 logins: dict[str, str], present: set[str]) -> Change | None:
    person = entry.person
    who = person.login or person.subject
    refused = Change(where=entry.where, action="refused", who=who, person=person)
    reasons = refused.reasons
    if person.login:
        if person.login in logins:
            reasons.append(f"登录名“{person.login}”与第 {logins[person.login]} 处重复")
        logins.setdefault(person.login, entry.where)
    unit = _unit_of(person, by_key, by_name, reasons)
    if not person.display_name:
        reasons.append("姓名为空")
    if len(person.display_name) > limits.PERSON_NAME or len(person.mail or "") > limits.EMAIL \
            or len(person.job_number or "") > JOB_NUMBER:
        reasons.append(f"姓名、邮箱或工号过长(姓名至多 {limits.PERSON_NAME} 字,邮箱至多 {limits.EMAIL} 字,"
                       f"工号至多 {JOB_NUMBER} 字)")
    try:
        user = known_account(person, match)
    except SignOnRefused:
        reasons.append("有多个账号与此人相符,请先核对账号")
        return refused
    if reasons or unit is None:
        return refused
    if user is None:
        return _plan_new(entry, unit, refused)
    return _plan_known(entry, user, unit, refused, present)


def _unit_of(person: DirectoryPerson, by_key: dict[str, Unit], by_name: dict[str, set[str]],
             reasons: list[str]) -> Unit | None:
    named = person.unit_key or person.credit_code
    if not named:
        reasons.append("未写明所在单位")
        return None
    if named in by_key:
        return by_key[named]
    candidates = by_name.get(named, set()) | by_name.get(person.credit_code or "", set())
    if len(candidates) == 1:
        return by_key[next(iter(candidates))]
    reasons.append(f"单位“{named}”" + ("对应多个单位,请写单位标识" if candidates else
                                      "在本系统中不存在,请先通过单位名单导入"))
    return None


def _plan_new(entry: Entry, unit: Unit, refused: Change) -> Change:
    person = entry.person
    login = person.login or ""
    if not login or len(login) > limits.LOGIN_NAME:
        refused.reasons.append(f"登录名为空或超过 {limits.LOGIN_NAME} 个字符")
        return refused
    if db.session.execute(sa.select(User.id).where(User.username == login)).first():
        refused.reasons.append(f"登录名“{login}”已被另一账号使用")
        return refused
    return Change(where=entry.where, action="create", who=login, person=person, unit=unit,
                  detail=f"{person.display_name},{unit.name},{LEAST_ROLE.value}")


def _plan_known(entry: Entry, user: User, unit: Unit, refused: Change, present: set[str]) -> Change | None:
    """An account the key matched but linked to another entry follows this one only when that entry is gone
    (a person's entry made anew); two live entries claiming one account are refused."""
    person = entry.person
    link = db.session.execute(sa.select(SignOnLink).where(
        SignOnLink.user_id == user.id, SignOnLink.source == person.source)).scalar_one_or_none()
    relink = link is not None and link.subject != person.subject
    if relink and link is not None and link.subject in present:
        refused.reasons.append(f"账号“{user.username}”已与目录中的另一人关联")
        return refused
    values = {column: getattr(person, name) for name, column, _word in DETAILS
              if getattr(person, name) and getattr(person, name) != getattr(user, column)}
    words = [f"{word}:{getattr(user, column) or '(无)'} → {values[column]}"
             for _name, column, word in DETAILS if column in values]
    moved = user.unit_id != unit.id and user.role in MOVABLE_ROLES
    if moved:
        values["unit_id"] = unit.id
        words.insert(0, f"单位:{user.unit.name} → {unit.name}" + (
            f",角色改为 {LEAST_ROLE.value}" if user.role != LEAST_ROLE else ""))
    enable = not user.is_enabled and _disabled_by_sync(user)
    if enable:
        words.insert(0, "重新出现在目录中,启用")
    if link is None or relink:
        words.append("关联目录" if link is None else "目录条目已重建,改为关联新条目")
    if not values and not enable and not relink and link is not None:
        return None
    action = "enable" if enable else "move" if moved else "update" if values else "link"
    return Change(where=entry.where, action=action, who=user.username, person=person, user=user, unit=unit,
                  detail=";".join(words), values=values | ({"is_enabled": True} if enable else {}), relink=relink)


def _disabled_by_sync(user: User) -> bool:
    """Whether the account's last enabling or disabling was this sync's: one an administrator disabled stays so."""
    last = db.session.execute(sa.select(Event.action).where(
        Event.entity_type == "user", Event.entity_id == user.id,
        Event.action.in_(("user.enable", "user.disable", "user.directory_enable", "user.directory_disable")))
        .order_by(Event.id.desc()).limit(1)).scalar()
    return last == "user.directory_disable"


def apply(sync: SyncPlan, *, hasher: PasswordHasher, now: datetime) -> dict[str, int]:
    """Every change of the plan, each audited, in the caller's transaction; refused whole if any row is."""
    if sync.refused:
        rows = "、".join(change.where for change in sync.refused)
        raise Invalid(f"目录同步有 {len(sync.refused)} 处问题({rows}),未作任何修改",
                      f"The directory sync has {len(sync.refused)} refused rows; nothing was changed",
                      code="directory_sync_refused",
                      fields={change.where: change.reasons for change in sync.refused})
    for change in sync.changes:
        _apply(change, sync.source, hasher, now)
    db.session.flush()
    return sync.counts()


def _apply(change: Change, source: str, hasher: PasswordHasher, now: datetime) -> None:
    if change.action == "unit_code":
        assert change.unit is not None
        before = change.unit.credit_code
        change.unit.credit_code = change.values["credit_code"]
        audit.record(actor=None, actor_label=ACTOR, action="unit.directory_credit_code", entity_type="unit",
                     entity_id=change.unit.id, before={"credit_code": before}, after=change.values, now=now)
        return
    if change.action == "disable":
        assert change.user is not None
        change.user.is_enabled = False
        accounts.end_sessions(change.user, now=now)
        audit.record(actor=None, actor_label=ACTOR, action="user.directory_disable", entity_type="user",
                     entity_id=change.user.id, after={"username": change.user.username, "source": source}, now=now)
        return
    person, user = change.person, change.user
    assert person is not None and change.unit is not None
    if user is None:
        user = accounts.create_user(username=person.login or "", display_name=person.display_name, role=LEAST_ROLE,
                                    unit=change.unit, password=accounts.generate_password(32), hasher=hasher,
                                    actor=None, actor_label=ACTOR, now=now, email=person.mail,
                                    job_number=person.job_number, must_change_password=False)
    else:
        _change_account(user, change, source, now)
    link = db.session.execute(sa.select(SignOnLink).where(SignOnLink.user_id == user.id,
                                                          SignOnLink.source == source)).scalar_one_or_none()
    if link is not None and link.subject == person.subject:
        return
    was = {"subject": link.subject} if link is not None else None
    if link is None:
        db.session.add(SignOnLink(user_id=user.id, source=source, subject=person.subject, created_at=now,
                                  last_seen_at=now))
    else:
        link.subject = person.subject
    audit.record(actor=None, actor_label=ACTOR, action="user.sign_on_link", entity_type="user", entity_id=user.id,
                 before=was, after={"source": source, "subject": person.subject, "match": "directory-sync"},
                 now=now)


def _change_account(user: User, change: Change, source: str, now: datetime) -> None:
    values = dict(change.values)
    if values.pop("is_enabled", False):
        user.is_enabled = True
        audit.record(actor=None, actor_label=ACTOR, action="user.directory_enable", entity_type="user",
                     entity_id=user.id, after={"username": user.username, "source": source}, now=now)
    if "unit_id" in values:
        before = {"unit": user.unit.key, "role": user.role}
        user.unit_id, user.role = values.pop("unit_id"), LEAST_ROLE
        db.session.flush()
        db.session.refresh(user, ["unit"])
        audit.record(actor=None, actor_label=ACTOR, action="user.directory_move", entity_type="user",
                     entity_id=user.id, before=before, after={"unit": user.unit.key, "role": user.role}, now=now)
    if values:
        before = {column: getattr(user, column) for column in values}
        for column, value in values.items():
            setattr(user, column, value)
        audit.record(actor=None, actor_label=ACTOR, action="user.directory_update", entity_type="user",
                     entity_id=user.id, before=before, after=values, now=now)
