"""Long synchronous work never runs on the event loop: no ``async def`` route handler of ``web/pages`` or
``web/api`` calls the database, cryptography or image code directly (issue 20, item 5). Such work goes
through ``run_in_threadpool``, or the handler is a plain ``def`` (which the server runs in its thread pool).

Checked statically (AST): inside an ``async def`` of those modules, no direct call of a function of a service
module (``opennrm.services``, which is where the database, the keyring and the image code are reached) or of
``session_user`` (which resolves the session in the database). Form posts use ``pages.posted.form_endpoint``.
An exception would be listed in ``KNOWN`` with its reason; a listed handler that no longer blocks fails the
test until it is taken off.
"""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "src" / "opennrm" / "web"
PURE = frozenset({"opennrm.services.errors", "opennrm.services.parsing"})  # exceptions, input validation
BLOCKING_NAMES = frozenset({"session_user", "optional_user", "current_user"})  # resolve the session in the DB

# file:handler → allowed to block, with the reason. Empty: every handler keeps its work off the loop.
KNOWN: frozenset[str] = frozenset()


def _service_modules(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module in PURE:
                continue
            if node.module == "opennrm.services":
                names.update(a.asname or a.name for a in node.names if a.name not in {"errors", "parsing"})
            elif node.module.startswith("opennrm.services."):
                names.update(a.asname or a.name for a in node.names)  # functions imported directly
    return names


def _blocking_calls(func: ast.AsyncFunctionDef, services: set[str]) -> list[str]:
    """Calls made on the loop itself: not those inside a lambda (handed to ``run_in_threadpool``), and not
    the construction of a value (a class name, capitalised)."""
    deferred = {id(n) for lam in ast.walk(func) if isinstance(lam, ast.Lambda) for n in ast.walk(lam.body)}
    found: list[str] = []
    for node in ast.walk(func):
        if not isinstance(node, ast.Call) or id(node) in deferred:
            continue
        if isinstance(node.func, ast.Name) and node.func.id[:1].isupper():
            continue
        target = node.func
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id in services
        ):
            found.append(f"{target.value.id}.{target.attr}")
        elif isinstance(target, ast.Name) and (target.id in services or target.id in BLOCKING_NAMES):
            found.append(target.id)
    return found


def _offenders() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted([*(WEB / "pages").glob("*.py"), *(WEB / "api").glob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        services = _service_modules(tree)
        for node in tree.body:
            if isinstance(node, ast.AsyncFunctionDef):
                calls = _blocking_calls(node, services)
                if calls:
                    out[f"{path.parent.name}/{path.name}:{node.name}"] = calls
    return out


def _listed(key: str) -> bool:
    return key in KNOWN or key.split(":")[0] + ":*" in KNOWN


def test_no_new_async_handler_blocks_the_event_loop() -> None:
    new = {k: v for k, v in _offenders().items() if not _listed(k)}
    assert not new, (
        "these async handlers call the database, crypto or image code on the event loop; "
        f"use run_in_threadpool or a plain def: {new}"
    )


def test_the_list_of_known_offenders_only_shrinks() -> None:
    offenders = _offenders()
    files = {k.split(":")[0] for k in offenders}
    stale = sorted(
        k
        for k in KNOWN
        if (k.endswith(":*") and k.split(":")[0] not in files)
        or (not k.endswith(":*") and k not in offenders)
    )
    assert not stale, f"no longer blocking — take them off KNOWN: {stale}"


def test_the_check_finds_a_blocking_call() -> None:
    tree = ast.parse(
        "from opennrm.services import cases\nasync def page(request):\n    cases.view_case(1, 2, 3)\n"
    )
    func = tree.body[1]
    assert isinstance(func, ast.AsyncFunctionDef)
    assert _blocking_calls(func, _service_modules(tree)) == ["cases.view_case"]
