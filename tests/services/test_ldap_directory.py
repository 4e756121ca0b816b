"""The city's LDAP directory as the tracker reads it, against a real slapd on loopback: a person's password checked
by searching with the service account and binding as the entry found, never by a DN made of what was typed; the
people and units listed; settings refused at start, naming the setting."""
from __future__ import annotations

import pytest
from tests import ldap_server as slapd

from tracker.errors import SettingError
from tracker.services.trust.ldap_directory import DirectoryUnavailable, check_password, read_directory
from tracker.settings import Settings

ZHANGSAN = slapd.PEOPLE[0]


def test_the_right_password_gives_the_person_as_the_directory_describes_them(ldap_server):
    person = check_password(slapd.settings_for(ldap_server), "zhangsan", ZHANGSAN.password)
    assert person is not None
    assert (person.source, person.login, person.display_name, person.mail, person.job_number, person.unit_key) == \
        ("ldap", "zhangsan", "张三", ZHANGSAN.mail, "0042", "sfj")
    assert len(person.subject) == 36 and "=" not in person.subject  # the entryUUID, not the DN


def test_a_wrong_password_an_unknown_login_and_an_empty_password_give_nobody(ldap_server):
    directory = slapd.settings_for(ldap_server)
    assert check_password(directory, "zhangsan", "Wrong-Pass-1") is None
    assert check_password(directory, "nobody", ZHANGSAN.password) is None
    # LDAP takes a DN with an empty password as an anonymous bind that "succeeds": refused before any bind
    assert check_password(directory, "zhangsan", "") is None


@pytest.mark.parametrize("typed", ["*", "*)(uid=*", "zhangsan)(|(uid=*", "zhang*", "*)(objectClass=*))(|(uid=*",
                                   "uid=zhangsan,ou=people,dc=city,dc=example", "zhangsan\x00"])
def test_a_login_name_that_tries_to_change_the_search_finds_nobody(ldap_server, typed):
    assert check_password(slapd.settings_for(ldap_server), typed, ZHANGSAN.password) is None


def test_the_search_and_bind_are_asked_of_the_directory_not_of_a_dn_built_from_the_login(ldap_server):
    renamed = slapd.settings_for(ldap_server, attributes={"subject": "dn", "login": "mail", "display_name": "cn"})
    person = check_password(renamed, ZHANGSAN.mail, ZHANGSAN.password)
    assert person is not None and person.subject == f"uid=zhangsan,{slapd.PEOPLE_BASE}" and person.login == ZHANGSAN.mail


def test_a_wrong_service_password_or_a_closed_port_is_unavailable_within_the_deadline(ldap_server):
    with pytest.raises(DirectoryUnavailable, match="service account"):
        check_password(slapd.settings_for(ldap_server, bind_password="not-it"), "zhangsan", ZHANGSAN.password)
    closed = slapd.settings_for(ldap_server, url=f"ldap://127.0.0.1:{slapd.free_port()}", timeout_seconds=1)
    with pytest.raises(DirectoryUnavailable):
        check_password(closed, "zhangsan", ZHANGSAN.password)


def test_starttls_and_ldaps_check_the_directorys_certificate_against_the_ca_given(ldap_server):
    for tls in ({"start_tls": True}, {"url": ldap_server.ldaps_url}):
        trusted = slapd.settings_for(ldap_server, ca_file=ldap_server.ca_file, **tls)
        assert check_password(trusted, "zhangsan", ZHANGSAN.password) is not None
        with pytest.raises(DirectoryUnavailable):  # the system's CAs never signed the test's certificate
            check_password(slapd.settings_for(ldap_server, **tls), "zhangsan", ZHANGSAN.password)


def test_the_directory_lists_every_person_and_unit(ldap_server):
    units, people = read_directory(slapd.settings_for(ldap_server))
    assert sorted((unit.key, unit.name, unit.credit_code) for unit in units) == sorted(slapd.UNITS)
    assert sorted(person.login or "" for _dn, person in people) == sorted(p.uid for p in slapd.PEOPLE)
    assert all(dn.startswith("uid=") for dn, _person in people)


LDAP_ON = {"TRACKER_SIGN_ON": "ldap", "TRACKER_LDAP_URL": "ldap://127.0.0.1:389",
           "TRACKER_LDAP_PEOPLE_BASE": "ou=people,dc=city,dc=example"}


@pytest.mark.parametrize(("changes", "named"), [
    ({"TRACKER_LDAP_URL": ""}, "TRACKER_LDAP_URL"),
    ({"TRACKER_LDAP_URL": "http://directory"}, "TRACKER_LDAP_URL"),
    ({"TRACKER_LDAP_PEOPLE_BASE": ""}, "TRACKER_LDAP_PEOPLE_BASE"),
    ({"TRACKER_LDAP_PEOPLE_BASE": "people"}, "TRACKER_LDAP_PEOPLE_BASE"),
    ({"TRACKER_LDAP_BIND_DN": "cn=tracker,dc=city,dc=example"}, "TRACKER_LDAP_BIND_PASSWORD"),
    ({"TRACKER_LDAP_PEOPLE_FILTER": "(objectClass=person"}, "TRACKER_LDAP_PEOPLE_FILTER"),
    ({"TRACKER_LDAP_ATTRIBUTES": "{login: uid}"}, "TRACKER_LDAP_ATTRIBUTES"),
    ({"TRACKER_LDAP_ATTRIBUTES": '{"phone": "mobile"}'}, "TRACKER_LDAP_ATTRIBUTES"),
    ({"TRACKER_LDAP_ATTRIBUTES": '{"login": "u id"}'}, "TRACKER_LDAP_ATTRIBUTES"),
    ({"TRACKER_LDAP_UNIT_ATTRIBUTES": '{"key": ""}'}, "TRACKER_LDAP_UNIT_ATTRIBUTES"),
    ({"TRACKER_LDAP_URL": "ldaps://directory", "TRACKER_LDAP_START_TLS": True}, "TRACKER_LDAP_START_TLS"),
    ({"TRACKER_LDAP_TIMEOUT_SECONDS": 0}, "TRACKER_LDAP_TIMEOUT_SECONDS"),
    ({"TRACKER_LDAP_CA_FILE": "/nonexistent/ca.pem"}, "TRACKER_LDAP_CA_FILE"),
    ({"TRACKER_SIGN_ON": "", "TRACKER_LDAP_URL": "", "TRACKER_DIRECTORY_SYNC_TIME": "02:00"}, "TRACKER_LDAP_URL"),
    ({"TRACKER_DIRECTORY_SYNC_TIME": "2am"}, "TRACKER_DIRECTORY_SYNC_TIME"),
])
def test_a_bad_ldap_setting_stops_the_start_naming_it(app, changes, named):
    with pytest.raises(SettingError, match=named):
        Settings.from_config({**app.config, **LDAP_ON, **changes})


def test_ldap_settings_are_read_once_with_the_attribute_names_laid_over_the_defaults(app):
    read = Settings.from_config({**app.config, **LDAP_ON, "TRACKER_LDAP_ATTRIBUTES": {"login": "sAMAccountName"},
                                 "TRACKER_DIRECTORY_SYNC_TIME": "02:30"})
    assert read.ldap is not None and read.ldap.attributes["login"] == "sAMAccountName"
    assert read.ldap.attributes["mail"] == "mail" and read.directory_sync_time is not None
    assert Settings.from_config(dict(app.config)).ldap is None  # off unless asked for
