"""Chinese by default, English on request, and the compiled catalog in step with its source."""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import refresh

import tracker
from tracker.models import ItemStatus

CATALOG = Path(tracker.__file__).parent / "translations" / "zh" / "LC_MESSAGES"


def _key(value: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    """Plural entries come back as lists from one reader and tuples from the other."""
    return value if isinstance(value, str) else tuple(value)


def test_the_committed_mo_matches_the_po():
    with (CATALOG / "messages.po").open("rb") as po_file, (CATALOG / "messages.mo").open("rb") as mo_file:
        source, compiled = read_po(po_file), read_mo(mo_file)
    wanted = {_key(m.id): _key(m.string) for m in source if m.id and m.string and not m.fuzzy}
    found = {_key(m.id): _key(m.string) for m in compiled if m.id}
    assert found == wanted, "run `make translations` (or pybabel compile) and commit the .mo"


def test_every_entry_is_translated():
    with (CATALOG / "messages.po").open("rb") as po_file:
        untranslated = [m.id for m in read_po(po_file) if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []


def test_pages_are_chinese_by_default_even_for_an_english_browser(sign_in, people):
    html = sign_in(people["sfj_admin"]).get("/board", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "进行中" in html and "看板" in html


def switch(client, lang: str, **extra: str):
    """pytest-flask keeps one app context per test, where Flask-Babel caches the locale: drop it after a switch."""
    response = client.post("/language", data={"lang": lang, **extra})
    refresh()
    return response


def test_the_switch_turns_the_pages_english_and_back(sign_in, people):
    client = sign_in(people["sfj_admin"])
    response = switch(client, "en", next="/board?q=x")
    assert response.status_code == 302 and response.headers["Location"] == "/board?q=x"
    html = client.get("/board").get_data(as_text=True)
    assert 'lang="en"' in html and "In progress" in html and "Log out" in html and "进行中" not in html
    switch(client, "zh")
    assert "进行中" in client.get("/board").get_data(as_text=True)


def test_refusals_come_in_the_pages_language(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.SUBMITTED)
    client = sign_in(people["sfj_admin"])
    switch(client, "en")
    response = client.post(f"/items/{item.id}/move", data={"to": "done", "version": item.version},
                           headers={"HX-Request": "true"})
    assert "Only the office may approve" in response.get_data(as_text=True)


def test_an_unknown_language_is_ignored(sign_in, people):
    client = sign_in(people["sfj_admin"])
    switch(client, "fr")
    assert "进行中" in client.get("/board").get_data(as_text=True)
