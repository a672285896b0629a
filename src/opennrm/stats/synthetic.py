"""Invented case records for benchmarks, tests and demonstrations. They describe no real person.

The mix is loosely shaped like published aggregates (UNODC GLOTIP 2024: women 39%, girls 22%, men 23%,
boys 16%; forced labour 42%, sexual exploitation 38%) so that charts look plausible; nothing else about
them is meant to be realistic. About one person in eight has a second case and a few have a third, so that
counting persons rather than cases matters.
"""

from __future__ import annotations

import numpy as np

from opennrm.domain.vocabularies import Disability, MigrationStatus, SocioeconomicMarker, codes
from opennrm.stats.dimensions import NationalClassification
from opennrm.stats.records import StatRecord, bulk_work

YEARS = tuple(range(2019, 2025))
REGIONS = ("north", "south", "east", "west", "capital")
ETHNICITIES = ("group_a", "group_b", "group_c")
NATIONALITIES = ("XA", "XB", "XC", "XD")  # user-assigned ISO 3166 codes, never real countries
HOME = "XA"


def classification() -> NationalClassification:
    return NationalClassification(
        years=YEARS, regions=REGIONS, ethnicities=ETHNICITIES, nationalities=NATIONALITIES
    )


def synthetic_records(n_cases: int, seed: int = 0) -> list[StatRecord]:
    """``n_cases`` invented case records (several per person for some persons)."""
    rng = np.random.default_rng(seed)
    n_persons = max(1, int(n_cases / 1.15))
    person_of_case = np.concatenate([np.arange(n_persons), rng.integers(0, n_persons, n_cases - n_persons)])
    person_of_case = person_of_case[:n_cases]
    rng.shuffle(person_of_case)

    sex = rng.choice(["female", "male", "intersex", "unknown"], n_persons, p=[0.6, 0.37, 0.005, 0.025])
    child = rng.random(n_persons) < np.where(sex == "female", 0.36, 0.41)
    age = np.where(child, rng.integers(3, 18, n_persons), rng.integers(18, 70, n_persons))
    age_known = rng.random(n_persons) > 0.08
    year = rng.choice(YEARS, n_persons, p=[0.12, 0.13, 0.15, 0.17, 0.2, 0.23])
    national = rng.random(n_persons) < 0.45
    national_known = rng.random(n_persons) > 0.05
    migration = np.where(national, "national", rng.choice(codes(MigrationStatus)[1:], n_persons))
    form = rng.choice(4, n_persons, p=[0.4, 0.42, 0.08, 0.1])
    other_forms = ["forced_marriage", "forced_begging", "forced_criminality", "organ_removal"]
    other_pick = rng.integers(0, len(other_forms), n_persons)
    disability_pick = rng.choice(
        codes(Disability)[:8], n_persons, p=[0.82, 0.02, 0.02, 0.03, 0.04, 0.01, 0.02, 0.04]
    )
    disability_known = rng.random(n_persons) > 0.2
    markers = codes(SocioeconomicMarker)
    marker_pick = rng.integers(0, len(markers), n_persons)
    marker_state = rng.choice(3, n_persons, p=[0.6, 0.25, 0.15])  # with marker, none, not assessed
    region = rng.choice(REGIONS, n_persons)
    ethnicity = rng.choice([*ETHNICITIES, "group_z"], n_persons, p=[0.5, 0.25, 0.2, 0.05])
    nationality = rng.choice((*NATIONALITIES[1:], "XZ"), n_persons)
    consent = rng.random(n_persons) > 0.04
    status = rng.choice(["possible_victim", "presumed_victim", "actual_victim"], n_persons, p=[0.3, 0.4, 0.3])

    forms_of = [
        frozenset({"sexual_exploitation"}),
        frozenset({"forced_labour"}),
        frozenset({"sexual_exploitation", "forced_labour"}),
        *(frozenset({o}) for o in other_forms),
    ]
    exploitation = [
        forms_of[f if f < 3 else 3 + o] for f, o in zip(form.tolist(), other_pick.tolist(), strict=True)
    ]
    disability = [
        frozenset({d}) if k else frozenset()
        for d, k in zip(disability_pick.tolist(), disability_known.tolist(), strict=True)
    ]
    socioeconomic = [
        frozenset({markers[m]}) if state == 0 else frozenset() if state == 1 else None
        for m, state in zip(marker_pick.tolist(), marker_state.tolist(), strict=True)
    ]
    citizenship = [
        frozenset({HOME if n else c}) for n, c in zip(national.tolist(), nationality.tolist(), strict=True)
    ]
    ages = [a if k else None for a, k in zip(age.tolist(), age_known.tolist(), strict=True)]
    nationals = [n if k else None for n, k in zip(national.tolist(), national_known.tolist(), strict=True)]
    columns = (
        year.tolist(),
        sex.tolist(),
        ages,
        citizenship,
        nationals,
        migration.tolist(),
        disability,
        ethnicity.tolist(),
        socioeconomic,
        exploitation,
        region.tolist(),
        status.tolist(),
        consent.tolist(),
    )
    person_rows = list(zip(*columns, strict=True))
    with bulk_work():
        return _make(person_rows, person_of_case.tolist())


def _make(person_rows: list[tuple], person_of_case: list[int]) -> list[StatRecord]:  # type: ignore[type-arg]
    records: list[StatRecord] = []
    for case, p in enumerate(person_of_case):
        y, sx, a, cz, nat, mig, dis, eth, soc, expl, reg, st, con = person_rows[p]
        records.append(
            StatRecord(
                person_key=f"P{p:08d}",
                case_key=f"C{case:09d}",
                year=y,
                sex=sx,
                age_at_trafficking=a,
                citizenship=cz,
                national=nat,
                migration_status=mig,
                disability=dis,
                ethnicity=eth,
                socioeconomic=soc,
                exploitation_types=expl,
                region=reg,
                trafficking_status=st,
                consent_statistics=con,
            )
        )
    return records
