"""Portal invites (hashed one-time tokens), the enrollment's goal, who recorded an assessment.

Revision ID: 9746185456fc
Revises: f4c33e2429f3
Create Date: 2026-11-27 07:16:30.176135

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9746185456fc'
down_revision = 'f4c33e2429f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('portal_invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_portal_invite_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_portal_invite_participant_id_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_portal_invite_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_invite')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_portal_invite_token_hash'))
    )
    with op.batch_alter_table('portal_invite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_invite_participant_id'), ['participant_id'], unique=False)

    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assessment_created_by_id_user_account'), 'user_account', ['created_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('goal', sa.String(length=300), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_column('goal')

    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assessment_created_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('created_by_id')

    with op.batch_alter_table('portal_invite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_invite_participant_id'))

    op.drop_table('portal_invite')
