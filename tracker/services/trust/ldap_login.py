"""The login form with LDAP on: the directory's password first, the local password after it.

Order, and why: with LDAP on, the directory is where most people's passwords live, so it is asked first; the local
password stays for the accounts the city keeps outside it (the office's first accounts, a leader without a
directory entry) and for the roles TRACKER_PASSWORD_ROLES still allows. A person the directory does not know, or
whose directory password is wrong, goes on to the local check exactly as if LDAP were off, and only that check
records the attempt, so one wrong password counts once, toward the one lockout of services/trust/security.py.
A right directory password is recorded as a successful attempt there too, ending the run of failures.

A name or address already locked out never reaches the directory. The directory is asked outside any database
transaction (the caller's `outside`), with the deadline of its settings; a directory that cannot be asked leaves
the local check to decide, and the page says the directory is unavailable rather than that the password was
wrong. A right directory password for an account the tracker refuses (disabled, no account and none may be
opened) is counted as a failure, as a disabled account's right local password is, and says why.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from argon2 import PasswordHasher

from ...extensions import db
from ...models import LoginAttempt
from . import audit, security, sign_on_audit
from .ldap_directory import DirectoryUnavailable, LdapSettings, check_password
from .sign_on import DirectoryPerson, SignOnPolicy, SignOnRefused, account_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DirectoryLogin:
    outcome: security.LoginOutcome
    refused: SignOnRefused | None = None  # the directory vouched, the tracker said no
    unavailable: bool = False  # the directory could not be asked; the local check decided
    vouched: bool = False  # the directory's password was right (not the local one)


def attempt_login(username: str, password: str, *, address: str, directory: LdapSettings, sign_on: SignOnPolicy,
                  hasher: PasswordHasher, policy: security.SecurityPolicy, now: datetime,
                  outside: Callable[[Callable[[], DirectoryPerson | None]], DirectoryPerson | None]
                  ) -> DirectoryLogin:
    """Check a login against the directory, then locally; the caller commits whatever the outcome."""
    username = username.strip()[:64]

    def local(unavailable: bool = False) -> DirectoryLogin:
        return DirectoryLogin(security.attempt_login(username, password, address=address, hasher=hasher,
                                                     policy=policy, now=now), unavailable=unavailable)

    if security.locked_until(username, address, now) is not None:
        return local()  # refused there, and audited, without asking the directory
    try:
        person = outside(lambda: check_password(directory, username, password))
    except DirectoryUnavailable as exc:
        log.warning("LDAP sign-on: directory unavailable: %s", exc)
        return local(unavailable=True)
    if person is None:
        return local()
    try:
        with db.session.begin_nested():  # a refusal leaves nothing of what account_for began
            user = account_for(person, policy=sign_on, hasher=hasher, now=now)
    except SignOnRefused as refused:
        db.session.add(LoginAttempt(at=now, username=username, address=address, succeeded=False))
        db.session.flush()
        sign_on_audit.refused(source="ldap", reason=refused.code, who=username or "?", address=address, now=now)
        locked = security.lock_if_too_many(username, address, policy, now)
        return DirectoryLogin(security.LoginOutcome(None, locked), refused=refused)
    db.session.add(LoginAttempt(at=now, username=username, address=address, succeeded=True))
    db.session.flush()
    second = user.totp_enabled_at is not None
    audit.record(actor=user, action="auth.password_ok" if second else "auth.login", entity_type="user",
                 entity_id=user.id, after={"address": address, "source": "ldap"}, now=now)
    return DirectoryLogin(security.LoginOutcome(user, needs_code=second), vouched=True)
