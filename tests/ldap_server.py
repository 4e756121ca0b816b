"""A real LDAP server for tests: Debian's OpenLDAP `slapd` on a free loopback port, its data in a temporary folder.

The tests sign in and sync against it as the tracker would against a city's directory: a read-only service
account searches, a person's own entry is bound with the password typed. slapd is configured from a slapd.conf
(core, cosine and inetOrgPerson schemas, one mdb database, TLS with a certificate from a CA made for the run, on
an ldap:// port offering StartTLS and an ldaps:// port), the entries are loaded with slapadd before it starts
(slapadd gives each its entryUUID, as a real directory has), and it runs in the foreground as a child process,
stopped by its PID when the run ends. `.ci/run` installs it (packages slapd, ldap-utils, openssl); without it the tests
fail when skips are forbidden (TRACKER_FORBID_SKIPS), and skip otherwise.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.servers import free_port, process, wait_until_listening
from tracker.services.trust.ldap_directory import LdapSettings

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SCHEMAS = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")
SUFFIX = "dc=city,dc=example"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "root-secret-1"
SERVICE_DN = f"cn=tracker,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "Service-Secret-7"
PEOPLE_BASE = f"ou=people,{SUFFIX}"
UNITS_BASE = f"ou=units,{SUFFIX}"

# Units carry the tracker's key (ou) and the 统一社会信用代码 (businessCategory); people name their unit's key in
# departmentNumber and their 工号 in employeeNumber.
UNITS = [("sfj", "市司法局", "11330100002482152X"), ("gaj", "市公安局", "113301000024821010"),
         ("lost", "本系统没有的单位", "113301000024829999")]


@dataclass(frozen=True)
class Person:
    uid: str
    cn: str
    mail: str
    employee_number: str
    unit: str
    password: str


PEOPLE = [
    Person("zhangsan", "张三", "zhangsan@sfj.city.example", "0042", "sfj", "Zhang-San-Pass-1"),
    Person("lisi", "李四", "lisi@gaj.city.example", "0007", "gaj", "Li-Si-Pass-2"),
    Person("wangwu", "王五", "wangwu@sfj.city.example", "0043", "sfj", "Wang-Wu-Pass-3"),
]


@dataclass(frozen=True)
class LdapServer:
    url: str  # ldap://, where StartTLS is offered
    ldaps_url: str
    port: int
    folder: Path
    ca_file: str  # the CA that signed the server's certificate (for 127.0.0.1), made for this server

    def ldif(self, text: str) -> None:
        """Change the directory while it runs, as its owners would (ldapmodify as the root account)."""
        subprocess.run(["ldapmodify", "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PASSWORD],
                       input=text.encode(), check=True, capture_output=True)


def settings_for(server: LdapServer, **changes: object) -> LdapSettings:
    """The tracker's LDAP settings for this server, as a city would set TRACKER_LDAP_* for its own."""
    values: dict[str, object] = {"url": server.url, "people_base": PEOPLE_BASE, "bind_dn": SERVICE_DN,
                                 "bind_password": SERVICE_PASSWORD, "units_base": UNITS_BASE, "timeout_seconds": 3}
    return LdapSettings(**(values | changes))


def installed() -> bool:
    return Path(SLAPD).exists() and Path(SLAPADD).exists() and all(
        shutil.which(tool) is not None for tool in ("ldapmodify", "openssl"))


def person_ldif(person: Person) -> str:
    return (f"dn: uid={person.uid},{PEOPLE_BASE}\nobjectClass: inetOrgPerson\nuid: {person.uid}\n"
            f"cn: {person.cn}\nsn: {person.cn[0]}\nmail: {person.mail}\nemployeeNumber: {person.employee_number}\n"
            f"departmentNumber: {person.unit}\nuserPassword: {person.password}\n")


def _data() -> str:
    entries = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: city\no: 示例市\n"]
    for ou in ("services", "people", "units"):
        entries.append(f"dn: ou={ou},{SUFFIX}\nobjectClass: organizationalUnit\nou: {ou}\n")
    entries.append(f"dn: {SERVICE_DN}\nobjectClass: simpleSecurityObject\nobjectClass: organizationalRole\n"
                   f"cn: tracker\nuserPassword: {SERVICE_PASSWORD}\n")
    for key, name, code in UNITS:
        entries.append(f"dn: ou={key},{UNITS_BASE}\nobjectClass: organizationalUnit\nou: {key}\n"
                       f"description: {name}\nbusinessCategory: {code}\n")
    entries += [person_ldif(person) for person in PEOPLE]
    return "\n".join(entries)


def _certificates(folder: Path) -> None:
    """A CA of the test's own and a certificate it signed for 127.0.0.1 (subjectAltName IP), with openssl."""
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *key, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Test CA")
    openssl("req", *key, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (folder / "san.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.cnf")


def _config(folder: Path) -> str:
    schemas = "\n".join(f"include {SCHEMAS / name}.schema" for name in ("core", "cosine", "inetorgperson"))
    # People read nothing but may be bound as (auth); the service account reads; nobody writes but the root.
    return f"""{schemas}
TLSCACertificateFile {folder}/ca.pem
TLSCertificateFile {folder}/server.pem
TLSCertificateKeyFile {folder}/server.key
pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args
modulepath {MODULES}
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {folder}/data
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="{SERVICE_DN}" read by anonymous auth by * none
"""


@contextmanager
def running(folder: Path) -> Iterator[LdapServer]:
    """slapd with the test directory loaded, listening on 127.0.0.1 only; stopped by PID afterwards."""
    (folder / "data").mkdir(parents=True)
    conf = folder / "slapd.conf"
    _certificates(folder)
    conf.write_text(_config(folder))
    (folder / "data.ldif").write_text(_data())
    subprocess.run([SLAPADD, "-f", str(conf), "-l", str(folder / "data.ldif")], check=True, capture_output=True)
    port, tls_port = free_port(), free_port()
    url, ldaps_url = f"ldap://127.0.0.1:{port}", f"ldaps://127.0.0.1:{tls_port}"
    # -d: stay in the foreground (a child this process can stop); its debug output goes to the log
    with process([SLAPD, "-f", str(conf), "-h", f"{url}/ {ldaps_url}/", "-d", "none"], dict(os.environ),
                 folder / "slapd.log") as child:
        for listening in (port, tls_port):
            wait_until_listening(listening, child, folder / "slapd.log")
        yield LdapServer(url=url, ldaps_url=ldaps_url, port=port, folder=folder, ca_file=str(folder / "ca.pem"))
