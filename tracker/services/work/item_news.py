"""Telling units that something happened to an item they carry (a new assignment, a split, an instruction,
an office correction): a notification of the ledger's (the bell, the mail batch, the webhooks) and an audit
event naming the recipients, both in the same transaction as the change.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ...models import User, WorkItem
from ..ledger import notifications
from ..trust import audit


def notify(*, unit_ids: Iterable[int], item: WorkItem, kind: str, text: str, actor: User | None,
           now: datetime) -> None:
    """One notice about `item` to each unit named (duplicates and none at all are fine). The event names the
    item as its entity but stays out of the item's own trail, which records changes to the item."""
    recipients = sorted(set(unit_ids))
    if not recipients:
        return
    audit.record(actor=actor, action=f"notice.{kind}", entity_type="work_item", entity_id=item.id,
                 after={"unit_ids": recipients, "text": text}, now=now)
    notifications.notify(kind=kind, text=text, now=now, unit_ids=recipients, item=item)


def carrying_units(item: WorkItem) -> list[int]:
    """The units an item's news goes to: its lead unit and its cooperating units."""
    return [item.unit_id, *(part.unit_id for part in item.cooperators)]
