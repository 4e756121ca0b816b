"""A first gate on web views, checked before the form is read, so a role that may not use a page is refused
(403) rather than told its empty form is invalid. The services check again; they remain the authority."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask_login import current_user, login_required

from ..errors import NotAllowed
from ..models import Role
from ..services.trust import permissions

View = TypeVar("View", bound=Callable[..., Any])
CHANGERS = frozenset({Role.OFFICE_ADMIN, *permissions.UNIT_ROLES})


def roles(allowed: frozenset[Role]) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in allowed:
                permissions.require_not_read_only(current_user)
                raise NotAllowed("无权执行此操作", "You may not do this", code="forbidden")
            return view(*args, **kwargs)
        return login_required(guarded)
    return decorate


office_only = roles(frozenset({Role.OFFICE_ADMIN}))
changers_only = roles(CHANGERS)
units_only = roles(permissions.UNIT_ROLES)
