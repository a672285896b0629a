"""A labelled multi-organisation population for tuning and measuring linkage (no real person in it).

Persons are known to one to four organisations. Names come from regions trafficking flows commonly start in
(West Africa, the Horn of Africa, North Africa and the Middle East, Eastern Europe, South and Southeast Asia,
Latin America), in several transliterations and sometimes in their own script. Each organisation's record of
her is written down differently: another transliteration (Mohammed/Muhammad), dropped diacritics, typos,
given and family name swapped, a missing or wrong birth date, a different phone.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from opennrm.linkage.normalise import QuasiIdentifiers

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


@dataclass(frozen=True)
class SyntheticRecord:
    organisation: int
    person: int
    identifiers: QuasiIdentifiers


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
    persons: int, organisations: int = 4, seed: int = 16, noise: float = 1.0
) -> list[SyntheticRecord]:
    """Records of ``persons`` persons spread over ``organisations``; at most one record per person per
    organisation (each organisation's own de-duplication is done). ``noise`` scales every corruption."""
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, not a secret
    today = dt.date(2026, 6, 1)
    records: list[SyntheticRecord] = []
    for person in range(persons):
        given, family = _zipf_choice(rng, GIVEN), _zipf_choice(rng, FAMILY)
        g_base, f_base = rng.randrange(len(given)), rng.randrange(len(family))
        birth = today - dt.timedelta(days=rng.randrange(12 * 365, 55 * 365))
        sex = "female" if rng.random() < 0.92 else "male"
        phone = f"+{rng.randrange(20, 999)}{rng.randrange(10**8, 10**9)}"
        count = rng.choices(KNOWN_TO, weights=KNOWN_WEIGHTS)[0]
        for organisation in rng.sample(range(organisations), min(count, organisations)):
            g = _variant(rng, given, g_base, 0.25 * noise)
            f = _variant(rng, family, f_base, 0.25 * noise)
            if rng.random() < 0.06 * noise:
                g = _typo(rng, g)
            if rng.random() < 0.06 * noise:
                f = _typo(rng, f)
            if rng.random() < 0.10 * noise:
                g, f = f, g
            b: dt.date | None = birth
            roll = rng.random()
            if roll < 0.10 * noise:
                b = None
            elif roll < 0.18 * noise:
                b = _wrong_date(rng, birth)
            p: str | None = None
            if rng.random() < 0.5:
                p = (
                    phone
                    if rng.random() > 0.5 * noise
                    else f"+{rng.randrange(20, 999)}{rng.randrange(10**8, 10**9)}"
                )
            s: str | None = sex if rng.random() > 0.05 * noise else "unknown"
            records.append(SyntheticRecord(organisation, person, QuasiIdentifiers(g, f, b, s, p)))
    rng.shuffle(records)
    return records


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
