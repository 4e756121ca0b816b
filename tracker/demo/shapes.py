"""The demo's handed-out work (issue 12): an ad-hoc item from a meeting led by 甲区 with two cooperating city
departments, split among two of its streets, reviewed by 甲区 (one return), the departments' parts, the office's
approval, a leader's instruction; a second ad-hoc item from above still under way in 乙区 with a split; a
批示件 waiting in the office's list. Fixed days and texts, so every build shows the same story."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..extensions import db
from ..models import ItemSource, ItemStatus, Plan, Role, Unit, User, WorkItem
from ..services.work import assignment, instructions, items, splitting, workflow
from .stage import Stage


@dataclass(frozen=True)
class Beat:
    day: date
    hour: int
    action: Callable[[Stage, datetime, dict[str, int]], None]


def _unit(key: str) -> Unit:
    return db.session.execute(sa.select(Unit).where(Unit.key == key)).scalar_one()


def _admin(replay: Stage, key: str) -> User:
    return replay.person(_unit(key).id, Role.UNIT_ADMIN)


def _leader() -> User:
    return db.session.scalars(sa.select(User).where(User.role == Role.LEADER).order_by(User.id)).first()  # type: ignore[return-value]  # the demo's city has a leader


def _item(ids: dict[str, int], name: str) -> WorkItem:
    found = db.session.get(WorkItem, ids[name])
    assert found is not None
    return found


def _move(item: WorkItem, actor: User, to: ItemStatus, at: datetime, note: str | None = None) -> None:
    workflow.move(item, actor=actor, to=to, expected_version=item.version, now=at, note=note)


def assign_meeting_item(replay: Stage, at: datetime, ids: dict[str, int]) -> None:
    plan = db.session.get(Plan, replay.plan_id)
    assert plan is not None
    item = items.create_ad_hoc(actor=replay.office(), plan=plan, source=ItemSource.MEETING,
                               source_ref="市政府第12次常务会议纪要(2023年5月8日)", title="开展行政执法“三项制度”落实情况专项检查",
                               description="全面排查行政执法公示、全过程记录、重大执法决定法制审核制度落实情况,6月底前报送检查报告。",
                               due_date=date(2023, 6, 30), lead=_unit("jiaqu"), cooperating=[_unit("sfj"), _unit("scjgj")],
                               now=at)
    ids["meeting"] = item.id


def lead_signs_and_splits(replay: Stage, at: datetime, ids: dict[str, int]) -> None:
    item, county = _item(ids, "meeting"), _admin(replay, "jiaqu")
    _move(item, county, ItemStatus.IN_PROGRESS, at)
    assignment.set_responsible(item, actor=county, user_id=county.id, phone="0571-8700 1234",
                               expected_version=item.version, now=at)
    east, west = splitting.split(item, actor=county, now=at, parts=[
        splitting.Part(_unit("jiaqu_dongcheng"), "东城街道执法“三项制度”自查", date(2023, 6, 15)),
        splitting.Part(_unit("jiaqu_xicheng"), "西城街道执法“三项制度”自查", date(2023, 6, 15))])
    ids["east"], ids["west"] = east.id, west.id


def leader_instructs(replay: Stage, at: datetime, ids: dict[str, int]) -> None:
    instructions.instruct(_item(ids, "meeting"), actor=_leader(), text="请甲区抓紧组织,6月底前务必报送检查报告。", now=at)


def streets_sign(replay: Stage, at: datetime, ids: dict[str, int]) -> None:
    for name, key in (("east", "jiaqu_dongcheng"), ("west", "jiaqu_xicheng")):
        _move(_item(ids, name), _admin(replay, key), ItemStatus.IN_PROGRESS, at)


def east_submits(replay: Stage, at: datetime, ids: dict[str, int]) -> None:
    _move(_item(ids, "east"), _admin(replay, "jiaqu_dongcheng"), ItemStatus.SUBMITTED, at, "已完成自查,报送自查报告。")


def county_returns_east(replay: Stage, at: datetime, ids: dict[str, int]) -> None:
    _move(_item(ids, "east"), _admin(replay, "jiaqu"), ItemStatus.IN_PROGRESS, at, "自查报告缺少执法案卷抽查记录,请补充。")


def east_resubmits(replay: Stage, at: datetime, ids: dict[str, int]) -> None:
    _move(_item(ids, "east"), _admin(replay, "jiaqu_dongcheng"), ItemStatus.SUBMITTED, at, "已补充案卷抽查记录。")


def county_approves_east_west_submits(replay: Stage, at: datetime, ids: dict[str, int]) -> None:
    _move(_item(ids, "east"), _admin(replay, "jiaqu"), ItemStatus.DONE, at)
    _move(_item(ids, "west"), _admin(replay, "jiaqu_xicheng"), ItemStatus.SUBMITTED, at, "已完成自查。")


def county_approves_west_departments_finish(replay: Stage, at: datetime, ids: dict[str, int]) -> None:
    _move(_item(ids, "west"), _admin(replay, "jiaqu"), ItemStatus.DONE, at)
    for key, note in (("sfj", "已完成法制审核制度抽查。"), ("scjgj", "已完成市场监管领域执法公示检查。")):
        assignment.mark_part_done(_item(ids, "meeting"), actor=_admin(replay, key), note=note, now=at)


def county_submits(replay: Stage, at: datetime, ids: dict[str, int]) -> None:
    _move(_item(ids, "meeting"), _admin(replay, "jiaqu"), ItemStatus.SUBMITTED, at, "两个街道自查及区级检查均已完成,报送检查报告。")


def office_approves(replay: Stage, at: datetime, ids: dict[str, int]) -> None:
    _move(_item(ids, "meeting"), replay.office(), ItemStatus.DONE, at)


def assign_from_above(replay: Stage, at: datetime, ids: dict[str, int]) -> None:
    plan = db.session.get(Plan, replay.plan_id)
    assert plan is not None
    item = items.create_ad_hoc(actor=replay.office(), plan=plan, source=ItemSource.HIGHER_LEVEL,
                               source_ref="省依法治省办〔2024〕7号", title="落实行政复议体制改革配套制度",
                               description="梳理行政复议案件办理流程,完善配套制度。", due_date=date(2024, 9, 30),
                               lead=_unit("yiqu"), cooperating=[_unit("sfj")], now=at)
    county = _admin(replay, "yiqu")
    _move(item, county, ItemStatus.IN_PROGRESS, at)
    splitting.split(item, actor=county, now=at, parts=[
        splitting.Part(_unit("yiqu_nanhu"), "南湖街道梳理复议相关工作流程", date(2024, 8, 31))])
    instructions.propose(actor=_leader(), title="研究建立行政执法监督员制度",
                         text="请司法局牵头研究,提出方案报市政府。", due_date=date(2024, 10, 31), now=at)


BEATS = (
    Beat(date(2023, 5, 9), 10, assign_meeting_item),
    Beat(date(2023, 5, 10), 9, lead_signs_and_splits),
    Beat(date(2023, 5, 10), 16, leader_instructs),
    Beat(date(2023, 5, 11), 10, streets_sign),
    Beat(date(2023, 6, 5), 15, east_submits),
    Beat(date(2023, 6, 6), 11, county_returns_east),
    Beat(date(2023, 6, 9), 10, east_resubmits),
    Beat(date(2023, 6, 12), 10, county_approves_east_west_submits),
    Beat(date(2023, 6, 14), 10, county_approves_west_departments_finish),
    Beat(date(2023, 6, 20), 10, county_submits),
    Beat(date(2023, 6, 26), 10, office_approves),
    Beat(date(2024, 5, 6), 10, assign_from_above),
)


def moment(beat: Beat, timezone: str) -> datetime:
    return datetime.combine(beat.day, time(beat.hour, 0), tzinfo=ZoneInfo(timezone))
