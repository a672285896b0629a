"""identification decisions are taken by two organisations: one proposes, another confirms

Revision ID: 0025
Revises: 0018
Create Date: 2026-12-06 12:45:00

GR38 §78 asks for identification by multi-agency teams. A decision (and the answer to a reconsideration) is
now proposed by a member of one organisation on the panel and takes effect only when a member of another
organisation on it confirms it. ``state`` says where a decision stands (``proposed``, ``taken`` or
``declined``); decisions recorded before this revision were taken by one member and stay ``taken``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("identification_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.String(length=20), nullable=False, server_default="taken"))
        batch_op.add_column(sa.Column("confirmed_by", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("second_organisation", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("confirmed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("declined_by", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("declined_reason_enc", sa.LargeBinary(), nullable=True))
        batch_op.create_foreign_key(
            "fk_identification_decisions_confirmed_by_users", "users", ["confirmed_by"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_identification_decisions_second_organisation_organisations",
            "organisations",
            ["second_organisation"],
            ["id"],
        )
        batch_op.create_foreign_key(
            "fk_identification_decisions_declined_by_users", "users", ["declined_by"], ["id"]
        )
    with op.batch_alter_table("reconsiderations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_by_organisation", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("confirmed_by", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("second_organisation", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            "fk_reconsiderations_answered_by_organisation_organisations",
            "organisations",
            ["answered_by_organisation"],
            ["id"],
        )
        batch_op.create_foreign_key(
            "fk_reconsiderations_confirmed_by_users", "users", ["confirmed_by"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_reconsiderations_second_organisation_organisations",
            "organisations",
            ["second_organisation"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("reconsiderations", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reconsiderations_second_organisation_organisations", type_="foreignkey")
        batch_op.drop_constraint("fk_reconsiderations_confirmed_by_users", type_="foreignkey")
        batch_op.drop_constraint(
            "fk_reconsiderations_answered_by_organisation_organisations", type_="foreignkey"
        )
        batch_op.drop_column("second_organisation")
        batch_op.drop_column("confirmed_by")
        batch_op.drop_column("answered_by_organisation")
    with op.batch_alter_table("identification_decisions", schema=None) as batch_op:
        batch_op.drop_constraint("fk_identification_decisions_declined_by_users", type_="foreignkey")
        batch_op.drop_constraint(
            "fk_identification_decisions_second_organisation_organisations", type_="foreignkey"
        )
        batch_op.drop_constraint("fk_identification_decisions_confirmed_by_users", type_="foreignkey")
        batch_op.drop_column("declined_reason_enc")
        batch_op.drop_column("declined_by")
        batch_op.drop_column("confirmed_on")
        batch_op.drop_column("second_organisation")
        batch_op.drop_column("confirmed_by")
        batch_op.drop_column("state")
