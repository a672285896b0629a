"""Helpers shared by the screening tests."""

from __future__ import annotations

import pytest

from opennrm.screening import Catalogue, default_catalogue


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return default_catalogue()
