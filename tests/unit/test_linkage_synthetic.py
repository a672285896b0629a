"""The synthetic populations of the linkage generator (issue 16; docs/linkage.md, "The generator's
populations"): the stress population is unchanged, the regional one has every corruption and each region's
naming practice, and far fewer namesakes."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

import pytest

from opennrm.linkage import synthetic
from opennrm.linkage.normalise import fold, skeleton
from opennrm.linkage.synthetic_regions import REGIONS


def _digest(records: Iterable[synthetic.SyntheticRecord]) -> str:
    rows = [(r.organisation, r.person, r.identifiers) for r in records]
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def test_the_stress_population_is_unchanged() -> None:
    # Pinned before the regional population was added: the published figures stay reproducible.
    records = synthetic.generate(200, seed=16, population="stress")
    assert len(records) == 349
    assert _digest(records) == "0f6986deff5b4d9f"
    assert synthetic.DEFAULT_POPULATION == "regional"


def test_an_unknown_population_is_refused() -> None:
    with pytest.raises(ValueError, match="population"):
        synthetic.generate(10, population="global")


def test_the_regions_and_their_pools() -> None:
    assert sum(r.share for r in REGIONS) == pytest.approx(1.0)
    for region in REGIONS:
        for pool in (region.given, region.family, region.second):
            if pool is None:
                continue
            assert 12 <= len(pool.names) <= 60, region.name
            assert len(set(pool.names)) == len(pool.names), region.name
            if pool.top_share is not None and pool.top_share > 1 / len(pool.names):
                s = synthetic.zipf_exponent(len(pool.names), pool.top_share)
                weights = [1 / (rank + 1) ** s for rank in range(len(pool.names))]
                assert weights[0] / sum(weights) == pytest.approx(pool.top_share, rel=1e-3)


def _words(record: synthetic.SyntheticRecord) -> list[str]:
    q = record.identifiers
    return sorted(fold(f"{q.given_name or ''} {q.family_name or ''}").split())


def _one_edit(a: str, b: str) -> bool:
    """One substitution, deletion, insertion or swap of neighbours apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@pytest.fixture(scope="module")
def regional() -> list[synthetic.SyntheticRecord]:
    return synthetic.generate(2000, seed=3, population="regional")


def test_the_regional_population_has_every_corruption(regional: list[synthetic.SyntheticRecord]) -> None:
    by_person: dict[int, list[synthetic.SyntheticRecord]] = defaultdict(list)
    for r in regional:
        by_person[r.person].append(r)
    seen: set[str] = set()
    for records in by_person.values():
        if any(r.identifiers.birth_date is None for r in records):
            seen.add("birth date missing")
        if len({r.identifiers.birth_date for r in records} - {None}) > 1:
            seen.add("birth date wrong")
        if len({r.identifiers.phone for r in records} - {None}) > 1:
            seen.add("another phone")
        if any(r.identifiers.sex == "unknown" for r in records):
            seen.add("sex unknown")
        for a in records:
            for b in records:
                qa, qb = a.identifiers, b.identifiers
                wa, wb = _words(a), _words(b)
                if qa.given_name and qa.given_name == qb.family_name and qa.family_name == qb.given_name:
                    seen.add("given and family swapped")
                if qa.given_name and qb.family_name and qa.given_name in qb.family_name.split():
                    seen.add("a part written in the other field")
                if wa == wb and (qa.given_name, qa.family_name) != (qb.given_name, qb.family_name):
                    seen.add("written another way, folding equal (diacritics, script)")
                if wa != wb and {skeleton(w) for w in wa} == {skeleton(w) for w in wb}:
                    seen.add("another transliteration")
                if len(wb) < len(wa) and all(wa.count(w) >= wb.count(w) for w in wb):
                    seen.add("an optional part left out")
                only_a, only_b = set(wa) - set(wb), set(wb) - set(wa)
                if len(only_a) == len(only_b) == 1 and _one_edit(only_a.pop(), only_b.pop()):
                    seen.add("typo")
    assert seen == {
        "birth date missing",
        "birth date wrong",
        "another phone",
        "sex unknown",
        "given and family swapped",
        "a part written in the other field",
        "written another way, folding equal (diacritics, script)",
        "another transliteration",
        "an optional part left out",
        "typo",
    }


def test_the_regional_population_follows_each_regions_naming_practice(
    regional: list[synthetic.SyntheticRecord],
) -> None:
    regions = {r.region for r in regional}
    assert regions == {r.name for r in REGIONS}

    def words_of(region: str) -> list[list[str]]:
        return [_words(r) for r in regional if r.region == region]

    vietnamese = words_of("vietnam")
    assert sum("thi" in w for w in vietnamese) > len(vietnamese) / 4  # Thị, the commonest middle name
    assert sum("ngn" in {skeleton(x) for x in w} for w in vietnamese) > len(vietnamese) / 4  # Nguyễn
    assert any(len(w) >= 3 for w in words_of("horn_of_africa"))  # given + father's + grandfather's name
    assert any(len(w) >= 3 for w in words_of("latin_america"))  # paternal + maternal family name
    assert any(len(w) >= 3 for w in words_of("philippines"))  # the mother's family name as middle name
    patronymics = [w for ws in words_of("east_slavic") for w in ws if w.endswith(("vna", "ivna"))]
    assert patronymics
    # the Arabic nasab: the father's name is most often Mohammed (in one of its spellings)
    assert any({skeleton(w) for w in ws} & {"mhmd"} for ws in words_of("arabic"))


def test_the_regional_population_has_far_fewer_namesakes() -> None:
    stress = synthetic.namesake_rate("stress", sample=40_000)
    regional = synthetic.namesake_rate("regional", sample=40_000)
    assert 2.5e-3 < stress < 4.5e-3  # about 3.3e-3 (docs/linkage.md)
    assert regional < stress / 20
