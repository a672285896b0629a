"""The packaged ILO/EC catalogue matches the reference note, and catalogue files are checked strictly."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from opennrm.screening import CatalogueError, Profile, Strength, load_catalogue, parse_catalogue, screen
from opennrm.screening.catalogue import Catalogue
from opennrm.screening.messages import REQUIRED_KEYS
from opennrm.screening.vocabulary import Dimension

# Reference note §1.3, "(A·L/C·L)" for each indicator; "-" = not in that list.
REFERENCE_STRENGTHS = """
DR01 S/S DR02 M/M DR03 M/M DR04 M/M DR05 M/M DR06 M/M DR07 M/M DR08 M/M DR09 M/M DR10 W/S
CR01 S/S CR02 M/S CR03 M/S CR04 M/S CR05 M/M CR06 M/M CR07 M/M CR08 M/M CR09 M/M CR10 M/M
AVR01 M/M AVR02 M/M AVR03 M/M AVR04 M/M AVR05 M/M AVR06 M/M AVR07 M/M AVR08 M/- AVR09 M/M AVR10 M/M
AVR11 M/M AVR12 M/M AVR13 M/M AVR14 M/M AVR15 W/M AVR16 W/M
EXP01 S/S EXP02 M/M EXP03 M/M EXP04 M/M EXP05 M/M EXP06 M/M EXP07 M/M EXP08 M/- EXP09 W/M
CD01 S/S CD02 S/S CD03 S/S CD04 S/S CD05 M/S CD06 M/S CD07 M/S CD08 M/S CD09 M/M CD10 M/M
CD11 M/M CD12 M/M CD13 M/M CD14 M/M CD15 W/M
AVD01 M/M AVD02 M/M AVD03 M/M AVD04 M/M AVD05 M/M AVD06 W/M AVD07 W/M
"""


def _reference() -> dict[str, tuple[str, str]]:
    words = REFERENCE_STRENGTHS.split()
    return {words[i]: tuple(words[i + 1].split("/")) for i in range(0, len(words), 2)}  # type: ignore[misc]


def test_adult_labour_list_has_the_67_indicators_in_six_dimensions(catalogue: Catalogue) -> None:
    counts = Counter(
        catalogue.indicators[key].dimension for key in catalogue.profiles[Profile.ADULT_LABOUR].strengths
    )
    assert [counts[d] for d in Dimension] == [10, 10, 16, 9, 15, 7]


def test_child_labour_list_has_65_indicators_and_no_weak_ones(catalogue: Catalogue) -> None:
    strengths = catalogue.profiles[Profile.CHILD_LABOUR].strengths
    assert len(strengths) == 65
    assert Strength.WEAK not in strengths.values()
    assert "AVR08" not in strengths and "EXP08" not in strengths


@pytest.mark.parametrize("indicator_id", sorted(_reference()))
def test_strengths_of_both_labour_lists_match_the_reference_note(
    catalogue: Catalogue, indicator_id: str
) -> None:
    adult, child = _reference()[indicator_id]
    assert catalogue.strength(Profile.ADULT_LABOUR, indicator_id) == Strength(adult)
    expected_child = None if child == "-" else Strength(child)
    assert catalogue.strength(Profile.CHILD_LABOUR, indicator_id) == expected_child
    assert indicator_id.startswith(catalogue.indicators[indicator_id].dimension.value)


def test_strength_is_stored_per_dimension_so_recruitment_and_destination_differ(catalogue: Catalogue) -> None:
    # confiscation of documents, debt bondage, isolation: M at recruitment, S at destination (adults)
    for at_recruitment, at_destination in (("CR05", "CD01"), ("CR04", "CD02"), ("CR06", "CD03")):
        assert catalogue.strength(Profile.ADULT_LABOUR, at_recruitment) is Strength.MEDIUM
        assert catalogue.strength(Profile.ADULT_LABOUR, at_destination) is Strength.STRONG


@pytest.mark.parametrize(
    ("sexual", "labour", "differences"),
    [
        # reference note §1.4: forced tasks or clients strong; no strong indicator in EXP for adults
        (Profile.ADULT_SEXUAL, Profile.ADULT_LABOUR, {"CD07": Strength.STRONG, "EXP01": Strength.MEDIUM}),
        # forced tasks or clients (already strong for children) and hazardous work strong
        (Profile.CHILD_SEXUAL, Profile.CHILD_LABOUR, {"CD07": Strength.STRONG, "EXP06": Strength.STRONG}),
    ],
)
def test_sexual_lists_are_provisional_and_use_the_labour_strengths_with_the_crosswalk_differences(
    catalogue: Catalogue, sexual: Profile, labour: Profile, differences: dict[str, Strength]
) -> None:
    assert catalogue.profiles[sexual].provisional is True
    assert catalogue.profiles[labour].provisional is False
    assert dict(catalogue.profiles[sexual].strengths) == {
        **catalogue.profiles[labour].strengths,
        **differences,
    }
    assert catalogue.profiles[sexual].provisional_note["en"]


def test_the_adult_sexual_list_has_no_strong_exploitation_indicator(catalogue: Catalogue) -> None:
    exploitation = [key for key in catalogue.indicators if key.startswith("EXP")]
    strengths = [catalogue.strength(Profile.ADULT_SEXUAL, key) for key in exploitation]
    assert Strength.STRONG not in strengths


@pytest.mark.parametrize("language", ["en", "zh-Hant", "zh-Hans"])
def test_every_text_and_question_exists_in_english_and_chinese(catalogue: Catalogue, language: str) -> None:
    for indicator in catalogue.indicators.values():
        assert indicator.text[language].strip(), indicator.id
        assert indicator.question[language].strip(), indicator.id
    for dimension in catalogue.dimensions.values():
        assert dimension.name[language] and dimension.intro[language]
    for profile in catalogue.profiles.values():
        assert profile.title[language]
    assert language in catalogue.languages


def test_questions_are_questions(catalogue: Catalogue) -> None:
    for indicator in catalogue.indicators.values():
        assert indicator.question["en"].endswith("?"), indicator.id
        assert indicator.question["zh-Hant"].endswith("？"), indicator.id


def test_every_message_set_is_complete(catalogue: Catalogue) -> None:
    for message_set in catalogue.messages.values():
        for section, keys in REQUIRED_KEYS.items():
            assert set(keys) <= set(message_set.sections[section])


def test_catalogue_names_its_sources_and_version(catalogue: Catalogue) -> None:
    assert catalogue.catalogue_version == "ilo-ec-2009@1.1.0"
    assert any("WCMS_105023" in source for source in catalogue.sources)


def test_packaged_yaml_cites_its_sources_in_the_header() -> None:
    import opennrm.screening as package

    folder = Path(package.__file__).parent / "catalogues"
    for name in ("ilo-ec-2009.yaml", "explanations.yaml"):
        header = (folder / name).read_text(encoding="utf-8").split("\n\n")[0]
        assert "Palermo Protocol" in header or "WCMS_105023" in header


# --- national catalogues (GR38 §77) ------------------------------------------------------------------------

NATIONAL = """\
schema: opennrm.screening.catalogue/1
id: xk-national
version: "2025.1"
extends: ilo-ec-2009
sources:
  - "National guidelines for the early identification of victims (2025)"
indicators:
  DR11:
    dimension: DR
    text:
      en: Deceived about the sponsor of a visa
      zh-Hant: 在簽證擔保人方面受騙
      fr: Trompée sur le garant du visa
    question:
      en: Was the visa sponsor someone other than you were told?
      fr: Le garant était-il un autre ?
  DR01:
    text: {fr: "Trompée sur la nature du travail, le lieu ou l'employeur"}
profiles:
  adult-labour:
    strengths:
      DR: {DR11: S}
      CD: {CD01: M}
"""


@pytest.fixture(scope="module")
def national() -> Catalogue:
    return parse_catalogue(NATIONAL, "xk.yaml")


def test_a_country_adds_an_indicator_with_its_own_strength(national: Catalogue) -> None:
    assert national.indicators["DR11"].dimension is Dimension.DECEPTIVE_RECRUITMENT
    result = screen(
        {"age": 30, "exploitation_form": "labour", "indicators": ["DR11", "DR01"]}, catalogue=national
    )
    assert result["dimensions"]["DR"]["met_by"] == "two_strong"
    assert result["catalogue_version"] == "xk-national@2025.1+ilo-ec-2009@1.1.0"


def test_a_stricter_national_strength_changes_the_outcome(national: Catalogue) -> None:
    raw = {"age": 30, "exploitation_form": "labour", "indicators": ["CD01", "CD03"]}
    assert screen(raw)["dimensions"]["CD"]["positive"] is True
    assert screen(raw, catalogue=national)["dimensions"]["CD"]["met_by"] == "strong_plus_one"
    assert national.strength(Profile.ADULT_LABOUR, "CD01") is Strength.MEDIUM


def test_the_inheriting_sexual_list_follows_the_national_labour_list(national: Catalogue) -> None:
    assert national.strength(Profile.ADULT_SEXUAL, "DR11") is Strength.STRONG
    assert national.strength(Profile.CHILD_LABOUR, "DR11") is None


def test_national_translations_are_added_to_the_packaged_ones(national: Catalogue) -> None:
    assert national.indicators["DR01"].text["fr"].startswith("Trompée")
    assert national.indicators["DR01"].text["zh-Hant"] == load_catalogue().indicators["DR01"].text["zh-Hant"]
    assert "National guidelines for the early identification of victims (2025)" in national.sources


def test_a_national_file_can_add_a_language_for_the_explanations(catalogue: Catalogue) -> None:
    lines = [
        "schema: opennrm.screening.catalogue/1",
        "id: xk",
        'version: "1"',
        "extends: ilo-ec-2009",
        "messages:",
    ]
    lines.append("  fr:")
    english = catalogue.messages["en"].sections
    for section, table in english.items():
        lines.append(f"    {section}:")
        for key, text in table.items():
            lines.append(f"      {_quote(key)}: {_quote('FR ' + text if section == 'sentences' else text)}")
    national = parse_catalogue("\n".join(lines), "fr.yaml")
    result = screen({"exploitation_form": "labour"}, lang="fr-BE", catalogue=national)
    assert result["lang"] == "fr"
    assert all(sentence.startswith("FR ") for sentence in result["explanation"])


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_load_catalogue_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "xk.yaml"
    path.write_text(NATIONAL, encoding="utf-8")
    assert "DR11" in load_catalogue(path).indicators


# --- malformed files: the error names the line and the key -------------------------------------------------

HEAD = 'schema: opennrm.screening.catalogue/1\nid: xk\nversion: "1"\nextends: ilo-ec-2009\n'


@pytest.mark.parametrize(
    ("body", "line", "key", "words"),
    [
        (
            "profiles:\n  adult-labour:\n    strengths:\n      DR: {DR01: X}\n",
            8,
            "profiles.adult-labour.strengths.DR.DR01",
            "'X'",
        ),
        (
            "indicators:\n  DR01:\n    dimension: DR\n    colour: red\n",
            8,
            "indicators.DR01.colour",
            "unknown key",
        ),
        ("indicators:\n  dr99:\n    dimension: DR\n", 6, "indicators.dr99", "not an allowed key"),
        ("indicators:\n  DR99:\n    dimension: DR\n", 6, "indicators.DR99.text", "English"),
        ("indicators:\n  DR01:\n    dimension: CD\n", 7, "indicators.DR01.dimension", "cannot move"),
        (
            "profiles:\n  adult-labour:\n    strengths:\n      CD: {DR01: S}\n",
            8,
            "profiles.adult-labour.strengths.CD.DR01",
            "belongs to dimension DR",
        ),
        (
            "profiles:\n  adult-labour:\n    strengths:\n      DR: {DR77: S}\n",
            8,
            "profiles.adult-labour.strengths.DR.DR77",
            "unknown indicator",
        ),
        (
            "profiles:\n  adult-labour:\n    inherits: adult-sexual\n",
            7,
            "profiles.adult-labour.inherits",
            "circle",
        ),
        ("profiles:\n  adult-farm: {}\n", 6, "profiles.adult-farm", "not an allowed key"),
        (
            "profiles:\n  adult-labour:\n    provisional: maybe\n",
            7,
            "profiles.adult-labour.provisional",
            "boolean",
        ),
        ("messages:\n  fr:\n    answers: {yes: Oui}\n", 7, "messages.fr.answers.yes", "quotes"),
        ("messages:\n  de:\n    sentences: {fallback: x}\n", 6, "messages.de.list.separator", "lacks"),
        (
            "messages:\n  en:\n    sentences: {age_adult: 'Age {years}'}\n",
            7,
            "messages.en.sentences.age_adult",
            "{age}",
        ),
        (
            "messages:\n  en:\n    sentences: {age_adult: 'Age {age'}\n",
            7,
            "messages.en.sentences.age_adult",
            "malformed",
        ),
        ("title: {en: a}\ntitle: {en: b}\n", 6, "title", "duplicate key"),
        ("indicators: [DR01\n", 6, None, "not valid YAML"),
        ("sources: [1]\n", 5, "sources.0", "string"),
    ],
)
def test_a_malformed_catalogue_is_refused_naming_line_and_key(
    body: str, line: int, key: str | None, words: str | None
) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(HEAD + body, "xk.yaml")
    error = caught.value
    assert error.source == "xk.yaml"
    assert error.line == line, str(error)
    assert error.key == key, str(error)
    if words is not None:
        assert words in str(error)
    assert "\n" not in str(error)
    assert str(error).startswith(f"xk.yaml, line {line}")


def test_a_translation_must_keep_the_english_placeholders() -> None:
    body = "messages:\n  zh-Hant:\n    sentences:\n      age_adult: 此人是成人。\n"
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(HEAD + body, "xk.yaml")
    assert caught.value.key == "messages.zh-Hant.sentences.age_adult"
    assert caught.value.line == 8
    assert "must use the placeholders {age}, not none" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("- a\n- b\n", "mapping"),
        (
            'schema: opennrm.screening.catalogue/1\nid: xk\nversion: "1"\nextends: nowhere\n',
            "unknown catalogue",
        ),
        ('schema: other/2\nid: xk\nversion: "1"\n', "schema"),
        ('schema: opennrm.screening.catalogue/1\nid: xk\nversion: "1"\n', "dimension DR is missing"),
    ],
)
def test_other_unusable_files_are_refused_with_one_line(text: str, words: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text, "bad.yaml")
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_file_is_a_catalogue_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(tmp_path / "absent.yaml")


def test_a_file_that_is_not_utf8_is_a_catalogue_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: {en: caf\xe9}\n".encode("latin-1"))
    with pytest.raises(CatalogueError, match="UTF-8"):
        load_catalogue(path)


def test_the_national_catalogue_example_in_the_docs_works() -> None:
    docs = Path(__file__).resolve().parents[3] / "docs" / "screening.md"
    if not docs.exists():
        pytest.skip("docs/screening.md not present")
    text = docs.read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    block = block.split("messages:", 1)[0]  # the docs abbreviate the message set
    national = parse_catalogue(block, "docs-example.yaml")
    assert national.strength(Profile.ADULT_LABOUR, "DR11") is Strength.STRONG
    assert national.strength(Profile.ADULT_LABOUR, "CD01") is Strength.MEDIUM
    assert national.strength(Profile.ADULT_LABOUR, "AVR16") is None  # ~ removes it from the list
    assert national.strength(Profile.ADULT_SEXUAL, "AVR16") is None  # and the inheriting list follows
    assert national.profiles[Profile.ADULT_SEXUAL].provisional is False
    assert national.profiles[Profile.CHILD_SEXUAL].provisional is True
    assert national.indicators["DR01"].text["fr"].startswith("Trompée")
