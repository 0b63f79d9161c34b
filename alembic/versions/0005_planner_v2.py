"""planner v2: reach intervals instead of stored classes, and run history

Revision ID: 0005_planner
Revises: 0004
Create Date: 2026-12-01
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_planner'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Classes are computed when read (region and breaks are choices), so they leave the table.
    op.drop_column('gap_result', 'need_tercile')
    op.drop_column('gap_result', 'access_tercile')
    op.drop_column('gap_result', 'gap_class')
    op.drop_column('gap_result', 'gap_score')
    op.add_column('gap_result', sa.Column('reach_low', sa.Float(), nullable=True))
    op.add_column('gap_result', sa.Column('reach_high', sa.Float(), nullable=True))
    op.create_table('gap_history',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=24), nullable=False),
    sa.Column('budget', sa.SmallInteger(), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('activities_share', sa.Float(), nullable=True),
    sa.Column('sessions_mean', sa.Float(), nullable=True),
    sa.Column('e2sfca', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['gap_run.id'], name=op.f('fk_gap_history_run_id_gap_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'band', 'budget', 'level', 'code', 'audience', name=op.f('pk_gap_history'))
    )


def downgrade() -> None:
    op.drop_table('gap_history')
    op.drop_column('gap_result', 'reach_high')
    op.drop_column('gap_result', 'reach_low')
    op.add_column('gap_result', sa.Column('gap_score', sa.Float(), nullable=True))
    op.add_column('gap_result', sa.Column('gap_class', sa.String(length=3), nullable=True))
    op.add_column('gap_result', sa.Column('access_tercile', sa.SmallInteger(), nullable=True))
    op.add_column('gap_result', sa.Column('need_tercile', sa.SmallInteger(), nullable=True))
