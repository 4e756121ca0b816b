"""The seams where a request enters: one commit point, errors mapped in one place, one id converter; and the
floor below the doors imports in one direction (no circles among the services, the errors core knows no door)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from tracker import transaction
from tracker.extensions import db
from tracker.models import Role, User

ROOT = Path(__file__).resolve().parent.parent


def test_no_handler_commits_outside_the_one_commit_point() -> None:
    doors = [*sorted((ROOT / "tracker" / "web").glob("*.py")), *sorted((ROOT / "tracker" / "api").rglob("*.py")),
             ROOT / "tracker" / "cli.py"]
    offenders = [f"{path.relative_to(ROOT)}:{number}" for path in doors
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"\.commit\(\)", line)]
    assert offenders == []


def test_an_id_out_of_range_is_not_found_on_pages(app: Flask) -> None:
    assert app.test_client().get("/items/2147483648").status_code == 404


def test_side_effects_run_after_the_commit_and_never_after_a_rollback(app: Flask) -> None:
    happened: list[str] = []
    transaction.after_commit(lambda: happened.append("moved into place"))
    transaction.after_rollback(lambda: happened.append("should not run"))
    assert happened == []
    db.session.commit()
    assert happened == ["moved into place"]
    transaction.after_commit(lambda: happened.append("never"))
    transaction.after_rollback(lambda: happened.append("temporary file removed"))
    db.session.rollback()
    assert happened == ["moved into place", "temporary file removed"]
    db.session.commit()
    assert happened == ["moved into place", "temporary file removed"]


def test_a_cli_command_that_fails_writes_nothing(app: Flask) -> None:
    runner = app.test_cli_runner()
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    result = runner.invoke(args=["tracker", "create-user", "x1", "--role", "unit_admin", "--unit", "no-such-unit",
                                 "--password", "Correct-Horse-9"])
    assert result.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users


def test_no_template_or_script_knows_a_role() -> None:
    """Templates read `offers` and the helpers built on the services' predicates; a role named in a template is a
    rule restated."""
    roles = [role.value for role in Role]
    found = [f"{path.relative_to(ROOT)}: {role}"
             for path in [*sorted((ROOT / "templates").rglob("*.html")), ROOT / "tracker" / "static" / "app.js"]
             for role in roles if re.search(rf"\b{role}\b|\.role\b", path.read_text(encoding="utf-8"))]
    assert found == []


def _imports() -> dict[str, set[str]]:
    """Every tracker module and the tracker modules it imports, wherever the import stands (top, inside a
    function, under TYPE_CHECKING): an import moved into a function to dodge a circle is still a circle."""
    modules = {}
    for path in (ROOT / "tracker").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
                target = ".".join([*base, *([node.module] if node.module else [])])
                subs = [f"{target}.{alias.name}" for alias in node.names]
                found |= {sub for sub in subs if sub in modules}
                if any(sub not in modules for sub in subs):
                    found.add(target)
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
        graph[name] = {target for target in found if target in modules and target != name}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each a circle of imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while (top := stack.pop()) != node:
                group.append(top)
            if group:
                circles.append(sorted([node, *group]))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_no_import_circles_among_the_services_or_through_the_errors_or_the_demo() -> None:
    """Each service module stands on the ones below it; tracker.errors stands below both doors; the demo stands
    above the app it builds (create_app hands itself down) and its scenes below the replay that plays them."""
    graph = _imports()
    services = {name: {t for t in targets if t.startswith("tracker.services.")}
                for name, targets in graph.items() if name.startswith("tracker.services.")}
    assert _circles(services) == []
    assert [circle for circle in _circles(graph) if "tracker.errors" in circle] == []
    assert [circle for circle in _circles(graph) if any(name.startswith("tracker.demo") for name in circle)] == []
    assert {t for t in graph["tracker.errors"] if t.startswith(("tracker.web", "tracker.api"))} == set()


def test_the_circle_finder_finds_a_circle() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
def test_no_test_module_imports_another() -> None:
    """What tests share lives in a conftest.py (fixtures) or a helpers module (functions, data), never in a test_*
    module: importing one runs its module again under another name and hides fixtures from pyflakes."""

    def module_file(dotted: str) -> Path | None:
        path = ROOT.joinpath(*dotted.split("."))
        return path.with_suffix(".py") if path.with_suffix(".py").is_file() else None

    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        package = ".".join(path.relative_to(ROOT).parent.parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.level and node.module else (node.module or base)
                names = [module, *(f"{module}.{alias.name}" for alias in node.names)]
            else:
                continue
            imported = [found for name in names if (found := module_file(name)) is not None]
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno} imports {found.relative_to(ROOT)}"
                          for found in imported if found.name.startswith("test_") and found != path]
    assert offenders == []




def test_no_service_imports_flask() -> None:
    """Services take the actor, the time and the settings as arguments: whatever calls them (a page, the API, the
    CLI, the scheduler, a test) needs no request or app context for a rule."""
    found = [f"{path.relative_to(ROOT)}:{node.lineno}"
             for path in sorted((ROOT / "tracker" / "services").rglob("*.py"))
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("flask", "flask_login"))
             or (isinstance(node, ast.Import) and any(a.name.split(".")[0] in ("flask", "flask_login")
                                                     for a in node.names))]
    assert found == []
