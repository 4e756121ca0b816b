"""Sign-on in a real browser: from the board to the login page, the 统一身份认证登录 button, through the city's
platform (a real OpenID Connect provider on loopback, tests/oidc_provider.py) and back to the board."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider
from tracker.services.trust.oidc_claims import OidcSettings
from tracker.services.trust.sign_on import SignOnPolicy
from tracker.settings import EXTENSION, settings

from .e2e_helpers import shoot


@pytest.fixture
def platform(committed_app: Flask, live_url: str) -> Iterator[Provider]:
    """The provider, with the served tracker registered at it, and the tracker as started with oidc on."""
    with running_provider({f"{live_url}/login/oidc/callback"}) as provider:
        oidc = OidcSettings(issuer=provider.issuer, discovery_url=f"{provider.issuer}/.well-known/"
                            "openid-configuration", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        committed_app.extensions[EXTENSION] = dataclasses.replace(
            settings(committed_app), oidc=oidc, sign_on=SignOnPolicy(sources=frozenset({"oidc"})))
        yield provider


def test_a_unit_signs_on_through_the_citys_platform_and_lands_on_the_board(page, city, platform):
    city.card("s", "统一认证可见事项")
    platform.person = {"sub": "0f3c-e2e", "preferred_username": "e2e_sfj", "name": "市司法局经办人"}
    page.goto("/board?q=统一认证")
    page.wait_for_url(lambda url: "/login?next=" in url)
    button = page.locator("#oidc-sign-on")
    assert button.inner_text() == "统一身份认证登录"
    shoot(page, "sign-on-button")
    with page.expect_navigation(url=lambda url: "/board?q=" in url):
        button.click()
    assert "统一认证可见事项" in page.inner_text("main")
    assert "e2e_sfj" in page.inner_text("header")


def test_a_person_the_tracker_does_not_know_is_told_so_on_the_login_page(page, city, platform):
    platform.person = {"sub": "0f3c-nobody", "preferred_username": "nobody-here"}
    page.goto("/login")
    with page.expect_navigation(url=lambda url: "/login/oidc/callback" in url):
        page.click("#oidc-sign-on")
    assert "本系统中没有与您对应的账号,请联系单位管理员开通" in page.inner_text("main [role=alert]")
