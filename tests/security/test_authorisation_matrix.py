"""Authorisation matrix: every person-level route × every role × every relation of the actor to the record.

The expected outcome comes from the specification below, written independently of
``opennrm.access.policy``; the test sends real HTTP requests and fails on any access the specification does
not allow (and on any refusal it does not expect). Hypothesis then replays random interleavings of requests
and consent revocations against a model of who holds the case."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from opennrm.access.roles import Role
from opennrm.domain.reintegration import DependantIn, ExitIn
from opennrm.domain.remedies import AwardIn, RemedyClaimIn
from opennrm.domain.reporting import ReportIn
from opennrm.identification.rules import ConfirmationInput, DecisionInput, PanelInput
from opennrm.services import (
    cases,
    consent,
    finance,
    identification,
    reintegration,
    remedies,
    reporting,
    screenings,
)
from opennrm.services.parsing import parse
from opennrm.store.tables import AnonymousReport, ConsentRecord
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, intake, make_org, make_user

ROLES = [r.value for r in Role]
# Enforcement organisations of every type the firewall always holds (issue 12, item 3): immigration, police,
# prosecution, financial intelligence.
ENFORCEMENT_ORGS = {
    "enforcement": ("Border Agency", "immigration_service"),
    "police": ("City Police", "police"),
    "prosecution": ("Public Prosecutor", "prosecution"),
    "fiu": ("Financial Intelligence Unit", "financial_intelligence_unit"),
}
# where the actor works, relative to the case; "lapsed" received it under a consent that has since expired
ORG_RELATIONS = ["owner", "receiver", "lapsed", "other", *ENFORCEMENT_ORGS]
# how the actor stands to the case inside the owning organisation
RECORD_RELATIONS = ["creator", "team", "stranger"]
PERSON_LEVEL_ROLES = {"caseworker", "supervisor", "service_provider", "hotline_operator"}
# who triages anonymous reports in the receiving organisation (issue 15), and who answers the hotline
REPORT_TRIAGE_ROLES = {"caseworker", "supervisor", "hotline_operator"}
HOTLINE_ROLES = {"hotline_operator", "supervisor"}
SCREENING = {
    "age": 24,
    "exploitation_form": "labour",
    "acts": ["recruitment"],
    "means": ["deception"],
    "purposes": ["forced_labour"],
    "indicators": ["DR01", "EXP01", "CD03"],
}


@dataclass(frozen=True)
class Route:
    name: str
    call: Callable[[TestClient, str, dict[str, str]], int]
    receiver_allowed: bool = False  # what an organisation that received the case may do
    # a route that is not person-level has its own specification (role, org relation, record relation)
    spec: Callable[[str, str, str], bool] | None = None


REMEDY_CLAIM = {
    "route": "labour",
    "kind": "back_wages",
    "payer": "employer",
    "currency": "EUR",
    "amount_claimed": "1200.00",
}


def _financial_investigators(role: str, org: str, record: str) -> bool:
    """Financial investigations (GR38 §108, §112(e)) are for financial investigators; the list shows each
    their own organisation's."""
    return role == "financial_investigator"


def _investigation_holders(role: str, org: str, record: str) -> bool:
    """An investigation is seen by the financial investigators of the organisation that holds it (the
    financial intelligence unit here) and by no other organisation."""
    return role == "financial_investigator" and org == "fiu"


def _claim_keepers(role: str, org: str, record: str) -> bool:
    """The confiscations with money left (amounts and days only) are listed for the roles that keep victims'
    claims — the person-level roles and a labour inspector, who keeps the claims of the workers whose cases
    she opened — in any organisation but an enforcement one (which never allocates)."""
    return role in PERSON_LEVEL_ROLES | {"labour_inspector"} and org not in ENFORCEMENT_ORGS


def _secretariat_only(role: str, org: str, record: str) -> bool:
    """Justice aggregates (GR38 §110) are entered by the NRM secretariat's coordinator, never by a user of an
    enforcement organisation."""
    return role == "nrm_coordinator" and org not in ENFORCEMENT_ORGS


def _report_triage(role: str, org: str, record: str) -> bool:
    """An anonymous report is open to the triage roles of the organisation that received it, whatever
    their relation to any case; never to an enforcement organisation or another organisation."""
    return role in REPORT_TRIAGE_ROLES and org == "owner"


def _hotline(role: str, org: str, record: str) -> bool:
    return role in HOTLINE_ROLES and org not in ENFORCEMENT_ORGS


def _status(response: object) -> int:
    return int(response.status_code)  # type: ignore[attr-defined]


def _reaches_her_by_code(c: TestClient, case: str, ids: dict[str, str]) -> int:
    """Open a new case under her survivor code; 200 when the new case shows her identity (the code joined
    the new case to her), 403 when it did not (refused, or a new person of the actor's own organisation)."""
    made = c.post("/api/cases", json={"case": {"survivor_code": ids["code"]}})
    if made.status_code in (401, 403, 404, 422):
        return 403
    person = c.get(f"/api/cases/{made.json()['id']}").json()["person"]
    return 200 if person.get("given_name") else 403


ROUTES = [
    Route(
        "read case (API)", lambda c, case, ids: _status(c.get(f"/api/cases/{case}")), receiver_allowed=True
    ),
    Route(
        "read case (page)",
        lambda c, case, ids: _status(c.get(f"/cases/{case}", follow_redirects=False)),
        receiver_allowed=True,
    ),
    Route(
        "add note",
        lambda c, case, ids: _status(c.post(f"/api/cases/{case}/notes", json={"text": "seen today"})),
        receiver_allowed=True,
    ),
    Route(
        "upload document",
        lambda c, case, ids: _status(
            c.post(f"/api/cases/{case}/documents", files={"file": ("a.txt", io.BytesIO(b"x"), "text/plain")})
        ),
    ),
    Route("download document", lambda c, case, ids: _status(c.get(f"/api/documents/{ids['document']}"))),
    Route(
        "screen",
        lambda c, case, ids: _status(
            c.post(f"/api/screenings?case_id={case}", json={"exploitation_form": "labour"})
        ),
    ),
    Route("screening form", lambda c, case, ids: _status(c.get(f"/cases/{case}/screening"))),
    Route(
        "read stored screening",
        lambda c, case, ids: _status(c.get(f"/cases/{case}/screening/{ids['screening']}")),
    ),
    Route("hand-over form", lambda c, case, ids: _status(c.get(f"/cases/{case}/handover"))),
    Route("list consents", lambda c, case, ids: _status(c.get(f"/api/cases/{case}/consents"))),
    Route(
        "record consent",
        lambda c, case, ids: _status(
            c.post(f"/api/cases/{case}/consents", json={"purposes": ["statistics"], "language": "en"})
        ),
    ),
    Route(
        "revoke consent", lambda c, case, ids: _status(c.post(f"/api/consents/{ids['spare_consent']}/revoke"))
    ),
    Route("reuse her survivor code (issue 12.1)", _reaches_her_by_code),
    # her own account for tracing, with her consent for compensation (issue 17): recorded and read as her
    # consents are, by the owning side only
    Route(
        "record her account for compensation tracing",
        lambda c, case, ids: _status(
            c.post(
                f"/api/cases/{case}/finance-accounts",
                json={"account": "GB00TEST", "organisation_id": ids["fiu"], "language": "en"},
            )
        ),
    ),
    Route(
        "her accounts for tracing", lambda c, case, ids: _status(c.get(f"/api/cases/{case}/finance-accounts"))
    ),
    Route("consents page", lambda c, case, ids: _status(c.get(f"/cases/{case}/consents"))),
    Route(
        "revoke consent (confirmation page)",
        lambda c, case, ids: _status(c.get(f"/cases/{case}/consents/{ids['spare_consent']}/revoke")),
    ),
    Route(
        "printable consent form",
        lambda c, case, ids: _status(
            c.get(f"/cases/{case}/consents/print/ar?consent={ids['spare_consent']}")
        ),
    ),
    Route(
        "consent form as a PDF",
        lambda c, case, ids: _status(
            c.get(f"/cases/{case}/consents/print/ar.pdf?consent={ids['spare_consent']}")
        ),
    ),
    # Non-punishment (GR38 §98): the receiver here is a shelter, so it sees none of it (only a legal-aid
    # organisation under a consent covering non_punishment does: tests/integration/test_non_punishment.py).
    Route(
        "read non-punishment matters (API)",
        lambda c, case, ids: _status(c.get(f"/api/cases/{case}/non-punishment")),
    ),
    Route(
        "read non-punishment matters (page)",
        lambda c, case, ids: _status(c.get(f"/cases/{case}/non-punishment", follow_redirects=False)),
    ),
    Route(
        "record a non-punishment matter",
        lambda c, case, ids: _status(
            c.post(
                f"/api/cases/{case}/non-punishment",
                json={
                    "consent": True,
                    "measure": "detention",
                    "jurisdiction_country": "GB",
                    "link_to_trafficking": "Detained for working without papers the traffickers kept.",
                },
            )
        ),
    ),
    Route(
        "non-punishment statement",
        lambda c, case, ids: _status(
            c.get(
                f"/api/cases/{case}/non-punishment/statement",
                params={"her_language": "ar", "proceedings_language": "en", "format": "html"},
            )
        ),
    ),
    # Remedies (GR38 §101, §108): as non-punishment, the receiver here is a shelter and sees none of it (only
    # legal aid under a consent covering remedies does: tests/integration/test_remedies.py).
    Route("read claims (API)", lambda c, case, ids: _status(c.get(f"/api/cases/{case}/remedies"))),
    Route(
        "read claims (page)",
        lambda c, case, ids: _status(c.get(f"/cases/{case}/remedies", follow_redirects=False)),
    ),
    Route(
        "record a claim",
        lambda c, case, ids: _status(c.post(f"/api/cases/{case}/remedies", json=REMEDY_CLAIM)),
    ),
    Route("read a claim (page)", lambda c, case, ids: _status(c.get(f"/remedies/{ids['claim']}"))),
    Route(
        "record a payment",
        lambda c, case, ids: _status(
            c.post(
                f"/api/remedies/{ids['claim']}/payments",
                json={"amount_paid": "1", "paid_on": "2025-02-02", "payer": "state_fund"},
            )
        ),
    ),
    Route(
        "withdraw a claim (confirmation page)",
        lambda c, case, ids: _status(c.get(f"/remedies/{ids['claim']}/withdraw")),
    ),
    Route(
        "allocate part of a confiscation to her claim (restitution ledger)",
        lambda c, case, ids: _status(
            c.post(
                f"/api/remedies/{ids['claim']}/proceeds",
                json={"confiscation_id": ids["confiscation"], "amount": "1", "allocated_on": "2025-02-02"},
            )
        ),
    ),
    Route(
        "confiscations with money left",
        lambda c, case, ids: _status(c.get("/api/confiscations")),
        spec=_claim_keepers,
    ),
    Route(
        "justice aggregates (page)", lambda c, case, ids: _status(c.get("/justice")), spec=_secretariat_only
    ),
    Route(
        "financial investigations (page)",
        lambda c, case, ids: _status(c.get("/finance")),
        spec=_financial_investigators,
    ),
    Route(
        "trace from her account under her consent",
        lambda c, case, ids: _status(
            c.get(
                f"/finance/{ids['investigation']}/datasets/{ids['dataset']}/trace",
                params={"seed": ids["consented_seed"], "hops": "2"},
            )
        ),
        spec=_investigation_holders,
    ),
    Route(
        "one financial investigation (page)",
        lambda c, case, ids: _status(c.get(f"/finance/{ids['investigation']}")),
        spec=_investigation_holders,
    ),
    # Return and follow-up (issue 14.5): the owning side only, as for her entitlements; never a receiver,
    # never an enforcement organisation.
    Route("return and follow-up (API)", lambda c, case, ids: _status(c.get(f"/api/cases/{case}/return"))),
    Route(
        "return and follow-up (page)",
        lambda c, case, ids: _status(c.get(f"/cases/{case}/return", follow_redirects=False)),
    ),
    Route(
        "record a dependant",
        lambda c, case, ids: _status(
            c.post(f"/api/cases/{case}/dependants", json={"relationship": "child", "age": 4})
        ),
    ),
    Route(
        "change a dependant",
        lambda c, case, ids: _status(c.patch(f"/api/dependants/{ids['dependant']}", json={"with_her": True})),
    ),
    Route(
        "plan a move",
        lambda c, case, ids: _status(
            c.post(
                f"/api/cases/{case}/moves",
                json={
                    "move": "transfer",
                    "destination_country": "GB",
                    "planned_on": dt.date.today().isoformat(),
                    "plan": "A shelter nearer her sister.",
                },
            )
        ),
    ),
    Route(
        "record her exit from services",
        lambda c, case, ids: _status(
            c.post(f"/api/cases/{case}/exit", json={"exited_on": dt.date.today().isoformat()})
        ),
    ),
    Route(
        "record a follow-up contact",
        lambda c, case, ids: _status(
            c.post(f"/api/follow-ups/{ids['follow_up']}", json={"status": "missed"})
        ),
    ),
    Route(
        "share",
        lambda c, case, ids: _status(
            c.post(
                f"/api/cases/{case}/disclosures",
                json={"recipient_organisation_id": ids["spare_org"], "purpose": "referral"},
            )
        ),
    ),
    Route(
        "identification (API)",
        lambda c, case, ids: _status(c.get(f"/api/cases/{case}/identification")),
    ),
    Route(
        "identification (page)",
        lambda c, case, ids: _status(c.get(f"/cases/{case}/identification")),
    ),
    Route(
        "decision letter (page)",
        lambda c, case, ids: _status(c.get(f"/cases/{case}/identification/letter")),
    ),
    Route(
        "anonymous report (API)",
        lambda c, case, ids: _status(c.get(f"/api/report-queue/{ids['report']}")),
        spec=_report_triage,
    ),
    Route(
        "anonymous report (page)",
        lambda c, case, ids: _status(c.get(f"/reports/{ids['report']}")),
        spec=_report_triage,
    ),
    Route(
        "reply to a report",
        lambda c, case, ids: _status(
            c.post(f"/api/report-queue/{ids['report']}/replies", json={"text": "We read you."})
        ),
        spec=_report_triage,
    ),
    Route("hotline contact form", lambda c, case, ids: _status(c.get("/hotline")), spec=_hotline),
]


def expected(role: str, org: str, record: str, route: Route) -> bool:
    """The specification: who may do what (DESIGN rights invariants 2 and 3, issue 3)."""
    if route.spec is not None:
        return route.spec(role, org, record)
    if org in ENFORCEMENT_ORGS or role not in PERSON_LEVEL_ROLES:
        return False
    if org in ("other", "lapsed"):  # an expired consent opens nothing, closed or not
        return False
    if role == "hotline_operator":
        return False  # she reaches only the cases she opened herself, and opened none of these
    if org == "receiver":
        return route.receiver_allowed
    # the owning organisation
    if role == "supervisor":
        return True
    if role == "caseworker":
        return record in ("creator", "team")
    return False  # service providers only reach cases their organisation received


@pytest.fixture
def portal() -> Iterator[BlockingPortal]:
    """One event-loop thread for all of a test's clients: a TestClient used outside ``with`` starts a thread
    and an event loop for each request, a third of the matrix's time."""
    with start_blocking_portal() as running:
        yield running


class World:
    """Organisations, one user per (role, org relation, record relation), one case shared with the receiver."""

    def __init__(self, inst: Installation, portal: BlockingPortal) -> None:
        db = inst.db
        self.inst = inst
        names = {
            "owner": "Owner NGO",
            "receiver": "Receiving Shelter",
            "lapsed": "Lapsed Clinic",
            "other": "Other NGO",
            **{org: name for org, (name, _) in ENFORCEMENT_ORGS.items()},
        }
        types = {
            "receiver": "shelter",
            "lapsed": "health_service",
            **{org: kind for org, (_, kind) in ENFORCEMENT_ORGS.items()},
        }
        self.orgs = {org: make_org(db, name, types.get(org, "ngo")) for org, name in names.items()}
        spare = make_org(db, "Spare Clinic", "health_service")
        creator = make_user(db, "creator", "Owner NGO", "caseworker", team="north")
        self.case = cases.intake(db, creator.actor, intake())
        self.ids = {"spare_org": spare, "code": cases.view_case(db, creator.actor, self.case).survivor_code}
        self.ids["document"] = cases.add_document(
            db, creator.actor, self.case, "a.txt", "text/plain", b"hello"
        )
        sharing = consent.record_consent(
            db,
            creator.actor,
            self.case,
            consent.parse_consent(
                {
                    "purposes": ["referral"],
                    "recipient_organisation_ids": [self.orgs["receiver"], spare],
                    "language": "en",
                }
            ),
        )
        self.sharing_consent = sharing
        consent.disclose(db, creator.actor, self.case, self.orgs["receiver"], "referral")
        # the lapsed clinic received the case under a consent that has expired since (its disclosure is still
        # marked open: nothing closed it, yet every read checks the consent)
        month_ago = dt.date.today() - dt.timedelta(days=30)
        lapsing = consent.record_consent(
            db,
            creator.actor,
            self.case,
            consent.parse_consent(
                {
                    "purposes": ["referral"],
                    "recipient_organisation_ids": [self.orgs["lapsed"]],
                    "language": "en",
                    "given_on": month_ago.isoformat(),
                }
            ),
        )
        consent.disclose(db, creator.actor, self.case, self.orgs["lapsed"], "referral")
        with db.transaction() as session:
            session.execute(
                update(ConsentRecord)
                .where(ConsentRecord.id == lapsing)
                .values(expires_on=dt.date.today() - dt.timedelta(days=1))
            )
        self.ids["screening"], _ = screenings.screen_case(
            db, creator.actor, self.case, {"exploitation_form": "labour", "age": 30}
        )
        # an identification panel of the owner and the spare clinic has decided (issue 14)
        panel_member = make_user(db, "panel-clinic", "Spare Clinic", "supervisor")
        self._decide_identification(db, creator, panel_member, spare)
        # a claim of hers, awarded (so payments may be recorded on it)
        self.ids["claim"] = remedies.record_claim(
            db,
            creator.actor,
            self.case,
            parse(RemedyClaimIn, {**REMEDY_CLAIM, "status": "filed", "filed_on": "2025-01-02"}),
        )
        remedies.record_award(
            db,
            creator.actor,
            self.ids["claim"],
            parse(AwardIn, {"amount_awarded": "100000", "awarded_on": "2025-02-01"}),
        )
        self.ids["dependant"] = reintegration.add_dependant(
            db, creator.actor, self.case, parse(DependantIn, {"relationship": "child", "age": 6})
        )
        self.ids["follow_up"] = reintegration.record_exit(
            db, creator.actor, self.case, parse(ExitIn, {"exited_on": dt.date.today().isoformat()})
        )[0]
        self.ids["spare_consent"] = consent.record_consent(
            db, creator.actor, self.case, consent.parse_consent({"purposes": ["research"], "language": "en"})
        )
        # an anonymous report received by the owning organisation (issue 15)
        reporting.set_receiving_organisation(db, "Owner NGO")
        reporting.submit_report(
            db, reporting.Pepper.load(inst.settings.reporting_pepper_file), ReportIn(text="help me")
        )
        with db.transaction() as session:
            self.ids["report"] = session.execute(select(AnonymousReport.id)).scalar_one()
        # a financial investigation held by the financial intelligence unit (issue 17)
        analyst = make_user(db, "fin-analyst", names["fiu"], "financial_investigator", enforcement=True)
        self.ids["investigation"] = finance.create_investigation(db, analyst.actor, "Operation Matrix")
        self.ids["fiu"] = self.orgs["fiu"]
        self.ids["dataset"] = finance.add_dataset(
            db,
            analyst.actor,
            self.ids["investigation"],
            "bank return",
            b"id,timestamp,source,target,amount,currency\n"
            b"t1,2025-01-01T10:00:00Z,HERS,BOSS,900,EUR\nt2,2025-01-02T10:00:00Z,BOSS,AWAY,800,EUR\n",
        ).id
        self.ids["consented_seed"] = finance.CONSENTED_SEED + finance.record_consented_account(
            db, creator.actor, self.case, "HERS", self.orgs["fiu"], "en"
        )
        self.ids["confiscation"] = finance.record_confiscation(
            db, analyst.actor, self.ids["investigation"], "1000000", "EUR", "Order M/1", "2025-01-15"
        )
        self.clients: dict[tuple[str, str, str], TestClient] = {}
        app = create_app(inst.settings)
        for role, org, record in itertools.product(ROLES, ORG_RELATIONS, RECORD_RELATIONS):
            if record != "stranger" and org != "owner":
                continue  # record relations only differ inside the owning organisation
            username = f"{role[:8]}-{org[:5]}-{record[:4]}".replace("_", "")
            if (role, org, record) == ("caseworker", "owner", "creator"):
                user, username = creator, "creator"
            else:
                team = "north" if record == "team" else None
                user = make_user(
                    db, username, names[org], role, enforcement=org in ENFORCEMENT_ORGS, team=team
                )
            client = TestClient(app, base_url="https://testserver")
            client.portal = portal
            login = {"username": username, "password": PASSWORD}
            if user.totp_secret:
                login["totp"] = user.code()
            assert client.post("/api/session", json=login).status_code == 201, username
            self.clients[(role, org, record)] = client

    def _decide_identification(self, db: Any, creator: Any, member: Any, clinic: str) -> None:
        nat = identification.national_procedure(self.inst.settings)
        consent.record_consent(
            db,
            creator.actor,
            self.case,
            consent.parse_consent(
                {"purposes": ["identification"], "recipient_organisation_ids": [clinic], "language": "en"}
            ),
        )
        screening_id, _ = screenings.screen_case(db, creator.actor, self.case, SCREENING)
        panel = parse(PanelInput, {"organisation_ids": [self.orgs["owner"], clinic]})
        identification.convene_panel(db, nat, creator.actor, self.case, panel)
        decision = {
            "stage": nat.procedure.first.id,
            "outcome": "positive",
            "screening_id": screening_id,
            "indicators": ["DR01"],
            "reasons": "Deceived about the job.",
        }
        identification.record_decision(db, nat, member.actor, self.case, parse(DecisionInput, decision))
        confirm = ConfirmationInput(confirm=True)
        identification.answer_proposal(db, nat, creator.actor, self.case, confirm)

    def combos(self) -> list[tuple[str, str, str]]:
        return sorted(self.clients)


def allowed(status: int) -> bool:
    return 200 <= status < 400 and status != 303


def test_every_route_role_and_relation_matches_the_specification(
    inst: Installation, portal: BlockingPortal
) -> None:
    world = World(inst, portal)
    violations = []
    checked = 0
    for (role, org, record), route in itertools.product(world.combos(), ROUTES):
        status = route.call(world.clients[(role, org, record)], world.case, world.ids)
        want = expected(role, org, record, route)
        got = allowed(status)
        checked += 1
        if got != want or (not got and status not in (401, 403, 404)):
            violations.append((role, org, record, route.name, status))
    assert checked == len(world.combos()) * len(ROUTES) >= 500
    assert violations == []


def test_lists_show_exactly_the_cases_in_scope(inst: Installation, portal: BlockingPortal) -> None:
    world = World(inst, portal)
    for (role, org, record), client in world.clients.items():
        response = client.get("/api/cases")
        want = expected(role, org, record, ROUTES[0])
        if role not in PERSON_LEVEL_ROLES or org in ENFORCEMENT_ORGS:
            assert response.status_code == 403, (role, org, record)
            continue
        shown = [item["id"] for item in response.json()["items"]]
        assert shown == ([world.case] if want else []), (role, org, record)


@pytest.mark.parametrize("seed_case", [0])
def test_random_interleavings_of_revocation_and_access(
    sqlite_inst: Installation, portal: BlockingPortal, seed_case: int
) -> None:
    world = World(sqlite_inst, portal)
    receivers = [
        k for k in world.combos() if k[1] == "receiver" and k[0] in PERSON_LEVEL_ROLES - {"hotline_operator"}
    ]
    state = {"shared": True}

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        steps=st.lists(
            st.tuples(st.sampled_from(["read", "revoke", "reshare"]), st.sampled_from(receivers)),
            min_size=1,
            max_size=6,
        )
    )
    def run(steps: list[tuple[str, tuple[str, str, str]]]) -> None:
        owner = world.clients[("supervisor", "owner", "stranger")]
        for action, who in steps:
            if action == "revoke" and state["shared"]:
                assert owner.post(f"/api/consents/{world.sharing_consent}/revoke").status_code == 200
                state["shared"] = False
            elif action == "reshare" and not state["shared"]:
                made = owner.post(
                    f"/api/cases/{world.case}/consents",
                    json={
                        "purposes": ["referral"],
                        "recipient_organisation_ids": [world.orgs["receiver"]],
                        "language": "en",
                    },
                )
                world.sharing_consent = made.json()["id"]
                shared = owner.post(
                    f"/api/cases/{world.case}/disclosures",
                    json={"recipient_organisation_id": world.orgs["receiver"], "purpose": "referral"},
                )
                assert shared.status_code == 201
                state["shared"] = True
            status = world.clients[who].get(f"/api/cases/{world.case}").status_code
            assert allowed(status) == state["shared"], (action, who, status)

    run()


def test_receivers_list_and_filter_only_by_their_service_fields(
    inst: Installation, portal: BlockingPortal
) -> None:
    """A receiver's case list shows her service fields only, and a filter on anything else (the form of
    exploitation, a phone number) never reaches a received case (issue 12, item 8)."""
    world = World(inst, portal)
    owner = world.clients[("caseworker", "owner", "creator")]
    receiver = world.clients[("service_provider", "receiver", "stranger")]
    mine = owner.get("/api/cases").json()["items"]
    assert [i["primary_exploitation"] for i in mine] == ["forced_labour"]
    row = receiver.get("/api/cases").json()["items"]
    assert [i["id"] for i in row] == [world.case] and row[0]["primary_exploitation"] is None
    for query in (
        "exploitation=forced_labour",
        "exploitation=sexual_exploitation",
        "phone=%2B44%207700%20900123",
        "phone=%2B44%207700%20000000",
    ):
        # the same (empty) answer whether or not the value matches: nothing learnt by filtering
        assert receiver.get(f"/api/cases?{query}").json()["items"] == [], query
    assert [i["id"] for i in receiver.get("/api/cases?sex=female").json()["items"]] == [world.case]
    cell = "<td>forced labour</td>"
    assert cell in owner.get("/cases").text and cell not in receiver.get("/cases").text


def test_no_override_ever_discloses_to_an_enforcement_organisation(
    inst: Installation, portal: BlockingPortal
) -> None:
    """A supervisor's best-interests override for a child opens nothing to the police, a prosecutor,
    immigration or a financial intelligence unit (issue 12, item 3)."""
    world = World(inst, portal)
    supervisor = world.clients[("supervisor", "owner", "stranger")]
    child = supervisor.post(
        "/api/cases",
        json={"person": {"given_name": "Noor"}, "case": {"age_at_trafficking": 15, "sex": "female"}},
    )
    assert child.status_code == 201
    for org in ENFORCEMENT_ORGS:
        refused = supervisor.post(
            f"/api/cases/{child.json()['id']}/disclosures",
            json={
                "recipient_organisation_id": world.orgs[org],
                "purpose": "referral",
                "override_reason": "the child's best interests, says the supervisor",
            },
        )
        assert refused.status_code == 403 and "firewall" in refused.json()["detail"], org
    # the same override to a shelter goes through: only the firewall refused
    allowed = supervisor.post(
        f"/api/cases/{child.json()['id']}/disclosures",
        json={
            "recipient_organisation_id": world.orgs["receiver"],
            "purpose": "referral",
            "override_reason": "the child's best interests, says the supervisor",
        },
    )
    assert allowed.status_code == 201 and allowed.json()["overridden"]


# -- labour inspection (issue 19) ----------------------------------------------------------------------
# Where the actor works, relative to an inspectorate's records: the inspectorate itself, another inspectorate,
# an NGO, and every enforcement organisation. What a worker met at an inspection told the inspector — the
# inspection, her case and her referral — reaches the inspectorate's own labour inspectors only (her case
# also the service she was referred to), and never an enforcement organisation, whatever the role.
LABOUR_ORGS = {
    "inspectorate": ("Labour Inspectorate", "labour_inspectorate"),
    "other inspectorate": ("Other Inspectorate", "labour_inspectorate"),
    "ngo": ("Owner NGO", "ngo"),
    **ENFORCEMENT_ORGS,
}
LABOUR_ROLES = ["labour_inspector", "caseworker", "supervisor"]
LABOUR_ROUTES: dict[str, Callable[[TestClient, dict[str, str]], Any]] = {
    "inspection (API)": lambda c, ids: c.get(f"/api/labour/inspections/{ids['inspection']}"),
    "inspection (page)": lambda c, ids: c.get(f"/labour/inspections/{ids['inspection']}"),
    "inspections": lambda c, ids: c.get("/api/labour/inspections"),
    "risk plan": lambda c, ids: c.get("/api/labour/plan"),
    "agency and its complaints": lambda c, ids: c.get(f"/api/labour/agencies/{ids['agency']}"),
    "checklist export": lambda c, ids: c.get("/labour/checklist.xlsx"),
    "her case": lambda c, ids: c.get(f"/api/cases/{ids['case']}"),
    "refer another worker": lambda c, ids: c.post(
        f"/api/labour/inspections/{ids['inspection']}/referrals",
        json={
            "consent_given": True,
            "consent_language": "en",
            "service_id": ids["service"],
            "purpose": "Shelter",
        },
    ),
}
# Routes any labour inspector of a labour inspectorate uses for her own inspectorate's work: another
# inspectorate's inspector gets an answer, which must hold nothing of this inspectorate's visit or complaint.
OWN_WORK = {"inspections", "risk plan", "agency and its complaints", "checklist export"}


def labour_expected(role: str, org: str, route: str) -> bool:
    if org in ENFORCEMENT_ORGS:
        return False
    if route == "her case":  # the case policy: her inspector (creator) and the inspectorate's supervisors
        return org == "inspectorate" and role in ("labour_inspector", "supervisor")
    if route in OWN_WORK:
        return role == "labour_inspector" and org in ("inspectorate", "other inspectorate")
    return org == "inspectorate" and role == "labour_inspector"


def test_a_workers_data_from_an_inspection_never_reaches_an_enforcement_organisation(
    sqlite_inst: Installation,
) -> None:
    from opennrm.domain.labour import AgencyIn, InspectionIn, WorkerReferralIn, WorkplaceIn
    from opennrm.services import directory, labour

    db = sqlite_inst.db
    for name, kind in LABOUR_ORGS.values():
        make_org(db, name, kind)
    shelter = make_org(db, "Receiving Shelter", "shelter")
    service = directory.add_service(
        db,
        parse(
            directory.ServiceEntry,
            {"name": "Shelter", "service_type": "shelter", "languages": ["en"], "place": "N"},
        ),
        organisation_id=shelter,
    )
    inspector = make_user(db, "ines", "Labour Inspectorate", "labour_inspector")
    agency = labour.add_agency(db, inspector.actor, parse(AgencyIn, {"name": "Blue Sky Agency"}))
    workplace = labour.add_workplace(
        db, inspector.actor, parse(WorkplaceIn, {"name": "Orchard", "sector": "agriculture", "region": "N"})
    )
    inspection = labour.record_inspection(
        db,
        inspector.actor,
        parse(
            InspectionIn,
            {"workplace_id": workplace, "visited_on": "2025-05-01", "announced": False, "documents_held": 3},
        ),
    )
    referral = parse(
        WorkerReferralIn,
        {"consent_given": True, "consent_language": "en", "service_id": service, "purpose": "Shelter"},
    )
    case = labour.refer_worker(db, inspector.actor, inspection, referral).case_id
    ids = {"inspection": inspection, "agency": agency, "case": case, "service": service}
    app = create_app(sqlite_inst.settings)
    violations = []
    for (org, (name, _)), role in itertools.product(LABOUR_ORGS.items(), LABOUR_ROLES):
        if org == "inspectorate" and role == "labour_inspector":
            user = inspector
        else:
            user = make_user(
                db, f"{role[:6]}-{org[:6]}".replace(" ", ""), name, role, enforcement=org in ENFORCEMENT_ORGS
            )
        client = TestClient(app, base_url="https://testserver")
        login = {"username": user.username, "password": PASSWORD}
        if user.totp_secret:
            login["totp"] = user.code()
        assert client.post("/api/session", json=login).status_code == 201
        for route, call in LABOUR_ROUTES.items():
            response = call(client, ids)
            status = _status(response)
            want = labour_expected(role, org, route)
            if allowed(status) != want or (not want and status not in (401, 403, 404)):
                violations.append((role, org, route, status))
            if org != "inspectorate" and allowed(status) and route != "checklist export":
                for secret in (inspection, case, "Orchard", "Shelter"):
                    if secret in response.text:
                        violations.append((role, org, route, secret))
    assert violations == []
