"""The plan's "X"s in the wording of items: once the office sets a parameter, titles and descriptions show its
value (不少于3次) instead of the X; until then the X stays, so nobody reads a guess.

A template says which parameter each X of its title, then of its description, stands for (`x:` in the plan
file). An item shows the values only while its wording is still the template's: an item the office reworded
keeps its own words.

This module is the one place the substitution happens: `title(item)` / `description(item)` for one item,
`title_column()` for a query selecting many titles, `wordings()` for the board's card maker. Every page,
notification, export and document reads titles through one of them (tests/web/test_x_values.py scans them).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import ItemTemplate, TaskParameter, WorkItem
from .per_transaction import PerTransaction

X = re.compile(r"(?<![A-Za-z])X(?![A-Za-z])")


def count_x(text: str) -> int:
    return len(X.findall(text))


def fill(text: str, values: list[str | None]) -> str:
    """Each X in turn takes the next value; an X whose value is not set stays an X."""
    remaining = iter(values)

    def one(match: re.Match[str]) -> str:
        return next(remaining, None) or match.group(0)

    return X.sub(one, text)


@dataclass(frozen=True)
class TemplateWording:
    title: str
    description: str
    title_values: list[str | None]
    description_values: list[str | None]

    def title_of(self, title: str) -> str:
        return fill(title, self.title_values) if title == self.title else title

    def description_of(self, description: str) -> str:
        return fill(description, self.description_values) if description == self.description else description


def wordings(template_ids: set[int] | None = None) -> dict[int, TemplateWording]:
    """The templates that have an X with a value set, by id: one query per transaction (templates and parameters
    are few), so a page or an export reading titles in several queries reads the values once."""
    found = _WORDINGS.get()
    return found if template_ids is None else {key: found[key] for key in template_ids if key in found}


def _read_wordings() -> dict[int, TemplateWording]:
    stmt = (sa.select(ItemTemplate.id, ItemTemplate.title, ItemTemplate.description, ItemTemplate.x_keys,
                      TaskParameter.key, TaskParameter.value)
            .join(TaskParameter, sa.and_(TaskParameter.task_id == ItemTemplate.task_id,
                                         TaskParameter.value.is_not(None)))
            .where(ItemTemplate.x_keys.is_not(None)))
    templates: dict[int, tuple[str, str, list[str]]] = {}
    values: dict[int, dict[str, str | None]] = {}  # never None: the join leaves empty values out
    for template_id, title, description, x_keys, key, value in db.session.execute(stmt):
        templates[template_id] = (title, description, x_keys or [])  # JSON null for templates without an X
        values.setdefault(template_id, {})[key] = value
    found = {}
    for template_id, (title, description, x_keys) in templates.items():
        keyed: list[Any] = [values[template_id].get(key) for key in x_keys]
        if any(keyed):
            split = count_x(title)
            found[template_id] = TemplateWording(title, description, keyed[:split], keyed[split:])
    return found


_WORDINGS = PerTransaction("wordings", _read_wordings, made_of=(ItemTemplate, TaskParameter))


def title(item: WorkItem) -> str:
    """An item's title as people read it (the one rule for a single item: notifications, flashes, forms)."""
    words = wordings({item.template_id}).get(item.template_id) if item.template_id else None
    return words.title_of(item.title) if words else item.title


def description(item: WorkItem) -> str:
    """An item's description as people read it."""
    words = wordings({item.template_id}).get(item.template_id) if item.template_id else None
    return words.description_of(item.description) if words else item.description


def title_column(items: Any = WorkItem) -> sa.ColumnElement[str]:
    """The title as people read it, as a SQL expression to select in place of `WorkItem.title` (every list, page
    and export reading titles in a query: 我的待办, the ledger, 定期报送, the assessment, digests, the daily
    scan's notifications). `items` is the work-item entity or a table (an alias) with `title` and `template_id`.
    One CASE arm per template whose title has an X with a value set (a few dozen at most); an item the office
    reworded keeps its own words, as `TemplateWording.title_of` says."""
    columns = getattr(items, "c", items)
    arms = [(sa.and_(columns.template_id == template_id, columns.title == words.title),
             sa.literal(filled, sa.String))
            for template_id, words in sorted(wordings().items())
            if (filled := words.title_of(words.title)) != words.title]
    return (sa.case(*arms, else_=columns.title) if arms else columns.title).label("title")
