"""an empty step after 0026

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 18:00:00

Migrations 0019 to 0026 form one chain, as they landed. This revision changes nothing; it keeps the numbers
of the migrations after it (0028, 0029), so a database already stamped with one of them upgrades as before.
"""

from __future__ import annotations

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
