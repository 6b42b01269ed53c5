"""Access tokens refused before they expire (issue 13 finding 6): sessions
revoked and accounts reset or deleted, as ``pind.user.v1`` says.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "gateway"
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "token_denials",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("not_before", TZ),
        sa.Column("forget_after", TZ, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "session_id", name="pk_token_denials"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_token_denials_forget_after", "token_denials", ["forget_after"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_table("token_denials", schema=SCHEMA)
