"""area layer

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""
from __future__ import annotations

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # An external DATABASE_URL may point at a database without PostGIS yet.
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_geospatial_table('bus_stop',
    sa.Column('atco_code', sa.String(length=12), nullable=False),
    sa.Column('naptan_code', sa.String(length=12), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=True),
    sa.Column('street', sa.String(length=120), nullable=True),
    sa.Column('locality', sa.String(length=120), nullable=True),
    sa.Column('bearing', sa.String(length=4), nullable=True),
    sa.Column('stop_type', sa.String(length=4), nullable=False),
    sa.Column('bus_stop_type', sa.String(length=4), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.PrimaryKeyConstraint('atco_code', name=op.f('pk_bus_stop'))
    )
    op.create_geospatial_index('idx_bus_stop_geom', 'bus_stop', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_bus_stop_naptan_code'), 'bus_stop', ['naptan_code'], unique=False)
    op.create_index(op.f('ix_bus_stop_status'), 'bus_stop', ['status'], unique=False)
    op.create_table('dataset_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset', sa.String(length=64), nullable=False),
    sa.Column('source_file', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('publisher', sa.Text(), nullable=False),
    sa.Column('licence', sa.Text(), nullable=False),
    sa.Column('attribution', sa.Text(), nullable=False),
    sa.Column('vintage', sa.String(length=64), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dataset_version'))
    )
    op.create_index(op.f('ix_dataset_version_dataset'), 'dataset_version', ['dataset'], unique=False)
    op.create_table('deprivation',
    sa.Column('edition', sa.Integer(), nullable=False),
    sa.Column('lsoa_code', sa.String(length=9), nullable=False),
    sa.Column('measure', sa.String(length=48), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('decile', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('edition', 'lsoa_code', 'measure', name=op.f('pk_deprivation'))
    )
    op.create_geospatial_table('lad',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_lad'))
    )
    op.create_geospatial_index('idx_lad_geom', 'lad', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_geospatial_table('lsoa11',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('lad_code', sa.String(length=9), nullable=True),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_lsoa11'))
    )
    op.create_geospatial_index('idx_lsoa11_geom', 'lsoa11', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_lsoa11_lad_code'), 'lsoa11', ['lad_code'], unique=False)
    op.create_table('lsoa11_lsoa21',
    sa.Column('lsoa11_code', sa.String(length=9), nullable=False),
    sa.Column('lsoa21_code', sa.String(length=9), nullable=False),
    sa.Column('change_code', sa.String(length=1), nullable=False),
    sa.Column('lad_code', sa.String(length=9), nullable=True),
    sa.PrimaryKeyConstraint('lsoa11_code', 'lsoa21_code', name=op.f('pk_lsoa11_lsoa21'))
    )
    op.create_geospatial_table('lsoa21',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('lad_code', sa.String(length=9), nullable=True),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_lsoa21'))
    )
    op.create_geospatial_index('idx_lsoa21_geom', 'lsoa21', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_lsoa21_lad_code'), 'lsoa21', ['lad_code'], unique=False)
    op.create_table('lsoa_lookup',
    sa.Column('lsoa21_code', sa.String(length=9), nullable=False),
    sa.Column('lsoa21_name', sa.String(length=120), nullable=False),
    sa.Column('ward_code', sa.String(length=9), nullable=False),
    sa.Column('ward_name', sa.String(length=120), nullable=False),
    sa.Column('lad_code', sa.String(length=9), nullable=False),
    sa.Column('lad_name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('lsoa21_code', name=op.f('pk_lsoa_lookup'))
    )
    op.create_index(op.f('ix_lsoa_lookup_lad_code'), 'lsoa_lookup', ['lad_code'], unique=False)
    op.create_index(op.f('ix_lsoa_lookup_ward_code'), 'lsoa_lookup', ['ward_code'], unique=False)
    op.create_table('population',
    sa.Column('lsoa_code', sa.String(length=9), nullable=False),
    sa.Column('age_band', sa.String(length=16), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('lsoa_code', 'age_band', name=op.f('pk_population'))
    )
    op.create_geospatial_table('postcode',
    sa.Column('pcd', sa.String(length=8), nullable=False),
    sa.Column('pcds', sa.String(length=8), nullable=False),
    sa.Column('outward', sa.String(length=4), nullable=False),
    sa.Column('positional_quality', sa.Integer(), nullable=True),
    sa.Column('lsoa21_code', sa.String(length=9), nullable=True),
    sa.Column('lsoa11_code', sa.String(length=9), nullable=True),
    sa.Column('ward_code', sa.String(length=9), nullable=True),
    sa.Column('lad_code', sa.String(length=9), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.PrimaryKeyConstraint('pcd', name=op.f('pk_postcode'))
    )
    op.create_geospatial_index('idx_postcode_geom', 'postcode', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_postcode_lad_code'), 'postcode', ['lad_code'], unique=False)
    op.create_index(op.f('ix_postcode_lsoa21_code'), 'postcode', ['lsoa21_code'], unique=False)
    op.create_index(op.f('ix_postcode_outward'), 'postcode', ['outward'], unique=False)
    op.create_index(op.f('ix_postcode_ward_code'), 'postcode', ['ward_code'], unique=False)
    op.create_table('rural_urban',
    sa.Column('lsoa_code', sa.String(length=9), nullable=False),
    sa.Column('ruc_code', sa.String(length=8), nullable=False),
    sa.Column('classification', sa.String(length=120), nullable=False),
    sa.Column('broad', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('lsoa_code', name=op.f('pk_rural_urban'))
    )
    op.create_geospatial_table('ward',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('lad_code', sa.String(length=9), nullable=True),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_ward'))
    )
    op.create_geospatial_index('idx_ward_geom', 'ward', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_ward_lad_code'), 'ward', ['lad_code'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_ward_lad_code'), table_name='ward')
    op.drop_geospatial_index('idx_ward_geom', table_name='ward', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('ward')
    op.drop_table('rural_urban')
    op.drop_index(op.f('ix_postcode_ward_code'), table_name='postcode')
    op.drop_index(op.f('ix_postcode_outward'), table_name='postcode')
    op.drop_index(op.f('ix_postcode_lsoa21_code'), table_name='postcode')
    op.drop_index(op.f('ix_postcode_lad_code'), table_name='postcode')
    op.drop_geospatial_index('idx_postcode_geom', table_name='postcode', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('postcode')
    op.drop_table('population')
    op.drop_index(op.f('ix_lsoa_lookup_ward_code'), table_name='lsoa_lookup')
    op.drop_index(op.f('ix_lsoa_lookup_lad_code'), table_name='lsoa_lookup')
    op.drop_table('lsoa_lookup')
    op.drop_index(op.f('ix_lsoa21_lad_code'), table_name='lsoa21')
    op.drop_geospatial_index('idx_lsoa21_geom', table_name='lsoa21', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('lsoa21')
    op.drop_table('lsoa11_lsoa21')
    op.drop_index(op.f('ix_lsoa11_lad_code'), table_name='lsoa11')
    op.drop_geospatial_index('idx_lsoa11_geom', table_name='lsoa11', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('lsoa11')
    op.drop_geospatial_index('idx_lad_geom', table_name='lad', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('lad')
    op.drop_table('deprivation')
    op.drop_index(op.f('ix_dataset_version_dataset'), table_name='dataset_version')
    op.drop_table('dataset_version')
    op.drop_index(op.f('ix_bus_stop_status'), table_name='bus_stop')
    op.drop_index(op.f('ix_bus_stop_naptan_code'), table_name='bus_stop')
    op.drop_geospatial_index('idx_bus_stop_geom', table_name='bus_stop', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('bus_stop')
