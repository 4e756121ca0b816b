"""OpenID Connect: the settings of the city's platform as the tracker reads them, and its ID token's claims read
into a `DirectoryPerson` for sign_on.account_for.

The platform's claim names are the city's, not a standard's (a 统一身份认证平台 may say `employee_no` where another
says `job_number`), so TRACKER_OIDC_CLAIMS maps each field of a DirectoryPerson to the claim that carries it. The
token itself (signature against the platform's keys, issuer, audience, expiry, nonce) is checked by the web door
(web/oidc.py, through Authlib) before any claim is read here: these are claims the platform has signed.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ... import limits
from .sign_on import DirectoryPerson, SignOnRefused

SOURCE = "oidc"
# DirectoryPerson field -> the claim that carries it, unless TRACKER_OIDC_CLAIMS says otherwise.
DEFAULT_CLAIMS = {"display_name": "name", "login": "preferred_username", "mail": "email",
                  "job_number": "job_number", "credit_code": "credit_code", "unit_key": "unit"}
# The longest value each field may have: what the account's columns hold (a longer key could never match).
LONGEST = {"login": limits.LOGIN_NAME, "mail": limits.EMAIL, "job_number": 32, "credit_code": 18,
           "unit_key": 64}
TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class OidcSettings:
    """The platform and this tracker's registration with it; frozen and hashable (the web door keeps one client
    per settings)."""

    issuer: str  # what the ID token's `iss` must be, exactly
    discovery_url: str  # the provider's metadata: endpoints, its keys (jwks_uri), signing algorithms
    client_id: str
    client_secret: str
    scopes: str = "openid profile email"
    claims: tuple[tuple[str, str], ...] = tuple(DEFAULT_CLAIMS.items())
    label: str = ""  # the login page's button; empty: the tracker's own words
    token_auth: str = "client_secret_basic"
    redirect_uri: str = ""  # empty: this tracker's own /login/oidc/callback as the request reached it
    timeout_seconds: int = 10

    def claim(self, field: str) -> str:
        return dict(self.claims)[field]


def issuer_url(value: Any) -> str:
    """An https address (http only on loopback, for a platform under test); the ID token's `iss` is compared
    with it exactly, so it is kept as given, less a trailing slash."""
    if not value:
        raise ValueError("未设置:填写统一身份认证平台的 issuer 地址")
    text = str(value).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme == "https" and parts.hostname:
        return text
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return text
    raise ValueError(f"{text!r} 不是 https 地址(仅本机测试可用 http)")


def discovery_url(value: Any, issuer: str) -> str:
    """The metadata address: given, or the standard one under the issuer (OpenID Connect Discovery 1.0)."""
    return issuer_url(value) if value else f"{issuer}/.well-known/openid-configuration"


def required(value: Any) -> str:
    if not value or not str(value).strip():
        raise ValueError("未设置:向统一身份认证平台申请注册本系统后填写")
    return str(value).strip()


def scopes(value: Any) -> str:
    names = str(value).split()
    if "openid" not in names:
        raise ValueError(f"{value!r} 须包含 openid")
    return " ".join(names)


def claim_names(value: Any) -> tuple[tuple[str, str], ...]:
    """TRACKER_OIDC_CLAIMS, a JSON object (or a dict in Python config) over the defaults."""
    given = json.loads(value) if isinstance(value, str) else (value or {})
    if not isinstance(given, dict):
        raise ValueError("须为 JSON 对象,例如 {\"job_number\": \"employee_no\"}")
    unknown = sorted(set(given) - set(DEFAULT_CLAIMS))
    if unknown:
        raise ValueError(f"未知字段 {', '.join(unknown)}(可用:{', '.join(DEFAULT_CLAIMS)})")
    bad = sorted(field for field, claim in given.items() if not isinstance(claim, str) or not claim.strip())
    if bad:
        raise ValueError(f"字段 {', '.join(bad)} 的声明名须为非空字符串")
    return tuple({**DEFAULT_CLAIMS, **{k: v.strip() for k, v in given.items()}}.items())


def redirect_uri(value: Any) -> str:
    """Empty (the callback as the request reached it), or the address registered with the platform."""
    return issuer_url(value) if value else ""


def token_auth(value: Any) -> str:
    if value not in TOKEN_AUTH_METHODS:
        raise ValueError(f"{value!r} 不是 {'、'.join(TOKEN_AUTH_METHODS)} 之一")
    return str(value)


def person_from_claims(claims: Mapping[str, Any], settings: OidcSettings) -> DirectoryPerson:
    """The person the verified ID token names. A mail the platform says it has not verified is not used to match
    (whoever typed it into the platform would otherwise take the account that has it)."""
    subject = _text(claims.get("sub"))
    if not subject:
        raise SignOnRefused("统一身份认证未提供用户标识(sub),请联系领导小组办公室",
                            "The platform's token names no subject (sub)", code="sign_on_no_subject")
    values = {field: _text(claims.get(settings.claim(field))) for field in DEFAULT_CLAIMS}
    if claims.get("email_verified") is False:
        values["mail"] = None
    for field, longest in LONGEST.items():
        value = values[field]
        if value is not None and len(value) > longest:
            raise SignOnRefused(f"统一身份认证提供的“{settings.claim(field)}”超过 {longest} 个字符,无法匹配账号",
                                f"The platform's {settings.claim(field)} is longer than {longest} characters",
                                code="sign_on_claim_too_long")
    name = values["display_name"] or values["login"] or subject
    return DirectoryPerson(source=SOURCE, subject=subject, display_name=name[:limits.PERSON_NAME],
                           login=values["login"], mail=values["mail"], job_number=values["job_number"],
                           credit_code=values["credit_code"], unit_key=values["unit_key"])


def _text(value: Any) -> str | None:
    """A claim as text: strings and numbers (a job number may come as one), stripped; anything else is absent."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    return text or None
