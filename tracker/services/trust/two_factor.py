"""Two factors (等保 level 3 asks them of administrators): a TOTP code (RFC 6238, any authenticator app) after the
password, required by configuration for some roles (the office and leaders by default) and offered to everyone,
with ten one-time recovery codes. A wrong code counts as a failed login (the same counters and lockout as a wrong
password); a code is taken once (its time step is remembered); the office resets a lost authenticator, audited.

Enrolment is two steps: a new secret is shown (QR code and text) and kept by the caller (the web keeps it in the
signed session) until a code made from it is entered; only then is it stored, so a half-done enrolment locks no
one out.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import sqlalchemy as sa

from ...errors import Invalid, NotAllowed
from ...extensions import db
from ...models import LoginAttempt, RecoveryCode, User
from . import audit, permissions
from .security import SecurityPolicy, lock_if_too_many, locked_until

RECOVERY_CODES = 10
ISSUER = "督办看板"


def is_enrolled(user: User) -> bool:
    return user.totp_enabled_at is not None


def must_enrol(user: User, policy: SecurityPolicy) -> bool:
    """A role that must sign in with two factors and has not enrolled yet: it enrols before anything else."""
    return user.role in policy.two_factor_roles and not is_enrolled(user)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """What the QR code carries: the otpauth:// address authenticator apps read."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def _step(secret: str, code: str, now: datetime) -> int | None:
    """The time step the code is valid for (this one, or one either side for a clock off by 30 s), else None."""
    code = code.strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    here = totp.timecode(now)
    for step in (here, here - 1, here + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm_enrolment(user: User, *, secret: str, code: str, now: datetime) -> list[str]:
    """Store the secret once a code made from it is right; answer the recovery codes, shown this once."""
    if is_enrolled(user):
        raise Invalid("已启用两步验证", "Two factors are already on", code="two_factor_on")
    step = _step(secret, code, now)
    if step is None:
        raise Invalid("验证码不正确,请用验证器应用扫描二维码后输入当前 6 位验证码", "Wrong code: scan the QR code with an "
                      "authenticator app and enter its current 6 digits", code="wrong_code",
                      fields={"code": ["验证码不正确"]})
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, now, step
    codes = _new_recovery_codes(user)
    audit.record(actor=user, action="user.two_factor_on", entity_type="user", entity_id=user.id, now=now)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    db.session.flush()
    return codes


@dataclass(frozen=True)
class CodeOutcome:
    ok: bool
    locked_until: datetime | None = None
    used_recovery_code: bool = False


def check_code(user: User, code: str, *, address: str, policy: SecurityPolicy, now: datetime) -> CodeOutcome:
    """The second step of a login. Recorded like a password attempt, so the caller commits whatever it answers:
    wrong codes count toward the lockout of the login name and the address."""
    locked = locked_until(user.username, address, now)
    if locked is not None:
        return CodeOutcome(False, locked)
    ok, recovery = _accept(user, code, now)
    db.session.add(LoginAttempt(at=now, username=user.username, address=address, succeeded=ok))
    db.session.flush()
    if ok:
        audit.record(actor=user, action="auth.login", entity_type="user", entity_id=user.id,
                     after={"address": address, "second_factor": "recovery_code" if recovery else "totp"}, now=now)
        return CodeOutcome(True, used_recovery_code=recovery)
    audit.record(actor=None, actor_label=user.username, action="auth.code_failed", entity_type="login",
                 entity_id=None, after={"address": address}, now=now)
    return CodeOutcome(False, lock_if_too_many(user.username, address, policy, now))


def _accept(user: User, code: str, now: datetime) -> tuple[bool, bool]:
    if user.totp_secret is None:
        return False, False
    step = _step(user.totp_secret, code, now)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return False, False  # taken already
        user.totp_last_step = step
        return True, False
    found = db.session.scalar(sa.select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None)))
    if found is None:
        return False, False
    found.used_at = now
    return True, True


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def reset(user: User, *, actor: User, now: datetime) -> None:
    """The office switches an account's two factors off (a lost phone): it enrols again at its next login if its
    role requires them. Audited; the office cannot reset its own (another office account must)."""
    permissions.require_office(actor)
    if user.id == actor.id:
        raise NotAllowed("不能重置自己的两步验证,请由另一位办公室管理员操作", "Another office administrator must reset "
                         "your two factors", code="self_two_factor_reset")
    if not is_enrolled(user):
        return
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(actor=actor, action="user.reset_two_factor", entity_type="user", entity_id=user.id,
                 after={"username": user.username}, now=now)
