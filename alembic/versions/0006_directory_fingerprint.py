"""directory: an index that answers the directory fingerprint without reading every listing

Revision ID: 0006_directory
Revises: 0005_directory
Create Date: 2026-12-02

The fingerprint (count, newest last_modified, sum of versions over `service`) keys the
caches of the data notices and the gap batch. A national directory's `service` heap is
about 50 MB (descriptions, the search vector), so a sequential scan cost 15-20 ms on
every finder request; an index-only scan over (last_modified, version) takes about 2 ms.
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0006_directory'
down_revision: str | Sequence[str] | None = '0005_directory'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_service_fingerprint', 'service', ['last_modified', 'version'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_service_fingerprint', table_name='service')
