"""A small, real OpenID Connect provider on loopback, for the sign-on tests: what a city's identity platform does
for the tracker, and no more.

It publishes a discovery document and its RSA key (JWKS), answers the authorization endpoint at once for the
person the test has put at its desk (no login form: the platform's own login is not under test), and its token
endpoint checks the client's secret, the code (once only), the redirect URI and the PKCE verifier against the
S256 challenge before it returns an ID token signed with its key and carrying the nonce it was given. A test
can make it misbehave the ways a hostile or broken platform would: another audience, another key, another nonce.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

CLIENT_ID = "plan-tracker"
CLIENT_SECRET = "tracker-secret-for-tests"


@dataclass
class Provider:
    """The running provider and the knobs a test turns. `person` is whoever signs in next (their claims)."""

    issuer: str
    redirect_uris: set[str]
    person: dict[str, Any] = field(default_factory=dict)
    audience: str = CLIENT_ID  # what the next ID tokens name as their audience
    nonce: str | None = None  # a nonce to put in the next ID tokens instead of the one asked for
    sign_with: RSAKey | None = None  # a key to sign the next ID tokens with instead of the published one
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "city-1"}))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: int = 0

    def reset(self) -> None:
        self.person, self.audience, self.nonce, self.sign_with, self.token_requests = {}, CLIENT_ID, None, None, 0

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.audience, "iat": now, "exp": now + 300,
                  "nonce": self.nonce or grant["nonce"], **grant["person"]}
        key = self.sign_with or self.key
        return jwt.encode({"alg": "RS256", "kid": "city-1"}, claims, key)


def provider_app(provider: Provider) -> Flask:
    app = Flask("oidc_provider")

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Response:
        return jsonify({
            "issuer": provider.issuer, "authorization_endpoint": f"{provider.issuer}/authorize",
            "token_endpoint": f"{provider.issuer}/token", "jwks_uri": f"{provider.issuer}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": ["openid", "profile", "email"]})

    @app.get("/jwks")
    def jwks() -> Response:
        return jsonify(KeySet([provider.key]).as_dict(private=False))

    @app.get("/authorize")
    def authorize() -> Response:
        asked = request.args
        if asked.get("client_id") != CLIENT_ID or asked.get("redirect_uri") not in provider.redirect_uris:
            abort(400, "unknown client or redirect URI")
        if asked.get("response_type") != "code" or "openid" not in asked.get("scope", "").split():
            abort(400, "an OpenID Connect code flow only")
        if asked.get("code_challenge_method") != "S256" or not asked.get("code_challenge"):
            abort(400, "PKCE with S256 required")
        code = secrets.token_urlsafe(16)
        provider.codes[code] = {"person": dict(provider.person), "nonce": asked.get("nonce"),
                                "challenge": asked["code_challenge"], "redirect_uri": asked["redirect_uri"]}
        return redirect(f"{asked['redirect_uri']}?{urlencode({'code': code, 'state': asked.get('state', '')})}")

    @app.post("/token")
    def token() -> tuple[Response, int] | Response:
        provider.token_requests += 1
        auth = request.authorization
        if auth is None or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET):
            return jsonify({"error": "invalid_client"}), 401
        form = request.form
        grant = provider.codes.pop(form.get("code", ""), None)  # a code is good once
        if form.get("grant_type") != "authorization_code" or grant is None:
            return jsonify({"error": "invalid_grant"}), 400
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return jsonify({"error": "invalid_grant", "error_description": "redirect_uri"}), 400
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or challenge != grant["challenge"]:
            return jsonify({"error": "invalid_grant", "error_description": "PKCE verifier"}), 400
        return jsonify({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                        "id_token": provider.id_token(grant)})

    return app


@contextmanager
def running_provider(redirect_uris: set[str]) -> Iterator[Provider]:
    """The provider on a free loopback port in a thread, stopped when the block ends."""
    server = make_server("127.0.0.1", 0, Flask("placeholder"), threaded=True)
    provider = Provider(issuer=f"http://127.0.0.1:{server.server_port}", redirect_uris=redirect_uris)
    server.app = provider_app(provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=10)
