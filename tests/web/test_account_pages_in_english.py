"""The login, password and account pages in English: every word of the page itself is translated (the units'
names are data, in the language the city wrote them)."""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import refresh

from tracker.extensions import db
from tracker.models import Unit

CHINESE = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]+")
# The language switch names each language in its own words, so a Chinese reader can find the way back.
LANGUAGE_SWITCH = "中文"


def english(client):
    client.post("/language", data={"lang": "en"})
    refresh()
    return client


def chinese_words(html: str) -> list[str]:
    unit_names = db.session.scalars(sa.select(Unit.short_name)).all()
    for name in sorted(unit_names, key=len, reverse=True):
        html = html.replace(name, "")
    html = html.replace("\u3000", "")  # the ideographic space that indents the unit tree in a choice list
    return [word for word in CHINESE.findall(html) if word != LANGUAGE_SWITCH]


def test_the_login_page_in_english_has_no_chinese(client):
    html = english(client).get("/login").get_data(as_text=True)
    assert "Log in" in html and "Login name" in html and chinese_words(html) == []


def test_a_refused_login_in_english_says_why_in_english(client):
    html = english(client).post("/login", data={"username": "nobody", "password": "x"}).get_data(as_text=True)
    assert "Wrong login name or password" in html and chinese_words(html) == []


def test_the_password_page_in_english_has_no_chinese(sign_in, people):
    people["sfj_admin"].must_change_password = True
    html = english(sign_in(people["sfj_admin"])).get("/password").get_data(as_text=True)
    assert "Current password" in html and "At least" in html and chinese_words(html) == []


def test_the_account_page_in_english_has_no_chinese(sign_in, people):
    html = english(sign_in(people["office"])).get("/admin/users").get_data(as_text=True)
    assert "Reset password" in html and "Unit administrator" in html and chinese_words(html) == []


def test_a_refused_password_change_in_english_says_why_in_english(sign_in, people):
    client = english(sign_in(people["sfj_admin"]))
    page = client.post("/password", data={"current": "wrong", "new": "short"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "The current password is wrong" in html and "at least 10 characters" in html
    assert chinese_words(html) == []
