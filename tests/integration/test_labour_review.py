"""The labour-inspection pages after the walk review of issue 19: the plan on a phone in every language, the
XLSForm's translated labels, the ad flag's translated evidence, forms that tell every mistake at once and
confirm every save, wage and currency errors, the inspector's statistics and the public licence check."""

from __future__ import annotations

import pytest

from opennrm.services import labour
from tests.conftest import Installation
from tests.integration.test_labour import World
from tests.support import client_for


@pytest.fixture
def world(inst: Installation) -> World:
    return World(inst)


def test_the_plan_is_a_list_with_the_inspect_link_first_and_reasons_joined_per_language(world: World) -> None:
    client = client_for(world.inst.settings, world.inspector)
    plan = labour.inspection_plan(world.db, world.inspector.actor)
    assert len(plan[0].reasons) >= 2
    en = client.get("/labour").text
    assert '<ol class="plan"' in en and "<table" not in en.split('id="plan"')[1].split("</section>")[0]
    item = en.split('class="plan-item"')[1]
    assert item.index("Inspect") < item.index("Hillside orchard")
    assert "Why: a sector GR38 names and never inspected" in en
    assert "The risk score adds 3 for a sector GR38 names" in en
    zh = client.get("/labour?lang=zh-Hant").text
    assert "和" in zh.split('class="plan-item"')[1].split("</li>")[0]
    ar = client.get("/labour?lang=ar").text
    assert " و" in ar.split('class="plan-item"')[1].split("</li>")[0]
