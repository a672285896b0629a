"""The national identification procedure as data (GR38 §77: national guidelines, applied uniformly).

A procedure file (YAML, schema ``procedure.schema.json``) names the stages — a first decision (the UK's
"reasonable grounds") and a final one ("conclusive grounds") —, the standard of proof of each, its deadline in
working days, who may sit on and decide for a panel, the minimum recovery period before a final decision, the
move-on period after a negative one and how long she has to ask for reconsideration. OpenNRM ships
``default`` and ``uk-nrm`` (``procedures/``); a country may load its own file. A bad file is refused with one
line naming the file, the line and the key at fault, like a screening catalogue.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from opennrm.screening.catalogue_file import CatalogueDocument, CatalogueError, key_name, read_document

SCHEMA = "opennrm.identification.procedure/1"
SHIPPED = ("default", "uk-nrm")
# Enforcement organisations never sit on an identification panel (GR38 §78: not led by law-enforcement or
# immigration authorities, not linked to criminal proceedings): a file naming one is refused. The firewall's
# list in the installation (services/firewall.py) is applied again when a panel is convened.
NEVER_ON_A_PANEL = frozenset({"police", "prosecution", "immigration_service", "financial_intelligence_unit"})
NEVER_DECIDING = frozenset({"enforcement_liaison"})


class ProcedureError(CatalogueError):
    """A procedure file that cannot be used; ``str()`` names the file, the line and the key."""


Text = Mapping[str, str]


@dataclass(frozen=True)
class Stage:
    id: str
    kind: str  # "first" or "final"
    name: Text
    standard_of_proof: Text
    deadline_working_days: int
    standard_for_her: Text | None = None  # the standard addressed to her ("… that you are …"), for her letter

    def standard_in_letter(self, tag: str) -> str:
        """The standard as her letter states it, in language ``tag``: addressed to her where the procedure
        says it so, else the panel's wording; English when the language is missing."""
        text = self.standard_for_her or self.standard_of_proof
        return text.get(tag) or text["en"]

    @property
    def final(self) -> bool:
        return self.kind == "final"


@dataclass(frozen=True)
class PanelRules:
    minimum_organisations: int
    minimum_organisation_types: int
    member_types: frozenset[str]
    convening_roles: frozenset[str]
    deciding_roles: frozenset[str]


@dataclass(frozen=True)
class Procedure:
    id: str
    version: str
    title: Text
    sources: tuple[str, ...]
    panel: PanelRules
    recovery_days: int
    move_on_days: int
    reconsideration_request_days: int
    reconsideration_deadline_working_days: int
    stages: tuple[Stage, ...]
    country: str | None = None
    subdivision: str | None = None

    def stage(self, stage_id: str) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    @property
    def first(self) -> Stage:
        return self.stages[0]

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def next_stage(self, decided: Stage | None) -> Stage | None:
        """The stage that comes after ``decided`` (the first stage when nothing is decided yet)."""
        if decided is None:
            return self.stages[0]
        index = self.stages.index(decided)
        return self.stages[index + 1] if index + 1 < len(self.stages) else None


@cache
def _validator() -> jsonschema.protocols.Validator:
    text = resources.files("opennrm.identification").joinpath("procedure.schema.json").read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def _fail(document: CatalogueDocument, path: tuple[str | int, ...], message: str) -> ProcedureError:
    return ProcedureError(
        message, source=document.source, line=document.line_of(path), key=key_name(path) or None
    )


def _schema_check(document: CatalogueDocument) -> None:
    located: list[tuple[int, int, tuple[str | int, ...], str]] = []
    for error in _validator().iter_errors(document.data):
        path: tuple[str | int, ...] = tuple(error.absolute_path)
        message = error.message
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {})) if isinstance(error.schema, Mapping) else set()
            extra = sorted(str(k) for k in error.instance if k not in allowed)
            if extra:
                path = (*path, extra[0])
                message = f"unknown key {extra[0]!r}; allowed here: {', '.join(sorted(allowed))}"
        located.append((document.line_of(path) or 0, -len(path), path, message))
    if located:
        _, _, path, message = min(located, key=lambda item: (item[0], item[1]))
        raise _fail(document, path, message)


def parse_procedure(text: str, source: str) -> Procedure:
    """A procedure from the text of a file; ``ProcedureError`` names the line and key of the first fault."""
    try:
        document = read_document(text, source)
    except CatalogueError as error:
        raise ProcedureError(error.message, source=error.source, line=error.line, key=error.key) from None
    _schema_check(document)
    data: dict[str, Any] = document.data
    panel = data["panel"]
    for index, type_code in enumerate(panel["member_types"]):
        if type_code in NEVER_ON_A_PANEL:
            raise _fail(
                document,
                ("panel", "member_types", index),
                f"{type_code} is an enforcement organisation and never sits on an identification panel "
                "(GR38 §78)",
            )
    if len(panel["member_types"]) < panel["minimum_organisation_types"]:
        raise _fail(
            document,
            ("panel", "member_types"),
            f"names fewer organisation types than minimum_organisation_types "
            f"({panel['minimum_organisation_types']})",
        )
    for index, role in enumerate(panel["deciding_roles"]):
        if role in NEVER_DECIDING:
            raise _fail(document, ("panel", "deciding_roles", index), f"{role} never decides (GR38 §78)")
    stages = data["stages"]
    kinds = [s["kind"] for s in stages]
    if kinds[-1] != "final" or kinds.count("final") != 1:
        raise _fail(document, ("stages",), "the last stage, and only the last, must be of kind 'final'")
    seen: set[str] = set()
    for index, stage in enumerate(stages):
        if stage["id"] in seen:
            raise _fail(document, ("stages", index, "id"), f"stage {stage['id']!r} is named twice")
        seen.add(stage["id"])
    reconsideration = data["reconsideration"]
    return Procedure(
        id=data["id"],
        version=str(data["version"]),
        title=dict(data["title"]),
        sources=tuple(data["sources"]),
        panel=PanelRules(
            minimum_organisations=panel["minimum_organisations"],
            minimum_organisation_types=panel["minimum_organisation_types"],
            member_types=frozenset(panel["member_types"]),
            convening_roles=frozenset(panel["convening_roles"]),
            deciding_roles=frozenset(panel["deciding_roles"]),
        ),
        recovery_days=data["recovery_days"],
        move_on_days=data["move_on_days"],
        reconsideration_request_days=reconsideration["request_within_days"],
        reconsideration_deadline_working_days=reconsideration["deadline_working_days"],
        stages=tuple(
            Stage(
                s["id"],
                s["kind"],
                dict(s["name"]),
                dict(s["standard_of_proof"]),
                s["deadline_working_days"],
                dict(s["standard_for_her"]) if "standard_for_her" in s else None,
            )
            for s in stages
        ),
        country=data.get("country"),
        subdivision=data.get("subdivision"),
    )


@cache
def shipped_procedure(name: str) -> Procedure:
    if name not in SHIPPED:
        raise ProcedureError(f"no shipped procedure {name!r}; shipped: {', '.join(SHIPPED)}", source=name)
    text = resources.files("opennrm.identification").joinpath(f"procedures/{name}.yaml").read_text("utf-8")
    return parse_procedure(text, f"{name}.yaml")


def load_procedure(name_or_path: str) -> Procedure:
    """A shipped procedure by name (``default``, ``uk-nrm``), or a file by path."""
    if name_or_path in SHIPPED:
        return shipped_procedure(name_or_path)
    path = Path(name_or_path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProcedureError(f"cannot read the file ({error.strerror})", source=str(path)) from None
    return parse_procedure(text, path.name)
