"""Synthetic job ads with planted ground truth: flags with exact spans, templates, actors, shared contacts.

Used by the tests and benchmarks, and for demonstrations; nothing here comes from real ads. Each actor is
a legitimate employer (its ads share the employer's phone; half of them reuse a template) or a deceptive
recruiter (label 1: several company names and cities, shared phones and chat handles, one or two templates
carrying red-flag cues). Ads are written in English, Simplified Chinese and Traditional Chinese, with the
obfuscations the normaliser must undo (full-width and spaced digits, digits in Chinese numerals, 加V, 薇信).

Every planted cue is recorded as ``(flag, field, start, end)`` in the text actually written, so a test can
check that the scanner finds each one at exactly that span.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from opennrm.recruitment.lexicon import load_lexicon
from opennrm.recruitment.normalise import normalise

LANGUAGES = ("en", "zh-Hans", "zh-Hant")

# Cue phrases that must be found exactly as written (the whole phrase is the expected evidence).
_CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "worker_pays": ("registration fee", "training fee", "uniform fee", "refundable deposit", "visa fee"),
        "documents_held": (
            "we keep your passport",
            "passports will be held",
            "agency will keep all documents",
        ),
        "pay_out_of_line": ("earn $500 per day", "paid daily", "guaranteed income", "easy money"),
        "no_skill_needed": ("no experience needed", "anyone can apply"),
        "travel_arranged": ("free flights", "visa provided", "accommodation provided", "work in Dubai"),
        "vague_employer": ("confidential employer", "company name withheld"),
        "off_platform_contact": ("contact us on WhatsApp", "message me on Telegram"),
        "women_targeted": ("females only", "open-minded", "good appearance", "aged 18-25"),
        "euphemistic_sector": ("VIP hostess", "nightclub work", "escort", "karaoke staff"),
        "urgency": ("urgent hiring", "start tomorrow", "limited places"),
        "task_bait": ("work from home", "be your own boss", "top up your account", "typing job"),
        "debt_or_no_contract": (
            "salary advance",
            "deducted from your salary",
            "no contract",
            "repay the loan",
        ),
    },
    "zh-Hans": {
        "worker_pays": ("押金", "培训费", "报名费", "服装费", "体检费", "中介费"),
        "documents_held": ("证件由公司保管", "身份证统一保管"),
        "pay_out_of_line": ("日结", "月入过万", "日薪500", "保底工资"),
        "no_skill_needed": ("无需经验", "学历不限", "零基础"),
        "travel_arranged": ("包机票", "包签证", "包吃住", "海外务工", "柬埔寨工作"),
        "vague_employer": ("公司名称保密",),
        "off_platform_contact": ("加微信", "加V", "联系QQ"),
        "women_targeted": ("限女", "身高160", "形象气质佳", "18-25岁", "思想开放"),
        "euphemistic_sector": ("KTV", "伴游", "商务接待", "夜场", "ＫＴＶ"),
        "urgency": ("急招", "名额有限", "马上上岗"),
        "task_bait": ("刷单", "在家兼职", "做自己的老板", "动动手指"),
        "debt_or_no_contract": ("预支工资", "不签合同", "从工资扣", "培训贷"),
    },
    # Wording of Taiwan and Hong Kong ads; Traditional ads also get the Simplified cues converted with OpenCC.
    "zh-Hant": {
        "pay_out_of_line": ("日領",),
        "no_skill_needed": ("免經驗",),
        "off_platform_contact": ("加賴",),
        "euphemistic_sector": ("傳播妹", "禮服店"),
        "urgency": ("急徵",),
        "women_targeted": ("外型佳",),
    },
}
_CN_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "158",
    "186",
    "188",
)
_CUE_FRAMES = {
    "en": ("{cue}.", "Please note: {cue}.", "{cue}!", "Important: {cue}."),
    "zh": ("{cue}。", "注意：{cue}。", "{cue}！", "说明：{cue}。"),
}
_JOBS = {
    "en": (
        "sales assistant",
        "warehouse worker",
        "receptionist",
        "waiter",
        "cleaner",
        "driver",
        "cook",
        "accountant",
        "nurse aide",
        "shop assistant",
        "call centre agent",
        "factory operator",
    ),
    "zh": (
        "销售代表",
        "仓库管理员",
        "前台接待",
        "服务员",
        "保洁员",
        "司机",
        "厨师",
        "会计",
        "护理员",
        "店员",
        "客服专员",
        "普工",
    ),
}
_TASKS = {
    "en": (
        "serve customers and keep the shop tidy",
        "pack and label parcels",
        "answer phone calls",
        "prepare food in a busy kitchen",
        "drive delivery routes",
        "keep accounts and invoices",
        "help residents with daily care",
        "operate packing machines",
    ),
    "zh": (
        "接待顾客并整理货架",
        "负责包裹打包贴标",
        "接听客户电话",
        "在后厨准备餐食",
        "负责配送路线",
        "整理账目和发票",
        "协助照顾老人日常生活",
        "操作包装设备",
    ),
}
_CITIES = {
    "en": ("London", "Leeds", "Manchester", "Toronto", "Sydney", "Auckland", "Chicago", "Houston"),
    "zh-Hans": ("北京", "上海", "广州", "深圳", "成都", "武汉", "杭州", "西安"),
    "zh-Hant": ("台北", "台中", "高雄", "香港", "新竹", "桃園", "台南", "九龍"),
}


@dataclass(frozen=True, slots=True)
class PlantedFlag:
    flag: str
    field: str
    start: int | None
    end: int | None


@dataclass(frozen=True, slots=True)
class SyntheticAd:
    """A contract record and what the generator planted in it."""

    record: dict[str, Any]
    actor: str
    template: str | None
    flags: tuple[PlantedFlag, ...]
    identifiers: tuple[str, ...]
    label: int


@dataclass
class _Piece:
    text: str
    flag: str | None = None
    cue_offset: int = 0
    cue_length: int = 0


@dataclass
class _Actor:
    key: str
    lang: str
    deceptive: bool
    companies: list[str]
    company_ids: list[str]
    cities: list[str]
    phones: list[tuple[str, str]]  # (as written, E.164)
    handles: list[tuple[str, str, str]]  # (label written, handle, key)
    templates: list[tuple[str, list[_Piece]]] = field(default_factory=list)


def _script(lang: str) -> str:
    return "en" if lang == "en" else "zh"


@lru_cache(maxsize=1)
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


@lru_cache(maxsize=4)
def _filler_pool(script: str, seed: int) -> tuple[str, ...]:
    """Neutral filler sentences (Faker lorem text) with no red-flag cue in them."""
    import faker

    fake = faker.Faker("zh_CN" if script == "zh" else "en_US")
    fake.seed_instance(seed)
    lexicon = load_lexicon()
    pool: list[str] = []
    while len(pool) < 3000:
        sentence = fake.sentence(nb_words=10 if script == "zh" else 12)
        if not any(True for _ in lexicon.search(normalise(sentence), "text")):
            pool.append(sentence)
    return tuple(pool)


@lru_cache(maxsize=4)
def _company_pool(lang: str, seed: int) -> tuple[str, ...]:
    import faker

    fake = faker.Faker({"en": "en_US", "zh-Hans": "zh_CN", "zh-Hant": "zh_TW"}[lang])
    fake.seed_instance(seed)
    lexicon = load_lexicon()
    names = {fake.company() for _ in range(1500)}
    return tuple(sorted(n for n in names if not any(True for _ in lexicon.search(normalise(n), "text"))))


class SyntheticAds:
    """A reproducible stream of synthetic ads (same ``seed`` → same ads)."""

    def __init__(self, seed: int = 0, deceptive_share: float = 0.15, languages: tuple[str, ...] = LANGUAGES):
        self.random = random.Random(seed)  # noqa: S311 - invented test data, not a security use
        self.seed = seed
        self.deceptive_share = deceptive_share
        self.languages = languages
        self._actors = 0
        self._templates = 0

    # -- identifiers --------------------------------------------------------------------------------------

    def _phone(self, lang: str) -> tuple[str, str]:
        r = self.random
        if lang == "zh-Hans":
            digits = f"{r.choice(_CN_MOBILE_PREFIXES)}{r.randrange(10**8):08d}"
            style = r.randrange(5)
            written = (
                digits,
                f"{digits[:3]} {digits[3:7]} {digits[7:]}",
                digits.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
                f"+86 {digits[:3]}-{digits[3:7]}-{digits[7:]}",
                digits.translate(str.maketrans("0123456789", "零幺二三四五六七八九")),
            )[style]
            return written, f"+86{digits}"
        if lang == "zh-Hant":
            digits = f"09{r.randrange(10**8):08d}"
            style = r.randrange(3)
            written = (digits, f"{digits[:4]}-{digits[4:7]}-{digits[7:]}", " ".join(digits))[style]
            return written, f"+886{digits[1:]}"
        if r.random() < 0.5:
            rest = f"{r.randrange(2, 10)}{r.randrange(10**6):06d}"
            return f"+1 212 {rest[:3]} {rest[3:]}", f"+1212{rest}"
        rest = f"{r.randrange(10**7):07d}"
        return f"+971 50 {rest[:3]} {rest[3:]}", f"+97150{rest}"

    def _handle(self, lang: str) -> tuple[str, str, str]:
        r = self.random
        handle = "".join(r.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(r.randrange(5, 9)))
        handle += str(r.randrange(10, 9999))
        if lang == "zh-Hans":
            word = r.choice(("微信", "薇信", "VX", "微信号"))
            return word, handle, f"wechat:{handle}"
        if lang == "zh-Hant":
            return "LINE ID", handle, f"line:{handle}"
        return "Telegram", handle, f"telegram:{handle}"

    # -- text -----------------------------------------------------------------------------------------------

    def _filler(self, lang: str) -> str:
        return self.random.choice(_filler_pool(_script(lang), self.seed))

    def _neutral(self, lang: str) -> list[_Piece]:
        r = self.random
        script = _script(lang)
        job, task = r.choice(_JOBS[script]), r.choice(_TASKS[script])
        if script == "en":
            pieces = [
                f"We are looking for a {job} to join our team in {{city}}.",
                f"The {job} will {task}.",
                f"Working hours are {r.randrange(7, 10)}:00 to {r.randrange(16, 20)}:00, "
                f"{r.randrange(4, 7)} days a week.",
                "Salary: {salary} per month.",
                f"Our company was founded in {r.randrange(1970, 2022)} "
                f"and employs {r.randrange(5, 900)} people.",
            ]
        else:
            pieces = [
                f"我们正在{{city}}招聘{job}。",
                f"工作内容：{task}。",
                f"工作时间：早{r.randrange(7, 10)}点到晚{r.randrange(5, 9)}点，每周{r.randrange(4, 7)}天。",
                "薪资：{salary}元/月。",
                f"公司成立于{r.randrange(1970, 2022)}年，现有员工{r.randrange(5, 900)}人。",
            ]
        r.shuffle(pieces)
        pieces = pieces[: r.randrange(3, 6)]
        pieces += [self._filler(lang) for _ in range(r.randrange(3, 7))]
        r.shuffle(pieces)
        return [_Piece(p) for p in pieces]

    def _cue(self, lang: str, flag: str) -> _Piece:
        r = self.random
        options = list(_CUES["zh-Hans" if lang != "en" else "en"].get(flag, ()))
        if lang == "zh-Hant":
            options += list(_CUES["zh-Hant"].get(flag, ()))
        cue = r.choice(options)
        frame = r.choice(_CUE_FRAMES[_script(lang)])
        offset = frame.index("{cue}")
        if frame.startswith("{cue}") and lang == "en":
            cue = cue[0].upper() + cue[1:]
        return _Piece(frame.replace("{cue}", cue), flag, offset, len(cue))

    def _template(self, actor: _Actor, flags: list[str]) -> tuple[str, list[_Piece]]:
        self._templates += 1
        pieces = self._neutral(actor.lang)
        for flag in flags:
            pieces.insert(self.random.randrange(len(pieces) + 1), self._cue(actor.lang, flag))
        return f"T{self._templates:07d}", pieces

    def _contact_piece(self, actor: _Actor) -> tuple[_Piece, list[str]]:
        """Phone, and usually a chat handle; the handle's label is itself an off-platform cue."""
        r = self.random
        script = _script(actor.lang)
        written, e164 = r.choice(actor.phones)
        text = ("电话：" if script == "zh" else "Call ") + written
        keys = [f"phone:{e164}"]
        piece = _Piece(text)
        if actor.handles and r.random() < 0.5:
            label, handle, key = r.choice(actor.handles)
            separator = "，" if script == "zh" else ", "
            if actor.lang == "zh-Hans":
                cue, handle_text = f"{label}：", f"{label}：{handle}"
            elif actor.lang == "zh-Hant":
                cue, handle_text = label, f"{label}：{handle}"
            else:
                cue, handle_text = f"{label}:", f"{label}: @{handle}"
            piece = _Piece(
                text + separator + handle_text, "off_platform_contact", len(text) + len(separator), len(cue)
            )
            keys.append(key)
        piece.text += "。" if script == "zh" else "."
        return piece, keys

    # -- actors and ads -------------------------------------------------------------------------------------

    def _new_actor(self) -> _Actor:
        r = self.random
        self._actors += 1
        lang = r.choice(self.languages)
        deceptive = r.random() < self.deceptive_share
        names = _company_pool(lang, self.seed)
        cities = list(_CITIES[lang])
        if deceptive:
            companies = [r.choice(names) for _ in range(r.randrange(1, 4))]
            if r.random() < 0.3:
                companies.append("")
            actor_cities = r.sample(cities, r.randrange(1, 4))
            phones = [self._phone(lang) for _ in range(r.randrange(1, 6))]  # rotated numbers
            handles = [self._handle(lang) for _ in range(r.randrange(1, 3))]
        else:
            companies = [r.choice(names)]
            actor_cities = [r.choice(cities)]
            phones = [self._phone(lang)]
            handles = []
        actor = _Actor(
            key=f"A{self._actors:07d}",
            lang=lang,
            deceptive=deceptive,
            companies=companies,
            company_ids=[f"C{self._actors:07d}-{i}" for i in range(len(companies))],
            cities=actor_cities,
            phones=phones,
            handles=handles,
        )
        flag_ids = list(load_lexicon().ad_flag_ids)
        for _ in range(r.randrange(1, 3) if deceptive else 1):
            if deceptive:
                flags = r.sample(flag_ids, r.randrange(2, 6))
            else:
                flags = r.sample(("no_skill_needed", "urgency", "travel_arranged"), r.randrange(0, 2))
            actor.templates.append(self._template(actor, flags))
        return actor

    def _ad(self, actor: _Actor, number: int) -> SyntheticAd:
        r = self.random
        templated = actor.deceptive or actor.key[-1] in "02468"
        if templated:
            template_key, pieces = r.choice(actor.templates)
            pieces = list(pieces)
            if len(pieces) > 5 and r.random() < 0.3:
                droppable = [i for i, p in enumerate(pieces) if p.flag is None]
                if droppable:
                    pieces.pop(r.choice(droppable))
        else:
            template_key = None
            _, base = actor.templates[0]
            pieces = [p for p in base if p.flag is not None] + self._neutral(actor.lang)
            r.shuffle(pieces)
        contact, keys = self._contact_piece(actor)
        pieces = [*pieces, contact]
        company_index = r.randrange(len(actor.companies))
        city = r.choice(actor.cities)
        salary = str(r.randrange(20, 90) * 100) if actor.lang != "en" else f"£{r.randrange(15, 40) * 100:,}"
        separator = "" if actor.lang != "en" else " "
        text_parts: list[str] = []
        planted: list[PlantedFlag] = []
        position = 0
        for piece in pieces:
            content = piece.text.replace("{city}", city).replace("{salary}", salary)
            if actor.lang == "zh-Hant":
                converted = _s2t().convert(content)
                content = converted if len(converted) == len(content) else content
            if text_parts:
                text_parts.append(separator)
                position += len(separator)
            if piece.flag is not None:
                start = position + piece.cue_offset
                planted.append(PlantedFlag(piece.flag, "text", start, start + piece.cue_length))
            text_parts.append(content)
            position += len(content)
        text = "".join(text_parts)
        company = actor.companies[company_index]
        record: dict[str, Any] = {
            "id": f"ad-{number:07d}",
            "title": self._title(actor),
            "text": text,
            "company": company,
            "city": city,
            "lang": actor.lang,
        }
        if company:
            record["company_id"] = actor.company_ids[company_index]
        else:
            planted.append(PlantedFlag("vague_employer", "company", None, None))
        return SyntheticAd(
            record=record,
            actor=actor.key,
            template=template_key,
            flags=tuple(planted),
            identifiers=tuple(keys),
            label=1 if actor.deceptive else 0,
        )

    def _title(self, actor: _Actor) -> str:
        job = self.random.choice(_JOBS[_script(actor.lang)])
        if actor.lang == "zh-Hant":
            return str(_s2t().convert(job))
        return job.title() if actor.lang == "en" else job

    def ads(self, count: int, shuffle_window: int = 5000) -> Iterator[SyntheticAd]:
        """``count`` ads, actors' ads interleaved within a window (as a crawl would see them)."""
        r = self.random
        buffer: list[tuple[_Actor, int]] = []
        produced = 0
        while produced < count:
            actor = self._new_actor()
            size = 1 + min(int(r.expovariate(1 / (6.0 if actor.deceptive else 2.5))), 150)
            for _ in range(size):
                buffer.append((actor, 0))
            if len(buffer) >= shuffle_window or produced + len(buffer) >= count:
                r.shuffle(buffer)
                for actor_, _ in buffer:
                    if produced >= count:
                        break
                    yield self._ad(actor_, produced)
                    produced += 1
                buffer = []


def synthetic_ads(count: int, seed: int = 0, deceptive_share: float = 0.15) -> list[SyntheticAd]:
    """``count`` synthetic ads in a list (see ``SyntheticAds.ads`` for a stream)."""
    return list(SyntheticAds(seed, deceptive_share).ads(count))
