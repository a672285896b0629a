"""The entitlement fields are listed once (``domain.services.ENTITLEMENT_FIELDS``, the fields of
``StoredEntitlements``); the input that changes them, the result that shows them and the table that holds them
must name the same fields (issue 21, item 5)."""

from __future__ import annotations

import dataclasses

from opennrm.domain.services import ENTITLEMENT_FIELDS, Entitlements, EntitlementsChange
from opennrm.store.tables import CaseEntitlement


def test_the_change_names_exactly_the_entitlement_fields() -> None:
    assert tuple(EntitlementsChange.model_fields) == ENTITLEMENT_FIELDS


def test_the_table_holds_exactly_the_entitlement_fields() -> None:
    bookkeeping = {"case_id", "updated_by", "updated_at"}
    columns = [c.name for c in CaseEntitlement.__table__.columns if c.name not in bookkeeping]
    assert tuple(columns) == ENTITLEMENT_FIELDS


def test_the_result_shows_every_entitlement_field() -> None:
    shown = {f.name for f in dataclasses.fields(Entitlements)}
    assert set(ENTITLEMENT_FIELDS) <= shown
