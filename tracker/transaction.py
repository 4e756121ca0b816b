"""One commit point for every way in: a web or API request, a CLI command.

Handlers call services and never commit. A request commits once, after its view returned a response that is not
a refusal; a refusal (an error raised, or an error status returned) rolls back, so a refused request changes
nothing. The few refusals that must be remembered (a failed login counts toward the lockout) say so with
`keep_refusal()`. Side effects that must not happen unless the data is stored (moving an uploaded file into
place, sending mail, a webhook) are queued with `after_commit()` and run after the commit; their undo
(`after_rollback()`) runs when the transaction ends without one. This follows Indico's request handler, which
commits once and only then flushes its mail queue.

The changes a transaction made to items are announced to open pages (services/work/live_events.py) by rows
written just before its commit, in it, so nothing is announced that did not commit.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from werkzeug.wrappers import Response

from .extensions import db
from .services.work import live_events

_ON_COMMIT = "tracker_after_commit"
_ON_ROLLBACK = "tracker_after_rollback"


def after_commit(callback: Callable[[], Any]) -> None:
    """Run `callback` once the current transaction has committed; never if it does not."""
    _queue(_ON_COMMIT).append(callback)


def after_rollback(callback: Callable[[], Any]) -> None:
    """Run `callback` if the current transaction ends without a commit (to remove a file written for it)."""
    _queue(_ON_ROLLBACK).append(callback)


def _queue(key: str) -> list[Callable[[], Any]]:
    """The queue belongs to the session's current transaction, begun here if none is (its end runs it)."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    return session.info.setdefault(key, [])


def _run(callbacks: list[Callable[[], Any]]) -> None:
    for callback in callbacks:
        callback()


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, _context: object, _instances: object) -> None:
    live_events.remember_units_before(session)


@event.listens_for(Session, "before_commit")
def _committing(session: Session) -> None:
    live_events.write_pending(session)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_ON_ROLLBACK, None)
    _run(session.info.pop(_ON_COMMIT, []))


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended; if it did not commit, its queued undo work runs and its effects drop."""
    if transaction.parent is not None:
        return
    live_events.forget(session)
    session.info.pop(_ON_COMMIT, None)
    _run(session.info.pop(_ON_ROLLBACK, []))


def release() -> None:
    """End the request's transaction before its answer is sent, for a view whose answer outlives the request (a
    live stream, web/live.py) and must hold no transaction, lock or connection while it waits. Such a view only
    reads, so there is nothing to lose; the next query begins a new transaction and sees what committed since."""
    db.session.commit()


def keep_refusal() -> None:
    """This request refuses, yet what it wrote must stay (a failed login or password check is counted)."""
    g.tracker_keep_refusal = True


def finish_request(response: Response) -> Response:
    """Commit a successful or deliberately kept response; roll back any other. Called once per request."""
    if response.status_code < 400 or g.pop("tracker_keep_refusal", False):
        db.session.commit()
    else:
        db.session.rollback()
    return response


class TrackerFlask(Flask):
    """Flask whose view results pass through the one commit point before the response leaves.

    The commit happens inside `dispatch_request`, so an error while committing (a stale version caught by the
    mapper, a unique key taken by a concurrent request) reaches the same error handlers as a service's refusal.
    """

    def dispatch_request(self) -> Any:
        result = super().dispatch_request()
        return finish_request(self.make_response(result))


@contextmanager
def command() -> Iterator[None]:
    """A CLI command is one transaction: commit on success; on any error roll back, so nothing is written, and let
    the error go on to the command's decorator (cli_support.tracker_command), which says why and exits 1."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
