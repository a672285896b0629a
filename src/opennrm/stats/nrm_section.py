"""The national referral mechanism's own figures in the periodic-report section (GR38 §§77–78, 98, 101, 108,
110): identification decisions, non-punishment matters, remedies and the justice aggregates.

Every figure arrives here already published: counts shown with the display rule of
``opennrm.stats.tables`` ("<11"), amounts and medians suppressed (``opennrm.stats.disclosure.SUPPRESSED``)
when fewer than 11 claims stand behind them. This module only lays them out as paragraphs and tables; it
never sees a person."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opennrm.stats.disclosure import SUPPRESSED
from opennrm.stats.labour import LabourCounts
from opennrm.stats.non_punishment import NonPunishmentCounts
from opennrm.stats.remedies import OTHER_CURRENCIES, RemedyCounts


@dataclass(frozen=True)
class JusticeFigures:
    """Justice aggregates as published: per (year, stage) the total, and per dimension (year, stage,
    category) counts (text)."""

    years: tuple[int, ...]
    totals: Mapping[tuple[int, str], str]
    by_dimension: Mapping[str, Mapping[tuple[int, str, str], str]]
    categories: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class NrmFigures:
    decisions: Mapping[str, Any]
    """``opennrm.services.identification.decision_statistics``: outcomes and working days by stage kind."""
    non_punishment: NonPunishmentCounts
    remedies: RemedyCounts
    justice: JusticeFigures
    labour: LabourCounts | None = None
    """Labour inspection and recruitment agencies (GR38 §54(b), §59; ``opennrm.stats.labour``)."""


@dataclass(frozen=True)
class NrmTable:
    title: str
    header: list[str]
    rows: list[list[str]]


STAGES = ("investigation", "prosecution", "conviction")
DIMENSION_TITLES = {
    "exploitation": "form of exploitation",
    "sex": "sex of the perpetrator",
    "age_group": "age group of the perpetrator",
    "nationality": "nationality of the perpetrator",
}
DECISION_DIMENSION_TITLES = {
    "sex": "sex",
    "age_group": "age group",
    "nationality": "nationality",
    "exploitation": "form of exploitation",
}
SUPPRESSED_NOTE = (
    f'Counts below 11 are shown as "<11"; amounts and medians resting on fewer than 11 claims are shown as'
    f' "{SUPPRESSED}".'
)


def paragraphs(figures: NrmFigures) -> list[str]:
    """Draft paragraphs for the CEDAW periodic report; [square brackets] mark what the State fills in."""
    decisions = figures.decisions
    outcomes = decisions.get("outcomes", {})
    first, final = outcomes.get("first", {}), outcomes.get("final", {})
    paras = [
        "Identification (general recommendation No. 38, paras. 77–78). Victims are identified by"
        " multi-agency panels that are not led by law-enforcement or immigration authorities, and no decision"
        " depends on cooperation with criminal proceedings. Decisions in force: "
        f"{decisions.get('total', '–')}; first decisions positive {first.get('positive', '–')}, negative"
        f" {first.get('negative', '–')}; final decisions positive {final.get('positive', '–')}, negative"
        f" {final.get('negative', '–')}.",
    ]
    np_counts = figures.non_punishment
    paras.append(
        "Non-punishment (para. 98). Women and girls with measures taken against them as a direct consequence"
        f" of being trafficked: {np_counts.persons} persons, {np_counts.matters} matters recorded with their"
        " consent and flagged to legal aid; requests to clear a record granted:"
        f" {np_counts.clearance_requests.get('granted', '–')} [State party: describe the legal basis of"
        " non-punishment]."
    )
    r = figures.remedies
    paid = (
        "; ".join(
            f"{'other currencies' if currency == OTHER_CURRENCIES else currency} {amount}"
            for currency, amount in r.paid_by_currency.items()
        )
        if r.paid_by_currency
        else "none recorded"
    )
    paras.append(
        "Remedies (paras. 101 and 108). Compensation and back-wage claims through criminal, civil, labour"
        f" and administrative routes: {r.claims} claims of {r.persons} persons; awarded"
        f" {r.by_status.get('awarded', '–')} (awaiting payment), paid in full {r.by_status.get('paid', '–')}."
        f" Amounts paid: {paid}. Median days from filing to full payment: {r.median_days_to_payment}. No"
        " claim depends on the confiscation of the trafficker's assets; confiscated proceeds allocated to"
        " victims are recorded on their claims [State party: describe the State compensation fund]."
    )
    j = figures.justice
    if j.years:
        latest = j.years[-1]
        paras.append(
            "Perpetrators and the justice response (para. 110). In "
            f"{latest}: investigations {j.totals.get((latest, 'investigation'), '–')}, prosecutions"
            f" {j.totals.get((latest, 'prosecution'), '–')}, convictions"
            f" {j.totals.get((latest, 'conviction'), '–')} (perpetrators; aggregate figures from the justice"
            " system, never linked to any victim)."
        )
    else:
        paras.append(
            "Perpetrators and the justice response (para. 110): [no justice aggregates entered: the NRM"
            " secretariat enters them on the Justice aggregates page or with `opennrm justice import`]."
        )
    lab = figures.labour
    if lab is not None:
        violations = "; ".join(f"{v.replace('_', ' ')} {n}" for v, n in lab.violations_by_type.items())
        paras.append(
            "Labour inspection and recruitment (paras. 54(b), 59 and 60(d)). Inspections of workplaces:"
            f" {lab.inspections}, of which unannounced {lab.unannounced}; workers met at an inspection who"
            f" consented to screening and were referred into the national referral mechanism:"
            f" {lab.workers_referred}; recruitment agencies whose licence was suspended or revoked:"
            f" {lab.agencies_sanctioned}. Violations by recruitment agencies established: {violations}."
            " Labour inspection records no worker's immigration status and shares nothing with immigration"
            " enforcement [State party: describe the mandate and number of labour inspectors]."
        )
    paras.append(SUPPRESSED_NOTE)
    return paras


def tables(figures: NrmFigures) -> list[NrmTable]:
    out: list[NrmTable] = []
    decisions = figures.decisions
    outcomes = decisions.get("outcomes", {})
    if outcomes:
        kinds = list(outcomes)
        names = sorted({o for kind in kinds for o in outcomes[kind]})
        out.append(
            NrmTable(
                "Identification decisions in force by stage and outcome",
                ["outcome", *kinds],
                [[o, *(str(outcomes[k].get(o, "–")) for k in kinds)] for o in names],
            )
        )
        for dim, by_outcome in decisions.get("by", {}).items():
            listed = list(next(iter(by_outcome.values()), {}))
            title = DECISION_DIMENSION_TITLES.get(dim, dim)
            out.append(
                NrmTable(
                    f"Identification decisions in force by {title} and outcome",
                    [title, *by_outcome],
                    [[c, *(str(by_outcome[o].get(c, "–")) for o in by_outcome)] for c in listed],
                )
            )
        days = decisions.get("working_days_to_decide", {})
        if days:
            bands = list(next(iter(days.values())))
            out.append(
                NrmTable(
                    "Working days to decide",
                    ["working days", *days],
                    [[b, *(str(days[k].get(b, "–")) for k in days)] for b in bands],
                )
            )
    np_counts = figures.non_punishment
    out.append(
        NrmTable(
            "Non-punishment: measures taken against her, by where they stand",
            ["measure", "matters"],
            [[m, n] for m, n in np_counts.by_measure.items()]
            + [[f"status: {s}", n] for s, n in np_counts.by_status.items()],
        )
    )
    r = figures.remedies
    out.append(
        NrmTable(
            "Remedies by route",
            ["route", "claims", "awarded", "paid", "median days to payment"],
            [
                [route, c.claims, c.awarded, c.paid, c.median_days_to_payment]
                for route, c in r.by_route.items()
            ],
        )
    )
    out.append(NrmTable("Remedies by status", ["status", "claims"], [[s, n] for s, n in r.by_status.items()]))
    out.append(
        NrmTable(
            "Amounts paid to victims by currency (rounded to two significant figures)",
            ["currency", "paid"],
            [[c, a] for c, a in r.paid_by_currency.items()] or [["–", "–"]],
        )
    )
    j = figures.justice
    for dim, title in DIMENSION_TITLES.items():
        categories = j.categories.get(dim, ())
        if not categories:
            continue
        rows: list[list[str]] = []
        for year in j.years:
            for category in categories:
                cells = j.by_dimension[dim]
                rows.append([f"{year} / {category}", *(cells.get((year, s, category), "–") for s in STAGES)])
        out.append(NrmTable(f"Perpetrators by year and {title}", ["year / category", *STAGES], rows))
    if j.years:
        out.insert(
            len(out) - sum(1 for d in DIMENSION_TITLES if j.categories.get(d)),
            NrmTable(
                "Perpetrators investigated, prosecuted and convicted by year",
                ["year", *STAGES],
                [[str(y), *(j.totals.get((y, s), "–") for s in STAGES)] for y in j.years],
            ),
        )
    lab = figures.labour
    if lab is not None:
        out.append(
            NrmTable(
                "Labour inspection",
                ["figure", "count"],
                [
                    ["inspections", lab.inspections],
                    ["unannounced inspections", lab.unannounced],
                    ["workers referred into the NRM", lab.workers_referred],
                    ["agencies sanctioned (licence suspended or revoked)", lab.agencies_sanctioned],
                ],
            )
        )
        out.append(
            NrmTable(
                "Violations by recruitment agencies, by type",
                ["type", "violations"],
                [[v.replace("_", " "), n] for v, n in lab.violations_by_type.items()],
            )
        )
        kinds = list(next(iter(lab.findings_by_sector.values()), {}))
        out.append(
            NrmTable(
                "Inspections and findings by sector",
                ["sector", "inspections", *(k.replace("_", " ") for k in kinds)],
                [
                    [s.replace("_", " "), lab.inspections_by_sector[s], *(cells[k] for k in kinds)]
                    for s, cells in lab.findings_by_sector.items()
                ],
            )
        )
    return out


def section(figures: NrmFigures) -> tuple[list[str], list[NrmTable]]:
    return paragraphs(figures), tables(figures)


__all__: Sequence[str] = ("JusticeFigures", "NrmFigures", "NrmTable", "section")
