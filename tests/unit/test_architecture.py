"""Dependencies point one way (DESIGN.md): web, cli -> services -> access, store, screening, domain.
stats, recruitment and finance are libraries that never import web or cli; domain and screening import
nothing else of the project."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "opennrm"

FORBIDDEN: dict[str, set[str]] = {
    "domain": {
        "screening",
        "store",
        "access",
        "services",
        "stats",
        "recruitment",
        "finance",
        "web",
        "cli",
        "config",
    },
    "screening": {
        "domain",
        "store",
        "access",
        "services",
        "stats",
        "recruitment",
        "finance",
        "web",
        "cli",
        "config",
    },
    "store": {"services", "web", "cli", "stats", "recruitment", "finance"},
    "access": {"services", "store", "web", "cli", "stats", "recruitment", "finance"},
    "services": {"web", "cli"},
    "linkage": {"web", "cli", "services", "store", "access", "stats", "recruitment", "finance"},
    "stats": {"web", "cli", "services"},
    "recruitment": {"web", "cli", "services"},
    "finance": {"web", "cli", "services"},
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("opennrm."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("opennrm."))
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    for path in (SRC / layer).rglob("*.py"):
        bad = _imports(path) & FORBIDDEN[layer]
        assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}"


def _role_set_checks(path: Path) -> list[int]:
    """Lines comparing a ``.role`` with a set of roles (``actor.role in …``): who may do what, decided
    outside the policy module."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        on_role = (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Attribute)
            and node.left.attr == "role"
        )
        if on_role and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):  # type: ignore[attr-defined]
            lines.append(node.lineno)
    return lines


def test_who_may_do_what_is_decided_only_in_the_policy_module() -> None:
    """Access decisions by role live in ``opennrm.access`` (decide(), the *_decision functions), where they
    are unit-tested; elsewhere code asks the policy."""
    outside = {
        str(path.relative_to(SRC)): found
        for path in SRC.rglob("*.py")
        if path.parent.name != "access" and (found := _role_set_checks(path))
    }
    assert outside == {}
