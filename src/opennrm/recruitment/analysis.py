"""Everything that can be known about one ad on its own: language, flags, identifiers, structure.

``analyse_ad`` is pure and needs no model; the pipeline adds the text model's score in batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from opennrm.recruitment.ads import TEXT_FIELDS, JobAd
from opennrm.recruitment.identifiers import (
    REGION_BY_LANGUAGE,
    Identifier,
    find_identifiers,
    given_identifiers,
    mask_identifiers,
)
from opennrm.recruitment.lexicon import FlagHit, Lexicon, load_lexicon
from opennrm.recruitment.normalise import detect_language, normalise
from opennrm.recruitment.structure import STRUCTURAL_FEATURES, employer_gaps, structural_features

_IDENTIFIER_FIELDS = ("title", "text")
_FIELD_ORDER = {name: i for i, name in enumerate(TEXT_FIELDS)}


def _inside_identifier(hit: FlagHit, identifiers: list[Identifier]) -> bool:
    """A cue inside a handle or address (``ktv888``) is part of an identifier, not evidence of its own."""
    if hit.start is None or hit.end is None:
        return False
    return any(
        i.field == hit.field
        and i.start is not None
        and i.end is not None
        and i.start <= hit.start
        and hit.end <= i.end
        for i in identifiers
    )


@dataclass(frozen=True, slots=True)
class AdAnalysis:
    """One ad, analysed: what the model reads and what the reviewer sees."""

    ad: JobAd
    lang: str
    flags: tuple[FlagHit, ...]
    identifiers: tuple[Identifier, ...]
    structure: dict[str, float]
    model_text: str
    """Normalised title and text fields with identifiers masked: what the character model reads."""

    @property
    def flag_ids(self) -> frozenset[str]:
        return frozenset(hit.flag for hit in self.flags)

    def ad_vector(self, flag_ids: tuple[str, ...], text_logit: float = 0.0) -> np.ndarray:
        """The ad-level feature vector (order of ``features.ad_feature_names``)."""
        present = self.flag_ids
        values = [text_logit, *(1.0 if f in present else 0.0 for f in flag_ids), float(len(present))]
        values.extend(self.structure[name] for name in STRUCTURAL_FEATURES)
        return np.asarray(values, dtype=np.float32)


def analyse_ad(ad: JobAd, lexicon: Lexicon | None = None, link_only: bool = False) -> AdAnalysis:
    """Normalise, detect language, find flags, identifiers and structural features of one ad.

    ``link_only`` skips flags and structure (what linking alone does not need).
    """
    lexicon = lexicon or load_lexicon()
    lang = ad.lang or detect_language(f"{ad.title}\n{ad.text}")
    region = REGION_BY_LANGUAGE.get(lang) or REGION_BY_LANGUAGE.get(lang.split("-")[0])
    flags: list[FlagHit] = []
    identifiers: list[Identifier] = []
    pieces: list[str] = []
    for field in TEXT_FIELDS:
        text = ad.field_text(field)
        if not text:
            continue
        normalised = normalise(text)
        if not link_only:
            flags.extend(lexicon.search(normalised, field))
        found = find_identifiers(normalised, field, region) if field in _IDENTIFIER_FIELDS else []
        identifiers.extend(found)
        spans = [(*i.normalised_span, i.kind) for i in found if i.normalised_span is not None]
        pieces.append(mask_identifiers(normalised.text, spans))
    flags = [hit for hit in flags if not _inside_identifier(hit, identifiers)]
    flags.sort(key=lambda hit: (_FIELD_ORDER.get(hit.field, 99), hit.start or 0))
    if not link_only:
        flags.extend(employer_gaps(ad))
    identifiers.extend(given_identifiers(ad.phones, ad.emails, ad.handles, region))
    return AdAnalysis(
        ad=ad,
        lang=lang,
        flags=tuple(flags),
        identifiers=tuple(identifiers),
        structure={} if link_only else structural_features(ad),
        model_text="\n".join(pieces),
    )
