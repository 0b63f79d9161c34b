"""gap analysis results

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('gap_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seconds', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('bands', postgresql.ARRAY(sa.String(length=24)), nullable=False),
    sa.Column('budgets', postgresql.ARRAY(sa.Integer()), nullable=False),
    sa.Column('params', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('data_versions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('summary', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gap_run'))
    )
    op.create_table('gap_area',
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('ward_code', sa.String(length=9), nullable=True),
    sa.Column('lad_code', sa.String(length=9), nullable=True),
    sa.Column('population', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('imd_score', sa.Float(), nullable=True),
    sa.Column('imd_decile', sa.Float(), nullable=True),
    sa.Column('health_score', sa.Float(), nullable=True),
    sa.Column('barriers_score', sa.Float(), nullable=True),
    sa.Column('domains', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('rural_urban', sa.String(length=120), nullable=True),
    sa.Column('n_origins', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('level', 'code', name=op.f('pk_gap_area'))
    )
    op.create_index(op.f('ix_gap_area_lad_code'), 'gap_area', ['lad_code'], unique=False)
    op.create_index(op.f('ix_gap_area_ward_code'), 'gap_area', ['ward_code'], unique=False)
    op.create_table('gap_band',
    sa.Column('band', sa.String(length=24), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['gap_run.id'], name=op.f('fk_gap_band_run_id_gap_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('band', name=op.f('pk_gap_band'))
    )
    op.create_index(op.f('ix_gap_band_run_id'), 'gap_band', ['run_id'], unique=False)
    op.create_table('gap_result',
    sa.Column('band', sa.String(length=24), nullable=False),
    sa.Column('budget', sa.SmallInteger(), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('population', sa.Float(), nullable=False),
    sa.Column('activities_mean', sa.Float(), nullable=True),
    sa.Column('activities_share', sa.Float(), nullable=True),
    sa.Column('sessions_mean', sa.Float(), nullable=True),
    sa.Column('e2sfca', sa.Float(), nullable=True),
    sa.Column('nearest_min', sa.Float(), nullable=True),
    sa.Column('need_tercile', sa.SmallInteger(), nullable=True),
    sa.Column('access_tercile', sa.SmallInteger(), nullable=True),
    sa.Column('gap_class', sa.String(length=3), nullable=True),
    sa.Column('gap_score', sa.Float(), nullable=True),
    sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.PrimaryKeyConstraint('band', 'budget', 'level', 'code', 'category', 'audience', name=op.f('pk_gap_result'))
    )


def downgrade() -> None:
    op.drop_table('gap_result')
    op.drop_index(op.f('ix_gap_band_run_id'), table_name='gap_band')
    op.drop_table('gap_band')
    op.drop_index(op.f('ix_gap_area_ward_code'), table_name='gap_area')
    op.drop_index(op.f('ix_gap_area_lad_code'), table_name='gap_area')
    op.drop_table('gap_area')
    op.drop_table('gap_run')
