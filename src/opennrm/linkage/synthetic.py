"""A labelled multi-organisation population for tuning and measuring linkage (no real person in it).

Persons are known to one to four organisations. Each organisation's record of her is written down
differently: another transliteration (Mohammed/Muhammad), dropped diacritics, typos, given and family name
swapped, a missing or wrong birth date, a different phone.

Two populations (``generate(population=...)``):

- ``"stress"`` (the default, and the figures of docs/linkage.md before 2026-12-07): given and family names
  drawn independently from one pool of 40 given and 40 family names of many regions, Zipf exponent 0.8.
  Namesakes are far more common than in any real population (two persons share a full name with probability
  about 3.3e-3), so it is a stress test of telling namesakes apart.
- ``"regional"``: each person first gets a region of origin (``synthetic_regions.REGIONS``: West Africa, the
  Horn of Africa, the Arabic-speaking countries, Ukraine/Russia/Moldova, Romania, Nepal, Bangladesh, Vietnam,
  the Philippines, China, Latin America), then her names from that region's pools in its naming practice
  (Habesha given + father's + grandfather's name, Arabic nasab, East Slavic patronymics, Vietnamese middle
  names, two Latin American family names, the Filipino middle name), each pool's concentration matched to a
  sourced figure where one was found (docs/linkage.md, "The generator's populations"). Parts a record may
  leave out (patronymic, grandfather's name, middle name, maternal family name) are left out of 20 % of
  records each; everything else is corrupted at the stress population's rates.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass

from opennrm.linkage.normalise import QuasiIdentifiers, fold
from opennrm.linkage.synthetic_regions import REGIONS, Pool, Region

# Each entry: the ways one name is written (transliterations, with and without diacritics, own script).
GIVEN: tuple[tuple[str, ...], ...] = (
    ("Fatima", "Fatma", "Fatuma", "Fatimah", "فاطمة"),
    ("Aisha", "Aïcha", "Aysha", "Ayesha", "Aishat"),
    ("Mariam", "Maryam", "Miriam", "Meryem", "مريم"),
    ("Amina", "Aminah", "Ameena", "Aminat"),
    ("Khadija", "Hadiza", "Khadidja", "Kadija"),
    ("Zainab", "Zeynab", "Zaynab", "Zeinab"),
    ("Blessing",),
    ("Precious",),
    ("Joy",),
    ("Chioma",),
    ("Ngozi",),
    ("Oluwaseun", "Seun"),
    ("Tigist",),
    ("Hiwot", "Hiwet"),
    ("Selam", "Selamawit"),
    ("Olena", "Elena", "Alena", "Олена", "Елена"),
    ("Yulia", "Yuliya", "Iuliia", "Julia", "Юлия"),
    ("Natalia", "Natalya", "Nataliya", "Наталья"),
    ("Oksana", "Оксана"),
    ("Ioana", "Ioanna"),
    ("Mihaela", "Mihaella"),
    ("Nguyễn Thị Hà", "Nguyen Thi Ha", "Thi Ha"),
    ("Thị Lan", "Thi Lan"),
    ("Thị Hương", "Thi Huong", "Thi Houng"),
    ("Sita", "Seeta"),
    ("Sunita", "Suneeta"),
    ("Anjali", "Anjalee"),
    ("Maria", "María", "Marija"),
    ("Ana", "Anna"),
    ("Guadalupe", "Lupe"),
    ("Rosa",),
    ("Li", "Lee"),
    ("Mei", "Mey"),
    ("Xiaoling", "Xiao Ling", "小玲"),
    ("Nour", "Noor", "Nur", "نور"),
    ("Layla", "Leila", "Laila", "Leyla", "ليلى"),
    ("Rahel", "Rachel", "Raheel"),
    ("Grace",),
    ("Mercy",),
    ("Esther", "Ester"),
)
FAMILY: tuple[tuple[str, ...], ...] = (
    ("Mohammed", "Muhammad", "Mohamed", "Mohamad", "Muhammed", "Мухаммед", "محمد"),
    ("Ahmed", "Ahmad", "Ahmet", "أحمد"),
    ("Hassan", "Hasan", "Al-Hassan", "حسن"),
    ("Hussein", "Husain", "Hussain", "Hosseini"),
    ("Abdullahi", "Abdullah", "Abdalla"),
    ("Okafor",),
    ("Okonkwo",),
    ("Adeyemi",),
    ("Eze",),
    ("Bello",),
    ("Ibrahim", "Ibraheem", "Ebrahim"),
    ("Tesfaye", "Tesfay"),
    ("Gebremedhin", "Gebre Medhin", "Gebremedin"),
    ("Haile", "Hayle"),
    ("Kovalenko", "Коваленко"),
    ("Shevchenko", "Shevchenco", "Шевченко"),
    ("Popescu",),
    ("Ionescu",),
    ("Rusu",),
    ("Ceban", "Tseban", "Чебан"),
    ("Nguyễn", "Nguyen", "Ngyuen"),
    ("Trần", "Tran"),
    ("Phạm", "Pham"),
    ("Lê", "Le"),
    ("Tamang",),
    ("Gurung",),
    ("Shrestha", "Srestha"),
    ("Begum", "Begom"),
    ("Akter", "Akhter", "Akhtar"),
    ("Santos", "Dos Santos"),
    ("Reyes",),
    ("Garcia", "García"),
    ("Hernández", "Hernandez"),
    ("López", "Lopez"),
    ("Wang", "王"),
    ("Zhang", "Chang", "张"),
    ("Liu", "Lau", "刘"),
    ("Mensah",),
    ("Boateng",),
    ("Diallo", "Jallow", "Djalo"),
)
# Persons known to 1, 2, 3 or 4 organisations.
KNOWN_TO = (1, 2, 3, 4)
KNOWN_WEIGHTS = (0.55, 0.25, 0.13, 0.07)


POPULATIONS = ("stress", "regional")
DEFAULT_POPULATION = "regional"
#: The share of records that leave out a part of her name a record may omit (regional population).
P_OPTIONAL_LEFT_OUT = 0.20


@dataclass(frozen=True)
class SyntheticRecord:
    organisation: int
    person: int
    identifiers: QuasiIdentifiers
    region: str = ""
    """Her region of origin (regional population only)."""


def _zipf_choice(rng: random.Random, items: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(items))]
    return rng.choices(items, weights=weights)[0]


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    letter = rng.choice("aeinorstlmkh")
    if kind == 0:
        return text[:i] + letter + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + letter + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _variant(rng: random.Random, forms: tuple[str, ...], base: int, p_other: float) -> str:
    form = forms[rng.randrange(len(forms))] if rng.random() < p_other else forms[base]
    if rng.random() < 0.3:
        form = form.encode("ascii", "ignore").decode() or form  # diacritics dropped by the keyboard
    return form


def generate(
    persons: int,
    organisations: int = 4,
    seed: int = 16,
    noise: float = 1.0,
    population: str = DEFAULT_POPULATION,
) -> list[SyntheticRecord]:
    """Records of ``persons`` persons spread over ``organisations``; at most one record per person per
    organisation (each organisation's own de-duplication is done). ``noise`` scales every corruption;
    ``population`` is ``"stress"`` or ``"regional"`` (module docstring)."""
    if population not in POPULATIONS:
        raise ValueError(f"population: one of {POPULATIONS}, not {population!r}")
    if population == "regional":
        return _generate_regional(persons, organisations, seed, noise)
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, not a secret
    records: list[SyntheticRecord] = []
    for person in range(persons):
        given, family = _zipf_choice(rng, GIVEN), _zipf_choice(rng, FAMILY)
        g_base, f_base = rng.randrange(len(given)), rng.randrange(len(family))
        birth, sex, phone, count = _person_details(rng)
        for organisation in rng.sample(range(organisations), min(count, organisations)):
            g = _variant(rng, given, g_base, 0.25 * noise)
            f = _variant(rng, family, f_base, 0.25 * noise)
            if rng.random() < 0.06 * noise:
                g = _typo(rng, g)
            if rng.random() < 0.06 * noise:
                f = _typo(rng, f)
            if rng.random() < 0.10 * noise:
                g, f = f, g
            records.append(
                SyntheticRecord(organisation, person, _record(rng, g, f, birth, sex, phone, noise))
            )
    rng.shuffle(records)
    return records


def _person_details(rng: random.Random) -> tuple[dt.date, str, str, int]:
    """Her birth date, sex, phone and the number of organisations that know her (the stress population's
    draws, in its order)."""
    today = dt.date(2026, 6, 1)
    birth = today - dt.timedelta(days=rng.randrange(12 * 365, 55 * 365))
    sex = "female" if rng.random() < 0.92 else "male"
    phone = f"+{rng.randrange(20, 999)}{rng.randrange(10**8, 10**9)}"
    count = rng.choices(KNOWN_TO, weights=KNOWN_WEIGHTS)[0]
    return birth, sex, phone, count


def _record(
    rng: random.Random, g: str | None, f: str | None, birth: dt.date, sex: str, phone: str, noise: float
) -> QuasiIdentifiers:
    """One organisation's record of her once the names are written: a missing (10 %) or wrong (8 %) birth
    date, a phone in half the records (another one in half of those), sex unknown in 5 %."""
    b: dt.date | None = birth
    roll = rng.random()
    if roll < 0.10 * noise:
        b = None
    elif roll < 0.18 * noise:
        b = _wrong_date(rng, birth)
    p: str | None = None
    if rng.random() < 0.5:
        p = phone if rng.random() > 0.5 * noise else f"+{rng.randrange(20, 999)}{rng.randrange(10**8, 10**9)}"
    s: str | None = sex if rng.random() > 0.05 * noise else "unknown"
    return QuasiIdentifiers(g, f, b, s, p)


@dataclass(frozen=True)
class _Part:
    """One part of her name: the ways it is written, the way she usually writes it, and whether a record
    may leave it out."""

    forms: tuple[str, ...]
    base: int
    optional: bool = False


@functools.lru_cache(maxsize=64)
def zipf_exponent(size: int, top_share: float | None) -> float:
    """The exponent ``s`` of weights ``1 / rank**s`` over ``size`` names under which the first name has
    ``top_share`` of the draws (0, a uniform pool, where ``top_share`` is at most ``1 / size``)."""
    if top_share is None or top_share <= 1 / size:
        return 0.0
    lo, hi = 0.0, 8.0
    for _ in range(60):
        mid = (lo + hi) / 2
        share = 1 / sum(1 / (rank + 1) ** mid for rank in range(size))
        lo, hi = (mid, hi) if share < top_share else (lo, mid)
    return (lo + hi) / 2


@functools.lru_cache(maxsize=64)
def _pool_weights(pool: Pool) -> tuple[float, ...]:
    s = zipf_exponent(len(pool.names), pool.top_share)
    return tuple(1 / (rank + 1) ** s for rank in range(len(pool.names)))


def _draw(rng: random.Random, pool: Pool, optional: bool = False) -> _Part:
    forms = tuple(rng.choices(pool.names, weights=_pool_weights(pool))[0].split("|"))
    return _Part(forms, rng.randrange(len(forms)), optional)


def _regional_person(rng: random.Random, region: Region) -> tuple[list[_Part], list[_Part]]:
    """Her given-name parts and family-name parts, in her region's naming practice."""
    second = region.second or region.family
    given = [_draw(rng, region.given)]
    practice = region.practice
    if practice == "given_family":
        return given, [_draw(rng, region.family)]
    if practice == "habesha":  # no family name: father's given name, for half of them the grandfather's
        family = [_draw(rng, region.family)]
        if rng.random() < 0.5:
            family.append(_draw(rng, region.family, optional=True))
        return given, family
    if practice == "arabic":  # nasab: father's name, then a family name (60 %) or the grandfather's name
        if rng.random() < 0.6:
            return given, [_draw(rng, second, optional=True), _draw(rng, region.family)]
        return given, [_draw(rng, second), _draw(rng, second, optional=True)]
    if practice == "east_slavic":  # the patronymic follows the given name
        return [*given, _draw(rng, second, optional=True)], [_draw(rng, region.family)]
    if practice == "vietnamese":  # family, middle (Thị, Ngọc, …), given
        middle = [_draw(rng, second, optional=True)] if rng.random() < 0.85 else []
        return [*middle, *given], [_draw(rng, region.family)]
    if practice == "two_surnames":  # paternal, then maternal family name
        return given, [_draw(rng, region.family), _draw(rng, region.family, optional=True)]
    if practice == "filipino":  # the mother's family name as a middle name
        return given, [_draw(rng, region.family, optional=True), _draw(rng, region.family)]
    raise ValueError(f"unknown naming practice {practice!r}")


def _region_choice(rng: random.Random) -> Region:
    return rng.choices(REGIONS, weights=[r.share for r in REGIONS])[0]


def _generate_regional(persons: int, organisations: int, seed: int, noise: float) -> list[SyntheticRecord]:
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, not a secret
    records: list[SyntheticRecord] = []
    for person in range(persons):
        region = _region_choice(rng)
        given, family = _regional_person(rng, region)
        birth, sex, phone, count = _person_details(rng)
        for organisation in rng.sample(range(organisations), min(count, organisations)):
            kept_g = [p for p in given if not (p.optional and rng.random() < P_OPTIONAL_LEFT_OUT * noise)]
            kept_f = [p for p in family if not (p.optional and rng.random() < P_OPTIONAL_LEFT_OUT * noise)]
            gw = [_variant(rng, p.forms, p.base, 0.25 * noise) for p in kept_g]
            fw = [_variant(rng, p.forms, p.base, 0.25 * noise) for p in kept_f]
            for words in (gw, fw):
                if words and rng.random() < 0.06 * noise:
                    i = rng.randrange(len(words))
                    words[i] = _typo(rng, words[i])
            if rng.random() < 0.10 * noise:
                if len(gw) + len(fw) > 2 and rng.random() < 0.5:  # one part written in the other field
                    if len(gw) > 1:
                        fw.insert(0, gw.pop())
                    else:
                        gw.append(fw.pop(0))
                else:
                    gw, fw = fw, gw
            g, f = " ".join(gw) or None, " ".join(fw) or None
            identifiers = _record(rng, g, f, birth, sex, phone, noise)
            records.append(SyntheticRecord(organisation, person, identifiers, region.name))
    rng.shuffle(records)
    return records


def _full_name(parts: list[_Part]) -> tuple[str, ...]:
    return tuple(sorted(w for p in parts for w in fold(p.forms[0]).split()))


def namesake_rate(
    population: str = DEFAULT_POPULATION, sample: int = 200_000, seed: int = 1, region: str | None = None
) -> float:
    """The probability that two persons of ``population`` share their full name: all parts, each by its
    usual spelling, folded and pooled into words (as the encoding pools them). Estimated on ``sample``
    persons; a person has on average ``rate * (n - 1)`` exact namesakes among ``n``. ``region``: only
    persons of that region of the regional population (a caseload from one region)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, not a secret
    only = next(r for r in REGIONS if r.name == region) if region else None
    names: Counter[Hashable] = Counter()
    for _ in range(sample):
        if population == "stress":
            g, f = _zipf_choice(rng, GIVEN), _zipf_choice(rng, FAMILY)
            names[_full_name([_Part(g, 0), _Part(f, 0)])] += 1
        else:
            given, family = _regional_person(rng, only or _region_choice(rng))
            names[_full_name(given + family)] += 1
    same = sum(c * (c - 1) for c in names.values())
    return same / (sample * (sample - 1))


def _wrong_date(rng: random.Random, birth: dt.date) -> dt.date:
    kind = rng.randrange(3)
    if kind == 0:  # day and month swapped, or 1 January written for an unknown day
        return (
            birth.replace(month=min(birth.day, 12), day=min(birth.month, 28))
            if rng.random() < 0.5
            else birth.replace(month=1, day=1)
        )
    if kind == 1:
        return birth.replace(year=birth.year + rng.choice((-1, 1)), day=min(birth.day, 28))
    return birth + dt.timedelta(days=rng.randrange(-40, 40))
