"""Which language a request gets, how dates and numbers read in it, how a language is added without code,
and how the deployment's leaflet settings are read."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from opennrm.web import formatting, i18n, negotiation
from opennrm.web.pages import public

UN = ("ar", "zh-Hant", "zh-Hans", "en", "fr", "ru", "es")


def test_accept_language_is_read_most_wanted_first() -> None:
    assert negotiation.parse_accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5") == [
        "fr-CH",
        "fr",
        "en",
        "de",
    ]
    assert negotiation.parse_accept_language("en;q=0.1, ar") == ["ar", "en"]
    assert negotiation.parse_accept_language("ru;q=0, es;q=nonsense, ,") == []
    assert negotiation.parse_accept_language(None) == []


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("ar", "ar"),
        ("ar-EG", "ar"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-Hant-TW", "zh-Hant"),
        ("zh_hant", "zh-Hant"),
        ("zh", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("en-GB", "en"),
        ("FR-ca", "fr"),
        ("ru-RU", "ru"),
        ("es-419", "es"),
    ],
)
def test_a_requested_language_finds_its_nearest_catalogue(requested: str, expected: str) -> None:
    assert negotiation.match(requested, UN) == expected


@pytest.mark.parametrize("requested", ["de", "pt-BR", "", None, "x" * 40, "<script>", "../../etc"])
def test_anything_else_matches_nothing(requested: str | None) -> None:
    assert negotiation.match(requested, UN) is None


def test_preference_then_cookie_then_accept_language_then_english() -> None:
    assert negotiation.negotiate("ru", "ar", "fr", UN) == "ru"
    assert negotiation.negotiate(None, "ar", "fr", UN) == "ar"
    assert negotiation.negotiate("tlh", "xx", "de, zh-TW;q=0.5", UN) == "zh-Hant"
    assert negotiation.negotiate(None, None, "de, pt", UN) == "en"
    assert negotiation.negotiate(None, None, None, UN) == "en"


def test_arabic_is_right_to_left_and_names_itself() -> None:
    arabic = i18n.language("ar")
    assert (arabic.direction, arabic.name) == ("rtl", "العربية")
    assert i18n.language("zh-Hant").name.startswith("中文")
    assert i18n.language("fr").name == "Français"
    assert i18n.language("no-such").tag == "en"


def _spaces(text: str) -> str:
    """CLDR puts (narrow) no-break spaces in dates and numbers; compare them as plain spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_dates_and_numbers_read_as_in_the_language() -> None:
    when = dt.datetime(2024, 4, 2, 14, 5, tzinfo=dt.UTC)
    with i18n.activated("fr"):
        assert _spaces(formatting.format_date(when.date())) == "2 avr. 2024"
        assert _spaces(formatting.format_datetime(when)) == "2 avr. 2024, 14:05 UTC"
        assert _spaces(formatting.format_number(12345.5)) == "12 345,5"
        assert _spaces(formatting.format_date("2024-04-02")) == "2 avr. 2024"
        assert _spaces(formatting.format_datetime("2024-04-02 14:05")) == "2 avr. 2024, 14:05 UTC"
    with i18n.activated("zh-Hant"):
        assert formatting.format_date(when) == "2024年4月2日"
    with i18n.activated("ru"):
        assert _spaces(formatting.format_date(when)) == "2 апр. 2024 г."
    with i18n.activated("es"):
        assert formatting.format_number(12345.5) == "12.345,5"
    with i18n.activated("ar"):
        assert "2024" in formatting.format_date(when) and formatting.format_datetime(when).endswith("UTC")
    assert formatting.format_date(None) == "–" and formatting.format_date("not a date") == "not a date"
    assert formatting.format_number(None) == "–" and formatting.format_number(True) == "True"


def test_the_active_language_is_restored_after_a_rendering() -> None:
    with i18n.activated("ar"):
        assert i18n.active().tag == "ar"
        with i18n.activated("ru"):
            assert i18n.gettext("Cases") == "Дела"
        assert i18n.gettext("Cases") == "الحالات"
    assert i18n.gettext("Cases") == "Cases"
    with i18n.activated("xx"):
        assert i18n.active().tag == "en"


def test_a_language_is_added_by_dropping_a_catalogue_directory(tmp_path: Path) -> None:
    """No code change: a ``<locale>/LC_MESSAGES/messages.po`` directory is a language; its name, direction
    and date formats come from Babel's locale data."""
    source = i18n.language("fr").catalogue
    assert source is not None
    for locale in ("de", "fa"):
        target = tmp_path / locale / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(source, target / "messages.po")
    (tmp_path / "notalocale" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "notalocale" / "LC_MESSAGES" / "messages.po").write_text("", encoding="utf-8")
    found = i18n._discover(tmp_path)
    assert set(found) == {"en", "de", "fa"}
    assert found["de"].name == "Deutsch" and found["de"].direction == "ltr"
    assert found["fa"].direction == "rtl"
    compiled = i18n.compile_catalogue(found["de"].catalogue)  # type: ignore[arg-type]
    assert compiled.gettext("Cases") == "Dossiers"


def test_a_fuzzy_entry_is_shown_in_english(tmp_path: Path) -> None:
    po = tmp_path / "messages.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        '#, fuzzy\nmsgid "Cases"\nmsgstr "Dossiers"\n\nmsgid "Log in"\nmsgstr "Se connecter"\n',
        encoding="utf-8",
    )
    compiled = i18n.compile_catalogue(po)
    assert compiled.gettext("Cases") == "Cases"
    assert compiled.gettext("Log in") == "Se connecter"


# -- the leaflet's deployment settings -----------------------------------------------------------------


def test_leaflet_services_are_read_in_the_leaflet_language() -> None:
    settings = public.parse_rights_settings(
        {
            "quick_exit_url": "https://weather.example/today",
            "services": [
                {
                    "name": {"en": "Rose shelter", "ar": "مأوى الوردة"},
                    "phone": "+44 20 7946 0000",
                    "hours": {"en": "Day and night", "zh-Hant": "全天候"},
                    "description": "Women only",
                }
            ],
        }
    )
    assert settings.quick_exit_url == "https://weather.example/today"
    [arabic] = public.services_in(settings, "ar")
    assert (arabic.name, arabic.hours, arabic.description) == ("مأوى الوردة", "Day and night", "Women only")
    assert arabic.tel == "tel:+442079460000"
    [chinese] = public.services_in(settings, "zh-Hant")
    assert (chinese.name, chinese.hours) == ("Rose shelter", "全天候")


@pytest.mark.parametrize(
    "raw",
    [
        ["a list"],
        {"services": [{"phone": "123"}]},
        {"services": [{"name": "x", "address": "12 Hidden Street"}]},
        {"services": "x"},
        {"quick_exit_url": "http://insecure.example"},
        {"quick_exit_url": "javascript:alert(1)"},
        {"colour": "red"},
        {"services": [{"name": "x"}] * 7},
    ],
)
def test_a_wrong_leaflet_file_is_refused_with_the_reason(raw: object) -> None:
    with pytest.raises(ValueError):
        public.parse_rights_settings(raw)


def test_no_file_or_an_unreadable_file_gives_the_defaults(tmp_path: Path) -> None:
    assert public.rights_settings(tmp_path) == public.RightsSettings()
    (tmp_path / public.RIGHTS_FILE).write_text("services: [unclosed", encoding="utf-8")
    assert public.rights_settings(tmp_path) == public.RightsSettings()
    (tmp_path / public.RIGHTS_FILE).write_text("services:\n  - name: Helpline\n", encoding="utf-8")
    assert [s.name for s in public.services_in(public.rights_settings(tmp_path), "fr")] == ["Helpline"]


def test_money_is_written_the_way_each_language_writes_it() -> None:
    """Amounts are kept in minor units; the currency says how many digits follow the point (ISO 4217)."""
    with i18n.activated("fr"):
        assert (
            formatting.format_money(123450, "EUR").replace("\u202f", " ").replace("\xa0", " ") == "1 234,50 €"
        )
    with i18n.activated("en"):
        assert formatting.format_money(1500, "JPY") == "¥1,500"
        assert formatting.format_money(None, "EUR") == "–"


def _request(method: str, path: str, query: str = "", referer: str | None = None) -> object:
    from starlette.requests import Request

    headers = [(b"host", b"nrm.example")]
    if referer is not None:
        headers.append((b"referer", referer.encode()))
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query.encode(),
        "headers": headers,
        "scheme": "https",
        "server": ("nrm.example", 443),
    }
    return Request(scope)


def test_the_language_links_of_a_page_sent_in_answer_to_a_form_lead_to_the_form_page() -> None:
    """A form with errors comes back at the address the form was sent to, which takes only the form: its
    language links go to the form's own page (the same-site Referer), or to the start page."""
    get = _request("GET", "/finance/x", "tab=1&lang=en")
    assert negotiation.switch_url(get, "ar") == "?tab=1&lang=ar"  # type: ignore[arg-type]
    posted = _request("POST", "/finance/x/confiscations", referer="https://nrm.example/finance/x?tab=2")
    assert negotiation.switch_url(posted, "ar") == "/finance/x?tab=2&lang=ar"  # type: ignore[arg-type]
    for referer in (None, "https://evil.example/finance/x", "https://nrm.example//evil.example/x"):
        elsewhere = _request("POST", "/finance/x/confiscations", referer=referer)
        assert negotiation.switch_url(elsewhere, "fr") == "/?lang=fr", referer  # type: ignore[arg-type]
