"""How every `flask tracker` command refuses: one decorator, one exit code, the message in Chinese.

A service refuses with a TrackerError (or a seed file with FileProblems); the command's transaction has already
rolled back (transaction.command), so all that is left is to say why and exit 1. Before this each command did
that its own way (a try/except here, `sys.exit` there, a printed prefix elsewhere); now `tracker_command`
registers the command and turns a refusal into a click error, and a command body only states its happy path.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import IO, Any, TypeVar

import click

from .errors import TrackerError
from .services.plan.plan_files import FileProblems

F = TypeVar("F", bound=Callable[..., Any])
SHOWN_IN_MESSAGE = 10  # a refusal's message names at most this many problems; the rest follow on lines of their own


class Refused(click.ClickException):
    """A refusal in the tracker's words: `错误:…` on stderr, exit status 1, then any further detail lines."""

    exit_code = 1

    def __init__(self, message: str, details: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.details = list(details)

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"错误:{self.format_message()}", err=True, file=file)
        for line in self.details:
            click.echo(f"  {line}", err=True, file=file)


def refused(exc: Exception) -> Refused:
    """The words for a refusal: a seed file's every problem, or a TrackerError's Chinese message."""
    if isinstance(exc, FileProblems):
        return Refused(f"文件有 {len(exc.problems)} 处问题,未写入任何数据:", exc.problems)
    assert isinstance(exc, TrackerError)
    return Refused(exc.message_zh, getattr(exc, "problems", [])[SHOWN_IN_MESSAGE:])


def in_words(func: F) -> F:
    """Run a command body; a TrackerError or FileProblems leaves it as a `Refused`."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (TrackerError, FileProblems) as exc:
            raise refused(exc) from None
    return wrapper  # type: ignore[return-value]


def tracker_command(group: click.Group, name: str, **attrs: Any) -> Callable[[F], F]:
    """`group.command(name)` whose refusals come out in words (see `in_words`)."""
    def decorator(func: F) -> F:
        return group.command(name, **attrs)(in_words(func))  # type: ignore[return-value]
    return decorator
