"""The tracker's own settings, read and checked once when the app is built, then read through `settings()`.

Flask's config is a dict of raw values (strings from the environment, JSON, file paths). Before this module each
door parsed what it needed at use: the ladder about ten times, the time zone thirty, the rubric file on every
scores page, so a typo in TRACKER_LADDER surfaced as a 500 on the first overdue page and a broken rubric file on
the first assessment. Here `create_app` parses everything once (`Settings.from_config`) and a bad value stops the
start with a message naming the setting. Web, API, CLI, scheduler and demo read the one frozen `Settings`; the
services still take the values they need as arguments and never import this module.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app

from .clock import utcnow
from .errors import SettingError, TrackerError
from .services.assessment import rubric as rubrics
from .services.assessment.rubric import Rubric
from .services.ledger.ladder import Level, parse_ladder
from .services.ledger.mail import SmtpSettings
from .services.ledger.outbound import AllowList
from .services.ledger.robots import SmsGateway
from .services.plan import workdays
from .services.plan.plan_files import FileProblems
from .services.trust import oidc_claims
from .services.trust.oidc_claims import OidcSettings

from .services.trust.ldap_directory import LdapSettings, SettingProblem
from .services.trust.security import SecurityPolicy, parse_roles
from .services.trust.sign_on import SignOnPolicy
from .services.work.deadlines import Deadlines
from .services.work.deadlines import local_today
from .services.work.progress import Storage

EXTENSION = "tracker_settings"
T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """Everything the tracker reads from its configuration beyond Flask's own keys, parsed and checked."""

    timezone: str  # a name ZoneInfo knows; the services take the name
    warning_days: int  # the traffic lights' amber window
    ladder: tuple[Level, ...]
    rubric: Rubric
    calendar: workdays.Calendar
    upload_dir: Path
    upload_max_bytes: int
    security: SecurityPolicy
    scan_time: time
    digest_weekday: int
    digest_time: time
    due_soon_days: int
    smtp: SmtpSettings | None
    reminder_days: tuple[int, ...] = (7, 1)
    number_format: str = "{kind}〔{year}〕{number}号"
    bulletin_time: time = time(8, 0)
    webhook_allow: AllowList = AllowList()
    scheduler_lease_seconds: int = 120
    public_url: str = ""  # where people open the tracker: the read links in messages start with it
    sms: SmsGateway | None = None
    resend_after: timedelta = timedelta(hours=24)
    read_key: bytes = b""  # signs the read links (derived from SECRET_KEY)

    live_streams: int = 100  # open live streams a web worker serves at once
    demo: bool = False
    sign_on: SignOnPolicy = SignOnPolicy()
    oidc: OidcSettings | None = None  # set exactly when "oidc" is among the sign-on sources
    ldap: LdapSettings | None = None  # the directory, when sign-on or the sync uses it
    directory_sync_time: time | None = None  # the scheduler's daily directory sync; None: off

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Read and check every setting once; the first bad one raises SettingError naming it."""
        def get(key: str, default: Any = None) -> Any:
            value = config.get(key)
            return default if value is None or value == "" else value

        def whole(key: str, default: int | None = None) -> int:
            return _read(key, lambda: _whole(get(key, default)))

        max_age, smtp_port = whole("TRACKER_PASSWORD_MAX_AGE_DAYS", 0), whole("TRACKER_SMTP_PORT", 25)
        sign_on = _read("TRACKER_SIGN_ON", lambda: SignOnPolicy.parse(
            sources=get("TRACKER_SIGN_ON", ""), match=get("TRACKER_SIGN_ON_MATCH", "login"),
            create_missing=bool(config.get("TRACKER_SIGN_ON_CREATE"))))
        sync_time = _read("TRACKER_DIRECTORY_SYNC_TIME", lambda: time.fromisoformat(
            get("TRACKER_DIRECTORY_SYNC_TIME")) if get("TRACKER_DIRECTORY_SYNC_TIME") else None)

        return cls(
            timezone=_read("TRACKER_TIMEZONE", lambda: _zone_name(config["TRACKER_TIMEZONE"])),
            warning_days=whole("TRACKER_WARNING_DAYS"),
            ladder=_read("TRACKER_LADDER", lambda: parse_ladder(config["TRACKER_LADDER"])),
            rubric=_read("TRACKER_RUBRIC_FILE", lambda: _from_file(
                "评分细则文件", rubrics.read_rubric, config["TRACKER_RUBRIC_FILE"])),
            calendar=_read("TRACKER_HOLIDAYS_FILE", lambda: _from_file(
                "节假日文件", workdays.read_calendar, get("TRACKER_HOLIDAYS_FILE"), workdays.WEEKDAYS_ONLY)),
            upload_dir=Path(config["TRACKER_UPLOAD_DIR"]),
            upload_max_bytes=whole("TRACKER_UPLOAD_MAX_BYTES"),
            security=SecurityPolicy(
                max_failures=whole("TRACKER_LOGIN_MAX_FAILURES"),
                failure_window=timedelta(minutes=whole("TRACKER_LOGIN_WINDOW_MINUTES")),
                lockout=timedelta(minutes=whole("TRACKER_LOCKOUT_MINUTES")),
                idle_timeout=timedelta(minutes=whole("TRACKER_SESSION_IDLE_MINUTES")),
                absolute_lifetime=timedelta(hours=whole("TRACKER_SESSION_MAX_HOURS")),
                password_max_age=timedelta(days=max_age) if max_age else None,
                two_factor_roles=_read("TRACKER_TWO_FACTOR_ROLES",
                                       lambda: parse_roles(get("TRACKER_TWO_FACTOR_ROLES", "none"))),
                password_roles=_read("TRACKER_PASSWORD_ROLES", lambda: parse_roles(
                    get("TRACKER_PASSWORD_ROLES", "all"), "TRACKER_PASSWORD_ROLES"))),
            scan_time=_read("TRACKER_SCAN_TIME", lambda: time.fromisoformat(config["TRACKER_SCAN_TIME"])),
            digest_weekday=_read("TRACKER_DIGEST_WEEKDAY", lambda: _whole(
                config["TRACKER_DIGEST_WEEKDAY"], 0, 6, "须为 0(周一)至 6(周日)")),
            digest_time=_read("TRACKER_DIGEST_TIME", lambda: time.fromisoformat(config["TRACKER_DIGEST_TIME"])),
            due_soon_days=whole("TRACKER_DIGEST_DUE_SOON_DAYS"),
            smtp=SmtpSettings(  # no host: digests are stored and shown, not mailed
                host=config["TRACKER_SMTP_HOST"], port=smtp_port,
                sender=get("TRACKER_SMTP_FROM", "tracker@localhost"), user=get("TRACKER_SMTP_USER", ""),
                password=get("TRACKER_SMTP_PASSWORD", ""), starttls=bool(config.get("TRACKER_SMTP_STARTTLS")))
            if get("TRACKER_SMTP_HOST") else None,
            reminder_days=_read("TRACKER_DUE_REMINDER_DAYS", lambda: tuple(
                _whole(d) for d in get("TRACKER_DUE_REMINDER_DAYS", (7, 1)))),
            number_format=_read("TRACKER_NOTICE_NUMBER_FORMAT",
                                lambda: _number_format(get("TRACKER_NOTICE_NUMBER_FORMAT", cls.number_format))),
            bulletin_time=_read("TRACKER_BULLETIN_TIME",
                                lambda: time.fromisoformat(get("TRACKER_BULLETIN_TIME", "08:00"))),
            webhook_allow=_read("TRACKER_WEBHOOK_ALLOW", lambda: AllowList.parse(config.get("TRACKER_WEBHOOK_ALLOW"))),
            scheduler_lease_seconds=whole("TRACKER_SCHEDULER_LEASE_SECONDS", 120),
            public_url=_read("TRACKER_PUBLIC_URL", lambda: _http_url(get("TRACKER_PUBLIC_URL", "")).rstrip("/")),
            sms=_read("TRACKER_SMS_URL", lambda: _sms(get("TRACKER_SMS_URL", ""), get("TRACKER_SMS_KEY", ""))),
            resend_after=timedelta(hours=whole("TRACKER_RESEND_AFTER_HOURS", 24)),
            read_key=hmac.new(str(config.get("SECRET_KEY") or "").encode(), b"read-receipts", hashlib.sha256).digest(),

            live_streams=whole("TRACKER_LIVE_STREAMS", 100),
            demo=bool(config.get("TRACKER_DEMO")),
            sign_on=sign_on,
            oidc=_oidc(get) if "oidc" in sign_on.sources else None,
            ldap=_ldap(config, needed="ldap" in sign_on.sources or sync_time is not None),
            directory_sync_time=sync_time,
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, day: date, at: time) -> datetime:
        """A moment on a day in the tracker's time zone (the scheduler's due times)."""
        return datetime.combine(day, at, tzinfo=self.zone)


def _read(name: str, parse: Callable[[], T]) -> T:
    """One setting parsed; whatever goes wrong is said in words that name the setting."""
    try:
        return parse()
    except TrackerError as exc:
        raise SettingError(f"设置 {name} 有误:{exc.message_zh}", f"Setting {name} is invalid: {exc.message_en}",
                           fields={name: [exc.message_zh]}) from None
    except (KeyError, IndexError, TypeError, ValueError, OSError) as exc:
        detail = str(exc) if type(exc) is ValueError else f"{type(exc).__name__}: {exc}"
        raise SettingError(f"设置 {name} 有误:{detail}", f"Setting {name} is invalid: {detail}",
                           fields={name: [detail]}) from None


def _oidc(get: Callable[..., Any]) -> OidcSettings:
    """The platform's settings, each checked under its own name; read only when OIDC sign-on is on."""
    issuer = _read("TRACKER_OIDC_ISSUER", lambda: oidc_claims.issuer_url(get("TRACKER_OIDC_ISSUER")))
    return OidcSettings(
        issuer=issuer,
        discovery_url=_read("TRACKER_OIDC_DISCOVERY_URL", lambda: oidc_claims.discovery_url(
            get("TRACKER_OIDC_DISCOVERY_URL"), issuer)),
        client_id=_read("TRACKER_OIDC_CLIENT_ID", lambda: oidc_claims.required(get("TRACKER_OIDC_CLIENT_ID"))),
        client_secret=_read("TRACKER_OIDC_CLIENT_SECRET",
                            lambda: oidc_claims.required(get("TRACKER_OIDC_CLIENT_SECRET"))),
        scopes=_read("TRACKER_OIDC_SCOPES",
                     lambda: oidc_claims.scopes(get("TRACKER_OIDC_SCOPES", OidcSettings.scopes))),
        claims=_read("TRACKER_OIDC_CLAIMS", lambda: oidc_claims.claim_names(get("TRACKER_OIDC_CLAIMS"))),
        label=str(get("TRACKER_OIDC_LABEL", "")).strip(),
        token_auth=_read("TRACKER_OIDC_TOKEN_AUTH", lambda: oidc_claims.token_auth(
            get("TRACKER_OIDC_TOKEN_AUTH", OidcSettings.token_auth))),
        redirect_uri=_read("TRACKER_OIDC_REDIRECT_URI", lambda: oidc_claims.redirect_uri(
            get("TRACKER_OIDC_REDIRECT_URI", ""))),
        timeout_seconds=_read("TRACKER_OIDC_TIMEOUT_SECONDS", lambda: _whole(
            get("TRACKER_OIDC_TIMEOUT_SECONDS", OidcSettings.timeout_seconds), 1, 120, "须为 1 至 120 秒")),
    )

def _ldap(config: Mapping[str, Any], *, needed: bool) -> LdapSettings | None:
    """The directory's settings when any is given, and required when sign-on or the scheduled sync uses it; a bad
    one stops the start naming it (a missing URL names TRACKER_LDAP_URL)."""
    if not needed and not config.get("TRACKER_LDAP_URL"):
        return None
    try:
        return LdapSettings.from_config(config)
    except SettingProblem as exc:
        raise SettingError(f"设置 {exc.setting} 有误:{exc}", f"Setting {exc.setting} is invalid: {exc}",
                           fields={exc.setting: [str(exc)]}) from None


def _from_file(what: str, read: Callable[[Path], T], path: str | None, empty: T | None = None) -> T:
    """A YAML file's contents, every problem in it listed (FileProblems); an empty setting means `empty`."""
    if not path and empty is not None:
        return empty
    try:
        return read(Path(str(path)))
    except FileProblems as exc:
        raise ValueError(f"{what}有误:" + ";".join(exc.problems)) from None


def _zone_name(value: Any) -> str:
    """The name, once ZoneInfo has found it (a typo such as Asia/Shangai is refused here, not on a page)."""
    try:
        ZoneInfo(str(value))
    except (ValueError, ZoneInfoNotFoundError):
        raise ValueError(f"没有名为 {value!r} 的时区(例如 Asia/Shanghai)") from None
    return str(value)


def _http_url(value: str) -> str:
    """An http(s) address with a host, or empty."""
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value)):
        raise ValueError(f"{value!r} 不是 http(s):// 开头的完整网址")
    return value


def _sms(url: str, key: str) -> SmsGateway | None:
    """The city's gateway: a URL and the key its requests are signed with, both or neither."""
    if not _http_url(url):
        return None
    if not key:
        raise ValueError("已设置 TRACKER_SMS_URL,须同时设置 TRACKER_SMS_KEY")
    return SmsGateway(url, key)


def _whole(value: Any, low: int = 0, high: int | None = None, must: str = "不能为负数") -> int:
    """A whole number from `low` up (to `high` when given); outside, the words `must` say what it has to be."""
    number = int(value)
    if number < low or (high is not None and number > high):
        raise ValueError(f"{value!r} {must}")
    return number


def _number_format(value: str) -> str:
    value.format(kind="督办", year=2024, number=1)  # an unknown field or a stray brace fails here, not at issue
    return value


def init_app(app: Flask) -> Settings:
    """Build the settings from the app's config and keep them on the app; raises SettingError for a bad one."""
    found = Settings.from_config(app.config)
    app.extensions[EXTENSION] = found
    return found


def settings(app: Flask | None = None) -> Settings:
    """The settings of `app`, or of the current app: the one way web, API, CLI, scheduler and demo read them."""
    found: Settings = (app or current_app).extensions[EXTENSION]
    return found


def deadlines() -> Deadlines:
    """What the traffic lights need: today in the tracker's time zone and the warning window (both doors)."""
    found = settings()
    return Deadlines(today=local_today(utcnow(), found.timezone), warning_days=found.warning_days,
                     calendar=found.calendar)


def storage() -> Storage:
    """Where evidence files go and how big one may be (both doors, the CLI's file check and backups)."""
    found = settings()
    return Storage(folder=found.upload_dir, max_bytes=found.upload_max_bytes)
