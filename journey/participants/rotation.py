"""Key rotation for the encrypted personnummer (``flask journey rotate-keys``).

Re-encrypts every stored number with the current (first) key of
``JOURNEY_DATA_KEYS`` and, with an old hash key, recomputes the search hashes
after ``JOURNEY_HASH_KEY`` changed. Works in batches with a commit per batch;
rows already done are skipped, so a run that stopped half-way can simply be
started again. Rows are updated through Core: a rotation changes no
participant's data, so the record versions (optimistic locking) stay as they are.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from journey.extensions import db
from journey.participants import crypto
from journey.participants.models import Participant

BATCH_SIZE = 500


class RotationError(RuntimeError):
    pass


@dataclass
class RotationResult:
    reencrypted: int = 0
    already_current: int = 0
    rehashed: int = 0
    hash_current: int = 0
    batches: int = 0


def _batches(condition, batch_size: int):
    """(id, encrypted, hash) rows matching ``condition``, by id, a batch at a time."""
    table = Participant.__table__
    last_id = 0
    while True:
        rows = db.session.execute(
            sa.select(table.c.id, table.c.national_id_encrypted, table.c.national_id_hash)
            .where(table.c.national_id_encrypted.is_not(None), table.c.id > last_id, condition)
            .order_by(table.c.id).limit(batch_size)
        ).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def _update(values: list[dict]) -> None:
    table = Participant.__table__
    db.session.execute(
        table.update().where(table.c.id == sa.bindparam("pid")).values(
            national_id_encrypted=sa.bindparam("enc"), national_id_hash=sa.bindparam("hash")),
        values,
    )
    db.session.commit()


def rotate_keys(*, old_hash_key: str | None = None, batch_size: int = BATCH_SIZE,
                progress=None) -> RotationResult:
    """Bring every stored number to the current data key (and hash key).

    :param old_hash_key: the previous ``JOURNEY_HASH_KEY`` (base64): recompute the
        hashes made with it. Without it the hashes are left alone.
    :param progress: called with the result after each committed batch.
    :raises RotationError: a number cannot be decrypted, or its hash matches
        neither the old nor the new hash key.
    """
    cipher = crypto.cipher()
    result = RotationResult()
    table = Participant.__table__
    total = db.session.scalar(sa.select(sa.func.count()).select_from(table).where(
        table.c.national_id_encrypted.is_not(None))) or 0
    prefix = f"v{cipher.current_id}:"
    # Only rows under another key: a rerun starts where the last one stopped.
    stale = sa.not_(table.c.national_id_encrypted.startswith(prefix, autoescape=True))
    for rows in _batches(stale, batch_size):
        values = []
        for row in rows:
            digits = _decrypt(cipher, row)
            values.append({"pid": row.id, "enc": cipher.encrypt(digits),
                           "hash": row.national_id_hash})
        _update(values)
        result.reencrypted += len(values)
        result.batches += 1
        if progress:
            progress(result)
    result.already_current = total - result.reencrypted

    if old_hash_key:
        try:
            old_key = crypto.parse_hash_key(old_hash_key, "JOURNEY_OLD_HASH_KEY")
        except crypto.KeyConfigError as exc:
            raise RotationError(str(exc)) from exc
        for rows in _batches(sa.true(), batch_size):
            values = []
            for row in rows:
                digits = _decrypt(cipher, row)
                new_hash = cipher.hash(digits)
                if row.national_id_hash == new_hash:
                    result.hash_current += 1
                    continue
                if row.national_id_hash != crypto.keyed_hash(old_key, digits):
                    raise RotationError(
                        f"participant {row.id}: the stored hash matches neither "
                        "JOURNEY_HASH_KEY nor JOURNEY_OLD_HASH_KEY.")
                values.append({"pid": row.id, "enc": row.national_id_encrypted,
                               "hash": new_hash})
            if values:
                _update(values)
                result.rehashed += len(values)
                result.batches += 1
                if progress:
                    progress(result)
    return result


def _decrypt(cipher: crypto.NationalIdCipher, row) -> str:
    try:
        return cipher.decrypt(row.national_id_encrypted)
    except crypto.DecryptionError as exc:
        db.session.rollback()
        raise RotationError(f"participant {row.id}: {exc}") from exc
