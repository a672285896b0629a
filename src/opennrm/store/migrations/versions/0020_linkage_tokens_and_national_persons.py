"""record linkage: export tokens and national person ids

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-06 12:30:00

``linkage_tokens`` maps the opaque tokens of a linkage export back to this installation's persons (it never
leaves the installation); ``national_persons`` holds the national person id the secretariat's linkage gave
each person, so statistics count a person known to several organisations once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkage_tokens",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("export_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_linkage_tokens_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_linkage_tokens_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_linkage_tokens")),
    )
    with op.batch_alter_table("linkage_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_linkage_tokens_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_linkage_tokens_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_linkage_tokens_export_id"), ["export_id"], unique=False)
    op.create_table(
        "national_persons",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("national_id", sa.String(length=64), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_national_persons_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_national_persons")),
    )
    with op.batch_alter_table("national_persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_national_persons_national_id"), ["national_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("national_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_national_persons_national_id"))
    op.drop_table("national_persons")
    with op.batch_alter_table("linkage_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_linkage_tokens_export_id"))
        batch_op.drop_index(batch_op.f("ix_linkage_tokens_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_linkage_tokens_person_id"))
    op.drop_table("linkage_tokens")
