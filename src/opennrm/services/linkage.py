"""Privacy-preserving record linkage at an organisation's installation (issue 16; GR38 §109–111).

- ``export``: each participating organisation's persons whose consent covers statistics (or, where the
  installation records a legal basis for statistical linkage, all of them) encoded under the shared linkage
  secret; tokens new in each export and kept here only, in ``linkage_tokens``.
- ``resolve``: the secretariat's ``record_token,person`` answer stored as ``national_persons``; statistics
  then count a national person once.
- ``link_within``: the same linkage between the organisations of this installation, under a secret made for
  the run and forgotten after it; nobody is shown which records were linked, only counts.

Enforcement organisations never take part (firewall): their persons are not exported, and nothing comes back
to them. Each run is audited with counts only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete, false, insert, or_, select
from sqlalchemy.orm import Session

from opennrm.access.policy import Actor, case_list_scopes
from opennrm.access.roles import Scope
from opennrm.linkage import exchange, matching
from opennrm.linkage.encoding import Schema, new_secret
from opennrm.linkage.normalise import QuasiIdentifiers
from opennrm.services.cases import _scope_clauses, may_read_person
from opennrm.services.clock import now
from opennrm.services.errors import InvalidInput
from opennrm.services.firewall import enforcement_types_in
from opennrm.services.sealing import decrypt_json, decrypt_text
from opennrm.services.statistics import _consenting_cases
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.tables import Case, LinkageToken, NationalPerson, Organisation, Person, table_of

CLI = "cli"


@dataclass(frozen=True)
class ExportReport:
    document: dict[str, Any]
    organisations: int
    persons: int
    left_out: int
    """Persons not exported: without consent to statistics (and no legal basis recorded)."""


@dataclass(frozen=True)
class _Eligible:
    organisation_id: str
    person_ids: list[str]
    people: list[QuasiIdentifiers]
    left_out: int


def _participants(session: Session, organisation: str | None) -> list[Organisation]:
    enforcement = enforcement_types_in(session)
    query = select(Organisation).order_by(Organisation.name)
    if organisation is not None:
        query = query.where(Organisation.name == organisation)
    orgs = list(session.execute(query).scalars())
    if organisation is not None and not orgs:
        raise InvalidInput(f"--organisation: no organisation named {organisation!r}", field="organisation")
    if organisation is not None and orgs[0].type in enforcement:
        raise InvalidInput(
            f"--organisation: {organisation} is an enforcement organisation and never takes part (firewall)",
            field="organisation",
        )
    return [o for o in orgs if o.type not in enforcement]


def _eligible(db: Database, organisation: str | None, legal_basis: str | None) -> list[_Eligible]:
    consenting = _consenting_cases(db, dt.date.today())
    out: list[_Eligible] = []
    with db.transaction() as session:
        for org in _participants(session, organisation):
            cases = session.execute(
                select(Case.person_id, Case.id, Case.sex, Case.identified_on)
                .where(Case.organisation_id == org.id)
                .order_by(Case.identified_on, Case.id)
            ).all()
            by_person: dict[str, list[Any]] = defaultdict(list)
            for row in cases:
                by_person[row.person_id].append(row)
            allowed = [
                pid for pid, rows in by_person.items() if legal_basis or all(r.id in consenting for r in rows)
            ]
            people: list[QuasiIdentifiers] = []
            persons = (
                {p.id: p for p in session.execute(select(Person).where(Person.id.in_(allowed))).scalars()}
                if allowed
                else {}
            )
            for pid in allowed:
                people.append(_identifiers(db, pid, persons[pid].identity_enc, by_person[pid][0].sex))
            out.append(_Eligible(org.id, allowed, people, len(by_person) - len(allowed)))
    return out


def export(
    db: Database,
    secret: bytes,
    *,
    organisation: str | None = None,
    legal_basis: str | None = None,
    schema: Schema | None = None,
    actor_id: str = CLI,
) -> ExportReport:
    """Encodings and fresh tokens of the persons who may be linked; the tokens of earlier exports of the
    same organisations are forgotten, so an old answer from the secretariat no longer resolves."""
    groups = _eligible(db, organisation, legal_basis)
    encoded = exchange.export_document([g.people for g in groups], secret, schema)
    export_id = new_id()
    at = now()
    rows = []
    tokens = iter(encoded.tokens)
    for group in groups:
        for pid in group.person_ids:
            rows.append(
                {
                    "token": next(tokens),
                    "person_id": pid,
                    "organisation_id": group.organisation_id,
                    "export_id": export_id,
                    "created_at": at,
                }
            )
    with db.transaction() as session:
        org_ids = [g.organisation_id for g in groups]
        if org_ids:
            session.execute(delete(LinkageToken).where(LinkageToken.organisation_id.in_(org_ids)))
        if rows:
            session.execute(insert(table_of(LinkageToken)), rows)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor_id,
                "linkage.export",
                "installation",
                export_id,
                detail={
                    "organisations": len(groups),
                    "persons": len(rows),
                    "left_out": sum(g.left_out for g in groups),
                    "legal_basis": bool(legal_basis),
                },
            ),
        )
    return ExportReport(encoded.document, len(groups), len(rows), sum(g.left_out for g in groups))


@dataclass(frozen=True)
class ResolveReport:
    resolved: int
    """Persons of this installation given a national id."""
    national_persons: int
    """Distinct national ids among them."""
    unknown_tokens: int
    """Tokens of other organisations' exports (or of an export made here before the last one)."""
    cleared: int = 0
    """Persons of the organisations the answer covers whose earlier national id it did not renew."""


def _store(
    session: Session, pairs: Iterable[tuple[str, str]], *, replace_all: bool = False
) -> tuple[int, int]:
    by_person: dict[str, str] = {}
    for person_id, national in pairs:
        # one person exported by two organisations of this installation: both records are hers, and
        # linkage puts them together; should it not, the first national id is kept
        by_person.setdefault(person_id, national)
    if replace_all:
        session.execute(delete(NationalPerson))
    elif by_person:
        _forget(session, list(by_person))
    if by_person:
        at = now()
        session.execute(
            insert(table_of(NationalPerson)),
            [{"person_id": p, "national_id": n, "resolved_at": at} for p, n in by_person.items()],
        )
    return len(by_person), len(set(by_person.values()))


def _forget(session: Session, person_ids: Sequence[str]) -> None:
    for start in range(0, len(person_ids), 1000):
        session.execute(
            delete(NationalPerson).where(NationalPerson.person_id.in_(person_ids[start : start + 1000]))
        )


def _checked(rows: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The answer as token → national id; a row not as this software makes it refuses the whole answer."""
    answer: dict[str, str] = {}
    for number, (token, national) in enumerate(rows, start=1):
        if not exchange.TOKEN_FORMAT.fullmatch(token):
            problem = f"row {number}: record_token is not a record token"
        elif token in answer:
            problem = f"row {number}: record_token appears twice"
        elif not exchange.NATIONAL_ID_FORMAT.fullmatch(national):
            problem = f"row {number}: person is not a national person id"
        else:
            answer[token] = national
            continue
        raise InvalidInput(f"persons file: {problem}; nothing was stored", field="persons")
    return answer


def resolve(db: Database, rows: Sequence[tuple[str, str]], *, actor_id: str = CLI) -> ResolveReport:
    """Store the national person ids of this installation's tokens; other tokens are counted and ignored.

    The answer replaces the national mapping of every organisation whose tokens it carries: a person of
    such an organisation it does not cover (left out of the export, say after she revoked her consent to
    statistics) loses her national id. An answer that puts two persons of one organisation into one
    national person is refused whole, nothing stored: the matcher never does that, so the file is forged
    or broken."""
    answer = _checked(rows)
    with db.transaction() as session:
        known: list[tuple[str, str, str]] = []
        tokens = list(answer)
        for start in range(0, len(tokens), 1000):
            for token, person_id, organisation_id in session.execute(
                select(LinkageToken.token, LinkageToken.person_id, LinkageToken.organisation_id).where(
                    LinkageToken.token.in_(tokens[start : start + 1000])
                )
            ):
                known.append((person_id, organisation_id, answer[token]))
        members: dict[tuple[str, str], set[str]] = defaultdict(set)
        for person_id, organisation_id, national_id in known:
            members[(national_id, organisation_id)].add(person_id)
        merged = {national_id for (national_id, _), persons in members.items() if len(persons) > 1}
        if merged:
            raise InvalidInput(
                f"persons file: {len(merged)} national person ids each hold two or more persons of one "
                "organisation; a person appears at most once per organisation, so the file is forged or "
                "broken; nothing was stored",
                field="persons",
            )
        covered = {organisation_id for _, organisation_id, _ in known}
        resolved_persons = {person_id for person_id, _, _ in known}
        stale: list[str] = []
        if covered:
            of_covered = set(
                session.execute(
                    select(Case.person_id).where(Case.organisation_id.in_(sorted(covered))).distinct()
                ).scalars()
            )
            # a person whose current token is another organisation's (one this answer does not carry)
            # keeps the national id that organisation's answer gave her
            elsewhere = set(
                session.execute(
                    select(LinkageToken.person_id).where(LinkageToken.organisation_id.not_in(sorted(covered)))
                ).scalars()
            )
            holding = set(session.execute(select(NationalPerson.person_id)).scalars())
            stale = sorted((of_covered & holding) - resolved_persons - elsewhere)
            _forget(session, stale)
        resolved, national = _store(session, ((p, n) for p, _, n in known))
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor_id,
                "linkage.resolve",
                "installation",
                None,
                detail={
                    "resolved": resolved,
                    "national_persons": national,
                    "unknown": len(answer) - len(known),
                    "cleared": len(stale),
                },
            ),
        )
    return ResolveReport(resolved, national, len(answer) - len(known), len(stale))


def participant(db: Database, organisation: str) -> str:
    """The id of the organisation named, if it takes part in linkage; an unknown or enforcement
    organisation is refused (``InvalidInput`` on ``organisation``)."""
    with db.transaction() as session:
        (org,) = _participants(session, organisation)
        return org.id


def survivor_codes(db: Database, organisation: str, *, actor_id: str = CLI) -> list[tuple[str, str]]:
    """``(survivor code, national person id)`` of one organisation's resolved persons, for its own use
    (``opennrm linkage resolve --out --organisation``): never another organisation's, so nobody sees that a
    person is known elsewhere. Never for an enforcement organisation (firewall). Audited with the
    organisation and the count."""
    with db.transaction() as session:
        (org,) = _participants(session, organisation)
        of_org = select(Case.person_id).where(Case.organisation_id == org.id)
        rows = session.execute(
            select(Person.id, Person.survivor_code_enc, NationalPerson.national_id)
            .join(NationalPerson, NationalPerson.person_id == Person.id)
            .where(Person.id.in_(of_org))
            .order_by(NationalPerson.national_id, Person.id)
        ).all()
        out = [
            (decrypt_text(db.keyring, "survivor_code", pid, blob), national) for pid, blob, national in rows
        ]
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor_id,
                "linkage.survivor_codes",
                "organisation",
                org.id,
                detail={"persons": len(out)},
            ),
        )
    return out


@dataclass(frozen=True)
class WithinReport:
    organisations: int
    records: int
    national_persons: int


def link_within(db: Database, *, legal_basis: str | None = None, actor_id: str = CLI) -> WithinReport:
    """Link the persons of this installation's organisations with each other, under a secret made for this
    run and never stored; only the national ids are kept, and only counts are reported. The run replaces
    the installation's whole national mapping: a person left out of it keeps no national id."""
    groups = _eligible(db, None, legal_basis)
    encoded = exchange.export_document([g.people for g in groups], new_secret())
    parsed = exchange.parse_export(encoded.document)
    answer = dict(exchange.match_exports([parsed]))
    person_ids = [pid for g in groups for pid in g.person_ids]
    with db.transaction() as session:
        resolved, national = _store(
            session,
            ((pid, answer[token]) for pid, token in zip(person_ids, encoded.tokens, strict=True)),
            replace_all=True,
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor_id,
                "linkage.within",
                "installation",
                None,
                detail={"organisations": len(groups), "records": resolved, "national_persons": national},
            ),
        )
    return WithinReport(len(groups), resolved, national)


def national_ids(session: Session) -> dict[str, str]:
    """Person id → national person id, for statistics."""
    return {p: n for p, n in session.execute(select(NationalPerson.person_id, NationalPerson.national_id))}


#: Dice an intake's encoding must reach with a known person's to be mentioned (the national default).
INTAKE_THRESHOLD = 0.75


def possibly_known(db: Database, actor: Actor, case_id: str, *, limit: int = 5) -> list[str]:
    """At intake: cases of her own organisation, within her own scope (never cases received from another
    organisation), whose person may be the person of the new case ``case_id`` — compared as the national
    linkage compares, under a key made for this check and forgotten. Audited with counts only."""
    scopes = case_list_scopes(actor) - {Scope.RECEIVED}
    if not scopes:
        return []
    with db.transaction() as session:
        new = session.get(Case, case_id)
        if (
            new is None
            or new.organisation_id != actor.organisation_id
            or not may_read_person(session, actor, new.person_id)
        ):
            return []
        rows = session.execute(
            select(Case.id, Case.person_id, Case.sex, Person.identity_enc)
            .join(Person, Person.id == Case.person_id)
            .where(or_(false(), *_scope_clauses(actor, scopes)), Case.person_id != new.person_id)
        ).all()
        new_person = session.get(Person, new.person_id)
        assert new_person is not None  # noqa: S101 - a case always has a person
        people = [_identifiers(db, new.person_id, new_person.identity_enc, new.sex)]
        people += [_identifiers(db, r.person_id, r.identity_enc, r.sex) for r in rows]
        found: list[str] = []
        if rows:
            encoded = exchange.export_document([people], new_secret())
            parsed = exchange.parse_export(encoded.document)
            # the document's records are shuffled: put them back in the order of ``people``
            position = {token: i for i, token in enumerate(parsed.tokens)}
            w = matching.words(parsed.encodings[[position[t] for t in encoded.tokens]])
            counts = np.bitwise_count(w).sum(axis=1, dtype=np.int64)
            others = np.arange(1, len(people))
            sims = matching.dice(w, counts, np.zeros(len(others), dtype=np.int64), others)
            order = np.argsort(-sims, kind="stable")
            found = [rows[int(k)].id for k in order[:limit] if sims[k] >= INTAKE_THRESHOLD]
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "linkage.intake_check",
                "case",
                case_id,
                detail={"compared": len(rows), "possible": len(found)},
            ),
        )
    return found


def _identifiers(db: Database, person_id: str, blob: bytes, sex: str) -> QuasiIdentifiers:
    identity = decrypt_json(db.keyring, "person", person_id, blob)
    birth = identity.get("birth_date")
    return QuasiIdentifiers(
        given_name=identity.get("given_name"),
        family_name=identity.get("family_name"),
        birth_date=dt.date.fromisoformat(birth) if birth else None,
        sex=sex,
        phone=identity.get("phone"),
        document=identity.get("id_document_number"),
        address=identity.get("address"),
    )
