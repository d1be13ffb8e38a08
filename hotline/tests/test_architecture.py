"""The house rules that no import contract can see: no app reaches for another app's private names,
and the ticket aggregate is the only writer of its status and of its own rows.

The layers themselves are an import-linter contract (``pyproject.toml``, run by ``make lint``).
These tests read the production code as text (tests and migrations are left out), so a new
violation fails here with the file and line that brought it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WRITES = {"create", "update", "bulk_create", "bulk_update", "delete", "get_or_create", "update_or_create", "save"}
# Names under which the ticket's own rows are reached: the models and the ticket's related managers.
OWN_ROWS = {"Assignment", "Extension", "assignments", "extensions"}
ONLY_WRITER = ROOT / "tickets" / "transitions.py"


def production_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if "tests" not in path.relative_to(ROOT).parts
        and "migrations" not in path.relative_to(ROOT).parts
        and not path.name.startswith("test_")
    )


def app_of(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else ""


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT.parent)}:{getattr(node, 'lineno', 0)}"


def test_the_scan_sees_the_whole_house():
    files = production_files()
    assert len(files) > 150
    assert ONLY_WRITER in files and not any("tests" in f.parts for f in files)


def test_no_app_imports_another_apps_private_names():
    found = []
    for path in production_files():
        tree = parsed(path)
        other_app_modules: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                parts = node.module.split(".")
                if parts[0] != "hotline" or (len(parts) > 1 and parts[1] == app_of(path)):
                    continue
                for alias in node.names:
                    if alias.name.startswith("_"):
                        found.append(f"{where(path, node)} imports {node.module}.{alias.name}")
                    else:
                        other_app_modules.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and node.attr != "_meta"  # Django's public model API
                and isinstance(node.value, ast.Name)
                and node.value.id in other_app_modules
            ):
                found.append(f"{where(path, node)} uses {node.value.id}.{node.attr}")
    assert found == []


def _chain_names(node: ast.AST) -> set[str]:
    """Every name and attribute along a call chain such as ``ticket.assignments.filter(...).update``."""
    names: set[str] = set()
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.add(node.id)
            return names
        else:
            return names


def test_only_transitions_writes_the_tickets_own_rows_and_status():
    found = []
    for path in production_files():
        if path == ONLY_WRITER:
            continue
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
                chain = _chain_names(node.func.value)
                if chain & OWN_ROWS:
                    found.append(f"{where(path, node)} writes {'/'.join(sorted(chain & OWN_ROWS))}")
                if node.func.attr == "update" and any(k.arg == "status" for k in node.keywords) and "Ticket" in chain:
                    found.append(f"{where(path, node)} updates Ticket.status")
            if isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Attribute) and target.attr == "status" and _is_ticket(target.value):
                        found.append(f"{where(path, node)} assigns ticket.status")
    assert found == []


def _is_ticket(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id in {"ticket", "t", "original", "target"}


@pytest.mark.parametrize("rule", ["write", "import"])
def test_the_rules_catch_what_they_forbid(tmp_path, rule, monkeypatch):
    """The scans above are not vacuous: planted violations are found."""
    app = tmp_path / "hotline" / "handling"
    app.mkdir(parents=True)
    bad = app / "bad.py"
    if rule == "write":
        bad.write_text("def f(ticket):\n    ticket.assignments.filter(x=1).update(state='done')\n")
    else:
        bad.write_text("from hotline.tickets.selectors import _centre_staff\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path / "hotline")
    with pytest.raises(AssertionError):
        if rule == "write":
            test_only_transitions_writes_the_tickets_own_rows_and_status()
        else:
            test_no_app_imports_another_apps_private_names()
