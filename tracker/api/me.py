"""The caller: who am I, and my API tokens (a new token's secret is shown once)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..clock import utcnow
from ..errors import NotFound
from ..extensions import db
from ..models import ApiToken, User
from ..services.trust import accounts
from .auth import actor
from .common import api_blueprint, errors
from ..schemas.accounts import MeOut, NewTokenOut, TokenIn, TokenOut
from ..schemas.reach import ChannelsIn, ChannelsOut
from ..services.ledger import reach_config
from ..settings import settings

blp = api_blueprint("me", "The caller and their tokens")
TOKEN_FIELDS = tuple(TokenOut().fields)


@blp.route("/me")
@blp.response(200, MeOut)
@errors(blp)
def me() -> User:
    return actor()


def _channels() -> dict[str, Any]:
    me = actor()
    choice = reach_config.choice_of(me)
    return {"channels": choice.channels if choice else [], "mobile": choice.mobile if choice else None,
            "robots": reach_config.active_kinds(me.unit_id), "sms": settings().sms is not None}


@blp.route("/me/channels")
@blp.response(200, ChannelsOut)
@errors(blp)
def get_channels() -> dict[str, Any]:
    """The caller's channels beside the app and the unit's mail, and which of them can reach them now."""
    return _channels()


@blp.route("/me/channels", methods=["PUT"])
@blp.arguments(ChannelsIn)
@blp.response(200, ChannelsOut)
@errors(blp)
def set_channels(data: dict[str, Any]) -> dict[str, Any]:
    reach_config.choose(actor=actor(), channels=data["channels"], mobile=data["mobile"], now=utcnow())
    return _channels()


@blp.route("/tokens")
@blp.response(200, TokenOut(many=True))
@errors(blp)
def list_tokens() -> list[ApiToken]:
    return accounts.tokens_of(actor())


@blp.route("/tokens", methods=["POST"])
@blp.arguments(TokenIn)
@blp.response(201, NewTokenOut)
@errors(blp)
def create_token(data: dict[str, Any]) -> dict[str, Any]:
    token, secret = accounts.create_token(actor(), name=data["name"], actor=actor(), now=utcnow())
    return {name: getattr(token, name) for name in TOKEN_FIELDS} | {"token": secret}


@blp.route("/tokens/<id:token_id>", methods=["DELETE"])
@blp.response(204)
@errors(blp, 404)
def revoke_token(token_id: int) -> None:
    """Revoke one of the caller's own tokens; another user's token is not found."""
    token = db.session.execute(sa.select(ApiToken).where(ApiToken.id == token_id,
                                                         ApiToken.user_id == actor().id)).scalar_one_or_none()
    if token is None:
        raise NotFound("令牌不存在", "Token not found", code="token_not_found")
    accounts.revoke_token(token, actor=actor(), now=utcnow())
