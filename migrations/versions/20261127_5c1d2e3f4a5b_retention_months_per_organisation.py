"""Retention: months after exit before a participant is anonymised, per organisation.

Revision ID: 5c1d2e3f4a5b
Revises: 9746185456fc
Create Date: 2026-11-27 08:27:41.307546

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c1d2e3f4a5b'
down_revision = '9746185456fc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_months_after_exit', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('retention_months_after_exit')

