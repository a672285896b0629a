"""case list indexes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 13:27:00.976693
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_org_exploitation"))
        batch_op.drop_index(batch_op.f("ix_cases_org_status"))
        batch_op.create_index("ix_cases_created_by_created", ["created_by", "created_at"], unique=False)
        batch_op.create_index(
            "ix_cases_org_exploitation_created",
            ["organisation_id", "primary_exploitation", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_cases_org_sex_created", ["organisation_id", "sex", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_cases_org_status_created", ["organisation_id", "status", "created_at"], unique=False
        )
        batch_op.create_index("ix_cases_team_created", ["team", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_team_created")
        batch_op.drop_index("ix_cases_org_status_created")
        batch_op.drop_index("ix_cases_org_sex_created")
        batch_op.drop_index("ix_cases_org_exploitation_created")
        batch_op.drop_index("ix_cases_created_by_created")
        batch_op.create_index(batch_op.f("ix_cases_org_status"), ["organisation_id", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_org_exploitation"), ["organisation_id", "primary_exploitation"], unique=False
        )
