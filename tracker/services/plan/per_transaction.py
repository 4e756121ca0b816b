"""Facts of the plan read once per transaction (a request, a command, a scheduler job's unit of work).

Some facts are read by many rows of one answer (the office's name heads every role word of an accounts list,
the X values fill every title of an export) and change only when the plan is loaded again or the office edits
it. Each is kept in the session's `info` from its first read to the end of the transaction, so a page reads it
once; it is read again when this transaction writes what it is made of (a flush with a plan, a unit, a
parameter), and in the next transaction, since another process may have reloaded the plan meanwhile.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...extensions import db

T = TypeVar("T")
_KEPT: list[PerTransaction[Any]] = []


class PerTransaction(Generic[T]):
    """`read()` once per transaction, and again after a flush that writes one of `made_of`, or while one waits
    to be flushed (the read's query flushes it first, as an uncached read would have seen it)."""

    def __init__(self, key: str, read: Callable[[], T], *, made_of: tuple[type, ...]) -> None:
        self.key, self.read, self.made_of = f"tracker.per_transaction.{key}", read, made_of
        _KEPT.append(self)

    def get(self) -> T:
        session = db.session()
        info = session.info
        if self.key not in info or any(isinstance(waiting, self.made_of)
                                       for waiting in (*session.new, *session.dirty, *session.deleted)):
            info[self.key] = self.read()
        found: T = info[self.key]
        return found


@sa.event.listens_for(Session, "after_flush")
def _forget_written(session: Session, _context: Any) -> None:
    written = (*session.new, *session.dirty, *session.deleted)
    for kept in _KEPT:
        if any(isinstance(obj, kept.made_of) for obj in written):
            session.info.pop(kept.key, None)


@sa.event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: Any) -> None:
    """The transaction ended, or a savepoint in it (its rollback may undo what was read). Not the inner
    transaction every flush opens and ends (SQLAlchemy's subtransaction): what a flush wrote, `_forget_written`
    judged; forgetting there read the unit tree again after every flush of an item (twice in each move)."""
    if transaction.parent is not None and not transaction.nested:
        return
    for kept in _KEPT:
        session.info.pop(kept.key, None)
