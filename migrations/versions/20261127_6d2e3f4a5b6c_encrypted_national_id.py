"""Personnummer encrypted at rest, with a keyed hash for exact search.

participant.national_id (12 digits in clear) becomes three columns:
national_id_encrypted (AES-256-GCM, "v<key id>:<base64url(nonce+ciphertext)>"),
national_id_hash (HMAC-SHA256 hex, unique per organisation) and
national_id_prefix (YYYYMMDD, for the masked display). Existing numbers are
encrypted during the upgrade and decrypted back on downgrade.

Keys: JOURNEY_DATA_KEYS (the first encrypts, all decrypt) and JOURNEY_HASH_KEY,
from the app configuration (which reads the environment); the public
development keys in development and testing when none is set. The crypto is
written out here so that later changes to the app cannot change this migration.

Revision ID: 6d2e3f4a5b6c
Revises: 5c1d2e3f4a5b
Create Date: 2026-11-27 08:45:00.000000

"""
import base64
import hashlib
import hmac
import os

import sqlalchemy as sa
from alembic import op
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# revision identifiers, used by Alembic.
revision = '6d2e3f4a5b6c'
down_revision = '5c1d2e3f4a5b'
branch_labels = None
depends_on = None

# The public development keys of journey/config.py at the time of this migration.
_DEV_DATA_KEYS = "dev1:ZGV2LW9ubHktbm90LXNlY3JldC1kYXRhLWtleS0wMDE="
_DEV_HASH_KEY = "ZGV2LW9ubHktbm90LXNlY3JldC1oYXNoLWtleS0wMDE="  # nosec B105 # public
_BATCH = 1000

_OLD_KIND_CHECK = "(id_kind = 'none' AND national_id IS NULL) OR id_kind != 'none'"
_NEW_KIND_CHECK = "(id_kind = 'none' AND national_id_encrypted IS NULL) OR id_kind != 'none'"
_TOGETHER_CHECK = (
    "(national_id_encrypted IS NULL AND national_id_hash IS NULL "
    "AND national_id_prefix IS NULL) OR (national_id_encrypted IS NOT NULL "
    "AND national_id_hash IS NOT NULL AND national_id_prefix IS NOT NULL)"
)

_participant = sa.table(
    'participant',
    sa.column('id', sa.Integer),
    sa.column('national_id', sa.String),
    sa.column('national_id_encrypted', sa.Text),
    sa.column('national_id_hash', sa.String),
    sa.column('national_id_prefix', sa.String),
)


def _setting(name: str, dev_value: str) -> str:
    value = None
    try:
        from flask import current_app
        value = current_app.config.get(name)
    except RuntimeError:  # no app context (plain alembic)
        pass
    value = value or os.environ.get(name)
    if value:
        return value
    if os.environ.get("JOURNEY_ENV") in ("development", "testing"):
        return dev_value
    raise RuntimeError(f"{name} must be set to migrate personnummer (see SECURITY.md).")


def _keys():
    data_keys = []
    for part in _setting("JOURNEY_DATA_KEYS", _DEV_DATA_KEYS).split(","):
        if part.strip():
            key_id, _, encoded = part.strip().partition(":")
            data_keys.append((key_id.strip(), AESGCM(base64.b64decode(encoded))))
    hash_key = base64.b64decode(_setting("JOURNEY_HASH_KEY", _DEV_HASH_KEY))
    return data_keys, hash_key


def _rows(column):
    conn = op.get_bind()
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(_participant.c.id, column)
            .where(column.is_not(None), _participant.c.id > last_id)
            .order_by(_participant.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return
        yield conn, rows
        last_id = rows[-1][0]


def upgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('national_id_encrypted', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('national_id_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('national_id_prefix', sa.String(length=8), nullable=True))

    data_keys, hash_key = _keys()
    key_id, aead = data_keys[0]
    for conn, rows in _rows(_participant.c.national_id):
        values = []
        for pid, digits in rows:
            nonce = os.urandom(12)
            token = base64.urlsafe_b64encode(
                nonce + aead.encrypt(nonce, digits.encode('ascii'), None)).decode('ascii')
            values.append({
                'pid': pid, 'enc': f'v{key_id}:{token}',
                'hash': hmac.new(hash_key, digits.encode('ascii'), hashlib.sha256).hexdigest(),
                'prefix': digits[:8],
            })
        conn.execute(
            _participant.update().where(_participant.c.id == sa.bindparam('pid')).values(
                national_id_encrypted=sa.bindparam('enc'),
                national_id_hash=sa.bindparam('hash'),
                national_id_prefix=sa.bindparam('prefix')),
            values)

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_participant_national_id_matches_kind'), type_='check')
        batch_op.drop_constraint(
            batch_op.f('uq_participant_organization_id_national_id'), type_='unique')
        batch_op.drop_column('national_id')
        batch_op.create_unique_constraint(
            batch_op.f('uq_participant_organization_id_national_id_hash'),
            ['organization_id', 'national_id_hash'])
        batch_op.create_check_constraint(
            batch_op.f('ck_participant_national_id_matches_kind'), _NEW_KIND_CHECK)
        batch_op.create_check_constraint(
            batch_op.f('ck_participant_national_id_columns_together'), _TOGETHER_CHECK)


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('national_id', sa.String(length=12), nullable=True))

    data_keys, _ = _keys()
    by_id = dict(data_keys)
    for conn, rows in _rows(_participant.c.national_id_encrypted):
        values = []
        for pid, stored in rows:
            head, _, token = stored.partition(':')
            aead = by_id.get(head[1:])
            if aead is None:
                raise RuntimeError(
                    f"participant {pid}: key {head[1:]!r} is not in JOURNEY_DATA_KEYS")
            raw = base64.urlsafe_b64decode(token.encode('ascii'))
            digits = aead.decrypt(raw[:12], raw[12:], None).decode('ascii')
            values.append({'pid': pid, 'digits': digits})
        conn.execute(
            _participant.update().where(_participant.c.id == sa.bindparam('pid'))
            .values(national_id=sa.bindparam('digits')),
            values)

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_participant_national_id_columns_together'), type_='check')
        batch_op.drop_constraint(
            batch_op.f('ck_participant_national_id_matches_kind'), type_='check')
        batch_op.drop_constraint(
            batch_op.f('uq_participant_organization_id_national_id_hash'), type_='unique')
        batch_op.drop_column('national_id_prefix')
        batch_op.drop_column('national_id_hash')
        batch_op.drop_column('national_id_encrypted')
        batch_op.create_unique_constraint(
            batch_op.f('uq_participant_organization_id_national_id'),
            ['organization_id', 'national_id'])
        batch_op.create_check_constraint(
            batch_op.f('ck_participant_national_id_matches_kind'), _OLD_KIND_CHECK)
