"""The city's LDAP directory, read with ldap3: a person's password checked, the people and units listed.

Nothing here touches the database, so callers run it outside any transaction (the login's `outside_transaction`,
the sync reading everything before it writes). Every call has a deadline: the connection and each answer wait at
most `timeout_seconds`, and a directory that does not answer in time is `DirectoryUnavailable`, never a hang.

A login name typed by a person only ever reaches the directory inside a search filter, escaped (RFC 4515), and
is never made into a DN: the service account searches for the one entry whose login attribute equals it, then
that entry's own DN is bound with the password typed. An empty password is refused before any bind, since LDAP
treats a simple bind with a DN and no password as an anonymous bind that "succeeds".
"""
from __future__ import annotations

import json
import logging
import re
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ldap3
from ldap3.core.exceptions import LDAPException, LDAPInvalidDnError
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn

from .sign_on import DirectoryPerson

log = logging.getLogger(__name__)

PERSON_FIELDS = ("subject", "login", "display_name", "mail", "job_number", "credit_code", "unit_key")
DEFAULT_ATTRIBUTES = {"subject": "entryUUID", "login": "uid", "display_name": "cn", "mail": "mail",
                      "job_number": "employeeNumber", "unit_key": "departmentNumber"}
UNIT_FIELDS = ("key", "name", "credit_code")
DEFAULT_UNIT_ATTRIBUTES = {"key": "ou", "name": "description", "credit_code": "businessCategory"}
ATTRIBUTE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$")  # a name or an OID (RFC 4512)
PAGE_SIZE = 500


class SettingProblem(ValueError):
    """A bad LDAP setting, with the name of the setting to say at start."""

    def __init__(self, setting: str, detail: str) -> None:
        super().__init__(detail)
        self.setting = setting


class DirectoryUnavailable(Exception):
    """The directory could not be asked: down, too slow, TLS refused, or the service account refused."""


@dataclass(frozen=True)
class DirectoryUnit:
    dn: str
    key: str
    name: str
    credit_code: str | None


@dataclass(frozen=True)
class LdapSettings:
    url: str
    people_base: str
    bind_dn: str = ""
    bind_password: str = ""
    people_filter: str = "(objectClass=inetOrgPerson)"
    attributes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ATTRIBUTES))
    units_base: str = ""
    units_filter: str = "(objectClass=organizationalUnit)"
    unit_attributes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_UNIT_ATTRIBUTES))
    timeout_seconds: int = 5
    start_tls: bool = False
    ca_file: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LdapSettings:
        """The TRACKER_LDAP_* settings; raises SettingProblem naming the first bad one."""
        def text(name: str) -> str:
            value = config.get(name)
            return "" if value is None else str(value).strip()

        url = text("TRACKER_LDAP_URL")
        parts = urlsplit(url)
        if parts.scheme not in ("ldap", "ldaps") or not parts.hostname:
            raise SettingProblem("TRACKER_LDAP_URL", f"{url!r} 须形如 ldap://主机:389 或 ldaps://主机:636")
        start_tls = bool(config.get("TRACKER_LDAP_START_TLS"))
        if start_tls and parts.scheme == "ldaps":
            raise SettingProblem("TRACKER_LDAP_START_TLS", "ldaps:// 已加密,不能再用 StartTLS")
        bind_dn, password = text("TRACKER_LDAP_BIND_DN"), text("TRACKER_LDAP_BIND_PASSWORD")
        if bind_dn:
            _dn("TRACKER_LDAP_BIND_DN", bind_dn)
            if not password:
                raise SettingProblem("TRACKER_LDAP_BIND_PASSWORD", "设置了查询账号 TRACKER_LDAP_BIND_DN 却没有密码")
        units_base = text("TRACKER_LDAP_UNITS_BASE")
        if units_base:
            _dn("TRACKER_LDAP_UNITS_BASE", units_base)
        ca_file = text("TRACKER_LDAP_CA_FILE")
        if ca_file and not Path(ca_file).is_file():
            raise SettingProblem("TRACKER_LDAP_CA_FILE", f"找不到文件 {ca_file}")
        try:
            given = config.get("TRACKER_LDAP_TIMEOUT_SECONDS")
            timeout = cls.timeout_seconds if given in (None, "") else int(given)
        except (TypeError, ValueError):
            timeout = 0
        if not 1 <= timeout <= 120:
            raise SettingProblem("TRACKER_LDAP_TIMEOUT_SECONDS", "须为 1 至 120 之间的整数(秒)")
        return cls(
            url=url, people_base=_dn("TRACKER_LDAP_PEOPLE_BASE", text("TRACKER_LDAP_PEOPLE_BASE")),
            bind_dn=bind_dn, bind_password=password,
            people_filter=_filter("TRACKER_LDAP_PEOPLE_FILTER", text("TRACKER_LDAP_PEOPLE_FILTER") or cls.people_filter),
            attributes=_mapping("TRACKER_LDAP_ATTRIBUTES", config.get("TRACKER_LDAP_ATTRIBUTES"), DEFAULT_ATTRIBUTES,
                                PERSON_FIELDS, ("subject", "login", "display_name")),
            units_base=units_base,
            units_filter=_filter("TRACKER_LDAP_UNITS_FILTER", text("TRACKER_LDAP_UNITS_FILTER") or cls.units_filter),
            unit_attributes=_mapping("TRACKER_LDAP_UNIT_ATTRIBUTES", config.get("TRACKER_LDAP_UNIT_ATTRIBUTES"),
                                     DEFAULT_UNIT_ATTRIBUTES, UNIT_FIELDS, ("key",)),
            timeout_seconds=timeout, start_tls=start_tls, ca_file=ca_file)


def _dn(setting: str, value: str) -> str:
    if not value:
        raise SettingProblem(setting, "不能为空(例如 ou=people,dc=city,dc=gov,dc=cn)")
    try:
        parse_dn(value)
    except LDAPInvalidDnError:
        raise SettingProblem(setting, f"{value!r} 不是有效的 DN") from None
    return value


def _filter(setting: str, value: str) -> str:
    depth = 0
    for char in value:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if not (value.startswith("(") and value.endswith(")")) or depth != 0:
        raise SettingProblem(setting, f"{value!r} 不是有效的 LDAP 过滤条件(例如 (objectClass=inetOrgPerson))")
    return value


def _mapping(setting: str, value: Any, defaults: Mapping[str, str], fields: tuple[str, ...],
             required: tuple[str, ...]) -> dict[str, str]:
    """The defaults with the setting's JSON object laid over them; a field mapped to "" is not read."""
    if value in (None, ""):
        given: Any = {}
    else:
        try:
            given = json.loads(value) if isinstance(value, str) else value
        except ValueError as exc:
            raise SettingProblem(setting, f"不是有效的 JSON:{exc}") from None
    if not isinstance(given, dict):
        raise SettingProblem(setting, "须为 JSON 对象,例如 {\"login\": \"uid\"}")
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise SettingProblem(setting, f"未知字段 {', '.join(unknown)}(可用:{', '.join(fields)})")
    merged = {**defaults, **given}
    for name, attribute in merged.items():
        if not isinstance(attribute, str) or (attribute and attribute != "dn" and not ATTRIBUTE.match(attribute)):
            raise SettingProblem(setting, f"{name} 须为属性名,得到 {attribute!r}")
    missing = [name for name in required if not merged.get(name)]
    if missing:
        raise SettingProblem(setting, f"缺少 {', '.join(missing)}")
    return {name: attribute for name, attribute in merged.items() if attribute}


def _server(settings: LdapSettings) -> ldap3.Server:
    parts = urlsplit(settings.url)
    tls = None
    if parts.scheme == "ldaps" or settings.start_tls:
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings.ca_file or None)
    return ldap3.Server(parts.hostname or "", port=parts.port, use_ssl=parts.scheme == "ldaps", tls=tls,
                        connect_timeout=settings.timeout_seconds, get_info=ldap3.NONE)


@contextmanager
def _connection(settings: LdapSettings, user: str | None, password: str | None) -> Iterator[ldap3.Connection]:
    """A bound connection (the service account's when `user` is None), unbound afterwards; a refused bind of
    the service account or any connection trouble is DirectoryUnavailable."""
    service = user is None
    who, secret = (settings.bind_dn or None, settings.bind_password or None) if service else (user, password)
    # no referrals followed: a directory's answer never sends the tracker, or a person's password, elsewhere
    conn = ldap3.Connection(_server(settings), user=who, password=secret, receive_timeout=settings.timeout_seconds,
                            raise_exceptions=False, read_only=True, auto_referrals=False)
    try:
        conn.open()  # raises LDAPSocketOpenError when the directory cannot be reached in time
        if settings.start_tls and not conn.start_tls():
            raise DirectoryUnavailable(f"StartTLS refused by {settings.url}: {conn.result}")
        if not conn.bind():
            if service:
                raise DirectoryUnavailable(f"the service account was refused: {conn.result}")
            yield conn  # the caller reads conn.bound
            return
        yield conn
    except LDAPException as exc:
        raise DirectoryUnavailable(f"{type(exc).__name__}: {exc}") from None
    finally:
        with suppress(LDAPException):  # a connection TLS or the network broke cannot say goodbye
            conn.unbind()
        if conn.socket is not None:  # ldap3 leaves the socket of a refused connect open: one file per try
            conn.socket.close()


def _read_attributes(mapping: Mapping[str, str]) -> list[str]:
    return sorted({attribute for attribute in mapping.values() if attribute != "dn"})


def _first(entry: Mapping[str, Any], attribute: str | None) -> str | None:
    if not attribute:
        return None
    values = entry.get(attribute) or []
    if isinstance(values, (str, bytes)):
        values = [values]
    for value in values:
        text = (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)).strip()
        if text:
            return text
    return None


def person_from(dn: str, entry: Mapping[str, Any], attributes: Mapping[str, str]) -> DirectoryPerson:
    """What an entry says of a person, read by the configured mapping; the DN stands in for a missing id."""
    facts = {name: (dn if attribute == "dn" else _first(entry, attribute)) for name, attribute in attributes.items()}
    login = facts.get("login")
    return DirectoryPerson(source="ldap", subject=facts.get("subject") or dn,
                           display_name=facts.get("display_name") or login or dn, login=login,
                           mail=facts.get("mail"), job_number=facts.get("job_number"),
                           credit_code=facts.get("credit_code"), unit_key=facts.get("unit_key"))


def check_password(settings: LdapSettings, login: str, password: str) -> DirectoryPerson | None:
    """The person whose entry has this login and password; None for no such entry, more than one, or a wrong
    password (the caller then tries the local password). Raises DirectoryUnavailable."""
    login = login.strip()
    if not login or not password:
        return None
    query = f"(&{settings.people_filter}({settings.attributes['login']}={escape_filter_chars(login)}))"
    with _connection(settings, None, None) as conn:
        conn.search(settings.people_base, query, attributes=_read_attributes(settings.attributes), size_limit=2)
        if conn.result.get("result") not in (0, 4):  # success, or sizeLimitExceeded: two or more entries
            raise DirectoryUnavailable(f"search refused: {conn.result}")
        found = [(entry["dn"], entry["attributes"]) for entry in conn.response or [] if entry.get("type") == "searchResEntry"]
    if len(found) != 1:
        if len(found) > 1:
            log.warning("LDAP: %d entries have the login %r; refused", len(found), login)
        return None
    dn, attributes = found[0]
    with _connection(settings, dn, password) as conn:
        if not conn.bound:
            return None
    return person_from(dn, attributes, settings.attributes)


def _search_all(conn: ldap3.Connection, base: str, query: str, attributes: list[str]) -> list[tuple[str, Any]]:
    entries = conn.extend.standard.paged_search(base, query, search_scope=ldap3.SUBTREE, attributes=attributes,
                                                paged_size=PAGE_SIZE, generator=True)
    found = []
    for entry in entries:
        if entry.get("type") == "searchResEntry":
            found.append((entry["dn"], entry["attributes"]))
    if conn.result.get("result") not in (0, None):
        raise DirectoryUnavailable(f"search of {base} refused: {conn.result}")
    return found


def read_directory(settings: LdapSettings) -> tuple[list[DirectoryUnit], list[tuple[str, DirectoryPerson]]]:
    """Every unit (when TRACKER_LDAP_UNITS_BASE is set) and every person the filters find, with their DNs."""
    with _connection(settings, None, None) as conn:
        units = []
        if settings.units_base:
            mapping = settings.unit_attributes
            for dn, entry in _search_all(conn, settings.units_base, settings.units_filter,
                                         _read_attributes(mapping)):
                key = _first(entry, mapping["key"])
                if key and dn.lower() != settings.units_base.lower():
                    units.append(DirectoryUnit(dn=dn, key=key, name=_first(entry, mapping.get("name")) or key,
                                               credit_code=_first(entry, mapping.get("credit_code"))))
        people = [(dn, person_from(dn, entry, settings.attributes)) for dn, entry in _search_all(
            conn, settings.people_base, settings.people_filter, _read_attributes(settings.attributes))]
    return units, people
