"""The catalogue check: every language of the interface translates every string the pages can show.

Strings are extracted with Babel at test time with ``babel.cfg`` itself — the templates, every module under
``src`` and the YAML data files it names — so a string added anywhere without a translation fails here, in
every language. Text is marked where it lives, never copied into the web package to be extracted.
"""

from __future__ import annotations

import ast
import enum
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from opennrm.domain import services as domain_services
from opennrm.domain import vocabularies
from opennrm.domain.labels import VOCABULARY_LABELS
from opennrm.recruitment.lexicon import load_lexicon
from opennrm.recruitment.licences import FLAG_EXPLANATION, FLAG_NAME
from opennrm.screening import vocabulary as screening_vocabulary
from opennrm.services import dashboard, errors, reintegration, statistics
from opennrm.web import i18n
from opennrm.web.labels import field_label, label, labels

REPO = Path(__file__).resolve().parents[3]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
# Every language the interface offers: the six UN languages and any catalogue a deployment has added.
TRANSLATED = [tag for tag in i18n.available() if tag != i18n.SOURCE_LANGUAGE]


def _catalogue(tag: str) -> Catalog:
    language = i18n.language(tag)
    assert language.tag == tag and language.catalogue is not None, f"no catalogue for {tag}"
    with language.catalogue.open("rb") as handle:
        return read_po(handle)


def extracted() -> dict[str, list[str]]:
    """Every message id marked for translation (``babel.cfg``: all of ``src``, the templates, the YAML data
    files), with where it is."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(REPO), method_map, options_map, keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True
    ):
        ids = message if isinstance(message, tuple) else (message,)
        found.setdefault(ids[0], []).append(f"{filename}:{lineno}")
    return found


def _messages(catalogue: Catalog) -> Iterator[tuple[str, object, bool]]:
    for message in catalogue:
        if message.id:
            key = message.id if isinstance(message.id, str) else message.id[0]
            yield key, message.string, message.fuzzy


@pytest.fixture(scope="module")
def strings() -> dict[str, list[str]]:
    found = extracted()
    assert len(found) > 300, "extraction found too few strings: is the method map right?"
    return found


def test_the_six_un_languages_and_both_chinese_scripts_are_offered() -> None:
    assert set(i18n.UN_LANGUAGES) <= set(i18n.available())
    assert i18n.language("ar").direction == "rtl"
    assert {i18n.language(t).direction for t in i18n.UN_LANGUAGES if t != "ar"} == {"ltr"}


@pytest.mark.parametrize("tag", TRANSLATED)
def test_no_entry_is_untranslated_or_fuzzy(tag: str) -> None:
    catalogue = _catalogue(tag)
    untranslated = [
        key
        for key, text, _ in _messages(catalogue)
        if not text or (isinstance(text, tuple) and not all(text))
    ]
    fuzzy = [key for key, _, is_fuzzy in _messages(catalogue) if is_fuzzy]
    assert not untranslated, f"{tag}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{tag}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    assert not catalogue.fuzzy, f"{tag}: the catalogue header is marked fuzzy"


@pytest.mark.parametrize("tag", TRANSLATED)
def test_every_string_in_the_templates_and_code_has_a_translation(
    tag: str, strings: dict[str, list[str]]
) -> None:
    translated = {key for key, text, is_fuzzy in _messages(_catalogue(tag)) if text and not is_fuzzy}
    missing = {key: where for key, where in strings.items() if key not in translated}
    assert not missing, (
        f"{tag} lacks {len(missing)} translations (run the update in docs/i18n.md): "
        + "; ".join(f"{key!r} at {where[0]}" for key, where in list(missing.items())[:8])
    )


@pytest.mark.parametrize("tag", TRANSLATED)
def test_translations_keep_every_placeholder(tag: str) -> None:
    catalogue = _catalogue(tag)
    problems = [(message.id, [str(e) for e in errs]) for message, errs in catalogue.check() if errs]
    assert not problems, f"{tag}: {problems[:5]}"


@pytest.mark.parametrize("tag", TRANSLATED)
def test_compiled_catalogue_translates_what_the_po_file_says(tag: str) -> None:
    with i18n.activated(tag):
        for key, text, _ in list(_messages(_catalogue(tag)))[:50]:
            assert i18n.gettext(key) == text


# -- vocabulary labels ---------------------------------------------------------------------------------

SHOWN_VOCABULARIES: list[type[enum.StrEnum]] = [
    vocabularies.Sex,
    vocabularies.Gender,
    vocabularies.CaseStatus,
    vocabularies.TraffickingStatus,
    vocabularies.MigrationStatus,
    vocabularies.Disability,
    vocabularies.SocioeconomicMarker,
    vocabularies.EducationLevel,
    vocabularies.ExploitationType,
    vocabularies.MeansOfControl,
    vocabularies.RecruitmentMethod,
    vocabularies.EventType,
    vocabularies.OrganisationType,
    screening_vocabulary.Act,
    screening_vocabulary.Means,
    screening_vocabulary.Purpose,
    screening_vocabulary.ExploitationForm,
    screening_vocabulary.Profile,
    screening_vocabulary.Rule,
    *(
        member
        for _, member in inspect.getmembers(domain_services, inspect.isclass)
        if issubclass(member, enum.StrEnum)
        and member.__module__ == domain_services.__name__
        and member.__name__ not in {"ReferralStep", "Side"}
    ),
]


@pytest.mark.parametrize("vocabulary", SHOWN_VOCABULARIES, ids=lambda v: v.__name__)
def test_every_code_a_page_shows_has_a_translated_label(vocabulary: type[enum.StrEnum]) -> None:
    unlabelled = [m.value for m in vocabulary if m.value not in VOCABULARY_LABELS]
    assert not unlabelled, f"add these codes of {vocabulary.__name__} to VOCABULARY_LABELS: {unlabelled}"


def test_labels_and_strength_words_are_translated() -> None:
    words = [s.word for s in screening_vocabulary.Strength]
    assert all(w in VOCABULARY_LABELS for w in words)
    with i18n.activated("fr"):
        assert label("forced_labour") == "travail forcé"
        assert (
            labels(["debt_bondage", "withholds_documents"])
            == "servitude pour dettes, confiscation des documents"
        )
        assert field_label("given_name") == "Prénom"
        assert label("a_code_nobody_defined") == "a code nobody defined"
        assert label(None) == "–"
    assert label("forced_labour") == "forced labour"


# -- text is marked where it lives, never copied -------------------------------------------------------


def test_text_from_other_modules_and_data_files_is_extracted_where_it_lives(
    strings: dict[str, list[str]],
) -> None:
    """Error titles, the dashboard's bands, the open tasks of a case's entitlements, the statistics tables'
    titles, the follow-up labels and the red flags' names and explanations are extracted from the module or
    YAML file that holds them (no copy in the web package keeps them in the catalogue)."""
    titles = {
        cls.title
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.ServiceError)
    }
    shown_elsewhere = {
        "src/opennrm/services/errors.py": titles,
        "src/opennrm/services/dashboard.py": {t for t, _low, _high in dashboard.DAY_BUCKETS}
        | {t for t, _low, _high in dashboard.DECISION_DAY_BUCKETS},
        "src/opennrm/services/statistics.py": {t for t, _rows, _columns in statistics.DASHBOARD_TABLES}
        | {t for t, _dimension in statistics.FILTERED_TABLES}
        | {statistics.TOTAL_LABEL},
        "src/opennrm/services/reintegration.py": set(reintegration.LABELS.values()),
        "src/opennrm/recruitment/licences.py": {FLAG_NAME, FLAG_EXPLANATION},
        "src/opennrm/recruitment/data/red_flags.yaml": {
            text for flag in load_lexicon().flags for text in (flag.name, flag.explanation)
        },
    }
    source = ast.parse(Path(inspect.getfile(domain_services)).read_text(encoding="utf-8"))
    outstanding = {
        node.args[0].args[0].value
        for node in ast.walk(source)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "append"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "outstanding"
        and node.args
        and isinstance(node.args[0], ast.Call)
        and node.args[0].args
        and isinstance(node.args[0].args[0], ast.Constant)
    }
    assert outstanding, "entitlements_for no longer lists open tasks as outstanding.append(N_('...'))"
    shown_elsewhere["src/opennrm/domain/services.py"] = outstanding
    unmarked = {
        (home, text)
        for home, texts in shown_elsewhere.items()
        for text in texts
        if home not in {where.rsplit(":", 1)[0] for where in strings.get(text, [])}
    }
    assert unmarked == set(), "mark these with N_() where they live (or name the file in babel.cfg)"


def test_no_string_of_another_module_is_copied_into_the_web_package(strings: dict[str, list[str]]) -> None:
    """A string marked both in the web package's Python code and outside it is a copy kept for extraction
    (the old ``MESSAGES_FROM_ELSEWHERE``, ``FLAG_TEXTS``): the web should use the other module's constant,
    which the extraction already covers. Templates may of course show it. The vocabulary labels
    (``domain/labels.py``) are words — "female", "Birth date" — that a page may also use for its own fields."""
    copies = {
        text: where
        for text, where in strings.items()
        if any(w.startswith("src/opennrm/web/") and ".py:" in w for w in where)
        and any(not w.startswith(("src/opennrm/web/", "src/opennrm/domain/labels.py:")) for w in where)
    }
    assert copies == {}


def test_no_copy_list_is_left_in_the_web_package() -> None:
    assert not hasattr(i18n, "MESSAGES_FROM_ELSEWHERE")
