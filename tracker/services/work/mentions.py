"""@ in a comment: the people and units a comment names, told of it.

Only those who may see the item can be named (its lead and cooperating units, the units above them, the office),
so a mention never carries an item to someone who may not read it; anything else after an @ stays plain text.
A name is taken when it is followed by a space, punctuation or the end, so @张三 does not name 张三丰; a name two
candidates share is refused with the login names to use instead, rather than guessed.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from ...errors import Invalid
from ...extensions import db
from ...models import CommentMention, Plan, Role, Unit, User, WorkItem
from ..trust import permissions
from . import item_news

USER, UNIT = "user", "unit"


@dataclass(frozen=True)
class Mentionable:
    kind: str  # USER or UNIT
    id: int
    label: str  # what the page suggests after @: a person's name, a unit's short name
    detail: str  # a person's unit, to tell two people apart
    aliases: tuple[str, ...]  # everything else that names it after @ (login name, full name, unit key)


def mentionable(item: WorkItem) -> list[Mentionable]:
    """Who a comment on the item may name: its units and those above them, the office, and their enabled
    people who may see it: four queries, however many people."""
    office_unit_id = db.session.execute(sa.select(Plan.office_unit_id).where(Plan.id == item.plan_id)).scalar()
    parents: dict[int, int | None] = {
        uid: parent for uid, parent in db.session.execute(sa.select(Unit.id, Unit.parent_id))}
    unit_ids = _carriers_and_above(item, parents) | ({office_unit_id} if office_unit_id else set())
    rows = db.session.execute(
        sa.select(User, Unit).join(Unit, Unit.id == User.unit_id)
        .where(User.is_enabled.is_(True), sa.or_(User.unit_id.in_(unit_ids), User.role == Role.OFFICE_ADMIN))
        .order_by(Unit.id, User.id)).all()
    units = {unit.id: unit for _user, unit in rows}
    units.update((unit.id, unit) for unit in db.session.scalars(
        sa.select(Unit).where(Unit.id.in_(unit_ids - units.keys()))))
    found = [Mentionable(UNIT, unit.id, unit.short_name, "", (unit.name, unit.key))
             for unit in sorted(units.values(), key=lambda u: u.id) if unit.id in unit_ids]
    # permissions.can_see_item for each person, without its query per person: a unit sees what it or a unit
    # below it carries, so the units above the carriers are exactly those whose people see it (a test holds
    # the two equal).
    seeing = _carriers_and_above(item, parents)
    found += [Mentionable(USER, user.id, user.display_name, unit.short_name, (user.username,))
              for user, unit in rows if permissions.sees_everything(user) or user.unit_id in seeing]
    return found


def _carriers_and_above(item: WorkItem, parents: dict[int, int | None]) -> set[int]:
    found: set[int] = set()
    for start in item_news.carrying_units(item):
        at: int | None = start
        while at is not None and at not in found:
            found.add(at)
            at = parents.get(at)
    return found


def _ends_name(text: str, at: int) -> bool:
    if at >= len(text):
        return True
    return unicodedata.category(text[at])[0] in "PZSC"


def find(text: str, candidates: Iterable[Mentionable]) -> list[Mentionable]:
    """The candidates the text names after an @, in the order first named; the longest name wins at each @."""
    names: dict[str, list[Mentionable]] = {}
    for candidate in candidates:
        for name in dict.fromkeys((candidate.label, *candidate.aliases)):
            if name:
                names.setdefault(name, []).append(candidate)
    longest_first = sorted(names, key=len, reverse=True)
    named: dict[tuple[str, int], Mentionable] = {}
    start = text.find("@")
    while start != -1:
        for name in longest_first:
            if text.startswith(name, start + 1) and _ends_name(text, start + 1 + len(name)):
                matches = list(dict.fromkeys(names[name]))
                if len(matches) > 1:
                    logins = "、".join(f"@{m.aliases[0]}({m.detail})" for m in matches if m.kind == USER)
                    raise Invalid(f"“@{name}”可指多人,请改用登录名:{logins}",
                                  f"@{name} names more than one person; use a login name", code="mention_ambiguous",
                                  fields={"text": [f"“@{name}”不唯一"]})
                named.setdefault((matches[0].kind, matches[0].id), matches[0])
                break
        start = text.find("@", start + 1)
    return list(named.values())


def record(comment_id: int, named: list[Mentionable]) -> None:
    db.session.add_all(CommentMention(comment_id=comment_id, user_id=m.id if m.kind == USER else None,
                                      unit_id=m.id if m.kind == UNIT else None) for m in named)


def of_comments(comment_ids: Iterable[int]) -> dict[int, list[tuple[str, int, str]]]:
    """Who each comment named, as (kind, id, name): one query for the whole thread."""
    ids = list(comment_ids)
    found: dict[int, list[tuple[str, int, str]]] = {}
    if not ids:
        return found
    for comment_id, user_id, user_name, unit_id, unit_name in db.session.execute(
            sa.select(CommentMention.comment_id, User.id, User.display_name, Unit.id, Unit.short_name)
            .outerjoin(User, User.id == CommentMention.user_id).outerjoin(Unit, Unit.id == CommentMention.unit_id)
            .where(CommentMention.comment_id.in_(ids)).order_by(CommentMention.id)):
        found.setdefault(comment_id, []).append((USER, user_id, user_name) if user_id else (UNIT, unit_id, unit_name))
    return found
