"""Dependencies point one way (DESIGN.md): web, cli -> services -> access, store, screening, domain.
stats, recruitment and finance are libraries that never import web or cli; domain and screening import
nothing else of the project. A use case refuses one way (``services.errors.refuse``)."""

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


REFUSAL_HOME = Path("services/errors.py")
"""Where refusing lives: ``refuse`` (and ``refuse_unknown``), whose error carries its audit event."""
REFUSAL_HELPERS = {"deny", "_deny", "refuse", "_refuse", "_check_in"}
REFUSAL_HELPER_PREFIXES = ("refuse_", "_refuse_", "deny_", "_deny_")
DENIED_ELSEWHERE = {
    # a failed login is no refused action: it is recorded with the lockout counter in the same transaction
    Path("services/auth.py"),
}


def _denied_entries(tree: ast.AST) -> list[int]:
    """Lines building an ``AuditEntry`` whose outcome is ``denied`` (keyword or fifth argument)."""
    lines = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "AuditEntry"
        ):
            continue
        outcome = [k.value for k in node.keywords if k.arg == "outcome"] + node.args[4:5]
        if any(isinstance(v, ast.Constant) and v.value == "denied" for v in outcome):
            lines.append(node.lineno)
    return lines


def test_there_is_one_way_to_refuse() -> None:
    """No module but the home defines a refusal helper of its own or writes a denial by hand: each would
    decide again when to roll back and where the audit event goes (issue 21, item 2)."""
    found: dict[str, list[str]] = {}
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC)
        if relative == REFUSAL_HOME:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers = [
            f"def {node.name} (line {node.lineno})"
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and (node.name in REFUSAL_HELPERS or node.name.startswith(REFUSAL_HELPER_PREFIXES))
        ]
        if relative not in DENIED_ELSEWHERE:
            helpers += [f"AuditEntry(outcome='denied') (line {n})" for n in _denied_entries(tree)]
        if helpers:
            found[str(relative)] = helpers
    assert found == {}


#: Generic helpers and the one module each lives in (issue 21, item 4): a module imports a helper from its
#: home, never through a use-case module such as ``services.cases``, which once served them to fourteen.
HELPER_HOMES: dict[str, str] = {
    "now": "opennrm.services.clock",
    "new_id": "opennrm.store.ids",
    "is_record_id": "opennrm.store.ids",
    "encrypt_text": "opennrm.services.sealing",
    "decrypt_text": "opennrm.services.sealing",
    "encrypt_json": "opennrm.services.sealing",
    "decrypt_json": "opennrm.services.sealing",
    "encrypt_bytes": "opennrm.services.sealing",
    "decrypt_bytes": "opennrm.services.sealing",
    "survivor_code_index": "opennrm.services.sealing",
    "SEALED_OUTSIDE_THE_DATABASE": "opennrm.services.sealing",
    "_ctx": "opennrm.services.sealing",
    "invalid_from": "opennrm.services.parsing",
    "spreadsheet_safe": "opennrm.spreadsheet",
    "safe_row": "opennrm.spreadsheet",
    # the interface's languages (issue 21, item 6b): marking, labels, negotiation and formatting
    "N_": "opennrm.domain.text",
    "VOCABULARY_LABELS": "opennrm.domain.labels",
    "FIELD_LABELS": "opennrm.domain.labels",
    "field_label": "opennrm.web.labels",
    "negotiate": "opennrm.web.negotiation",
    "request_language": "opennrm.web.negotiation",
    "parse_accept_language": "opennrm.web.negotiation",
    "format_date": "opennrm.web.formatting",
    "format_datetime": "opennrm.web.formatting",
    "format_number": "opennrm.web.formatting",
    "format_money": "opennrm.web.formatting",
}
ROOT = SRC.parents[1]


def _is_module(dotted: str) -> bool:
    return SRC.parent.joinpath(*dotted.split(".")).with_suffix(".py").is_file()


def _module_of(path: Path) -> str:
    return ".".join(path.relative_to(SRC.parent).with_suffix("").parts)


def test_generic_helpers_are_imported_from_their_home() -> None:
    """``from opennrm.services.cases import now`` (or ``cases.new_id()``) names a helper through a module
    that does not define it; such a path keeps a hub alive. Sources, tests and benchmarks alike."""
    found: list[str] = []
    for path in [*SRC.rglob("*.py"), *(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}  # local name of an imported opennrm module -> its dotted name
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("opennrm"):
                for alias in node.names:
                    home = HELPER_HOMES.get(alias.name)
                    if home and node.module != home:
                        found.append(
                            f"{path.relative_to(ROOT)}:{node.lineno} {alias.name} from {node.module}"
                        )
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.attr in HELPER_HOMES
                and (module := aliases.get(node.value.id))
                and _is_module(module)
                and module != HELPER_HOMES[node.attr]
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
    assert found == []


def test_each_generic_helper_is_defined_once() -> None:
    """One definition of each helper, in its home: no second clock, id maker or encryption context."""
    defined: dict[str, list[str]] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name in HELPER_HOMES:
                defined.setdefault(node.name, []).append(_module_of(path))
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Name) and target.id in HELPER_HOMES:
                        defined.setdefault(target.id, []).append(_module_of(path))
    assert {name: homes for name, homes in defined.items() if homes != [HELPER_HOMES[name]]} == {}
    assert set(defined) == set(HELPER_HOMES)


#: The modules that may call ``Keyring.encrypt`` / ``Keyring.decrypt`` themselves: the keyring, the database's
#: key check and the sealing module, which binds every other ciphertext to a registered column and its row.
RAW_CIPHER_CALLERS = {Path("store/keys.py"), Path("store/database.py"), Path("services/sealing.py")}


def test_ciphertexts_are_sealed_in_one_place() -> None:
    """``keyring.encrypt(value, f"kind:{row}")`` elsewhere would build a context by hand, unregistered and
    unseen by key rotation; every caller goes through ``services.sealing``."""
    found = [
        f"{path.relative_to(SRC)}:{node.lineno} .{node.func.attr}"
        for path in SRC.rglob("*.py")
        if path.relative_to(SRC) not in RAW_CIPHER_CALLERS
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"encrypt", "decrypt"}
        and "keyring" in ast.unparse(node.func.value).lower()
    ]
    assert found == []
