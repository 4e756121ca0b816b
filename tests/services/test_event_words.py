"""Every audit event and every notification kind is named in words from one table (services.plan.event_words): the
code's own calls are collected, so a new action without words fails here, and the 操作留痕 reads no code names
(issue 20, 5)."""
from __future__ import annotations

import ast
from pathlib import Path

import tracker
from tracker.services.assessment import bulletins
from tracker.services.ledger import notifications
from tracker.services.plan import event_words
from tracker.services.work import workflow

SOURCE = Path(tracker.__file__).parent

# The actions the code builds from a prefix and a value, with every value the code can give them.
BUILT = {
    "item.": [*(t.action for t in workflow.TRANSITIONS), "reorder"],
    "notice.": ["assigned", "corrected", "cancelled", "instruction", "part_done", "units_changed"],
    "unit.": ["created", "updated"],
    "indicator.": ["accept", "return"],
    "item.extension_": ["granted", "refused"],
    "webhook.": ["enable", "disable"],
}


def _literal_prefix(node: ast.expr) -> str | None:
    """The constant text an f-string or a `"..." + ...` starts with, or None for anything else."""
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant):
        return str(node.left.value)
    return None


def recorded_actions() -> tuple[set[str], set[str], list[str]]:
    """Every `action=` given to audit.record / record_many in the tracker's code: constants, built prefixes, and
    what the test cannot read (a name, a call) by file and line."""
    constants: set[str] = set()
    prefixes: set[str] = set()
    unreadable: list[str] = []
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("record", "record_many")
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"):
                continue
            for keyword in node.keywords:
                if keyword.arg != "action":
                    continue
                if isinstance(keyword.value, ast.Constant):
                    constants.add(keyword.value.value)
                elif isinstance(keyword.value, ast.IfExp) and all(
                        isinstance(branch, ast.Constant) for branch in (keyword.value.body, keyword.value.orelse)):
                    constants |= {keyword.value.body.value, keyword.value.orelse.value}  # type: ignore[union-attr]
                elif (prefix := _literal_prefix(keyword.value)) is not None:
                    prefixes.add(prefix)
                else:
                    unreadable.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    return constants, prefixes, unreadable


def test_every_action_the_code_records_has_words():
    constants, prefixes, unreadable = recorded_actions()
    assert len(constants) > 40 and unreadable == []
    assert prefixes <= set(BUILT), f"an action built from a new prefix: list its values in BUILT {prefixes}"
    built = {prefix + value for prefix in prefixes for value in BUILT[prefix]}
    assert sorted((constants | built) - set(event_words.ACTIONS)) == []


def test_the_issues_internal_names_read_as_words():
    for action, zh in {"item.split": "分解事项", "item.instruction": "领导批示", "item.part_done": "配合单位完成其承担部分",
                       "item.responsible": "指定责任人", "proposal.assign": "批示件交办"}.items():
        assert event_words.words(action)[0] == zh


def test_every_notification_kind_has_words():
    assert sorted((set(notifications.KINDS) | {bulletins.BULLETIN_ISSUED}) - set(event_words.NOTICE_KINDS)) == []


def test_an_action_without_words_never_shows_its_code():
    assert event_words.words("item.something_new") == event_words.UNNAMED
