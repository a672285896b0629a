"""Names and order of the numeric features the risk model reads.

Ad-level features are computed ad by ad (in any partition); network features need the whole batch and are
computed after linking. Both are plain ``float32`` vectors in the order given here; ``nan`` means unknown.
"""

from __future__ import annotations

from collections.abc import Sequence

from opennrm.recruitment.lexicon import load_lexicon
from opennrm.recruitment.structure import STRUCTURAL_FEATURES

#: Flag id of the network signal (lexicon flag 13), added after linking.
NETWORK_FLAG = "shared_across_employers"

NETWORK_FEATURES: tuple[str, ...] = (
    "employer_ads_log",
    "employer_titles_log",
    "employer_title_diversity",
    "actor_size_log",
    "actor_employers",
    "actor_cities",
    "template_size_log",
    "template_employers",
    "identifier_shared_across_employers",
)


def flag_feature_names(flag_ids: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"flag:{flag_id}" for flag_id in flag_ids)


def ad_feature_names() -> tuple[str, ...]:
    """Features known from the ad alone: text-model logit, flags, structure."""
    flags = load_lexicon().ad_flag_ids
    return ("text_logit", *flag_feature_names(flags), "flag_count", *STRUCTURAL_FEATURES)


def all_feature_names() -> tuple[str, ...]:
    return (*ad_feature_names(), *NETWORK_FEATURES)
