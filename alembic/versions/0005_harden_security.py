"""security: random token subjects and sign-in throttling

Revision ID: 0005_harden
Revises: 0002
Create Date: 2026-12-01
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_harden'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RANDOM = sa.text("replace(gen_random_uuid()::text, '-', '')")


def upgrade() -> None:
    # Existing users get a random subject too, so tokens made for `sub = id` stop working.
    op.add_column('app_user', sa.Column('token_subject', sa.String(length=32),
                                        server_default=_RANDOM, nullable=False))
    op.create_unique_constraint(op.f('uq_app_user_token_subject'), 'app_user', ['token_subject'])
    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle'))
    )
    op.create_index(op.f('ix_login_throttle_locked_until'), 'login_throttle', ['locked_until'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_login_throttle_locked_until'), table_name='login_throttle')
    op.drop_table('login_throttle')
    op.drop_constraint(op.f('uq_app_user_token_subject'), 'app_user', type_='unique')
    op.drop_column('app_user', 'token_subject')
