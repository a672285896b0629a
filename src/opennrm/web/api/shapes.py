"""Response shapes shared by several API routers."""

from __future__ import annotations

from pydantic import BaseModel


class Created(BaseModel):
    """The id of what a POST made."""

    id: str
