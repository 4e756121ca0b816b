"""One word for each thing the tracker names, Chinese first, English second, so pages, digests, exports and
form errors say the same: the plan's task groups are 方面 everywhere (the digest used to say 领域), and taking a
new item is 签收 wherever it is offered (the board's move menu used to say 移到"进行中").

Pages take the English through their translation catalog; digests and exports, written in Chinese for the
office and the units, take the Chinese from here.

The city government and the supervising office are named as the units file names them (the plan file's
`office` unit and the top of its tree), never in code, so the next city changes a data file, not a template:
their short names wherever a person reads a name (pages, digests, exports, as every unit is named by its short
name), their full names only where a formal document is headed or addressed (a printed notice).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ...extensions import db
from ...models import Plan, Role, Unit
from ..trust.permissions import ROLE_LABELS
from .per_transaction import PerTransaction

GROUP = ("方面", "Group")
BY_GROUP = ("分方面", "By group")
SIGN = ("签收", "Sign for it")
BULLETIN = ("通报", "Bulletin")
BULLETIN_NUMBER_KIND = "督办通报"  # the month's and quarter's 通报 are numbered 督办通报〔2024〕3号, a sequence of their own
TERMS = {"group": GROUP, "by_group": BY_GROUP, "sign": SIGN, "bulletin": BULLETIN}


@dataclass(frozen=True)
class Authorities:
    """The government and office names of the loaded units (before any plan is loaded, generic words)."""

    government: str
    government_full: str
    office: str
    office_full: str


GENERIC = Authorities(government="市政府", government_full="市人民政府", office="办公室", office_full="办公室")


def authorities() -> Authorities:
    """The plan's supervising office and the unit at the top of its tree (the city government), by name: read
    once per transaction, and again once a plan or a unit is written (per_transaction)."""
    return _AUTHORITIES.get()


def _read_authorities() -> Authorities:
    office = db.session.execute(
        sa.select(Unit).join(Plan, Plan.office_unit_id == Unit.id).order_by(Plan.id).limit(1)).scalar()
    if office is None:
        return GENERIC
    parents = dict(db.session.execute(sa.select(Unit.id, Unit.parent_id)).all())
    top, seen = office.id, {office.id}
    while (parent := parents.get(top)) is not None and parent not in seen:
        top = parent
        seen.add(top)
    government = db.session.get(Unit, top) or office
    return Authorities(government=government.short_name, government_full=government.name,
                       office=office.short_name, office_full=office.name)


_AUTHORITIES = PerTransaction("authorities", _read_authorities, made_of=(Plan, Unit))


def role_label(role: Role | str, lang: str = "zh") -> str:
    """A role as people read it; the office's role in Chinese is the office's own name."""
    role = Role(role)
    if role == Role.OFFICE_ADMIN and lang != "en":
        return authorities().office
    zh, en = ROLE_LABELS[role]
    return en if lang == "en" else zh
