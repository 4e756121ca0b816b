"""People in the browser: switching on two factors with an authenticator (the key read off the page, the code
computed as a phone would), signing in with it the next time; a unit's admin adding a member, who signs in with
the password shown once and must change it before anything else."""
from __future__ import annotations

import re

import pyotp

from .e2e_helpers import PASSWORD, log_in, log_out


def test_an_officer_switches_on_two_factors_and_the_next_sign_in_asks_for_the_code(page, city):
    log_in(page, "e2e_office")
    page.goto("/account/two-factor")
    assert page.locator("figure.qr svg").count() == 1, "the QR code is drawn on the server, as SVG"
    secret = page.inner_text("#totp-secret").replace(" ", "")
    authenticator = pyotp.TOTP(secret)
    page.fill("input[name=code]", authenticator.now())
    page.click("main form button[type=submit]")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10

    log_out(page)
    page.wait_for_url(lambda url: "/login" in url)
    page.fill("input[name=username]", "e2e_office")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login/code" in url)
    page.fill("input[name=code]", "000000" if authenticator.now() != "000000" else "111111")
    page.click("main form button[type=submit]")
    assert page.locator("p.error").count() == 1, "a wrong code is refused in words"
    page.fill("input[name=code]", codes[0])
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    assert page.locator("header form button:has-text('退出')").count() == 1


def test_a_unit_admin_adds_a_member_who_signs_in_and_must_change_the_password(page, city):
    log_in(page, "e2e_sfj")
    page.goto("/admin/users/new")
    roles = page.locator("select[name=role] option").all_inner_texts()
    units = page.locator("select[name=unit_id] option").all_inner_texts()
    assert len(roles) == 1 and len(units) == 1, "a unit's admin makes members of its own unit only"
    page.fill("input[name=username]", "sfj_newcomer")
    page.fill("input[name=display_name]", "新同事")
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: url.endswith("/admin/users"))
    shown = re.search(r"首次登录须修改\):\s*([^<\s]+)", page.content()).group(1)
    assert "新同事" in page.content()

    log_out(page)
    page.wait_for_url(lambda url: "/login" in url)
    log_in(page, "sfj_newcomer", shown)
    page.goto("/board")
    assert page.url.endswith("/password"), "nothing else opens before the shown password is changed"
    page.fill("input[name=current]", shown)
    page.fill("input[name=new]", "Brand-New-Pass-42")
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "password" not in url)
    page.goto("/board")
    assert page.url.endswith("/board")
