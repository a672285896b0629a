"""Text normalisation that keeps a map back to the original characters.

Steps, in order: Unicode NFKC (full-width letters and digits become ASCII, circled digits become digits);
Traditional to Simplified Chinese with OpenCC (so one lexicon and one character model serve both scripts);
obfuscated contact spellings rewritten to a canonical word (加V / 薇信 / VX → 微信, 扣扣 → QQ, ...);
phone-like digit runs written with spaces, dashes or Chinese numerals collapsed into plain digits.

Nothing strips non-ASCII text or digits. Every character of the normalised text remembers the span of the
original text it came from, so evidence found in the normalised text is reported in the original.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# Obfuscated spellings of contact channels, as seen in Chinese job-scam warnings and in the ORFD keyword list
# (see docs/recruitment.md, flag 7). Each pattern is matched case-insensitively on the NFKC, Simplified text.
_CONTACT_SPELLINGS: tuple[tuple[str, str], ...] = (
    (
        r"[薇威徽维嶶围][\s_]*[信芯心❤♥]|(?<![a-z])[vw][\s_]*[信芯心❤♥]|(?<![a-z])(?:vx|wx|weixin|wechat)(?![a-z])",
        "微信",
    ),
    (r"加[\s_]*(?:v|w|薇|威|微)(?![a-z信芯心❤♥])", "加微信"),
    (r"扣扣|企鹅号|(?<![a-z0-9@.])q[\s_]*q(?![a-z0-9]|\.[a-z])", "QQ"),
    (r"纸飞机|飞机号|电报号|(?<![a-z])(?:tg|telegr[a-z]*|teleg)(?=[\s_]*[:：@号])", "Telegram"),
    (r"(?<![a-z])(?:whats[\s_'’]*app|wats[\s_]*app|watsap+|whatsap|w/app|w\.app)(?![a-z])", "WhatsApp"),
)
_CONTACT_RE = re.compile("|".join(f"(?P<g{i}>{p})" for i, (p, _) in enumerate(_CONTACT_SPELLINGS)), re.I)
_CONTACT_CANON = {f"g{i}": canon for i, (_, canon) in enumerate(_CONTACT_SPELLINGS)}

_CHINESE_DIGITS = str.maketrans("零〇一二三四五六七八九幺两", "0012345678912")
_CHINESE_DIGIT_RUN = re.compile(r"[零〇一二三四五六七八九幺两]{7,15}")
# A run of digits broken by spaces, dots or dashes: collapsed when it looks like a phone number
# (three or more groups, or single spaced digits), never for a two-part range such as a salary 8000-12000.
_SPACED_DIGITS = re.compile(
    r"(?<![A-Za-z0-9_])(?:\d+(?:[ \t\u3000.\-·・_]{1,3}\d+){2,}|\d(?:[ \t\u3000]\d){6,})"
)
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}")

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """Normalised text and, per normalised character, the ``[start, end)`` span of the original it came from.

    ``starts``/``ends`` are ``None`` when normalisation changed nothing (identity map).
    """

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text behind ``text[start:end]`` (``start < end``)."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            position = self.starts[start] if start < len(self.starts) else len(self.original)
            return position, position
        return self.starts[start], self.ends[end - 1]


class _Builder:
    """Accumulates normalised characters with their original spans."""

    __slots__ = ("chars", "ends", "starts")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, piece: str, start: int, end: int) -> None:
        for char in piece:
            self.chars.append(char)
            self.starts.append(start)
            self.ends.append(end)


def _identity(text: str) -> NormalisedText:
    return NormalisedText(text, text)


def _compose(previous: NormalisedText, builder: _Builder) -> NormalisedText:
    """Chain a step's map (into ``previous.text``) with ``previous``'s map (into the original)."""
    if previous.starts is None or previous.ends is None:
        starts, ends = builder.starts, builder.ends
    else:
        starts = [previous.starts[s] for s in builder.starts]
        ends = [previous.ends[e - 1] if e > 0 else 0 for e in builder.ends]
    return NormalisedText(previous.original, "".join(builder.chars), tuple(starts), tuple(ends))


_NFKC_TABLE: dict[int, str] = {}
_NFKC_IRREGULAR: set[str] = set()


def _nfkc_table_covers(chars: set[str]) -> bool:
    """Extend the one-to-one NFKC character table; ``False`` if some character is not one-to-one."""
    for char in chars:
        code = ord(char)
        if code in _NFKC_TABLE or char in _NFKC_IRREGULAR:
            continue
        mapped = unicodedata.normalize("NFKC", char)
        if len(mapped) == 1 and not unicodedata.combining(char):
            _NFKC_TABLE[code] = mapped
        else:
            _NFKC_IRREGULAR.add(char)
    return not (chars & _NFKC_IRREGULAR)


def _nfkc(current: NormalisedText) -> NormalisedText:
    text = current.text
    if unicodedata.is_normalized("NFKC", text):
        return current
    if _nfkc_table_covers(set(text)):
        # Every character maps to exactly one character: same length, same positions.
        return NormalisedText(current.original, text.translate(_NFKC_TABLE), current.starts, current.ends)
    builder = _Builder()
    index = 0
    while index < len(text):
        end = index + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        builder.add(unicodedata.normalize("NFKC", text[index:end]), index, end)
        index = end
    return _compose(current, builder)


@lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    """OpenCC's Traditional-to-Simplified conversion, as a character table plus its phrase exceptions.

    The tables are OpenCC's own ``TSCharacters`` and ``TSPhrases`` dictionaries (shipped with
    ``opencc-python-reimplemented``); applying them with ``str.translate`` and one regular expression gives
    the same result as ``OpenCC("t2s").convert`` about fifty times faster, and never changes the length of
    the text (phrases whose conversion would are left to the character table).
    """
    from importlib import resources

    folder = resources.files("opencc").joinpath("dictionary")
    table: dict[int, str] = {}
    for line in folder.joinpath("TSCharacters.txt").read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets:
            table[ord(source)] = targets.split(" ")[0]
    phrases: dict[str, str] = {}
    for line in folder.joinpath("TSPhrases.txt").read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if target and len(target) == len(source) and source.translate(table) != target:
            phrases[source] = target
    if not phrases:
        return lambda text: text.translate(table)
    pattern = re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)))

    def convert(text: str) -> str:
        converted = text.translate(table)
        matches = list(pattern.finditer(text))
        if not matches:
            return converted
        pieces: list[str] = []
        position = 0
        for match in matches:
            pieces.append(converted[position : match.start()])
            pieces.append(phrases[match.group(0)])
            position = match.end()
        pieces.append(converted[position:])
        return "".join(pieces)

    return convert


def to_simplified(text: str) -> str:
    """Traditional to Simplified Chinese (OpenCC ``t2s``); other text unchanged."""
    return _t2s()(text) if _CJK.search(text) else text


def _simplify(current: NormalisedText) -> NormalisedText:
    text = current.text
    if not _CJK.search(text):
        return current
    converted = _t2s()(text)
    if converted == text:
        return current
    # The conversion keeps the length, so the character map is unchanged.
    return NormalisedText(current.original, converted, current.starts, current.ends)


def _rewrite(
    current: NormalisedText, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]
) -> NormalisedText:
    text = current.text
    matches = [m for m in pattern.finditer(text) if replace(m) != m.group(0)]
    if not matches:
        return current
    builder = _Builder()
    position = 0
    for match in matches:
        for index in range(position, match.start()):
            builder.add(text[index], index, index + 1)
        builder.add(replace(match), match.start(), match.end())
        position = match.end()
    for index in range(position, len(text)):
        builder.add(text[index], index, index + 1)
    return _compose(current, builder)


def _contact_word(match: re.Match[str]) -> str:
    return _CONTACT_CANON[match.lastgroup or ""]


def _collapse_digits(match: re.Match[str]) -> str:
    run = match.group(0)
    if _DATE.fullmatch(run):
        return run
    groups = re.findall(r"\d+", run)
    digits = "".join(groups)
    if not 7 <= len(digits) <= 15:
        return run
    spaced_single_digits = all(len(group) == 1 for group in groups)
    phone_like_groups = len(groups) >= 3 and max(len(group) for group in groups) >= 3
    return digits if spaced_single_digits or phone_like_groups else run


def _chinese_digits(match: re.Match[str]) -> str:
    return match.group(0).translate(_CHINESE_DIGITS)


def normalise(text: str) -> NormalisedText:
    """Normalise ad text for matching, keeping the map back to ``text``."""
    current = _identity(text)
    current = _nfkc(current)
    current = _simplify(current)
    current = _rewrite(current, _CONTACT_RE, _contact_word)
    current = _rewrite(current, _CHINESE_DIGIT_RUN, _chinese_digits)
    current = _rewrite(current, _SPACED_DIGITS, _collapse_digits)
    return current


def detect_language(text: str) -> str:
    """A BCP-47-style tag: ``zh-Hans``, ``zh-Hant``, ``ja``, ``ko``, another langdetect code, or ``und``.

    Chinese script is decided by counting characters (fast and reliable for Chinese, which langdetect often
    confuses with Japanese or Korean); Traditional when OpenCC changes more than 3 % of the Han characters.
    Latin-script text full of English function words is English; other text goes to ``langdetect`` with
    a fixed seed, so the answer is the same on every run.
    """
    sample = text[:2000]
    han = len(_CJK.findall(sample))
    kana = len(_KANA.findall(sample))
    hangul = len(_HANGUL.findall(sample))
    letters = len(_LETTER.findall(sample))
    if letters == 0:
        return "und"
    if kana > 0.1 * max(han, 1) and kana >= 3:
        return "ja"
    if hangul > han and hangul >= 3:
        return "ko"
    if han >= 0.2 * letters:
        hans = _t2s()(sample)
        changed = sum(1 for a, b in zip(sample, hans, strict=False) if a != b)
        return "zh-Hant" if changed > 0.03 * han else "zh-Hans"
    if _looks_english(sample):
        return "en"
    return _langdetect(sample[:400])


# Frequent English function words: a Latin-script ad where they are at least 15 % of the words is English.
# This spares langdetect (a few milliseconds per ad) for most English ads; other languages still get it.
_ENGLISH_FUNCTION_WORDS = (
    "the and to of a in for is you with on are our we will be your an as at or this that from have can "
    "all must by it not who us"
)
_ENGLISH_WORDS = frozenset(_ENGLISH_FUNCTION_WORDS.split())
_WORD = re.compile(r"[A-Za-z']+")


def _looks_english(sample: str) -> bool:
    words = [word.lower() for word in _WORD.findall(sample[:600])]
    if len(words) < 8:
        return False
    return sum(word in _ENGLISH_WORDS for word in words) >= 0.15 * len(words)


def _langdetect(sample: str) -> str:
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        return str(detect(sample))
    except LangDetectException:
        return "und"
