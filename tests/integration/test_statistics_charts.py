"""The statistics page and the coordinator's dashboard draw their tables as charts (issue 13, item 7): an
SVG with a title and a description beside its table, a CSV of exactly what the page shows, filters by year
and region, every label in the reader's language, and nothing more for enforcement users than before."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from fastapi.testclient import TestClient

from opennrm.services import statistics
from opennrm.services.demo import load_demo_cases
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.integration.test_dashboard import world  # noqa: F401 - fixture
from tests.integration.test_statistics_protection import staff  # noqa: F401 - fixture
from tests.support import PASSWORD, StaffUser


def client_for(inst: Installation, user: StaffUser) -> TestClient:
    client = TestClient(create_app(inst.settings), base_url="https://testserver")
    login = {"username": user.username, "password": PASSWORD}
    if user.totp_secret:
        login["totp"] = user.code()
    assert client.post("/api/session", json=login).status_code == 201
    return client


def shown_tables(page: str) -> list[list[list[str]]]:
    """Every table body of the page: rows of [row label, figures...]."""
    tables = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", page, re.S):
        rows = []
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            rows.append(
                [
                    re.sub(r"<[^>]+>", "", c).strip()
                    for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
                ]
            )
        tables.append(rows)
    return tables


@pytest.fixture
def loaded(inst: Installation) -> Installation:
    load_demo_cases(inst.db, 150, organisation_ids=[inst.default_org], user_ids=[None], seed=6)
    statistics.VIEWS.clear()
    return inst


def page_tables(page: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each table of the page: its column headers and its rows ([row label, figures...])."""
    out = []
    for table in re.findall(r"<table class=\"list\">(.*?)</table>", page, re.S):
        head = re.search(r"<thead>(.*?)</thead>", table, re.S)
        columns = re.findall(r"<th scope=\"col\">(.*?)</th>", head.group(1) if head else "")
        out.append((columns, shown_tables(table)[0]))
    return out


def test_every_table_of_the_statistics_page_has_its_chart_with_title_and_description(
    loaded: Installation,
    staff: dict[str, StaffUser],  # noqa: F811
) -> None:
    page = client_for(loaded, staff["liaison"]).get("/statistics")
    assert page.status_code == 200
    svgs = re.findall(r"<svg .*?</svg>", page.text, re.S)
    tables = page_tables(page.text)
    assert len(svgs) == len(tables) == 4
    for svg, (_, rows) in zip(svgs, tables, strict=True):
        assert 'role="img"' in svg and re.search(r"<title id=\"chart-\d+-title\">[^<]+</title>", svg)
        assert re.search(r"<desc id=\"chart-\d+-desc\">[^<]*rounded to a multiple of 5", svg)
        withheld = sum(1 for row in rows[:-1] for figure in row[1:-1] if figure == "x")
        # every withheld figure of the table body that the chart keeps is drawn as withheld, none as a bar
        assert svg.count('class="chart-withheld"') <= withheld
        assert withheld == 0 or 'class="chart-withheld"' in svg
    assert "style=" not in page.text and "<script" not in page.text.split("</header>", 1)[1]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def page_figures(page: str) -> list[tuple[str, str, str, str]]:
    """(table, row, column, figure) of every figure of the page, in order."""
    figures = []
    titles = re.findall(r"<caption>(.*?)</caption>", page)
    for title, (columns, rows) in zip(titles, page_tables(page), strict=True):
        for row in rows:
            for column, figure in zip(columns, row[1:], strict=True):
                figures.append((title, row[0], column, figure))
    return figures


@pytest.mark.parametrize(("who", "query"), [("liaison", ""), ("analyst", ""), ("analyst", "?year=YEAR")])
def test_the_csv_holds_exactly_what_the_page_shows(
    loaded: Installation,
    staff: dict[str, StaffUser],  # noqa: F811
    who: str,
    query: str,
) -> None:
    client = client_for(loaded, staff[who])
    query = query.replace("YEAR", str(dt.date.today().year - 1))
    page = client.get("/statistics" + query)
    assert page.status_code == 200
    download = client.get("/statistics.csv" + query)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in download.headers["content-security-policy"]
    rows = csv_rows(download.content)
    total = re.search(r"Persons counted</strong>|Persons counted: ([^<]*)</strong>", page.text)
    assert total and rows[1] == ["Persons counted", "", "", total.group(1)]
    assert [tuple(r) for r in rows[2:]] == [
        tuple(html_unescape(x) for x in figure) for figure in page_figures(page.text)
    ]
    if who == "liaison":
        assert all(r[3] == "x" or int(r[3]) % 5 == 0 for r in rows[1:])


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_filters_by_year_and_region_for_the_statistics_office(
    inst: Installation,
    staff: dict[str, StaffUser],  # noqa: F811
) -> None:
    (inst.settings.home / "stats").mkdir(parents=True, exist_ok=True)
    year = dt.date.today().year
    (inst.settings.home / "stats" / "domains.toml").write_text(
        f'years = [{year - 2}, {year - 1}, {year}]\nregions = ["North", "South"]\n', encoding="utf-8"
    )
    supervisor = staff["supervisor"]
    from opennrm.services import cases as case_service
    from tests.integration.test_statistics_protection import add_consenting_case

    made = []
    for region, n in (("North", 3), ("South", 2)):
        for _ in range(n):
            made.append(region)
            add_consenting_case(inst, supervisor)
    from sqlalchemy import select, update

    from opennrm.store.tables import Case

    with inst.db.transaction() as session:
        ids = list(session.execute(select(Case.id).order_by(Case.id)).scalars())
        for case_id, region in zip(ids, made, strict=True):
            session.execute(update(Case).where(Case.id == case_id).values(region=region))
    statistics.VIEWS.clear()
    del case_service
    client = client_for(inst, staff["analyst"])
    everyone = client.get("/statistics")
    assert (
        everyone.status_code == 200
        and 'name="region"' in everyone.text
        and ">North</option>" in everyone.text
    )
    assert "Persons counted: <11</strong>".replace("<11", "&lt;11") in everyone.text
    north = client.get("/statistics?region=North")
    assert north.status_code == 200
    sexes = dict((row[0], row[1]) for row in page_tables(north.text)[0][1])
    assert sexes["Total"] == "&lt;11" and "By sex" in north.text
    assert 'value="North" selected' in north.text
    assert "/statistics.csv?region=North" in north.text
    by_year = client.get(f"/statistics?year={year}&region=South")
    assert by_year.status_code == 200
    assert client.get(f"/statistics?year={year - 5}").status_code == 422  # not a listed year
    bad = client.get("/statistics?region=Atlantis")
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text and 'href="#region"' in bad.text
    # enforcement users see the page as before: no filter, and a filter asked for is refused
    liaison = client_for(inst, staff["liaison"])
    plain = liaison.get("/statistics")
    assert plain.status_code == 200 and 'name="region"' not in plain.text
    assert liaison.get("/statistics?region=North").status_code == 422
    assert liaison.get("/statistics.csv?region=North").status_code in (400, 422)


ENGLISH_LABELS = {
    "female",
    "male",
    "intersex",
    "unknown",
    "Total",
    "child (under 18)",
    "adult (18 and over)",
    "sexual exploitation",
    "forced labour",
    "sexual exploitation and forced labour",
    "other forms",
    "national",
    "foreign",
    "withheld",
    "Persons",
}


@pytest.mark.parametrize("lang", ["ar", "zh-Hant", "zh-Hans"])
def test_statistics_labels_are_in_the_readers_language(
    loaded: Installation,
    staff: dict[str, StaffUser],  # noqa: F811
    lang: str,
) -> None:
    client = client_for(loaded, staff["liaison"])
    page = client.get(f"/statistics?lang={lang}")
    assert page.status_code == 200
    labels = set()
    for columns, rows in page_tables(page.text):
        labels.update(html_unescape(c) for c in columns)
        labels.update(html_unescape(r[0]) for r in rows)
    labels -= {str(y) for y in range(1990, 2100)}
    assert labels and not labels & ENGLISH_LABELS, labels & ENGLISH_LABELS
    svg_texts = set(re.findall(r"<text[^>]*>([^<]+)</text>", page.text))
    assert not svg_texts & ENGLISH_LABELS, svg_texts & ENGLISH_LABELS
    if lang == "ar":
        assert 'direction="rtl"' in page.text
    download = client.get(f"/statistics.csv?lang={lang}")
    assert not {row[1] for row in csv_rows(download.content)[2:]} & ENGLISH_LABELS


def test_the_dashboard_draws_referrals_waits_and_decisions_with_titles(
    inst: Installation,
    world: dict,  # type: ignore[type-arg]  # noqa: F811
) -> None:
    client = client_for(inst, world["coordinator"])
    for lang in ("en", "ar"):
        page = client.get(f"/dashboard?lang={lang}")
        assert page.status_code == 200
        svgs = re.findall(r"<svg .*?</svg>", page.text, re.S)
        ids = re.findall(r'class="chart" id="(chart-[a-z-]+)"', page.text)
        assert ids == [
            "chart-status",
            "chart-waits",
            "chart-declines",
            "chart-decisions",
            "chart-decision-days",
        ]
        for svg in svgs:
            assert re.search(r"<title id=\"chart-[a-z-]+-title\">[^<]+</title>", svg) and "<desc " in svg
        assert "style=" not in page.text
        if lang == "ar":
            assert svgs[0].count('direction="rtl"') == 1
    # the open referrals by status (four accepted or sent at the shelter, three sent at the clinic)
    status = re.findall(r"<svg .*?</svg>", client.get("/dashboard?lang=en").text, re.S)[0]
    assert "<title>sent – Referrals – 4</title>" in status or ">4<" in status
    # no decision yet: the decisions chart draws no bar (zeros), and withholds nothing
    decisions = re.findall(r"<svg .*?</svg>", client.get("/dashboard").text, re.S)[3]
    assert (
        'class="chart-bar"><title>' in decisions
        and "<rect x" not in decisions.split("</defs>")[1].split('class="chart-bar"')[1][:200]
    )


def test_identification_decisions_on_the_dashboard_follow_the_statistics_rule() -> None:
    """Each decision is one person's: small counts withheld so that they cannot be worked out from the
    total or the other table, the rest rounded to a multiple of 5."""
    from opennrm.services.dashboard import identification_decisions

    rows = (
        [("first", "positive", 3)] * 31 + [("first", "negative", 12)] * 14 + [("final", "negative", 30)] * 3
    )
    rows += [("final", "positive", 50)] * 22

    class Result:
        def all(self) -> list[tuple[str, str, int]]:
            return rows

    class Session:
        def execute(self, _query: object) -> Result:
            return Result()

    made = identification_decisions(Session(), lambda text: (hash(text) % 1000) / 1000)  # type: ignore[arg-type]
    assert made.by_outcome["final"]["negative"] == "x"  # 3 decisions: withheld
    shown = [made.total, *made.by_days.values(), *(v for k in made.by_outcome.values() for v in k.values())]
    assert all(v == "x" or int(v) % 5 == 0 for v in shown)
    # withheld together with a partner in its table, so the total minus the rest does not give it
    assert sum(v == "x" for k in made.by_outcome.values() for v in k.values()) >= 2
    # the same three decisions took 20–44 working days, alone in that band: withheld there too
    assert made.by_days["20–44 working days"] == "x"
