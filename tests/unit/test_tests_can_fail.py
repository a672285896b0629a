"""A test that collects what it finds must read it: a list of violations that only ever grows, and is never
asserted on, makes a test that cannot fail (the authorisation matrix lost its final assertion once this
way)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
GROWING = frozenset({"append", "add", "extend", "update", "insert", "setdefault"})
EMPTY = (ast.List, ast.Set, ast.Dict)


def _collected_never_read(function: ast.FunctionDef) -> list[str]:
    """Names bound to an empty container in ``function`` that are only grown, never read."""
    empty: set[str] = set()
    grown: set[str] = set()
    receivers: set[int] = set()
    for node in ast.walk(function):
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        is_empty = isinstance(value, EMPTY) and not getattr(value, "elts", getattr(value, "keys", None))
        if is_empty or (
            isinstance(value, ast.Call) and getattr(value.func, "id", "") in {"list", "set", "dict"}
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]  # type: ignore[union-attr]
            empty |= {t.id for t in targets if isinstance(t, ast.Name)}
        if isinstance(node, ast.Attribute) and node.attr in GROWING and isinstance(node.value, ast.Name):
            grown.add(node.value.id)
            receivers.add(id(node.value))
    read = {
        node.id
        for node in ast.walk(function)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in receivers
    }
    return sorted((empty & grown) - read)


def test_no_test_collects_findings_it_never_reads() -> None:
    unread = []
    for path in sorted(TESTS.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                unread += [
                    f"{path.relative_to(TESTS)}::{node.name}: {name}" for name in _collected_never_read(node)
                ]
    assert unread == []


def test_the_check_finds_a_dropped_assertion() -> None:
    source = """
def test_matrix():
    violations = []
    for status in (200, 403):
        if status != 403:
            violations.append(status)
    assert len([1]) == 1
"""
    (function,) = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef)]
    assert _collected_never_read(function) == ["violations"]
    kept = ast.parse(source.replace("assert len([1]) == 1", "assert violations == []"))
    (function,) = [n for n in ast.walk(kept) if isinstance(n, ast.FunctionDef)]
    assert _collected_never_read(function) == []


def test_no_test_module_takes_the_date_at_import() -> None:
    """A date taken when a test module is imported goes stale when the run crosses midnight: tests that
    compare it with the application's clock fail only then (five modules did, once)."""
    stale = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                calls = [n for n in _walk_now(node.value) if isinstance(n, ast.Call)]
                if any(isinstance(c.func, ast.Attribute) and c.func.attr in {"today", "now"} for c in calls):
                    stale.append(f"{path.relative_to(TESTS)}:{node.lineno}")
    assert stale == []


def _walk_now(node: ast.AST) -> list[ast.AST]:
    """The nodes evaluated when ``node`` is: not those inside a lambda, which runs later."""
    found = [node]
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.Lambda):
            found += _walk_now(child)
    return found
