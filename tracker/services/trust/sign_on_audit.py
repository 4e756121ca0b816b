"""What a sign-on through the city's platform leaves in the audit log: who signed on through which source, and
every refusal with its reason, as a password login leaves auth.login and auth.login_failed (security.py).

Kept apart from sign_on.py, which decides who the person is: these record what the door did with the answer,
and any source's door (OIDC, LDAP) writes the same events.
"""
from __future__ import annotations

from datetime import datetime

from ...models import User
from . import audit


def signed_on(user: User, *, source: str, address: str, code_owed: bool, now: datetime) -> None:
    """The platform vouched for the person and the account is usable; with `code_owed` the session waits for the
    second factor (web/two_factor.py records auth.login when the code is right)."""
    audit.record(actor=user, action="auth.sign_on_code_owed" if code_owed else "auth.sign_on", entity_type="user",
                 entity_id=user.id, after={"source": source, "address": address}, now=now)


def refused(*, source: str, reason: str, who: str | None, address: str, now: datetime) -> None:
    """A sign-on turned away: a token that failed a check, a state used twice, no matching account. `who` is the
    person as the platform named them, when it got that far."""
    audit.record(actor=None, actor_label=(who or source)[:64], action="auth.sign_on_refused", entity_type="login",
                 entity_id=None, after={"source": source, "reason": reason, "address": address}, now=now)
