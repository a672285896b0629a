"""one chain again: the branches that each grew from 0018 meet here

Revision ID: 0027
Revises: 0019, 0021, 0022, 0023, 0024, 0026
Create Date: 2026-12-06 18:00:00

Reporting (0019), linkage and finance (0020, 0021), labour (0022), operations (0023), signals (0024) and the
identification decisions with the dependants' best interests (0025, 0026) were each written against 0018 and
landed as branches of it. Landed migrations never change, so they keep their parent and join here; the
branches touch different tables, so the order alembic applies them in does not matter. Nothing to do.
"""

from __future__ import annotations

revision = "0027"
down_revision = ("0019", "0021", "0022", "0023", "0024", "0026")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
