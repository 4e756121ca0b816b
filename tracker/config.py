"""Configuration: secrets and URLs from the environment, the rest as data.

The ladder, the time zone and the warning window are settings rather than code so that a city can tune them
without a release; the defaults follow common supervision practice (see ../shared/DESIGN.md).
"""
from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import SettingError

# The checkout: templates, seed files and migrations live beside the package.
ROOT = Path(__file__).resolve().parent.parent

DEFAULT_LADDER: list[dict[str, Any]] = [
    {"level": 1, "key": "remind", "name": "提醒", "days_overdue": 1},
    {"level": 2, "key": "urge", "name": "催办", "days_overdue": 7},
    {"level": 3, "key": "supervise", "name": "督办", "days_overdue": 15, "answer_within_days": 5},
    {"level": 4, "key": "bulletin", "name": "通报", "days_overdue": 30},
]


class Config:
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    TRACKER_TIMEZONE = "Asia/Shanghai"
    TRACKER_WARNING_DAYS = 7
    TRACKER_LADDER = DEFAULT_LADDER
    TRACKER_RUBRIC_FILE = str(ROOT / "seed_tasks" / "rubric_2023_2025.yaml")
    TRACKER_HOLIDAYS_FILE = str(ROOT / "seed_tasks" / "holidays_cn.yaml")
    TRACKER_SQLITE_BUSY_TIMEOUT_MS = 10_000
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    TRACKER_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    TRACKER_LOGIN_MAX_FAILURES = 5
    TRACKER_LOGIN_WINDOW_MINUTES = 15
    TRACKER_LOCKOUT_MINUTES = 30
    TRACKER_SESSION_IDLE_MINUTES = 30
    TRACKER_SESSION_MAX_HOURS = 12
    TRACKER_PASSWORD_MAX_AGE_DAYS: int | None = None
    # Roles that sign in with a second factor (TOTP) after the password, comma-separated, or "none"; everyone
    # else may switch it on for themselves (等保 level 3 asks two factors of administrators).
    TRACKER_TWO_FACTOR_ROLES = "office_admin,leader"
    # Sign-on through the city's identity platform beside local passwords: "", "oidc", "ldap" or "oidc,ldap". A
    # first sign-on is matched to an account by TRACKER_SIGN_ON_MATCH (login, mail or credit_code+job_number);
    # unmatched people get a member account in their directory unit only with TRACKER_SIGN_ON_CREATE.
    TRACKER_SIGN_ON = ""
    TRACKER_SIGN_ON_MATCH = "login"
    TRACKER_SIGN_ON_CREATE = False
    # The roles that may still sign in with a local password ("all", "none" or role names): with sign-on on, a
    # city switches passwords off for the roles its platform covers.
    TRACKER_PASSWORD_ROLES = "all"
    # OpenID Connect (read only when TRACKER_SIGN_ON names oidc; README "Sign-on (OIDC)"): the platform's issuer,
    # this tracker's registration with it, and which claims carry the person's login, mail, 工号 and unit.
    TRACKER_OIDC_ISSUER = ""
    TRACKER_OIDC_DISCOVERY_URL = ""  # empty: <issuer>/.well-known/openid-configuration
    TRACKER_OIDC_CLIENT_ID = ""
    TRACKER_OIDC_CLIENT_SECRET = ""
    TRACKER_OIDC_SCOPES = "openid profile email"
    TRACKER_OIDC_CLAIMS: dict[str, str] = {}  # field -> claim name, over oidc_claims.DEFAULT_CLAIMS
    TRACKER_OIDC_LABEL = ""  # the login page's button; empty: 统一身份认证登录
    TRACKER_OIDC_TOKEN_AUTH = "client_secret_basic"
    TRACKER_OIDC_REDIRECT_URI = ""  # empty: https://<this host>/login/oidc/callback
    TRACKER_OIDC_TIMEOUT_SECONDS = 10
    # The city's LDAP directory, for TRACKER_SIGN_ON=ldap and the directory sync (README "Sign-on (LDAP)"): a
    # read-only service account searches TRACKER_LDAP_PEOPLE_BASE; TRACKER_LDAP_ATTRIBUTES maps what the tracker
    # reads of a person to the directory's attribute names (JSON, laid over the defaults).
    TRACKER_LDAP_URL = ""
    TRACKER_LDAP_BIND_DN = ""
    TRACKER_LDAP_BIND_PASSWORD = ""
    TRACKER_LDAP_PEOPLE_BASE = ""
    TRACKER_LDAP_PEOPLE_FILTER = "(objectClass=inetOrgPerson)"
    TRACKER_LDAP_ATTRIBUTES: dict[str, str] = {}
    TRACKER_LDAP_UNITS_BASE = ""
    TRACKER_LDAP_UNITS_FILTER = "(objectClass=organizationalUnit)"
    TRACKER_LDAP_UNIT_ATTRIBUTES: dict[str, str] = {}
    TRACKER_LDAP_TIMEOUT_SECONDS = 5
    TRACKER_LDAP_START_TLS = False
    TRACKER_LDAP_CA_FILE = ""
    # "HH:MM": the scheduler syncs people from LDAP once a day at that time and applies it; empty: off.
    TRACKER_DIRECTORY_SYNC_TIME = ""
    TRACKER_HTTPS = False
    TRACKER_PROXY_FIX = False
    # Live pages (issue 22): how many open streams (one per browser tab) each web worker serves; gunicorn_conf
    # gives each worker this many threads on top of TRACKER_THREADS, so streams never take a request's thread.
    TRACKER_LIVE_STREAMS = 100
    API_TITLE = "Plan Tracker API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    # The scheduler (its own process: `flask tracker scheduler`); times are in TRACKER_TIMEZONE.
    TRACKER_SCAN_TIME = "00:10"
    TRACKER_DIGEST_WEEKDAY = 0  # Monday
    TRACKER_DIGEST_TIME = "08:30"
    TRACKER_DIGEST_DUE_SOON_DAYS = 14
    TRACKER_NOTICE_NUMBER_FORMAT = "{kind}〔{year}〕{number}号"  # document numbers of 督办 and 通报 notices
    TRACKER_BULLETIN_TIME = "08:00"  # the month's 通报 draft, on the first working day of the next month
    TRACKER_DUE_REMINDER_DAYS = [7, 1]  # the daily scan notifies units this many days before a due date
    TRACKER_SCHEDULER_LEASE_SECONDS = 120
    # Digests by e-mail: nothing is sent while TRACKER_SMTP_HOST is empty (digests are still stored).
    TRACKER_SMTP_HOST = ""
    TRACKER_SMTP_PORT = 25
    TRACKER_SMTP_USER = ""
    TRACKER_SMTP_PASSWORD = ""
    TRACKER_SMTP_FROM = "tracker@localhost"
    TRACKER_SMTP_STARTTLS = False
    # Webhook receivers on private addresses the tracker may call (comma-separated CIDRs or host names): a city's
    # 政务 network is private, and nothing else private (loopback, the database's host, 169.254.169.254) may be.
    TRACKER_WEBHOOK_ALLOW = ""
    # Reaching people (robots are set per unit on the web): the tracker's address as people open it, for the read
    # links in messages (empty: messages carry no link); the city's SMS gateway (empty URL: no SMS); how long a
    # 督办 may stay unread before it goes again by SMS.
    TRACKER_PUBLIC_URL = ""
    TRACKER_SMS_URL = ""
    TRACKER_SMS_KEY = ""
    TRACKER_RESEND_AFTER_HOURS = 24
    # The demo alone sets these (`flask tracker demo`): a 演示数据 banner on every page, the clock stopped.
    TRACKER_DEMO = False
    TRACKER_CLOCK_AT = ""


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    TRACKER_PASSWORD_HASH_FAST = True
    # Tests sign in with a password alone unless they test the second factor (tests/web/test_two_factor.py).
    TRACKER_TWO_FACTOR_ROLES = "none"
    # The tests' receivers listen on loopback; the two names are receivers tests register and never call.
    TRACKER_WEBHOOK_ALLOW = "127.0.0.1, bridge.example, x.example"


INTEGER_SETTINGS = (
    "TRACKER_WARNING_DAYS", "TRACKER_LOGIN_MAX_FAILURES", "TRACKER_LOGIN_WINDOW_MINUTES", "TRACKER_LOCKOUT_MINUTES",
    "TRACKER_SESSION_IDLE_MINUTES", "TRACKER_SESSION_MAX_HOURS", "TRACKER_PASSWORD_MAX_AGE_DAYS",
    "TRACKER_DIGEST_WEEKDAY", "TRACKER_SMTP_PORT", "TRACKER_SCHEDULER_LEASE_SECONDS", "TRACKER_RESEND_AFTER_HOURS",
    "TRACKER_OIDC_TIMEOUT_SECONDS", "TRACKER_LDAP_TIMEOUT_SECONDS", "TRACKER_LIVE_STREAMS",
)
FLAG_SETTINGS = ("TRACKER_HTTPS", "TRACKER_PROXY_FIX", "TRACKER_SMTP_STARTTLS", "TRACKER_DEMO", "TRACKER_SIGN_ON_CREATE",
                 "TRACKER_LDAP_START_TLS")
JSON_SETTINGS = ("TRACKER_LADDER", "TRACKER_DUE_REMINDER_DAYS", "TRACKER_OIDC_CLAIMS", "TRACKER_LDAP_ATTRIBUTES",
                 "TRACKER_LDAP_UNIT_ATTRIBUTES")
TEXT_SETTINGS = (
    "TRACKER_TIMEZONE", "TRACKER_UPLOAD_DIR", "TRACKER_DIGEST_TIME", "TRACKER_SCAN_TIME", "TRACKER_SMTP_HOST",
    "TRACKER_SMTP_USER", "TRACKER_SMTP_PASSWORD", "TRACKER_SMTP_FROM", "TRACKER_CLOCK_AT",
    "TRACKER_NOTICE_NUMBER_FORMAT", "TRACKER_BULLETIN_TIME", "TRACKER_RUBRIC_FILE", "TRACKER_HOLIDAYS_FILE",
    "TRACKER_WEBHOOK_ALLOW", "TRACKER_TWO_FACTOR_ROLES", "TRACKER_SIGN_ON", "TRACKER_SIGN_ON_MATCH",
    "TRACKER_PASSWORD_ROLES", "TRACKER_PUBLIC_URL", "TRACKER_SMS_URL", "TRACKER_SMS_KEY",
    "TRACKER_OIDC_ISSUER", "TRACKER_OIDC_DISCOVERY_URL", "TRACKER_OIDC_CLIENT_ID",
    "TRACKER_OIDC_CLIENT_SECRET", "TRACKER_OIDC_SCOPES", "TRACKER_OIDC_LABEL", "TRACKER_OIDC_TOKEN_AUTH",
    "TRACKER_OIDC_REDIRECT_URI", "TRACKER_LDAP_URL", "TRACKER_LDAP_BIND_DN", "TRACKER_LDAP_BIND_PASSWORD",
    "TRACKER_LDAP_PEOPLE_BASE", "TRACKER_LDAP_PEOPLE_FILTER", "TRACKER_LDAP_UNITS_BASE", "TRACKER_LDAP_UNITS_FILTER",
    "TRACKER_LDAP_CA_FILE", "TRACKER_DIRECTORY_SYNC_TIME",
)
ENV_SETTINGS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    **{name: name for name in TEXT_SETTINGS + INTEGER_SETTINGS + FLAG_SETTINGS + JSON_SETTINGS},
}


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Settings the environment overrides; numbers and JSON are parsed so a typo fails at start, not at use."""
    found: dict[str, Any] = {}
    for env_name, key in ENV_SETTINGS.items():
        if env_name in environ and environ[env_name] != "":
            found[key] = environ[env_name]
    for name in INTEGER_SETTINGS:
        if name in found:
            found[name] = _parsed(name, int, found[name], "整数")
    for name in FLAG_SETTINGS:
        if name in found:
            found[name] = found[name].lower() in ("1", "true", "yes", "on")
    for name in JSON_SETTINGS:
        if name in found:
            found[name] = _parsed(name, json.loads, found[name], "JSON")
    url = found.get("SQLALCHEMY_DATABASE_URI")
    if url and url.startswith("postgresql://"):
        found["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return found


def _parsed(name: str, parse: Callable[[str], Any], text: str, kind: str) -> Any:
    """A variable's value parsed, or SettingError naming the variable (a bare JSONDecodeError names nothing)."""
    try:
        return parse(text)
    except ValueError as exc:
        raise SettingError(f"环境变量 {name} 不是有效的{kind}:{exc}", f"{name} is not valid {kind}: {exc}",
                           fields={name: [str(exc)]}) from None


def instance_secret_key(instance_path: str) -> str:
    """A key generated once and kept in the instance folder, so sessions survive restarts without setup."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
