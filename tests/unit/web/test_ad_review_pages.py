"""The review pages show each red flag's name and explanation in the reader's language: the English text they
translate is the lexicon's own (recruitment/data/red_flags.yaml) and the licence check's
(recruitment/licences.py), word for word."""

from __future__ import annotations

from opennrm.recruitment.lexicon import load_lexicon
from opennrm.recruitment.licences import FLAG_EXPLANATION, FLAG_NAME, LICENCE_FLAG
from opennrm.web.pages.ads import flag_texts


def test_every_flag_of_the_lexicon_has_its_name_and_explanation_marked_for_translation() -> None:
    lexicon = {flag.id: (flag.name, flag.explanation) for flag in load_lexicon().flags}
    assert {**lexicon, LICENCE_FLAG: (FLAG_NAME, FLAG_EXPLANATION)} == flag_texts()
