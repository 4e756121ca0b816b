"""Signing on through the city's identity platform (OIDC, LDAP): which account a vouched-for person is.

Both doors end here, so the matching rule is one: a person the platform has vouched for is found by the link a
first sign-on made (source + subject), else matched once by the configured key (login name, mail, or the unit's
统一社会信用代码 with the job number) and linked, else, when the office allows it, given a new account in the unit
the directory names, with the least role. Roles stay the tracker's: the office or a unit admin grants more.
A disabled account stays disabled whatever the platform says, and a refusal says what the person should do.

The other half of the switch, the roles that may still sign in with a local password (TRACKER_PASSWORD_ROLES),
is the login's: services/trust/security.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher

from ...errors import NotAllowed
from ...extensions import db
from ...models import Role, SignOnLink, Unit, User
from . import accounts, audit

SOURCES = ("oidc", "ldap")
MATCH_KEYS = ("login", "mail", "credit_code+job_number")
LEAST_ROLE = Role.UNIT_MEMBER


@dataclass(frozen=True)
class DirectoryPerson:
    """What a source says of a person, already read out of its claims or attributes by the source's door."""

    source: str  # one of SOURCES
    subject: str  # the source's stable id: OIDC `sub`, LDAP entryUUID (or DN where there is none)
    display_name: str
    login: str | None = None
    mail: str | None = None
    job_number: str | None = None  # 工号
    credit_code: str | None = None  # 统一社会信用代码 of the person's unit
    unit_key: str | None = None  # the unit as the tracker names it, where the directory carries that


@dataclass(frozen=True)
class SignOnPolicy:
    sources: frozenset[str] = frozenset()  # beside local passwords; empty: local accounts only
    match: str = "login"  # one of MATCH_KEYS
    create_missing: bool = False  # give an unmatched person an account in the unit its entry names

    @classmethod
    def parse(cls, *, sources: str, match: str, create_missing: bool) -> SignOnPolicy:
        """From the settings; raises ValueError naming what is wrong."""
        names = frozenset(name.strip().lower() for name in sources.replace(" ", ",").split(",") if name.strip())
        unknown = sorted(names - set(SOURCES))
        if unknown:
            raise ValueError(f"TRACKER_SIGN_ON: unknown source {', '.join(unknown)} (known: {', '.join(SOURCES)})")
        if match not in MATCH_KEYS:
            raise ValueError(f"TRACKER_SIGN_ON_MATCH: {match!r} is not one of {', '.join(MATCH_KEYS)}")
        return cls(sources=names, match=match, create_missing=create_missing)


class SignOnRefused(NotAllowed):
    code = "sign_on_refused"


def account_for(person: DirectoryPerson, *, policy: SignOnPolicy, hasher: PasswordHasher, now: datetime) -> User:
    """The account the person signs in as; audited when a link or an account is made. The caller commits."""
    if person.source not in policy.sources:
        raise SignOnRefused(f"未启用“{person.source}”统一身份认证", f"Sign-on through {person.source} is not enabled")
    link = db.session.execute(sa.select(SignOnLink).where(
        SignOnLink.source == person.source, SignOnLink.subject == person.subject)).scalar_one_or_none()
    if link is not None:
        link.last_seen_at = now
        return _usable(link.user)
    user = _match(person, policy.match)
    if user is None:
        user = _create(person, policy, hasher, now)
    elif db.session.execute(sa.select(SignOnLink.id).where(
            SignOnLink.user_id == user.id, SignOnLink.source == person.source)).first():
        raise SignOnRefused(f"账号“{user.username}”已与统一身份认证中的另一人关联,请联系单位管理员核对",
                            f"Account {user.username} is already linked to another person of this source",
                            code="sign_on_linked_elsewhere")
    _usable(user)
    db.session.add(SignOnLink(user_id=user.id, source=person.source, subject=person.subject, created_at=now,
                              last_seen_at=now))
    db.session.flush()
    audit.record(actor=user, action="user.sign_on_link", entity_type="user", entity_id=user.id, now=now,
                 after={"source": person.source, "subject": person.subject, "match": policy.match})
    return user


def _usable(user: User) -> User:
    if not user.is_enabled:
        raise SignOnRefused("账号已停用,请联系单位管理员", "This account is disabled; ask your unit's administrator",
                            code="account_disabled")
    return user


def _match(person: DirectoryPerson, key: str) -> User | None:
    """The one account the configured key names; none when the person lacks the key. Two accounts sharing a
    mail cannot both be this person: refused rather than guessed."""
    query = sa.select(User)
    if key == "login":
        if not person.login:
            return None
        query = query.where(User.username == person.login)
    elif key == "mail":
        if not person.mail:
            return None
        query = query.where(sa.func.lower(User.email) == person.mail.lower())
    else:
        if not (person.credit_code and person.job_number):
            return None
        query = query.join(Unit, Unit.id == User.unit_id).where(
            Unit.credit_code == person.credit_code, User.job_number == person.job_number)
    found = db.session.execute(query.limit(2)).scalars().all()
    if len(found) > 1:
        raise SignOnRefused("有多个账号与您的身份信息相符,请联系单位管理员核对", "More than one account matches you; "
                            "ask your unit's administrator", code="sign_on_ambiguous")
    return found[0] if found else None


def _unit_named(person: DirectoryPerson) -> Unit | None:
    if person.unit_key:
        unit = db.session.execute(sa.select(Unit).where(Unit.key == person.unit_key)).scalar_one_or_none()
        if unit is not None:
            return unit
    if person.credit_code:
        return db.session.execute(sa.select(Unit).where(Unit.credit_code == person.credit_code)).scalar_one_or_none()
    return None


def _create(person: DirectoryPerson, policy: SignOnPolicy, hasher: PasswordHasher, now: datetime) -> User:
    """A new member account in the directory's unit. Its local password is random and never shown: the person
    signs in through the platform (or an admin resets it, where members may use passwords)."""
    if not policy.create_missing:
        raise SignOnRefused("本系统中没有与您对应的账号,请联系单位管理员开通", "No account here matches you; ask your "
                            "unit's administrator to open one", code="sign_on_no_account")
    unit = _unit_named(person)
    if unit is None:
        named = person.unit_key or person.credit_code or "(未提供)"
        raise SignOnRefused(f"统一身份认证中的单位“{named}”在本系统中找不到,请联系领导小组办公室",
                            f"Your directory unit {named} is not in the tracker; ask the office",
                            code="sign_on_unknown_unit")
    login = person.login or person.mail or (f"{person.credit_code}-{person.job_number}" if person.job_number else None)
    if not login:
        raise SignOnRefused("统一身份认证未提供登录名、邮箱或工号,无法开通账号", "The platform gave no login, mail or job "
                            "number to open an account with", code="sign_on_no_login")
    return accounts.create_user(username=login, display_name=person.display_name, role=LEAST_ROLE, unit=unit,
                                password=accounts.generate_password(32), hasher=hasher, actor=None,
                                actor_label=person.source, now=now, email=person.mail,
                                job_number=person.job_number, must_change_password=False)


def known_account(person: DirectoryPerson, match: str) -> User | None:
    """The account `account_for` would find for the person (its link, else the configured key), without linking,
    creating, or refusing a disabled one: the directory sync (services/trust/directory_sync.py) plans with it.
    Raises SignOnRefused when the key matches more than one account."""
    link = db.session.execute(sa.select(SignOnLink).where(
        SignOnLink.source == person.source, SignOnLink.subject == person.subject)).scalar_one_or_none()
    return link.user if link is not None else _match(person, match)
