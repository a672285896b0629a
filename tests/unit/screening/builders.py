"""Builders of screening input for tests."""

from __future__ import annotations

from typing import Any


def adult(**facts: Any) -> dict[str, Any]:
    """Input for an adult (34, age certain) with labour exploitation unless said otherwise."""
    return {"age": 34, "exploitation_form": "labour", **facts}


def child(**facts: Any) -> dict[str, Any]:
    return {"age": 16, "exploitation_form": "labour", **facts}
