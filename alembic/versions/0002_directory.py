"""directory: organisations, services, venues, schedules, costs, users, audit log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:27:21.742568
"""
from __future__ import annotations

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('token_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('before', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('after', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'], unique=False)
    op.create_index(op.f('ix_audit_log_entity_id'), 'audit_log', ['entity_id'], unique=False)
    op.create_geospatial_table('location',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('location_type', sa.String(length=16), nullable=False),
    sa.Column('venue_type', sa.String(length=64), nullable=True),
    sa.Column('address_1', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('postcode', sa.String(length=8), nullable=True),
    sa.Column('lad_code', sa.String(length=9), nullable=True),
    sa.Column('geocoded_by', sa.String(length=16), nullable=True),
    sa.Column('external_identifier', sa.String(length=64), nullable=True),
    sa.Column('external_identifier_type', sa.String(length=200), nullable=True),
    sa.Column('step_free', sa.Boolean(), nullable=True),
    sa.Column('accessible_toilet', sa.Boolean(), nullable=True),
    sa.Column('hearing_loop', sa.Boolean(), nullable=True),
    sa.Column('accessibility_notes', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location'))
    )
    op.create_geospatial_index('idx_location_geom', 'location', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_location_external_identifier'), 'location', ['external_identifier'], unique=False)
    op.create_index(op.f('ix_location_lad_code'), 'location', ['lad_code'], unique=False)
    op.create_index(op.f('ix_location_postcode'), 'location', ['postcode'], unique=False)
    op.create_table('organization',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization'))
    )
    op.create_table('revoked_token',
    sa.Column('jti', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('jti', name=op.f('pk_revoked_token'))
    )
    op.create_index(op.f('ix_revoked_token_expires_at'), 'revoked_token', ['expires_at'], unique=False)
    op.create_table('service',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('oruk_status', sa.String(length=24), nullable=False),
    sa.Column('alert', sa.Text(), nullable=True),
    sa.Column('primary_category', sa.String(length=32), nullable=True),
    sa.Column('categories', postgresql.ARRAY(sa.String(length=32)), nullable=False),
    sa.Column('audiences', postgresql.ARRAY(sa.String(length=48)), nullable=False),
    sa.Column('activity_type', sa.String(length=64), nullable=True),
    sa.Column('minimum_age', sa.Integer(), nullable=True),
    sa.Column('maximum_age', sa.Integer(), nullable=True),
    sa.Column('eligibility_criteria', sa.Text(), nullable=True),
    sa.Column('accepts_referrals', sa.Boolean(), nullable=False),
    sa.Column('referral_route', sa.Text(), nullable=True),
    sa.Column('drop_in', sa.Boolean(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('delivery_mode', sa.String(length=16), nullable=False),
    sa.Column('what_to_bring', sa.Text(), nullable=True),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_email', sa.String(length=200), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('last_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by', sa.String(length=200), nullable=True),
    sa.Column('last_modified', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('oruk_extra', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('search', postgresql.TSVECTOR(), sa.Computed("to_tsvector('english', coalesce(name, '') || ' ' || coalesce(description, ''))", persisted=True), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_service_organization_id_organization'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service'))
    )
    op.create_index(op.f('ix_service_organization_id'), 'service', ['organization_id'], unique=False)
    op.create_index(op.f('ix_service_primary_category'), 'service', ['primary_category'], unique=False)
    op.create_index('ix_service_search', 'service', ['search'], unique=False, postgresql_using='gin')
    op.create_index(op.f('ix_service_status'), 'service', ['status'], unique=False)
    op.create_table('cost_option',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('option', sa.String(length=200), nullable=True),
    sa.Column('amount', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_cost_option_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cost_option'))
    )
    op.create_index(op.f('ix_cost_option_service_id'), 'cost_option', ['service_id'], unique=False)
    op.create_table('service_at_location',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_service_at_location_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_service_at_location_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_at_location'))
    )
    op.create_index(op.f('ix_service_at_location_location_id'), 'service_at_location', ['location_id'], unique=False)
    op.create_index(op.f('ix_service_at_location_service_id'), 'service_at_location', ['service_id'], unique=False)
    op.create_table('schedule',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('service_at_location_id', sa.String(length=64), nullable=True),
    sa.Column('freq', sa.String(length=8), nullable=False),
    sa.Column('interval', sa.Integer(), nullable=False),
    sa.Column('byday', sa.String(length=40), nullable=True),
    sa.Column('bymonthday', sa.String(length=40), nullable=True),
    sa.Column('dtstart', sa.Date(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('opens_at', sa.Time(), nullable=True),
    sa.Column('closes_at', sa.Time(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('attending_type', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['service_at_location_id'], ['service_at_location.id'], name=op.f('fk_schedule_service_at_location_id_service_at_location'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_schedule_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule'))
    )
    op.create_index(op.f('ix_schedule_service_at_location_id'), 'schedule', ['service_at_location_id'], unique=False)
    op.create_index(op.f('ix_schedule_service_id'), 'schedule', ['service_id'], unique=False)
    op.create_table('taxonomy',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('uri', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy'))
    )
    op.create_table('taxonomy_term',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('taxonomy_id', sa.String(length=64), nullable=True),
    sa.Column('code', sa.String(length=120), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('term_uri', sa.String(length=500), nullable=True),
    sa.Column('parent_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['taxonomy_id'], ['taxonomy.id'], name=op.f('fk_taxonomy_term_taxonomy_id_taxonomy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_term'))
    )
    op.create_index(op.f('ix_taxonomy_term_taxonomy_id'), 'taxonomy_term', ['taxonomy_id'], unique=False)
    op.create_table('service_attribute',
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('taxonomy_term_id', sa.String(length=64), nullable=False),
    sa.Column('link_type', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_service_attribute_service_id_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['taxonomy_term_id'], ['taxonomy_term.id'], name=op.f('fk_service_attribute_taxonomy_term_id_taxonomy_term'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', 'taxonomy_term_id', 'link_type', name=op.f('pk_service_attribute'))
    )
    op.create_index(op.f('ix_service_attribute_taxonomy_term_id'), 'service_attribute', ['taxonomy_term_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_service_attribute_taxonomy_term_id'), table_name='service_attribute')
    op.drop_table('service_attribute')
    op.drop_index(op.f('ix_taxonomy_term_taxonomy_id'), table_name='taxonomy_term')
    op.drop_table('taxonomy_term')
    op.drop_table('taxonomy')
    op.drop_index(op.f('ix_schedule_service_id'), table_name='schedule')
    op.drop_index(op.f('ix_schedule_service_at_location_id'), table_name='schedule')
    op.drop_table('schedule')
    op.drop_index(op.f('ix_service_at_location_service_id'), table_name='service_at_location')
    op.drop_index(op.f('ix_service_at_location_location_id'), table_name='service_at_location')
    op.drop_table('service_at_location')
    op.drop_index(op.f('ix_cost_option_service_id'), table_name='cost_option')
    op.drop_table('cost_option')
    op.drop_index(op.f('ix_service_status'), table_name='service')
    op.drop_index('ix_service_search', table_name='service', postgresql_using='gin')
    op.drop_index(op.f('ix_service_primary_category'), table_name='service')
    op.drop_index(op.f('ix_service_organization_id'), table_name='service')
    op.drop_table('service')
    op.drop_index(op.f('ix_revoked_token_expires_at'), table_name='revoked_token')
    op.drop_table('revoked_token')
    op.drop_table('organization')
    op.drop_index(op.f('ix_location_postcode'), table_name='location')
    op.drop_index(op.f('ix_location_lad_code'), table_name='location')
    op.drop_index(op.f('ix_location_external_identifier'), table_name='location')
    op.drop_geospatial_index('idx_location_geom', table_name='location', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('location')
    op.drop_index(op.f('ix_audit_log_entity_id'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_at'), table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_table('app_user')
