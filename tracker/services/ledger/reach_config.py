"""Who may set which channel: each person their own choices and mobile; the office, or a unit's admin for its own
unit, the unit's group robots. A robot's URL holds its key or token and its secret signs, so both are written
once and shown back masked (enough to tell two apart); every change is audited with the masked values only.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from ... import limits
from ...errors import Invalid, NotAllowed, NotFound
from ...extensions import db
from ...models import ReachChoice, Role, Unit, UnitRobot, User
from ..trust import audit, permissions
from . import outbound
from .robots import ROBOTS, SMS

CHANNELS = (*ROBOTS, SMS)
MOBILE = re.compile(r"1[3-9]\d{9}")
SECRET_LIMIT = limits.ROBOT_SECRET


def mask(value: str) -> str:
    """A URL or secret as pages show it once saved: its start up to the host and its last four characters."""
    if not value:
        return ""
    head = value.split("?", 1)[0]
    head = "/".join(head.split("/")[:3]) if "://" in head else ""
    return f"{head}/…{value[-4:]}" if head else "…" + value[-4:]


# --- a person's choices -----------------------------------------------------------------------------------

def choice_of(user: User) -> ReachChoice | None:
    return db.session.get(ReachChoice, user.id)


def choose(*, actor: User, channels: Sequence[str], mobile: str | None, now: datetime) -> ReachChoice:
    """The actor's own channels, in the order given, and mobile. Raises Invalid (unknown channel; SMS or a
    robot's mention without a valid mainland mobile number)."""
    chosen = list(dict.fromkeys(channels))
    unknown = [c for c in chosen if c not in CHANNELS]
    if unknown:
        raise Invalid(f"未知的渠道:{'、'.join(unknown)}", f"Unknown channels: {', '.join(unknown)}",
                      fields={"channels": ["未知的渠道"]}, code="unknown_channel")
    mobile = (mobile or "").strip() or None
    if mobile is not None and not MOBILE.fullmatch(mobile):
        raise Invalid("手机号码须为 11 位大陆手机号", "The mobile number must be 11 digits starting with 1",
                      fields={"mobile": ["手机号码格式不正确"]}, code="bad_mobile")
    if SMS in chosen and mobile is None:
        raise Invalid("选择短信须填写手机号码", "SMS needs a mobile number", fields={"mobile": ["请填写手机号码"]},
                      code="mobile_required")
    found = choice_of(actor)
    before = {"channels": found.channels, "mobile": found.mobile} if found else None
    if found is None:
        found = ReachChoice(user_id=actor.id)
        db.session.add(found)
    found.channels, found.mobile, found.updated_at = chosen, mobile, now
    db.session.flush()
    audit.record(actor=actor, action="user.channels", entity_type="user", entity_id=actor.id, now=now,
                 before=before, after={"channels": chosen, "mobile": mobile})
    return found


# --- a unit's robots --------------------------------------------------------------------------------------

def may_configure(actor: User, unit_id: int) -> bool:
    return not permissions.is_read_only(actor) and (
        permissions.is_office(actor) or (actor.role == Role.UNIT_ADMIN and actor.unit_id == unit_id))


def require_configure(actor: User, unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("单位不存在", "Unit not found", code="unit_not_found")
    if not may_configure(actor, unit_id):
        raise NotAllowed("仅牵头办或本单位管理员可设置本单位的群机器人",
                         "Only the office or the unit's admin may set the unit's robots")
    return unit


def robots_of(unit_id: int) -> list[UnitRobot]:
    return list(db.session.scalars(sa.select(UnitRobot).where(UnitRobot.unit_id == unit_id).order_by(UnitRobot.kind)))


def active_kinds(unit_id: int) -> list[str]:
    return list(db.session.scalars(sa.select(UnitRobot.kind).where(UnitRobot.unit_id == unit_id,
                                                                    UnitRobot.active.is_(True))))


def configure(*, actor: User, unit_id: int, kind: str, url: str, secret: str, now: datetime,
              allow: outbound.AllowList) -> UnitRobot:
    """Set (or replace) the unit's robot of `kind`; an empty secret keeps the saved one when the URL is the
    same robot's. Raises NotAllowed, NotFound, Invalid (kind, a URL that may not be called, secret too long)."""
    require_configure(actor, unit_id)
    if kind not in ROBOTS:
        raise Invalid(f"机器人类型须为:{'、'.join(ROBOTS)}", f"The robot kind must be one of {', '.join(ROBOTS)}",
                      fields={"kind": ["无效类型"]}, code="unknown_robot")
    url, secret = url.strip(), secret.strip()
    outbound.check(url, allow=allow)
    if len(secret) > SECRET_LIMIT:
        raise Invalid(f"密钥过长(不超过 {SECRET_LIMIT} 个字符)", f"The secret is longer than {SECRET_LIMIT} characters",
                      fields={"secret": ["密钥过长"]})
    robot = db.session.execute(sa.select(UnitRobot).where(UnitRobot.unit_id == unit_id, UnitRobot.kind == kind)
                               ).scalar()
    if robot is None:
        robot = UnitRobot(unit_id=unit_id, kind=kind, url=url, secret=secret)
        db.session.add(robot)
    else:
        robot.secret = secret or (robot.secret if robot.url == url else "")
        robot.url = url
    robot.active, robot.updated_at, robot.updated_by_id = True, now, actor.id
    db.session.flush()
    audit.record(actor=actor, action="robot.configure", entity_type="unit_robot", entity_id=robot.id, now=now,
                 after={"unit_id": unit_id, "kind": kind, "url": mask(robot.url), "secret": mask(robot.secret)})
    return robot


def switch_off(*, actor: User, unit_id: int, kind: str, now: datetime) -> UnitRobot:
    require_configure(actor, unit_id)
    robot = db.session.execute(sa.select(UnitRobot).where(UnitRobot.unit_id == unit_id, UnitRobot.kind == kind)
                               ).scalar()
    if robot is None:
        raise NotFound("该单位未设置此类机器人", "The unit has no robot of this kind", code="robot_not_found")
    robot.active, robot.updated_at, robot.updated_by_id = False, now, actor.id
    db.session.flush()
    audit.record(actor=actor, action="robot.disable", entity_type="unit_robot", entity_id=robot.id, now=now,
                 after={"unit_id": unit_id, "kind": kind})
    return robot
