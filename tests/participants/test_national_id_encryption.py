"""Personnummer encrypted at rest: round trip, wrong keys, keyed-hash search, rotation."""

from datetime import date

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.config import DEV_DATA_KEYS, DEV_HASH_KEY
from journey.extensions import db
from journey.participants import crypto
from journey.participants.crypto import DecryptionError, KeyConfigError, generate_key
from journey.participants.models import Participant
from journey.participants.queries import list_participants
from journey.participants.services import find_duplicate
from tests.participants.helpers import make_id

NUMBER = make_id(date(1990, 1, 1), 238)
OTHER = make_id(date(1985, 6, 30), 457)
KEY1 = "k1:" + generate_key()
KEY2 = "k2:" + generate_key()
HASH1, HASH2 = generate_key(), generate_key()


@pytest.fixture
def keys(app, monkeypatch):
    """Switch the app's keys: ``keys(data, hash)``; the dev keys come back afterwards."""
    def _set(data_keys=None, hash_key=None):
        if data_keys is not None:
            monkeypatch.setitem(app.config, "JOURNEY_DATA_KEYS", data_keys)
        if hash_key is not None:
            monkeypatch.setitem(app.config, "JOURNEY_HASH_KEY", hash_key)
    return _set


def _raw(pid: int) -> dict:
    row = db.session.execute(sa.select(Participant.__table__).where(
        Participant.__table__.c.id == pid)).mappings().one()
    return dict(row)


def _with_number(world, number=NUMBER) -> Participant:
    p = world["enr_a"].participant
    p.id_kind, p.national_id, p.birth_date = "personnummer", number, date(1990, 1, 1)
    db.session.commit()
    return p


def test_round_trip_and_no_plaintext_in_the_row(world):
    p = _with_number(world)
    pid = p.id
    db.session.expire_all()
    row = _raw(pid)
    assert NUMBER not in repr(row) and NUMBER[2:] not in repr(row)
    assert row["national_id_encrypted"].startswith("vdev1:")
    assert row["national_id_prefix"] == "19900101"
    assert len(row["national_id_hash"]) == 64
    assert "national_id" not in row
    assert db.session.get(Participant, pid).national_id == NUMBER
    assert db.session.get(Participant, pid).masked_national_id == "19900101-****"


def test_same_number_encrypts_differently_each_time_but_hashes_the_same(app):
    cipher = crypto.cipher()
    one, two = cipher.seal(NUMBER), cipher.seal(NUMBER)
    assert one.encrypted != two.encrypted  # random nonce
    assert one.hash == two.hash == crypto.national_id_hash(NUMBER)
    assert cipher.decrypt(one.encrypted) == cipher.decrypt(two.encrypted) == NUMBER


def test_clearing_the_number_clears_all_three_columns(world):
    p = _with_number(world)
    p.national_id, p.id_kind = None, "none"
    db.session.commit()
    row = _raw(p.id)
    assert (row["national_id_encrypted"], row["national_id_hash"],
            row["national_id_prefix"]) == (None, None, None)
    assert p.national_id is None and p.masked_national_id == ""


def test_the_database_refuses_half_a_number_or_a_number_without_kind(world):
    p = _with_number(world)
    table = Participant.__table__
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(table.update().where(table.c.id == p.id).values(
            national_id_hash=None))
    db.session.rollback()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(table.update().where(table.c.id == p.id).values(id_kind="none"))
    db.session.rollback()


def test_the_same_hash_twice_in_an_organisation_is_refused(world):
    _with_number(world)
    other = world["enr_b"].participant
    other.id_kind = "personnummer"
    other.national_id = NUMBER
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    # Another organisation may hold the same person.
    world["enr_c"].participant.id_kind = "personnummer"
    world["enr_c"].participant.national_id = NUMBER
    db.session.commit()


def test_wrong_key_gives_a_clear_error(world, keys):
    p = _with_number(world)
    pid = p.id
    keys(data_keys="dev1:" + generate_key())  # same id, other key material
    db.session.expire_all()
    with pytest.raises(DecryptionError, match="does not decrypt with key 'dev1'"):
        _ = db.session.get(Participant, pid).national_id
    keys(data_keys=KEY1)  # the key is gone altogether
    db.session.expire_all()
    with pytest.raises(DecryptionError, match="key 'dev1', which is not in JOURNEY_DATA_KEYS"):
        _ = db.session.get(Participant, pid).national_id


@pytest.mark.parametrize(("spec", "message"), [
    ("", "JOURNEY_DATA_KEYS is empty"),
    ("nokey", "comma-separated list of id:base64key"),
    ("k1:c2hvcnQ=", "must be 32 bytes"),
    ("k1:%%%", "not valid base64"),
    (f"{KEY1},{KEY1}", "names key 'k1' twice"),
])
def test_malformed_data_keys_are_refused_clearly(spec, message):
    with pytest.raises(KeyConfigError, match=message):
        crypto.parse_data_keys(spec)


def test_search_and_duplicate_detection_go_through_the_hash(world):
    p = _with_number(world)
    page = list_participants(world["coach_a"], national_id=NUMBER)
    assert [r.id for r in page.rows] == [p.id]
    assert page.rows[0].masked_national_id == "19900101-****"
    assert list_participants(world["coach_a"], national_id=OTHER).rows == []
    found = find_duplicate(p.organization_id, national_id=NUMBER, first_name="X",
                           last_name="Y", birth_date=None)
    assert found == (p, True)
    assert find_duplicate(world["enr_c"].participant.organization_id, national_id=NUMBER,
                          first_name="X", last_name="Y", birth_date=None) is None


def _rotate(app, *args, env=None):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["journey", "rotate-keys", *args], env=env)


def test_rotation_to_a_new_data_key_then_removing_the_old_one(app, world, keys):
    keys(data_keys=KEY1)
    p = _with_number(world)
    q = world["enr_b"].participant
    q.id_kind, q.national_id = "personnummer", OTHER
    db.session.commit()
    ids, versions = (p.id, q.id), (p.version, q.version)
    assert all(_raw(i)["national_id_encrypted"].startswith("vk1:") for i in ids)

    keys(data_keys=f"{KEY2},{KEY1}")  # new key first, old one kept for reading
    result = _rotate(app, "--batch-size", "1")
    assert result.exit_code == 0, result.output
    assert "Re-encrypted: 2; already on key 'k2': 0." in result.output
    db.session.expire_all()
    assert all(_raw(i)["national_id_encrypted"].startswith("vk2:") for i in ids)
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.object_type == "database" and "key rotation to key k2" in event.detail

    again = _rotate(app)  # idempotent: nothing left to do
    assert "Re-encrypted: 0; already on key 'k2': 2." in again.output

    keys(data_keys=KEY2)  # old key removed: still readable, versions untouched
    db.session.expire_all()
    assert [db.session.get(Participant, i).national_id for i in ids] == [NUMBER, OTHER]
    assert tuple(db.session.get(Participant, i).version for i in ids) == versions
    assert [r.id for r in list_participants(world["manager1"], national_id=OTHER).rows] == [q.id]


def test_an_interrupted_rotation_is_finished_by_a_rerun(app, world, keys):
    keys(data_keys=KEY1)
    p = _with_number(world)
    q = world["enr_b"].participant
    q.id_kind, q.national_id = "personnummer", OTHER
    db.session.commit()
    keys(data_keys=f"{KEY2},{KEY1}")
    # As if the first run stopped after one batch: one row is on the new key already.
    p.national_id = NUMBER
    db.session.commit()
    result = _rotate(app)
    assert "Re-encrypted: 1; already on key 'k2': 1." in result.output
    db.session.expire_all()
    keys(data_keys=KEY2)
    assert db.session.get(Participant, q.id).national_id == OTHER


def test_rotation_refuses_clearly_when_a_key_is_missing(app, world, keys):
    keys(data_keys=KEY1)
    _with_number(world)
    keys(data_keys=KEY2)  # the old key was removed before rotating
    result = _rotate(app)
    assert result.exit_code == 1
    assert "key 'k1', which is not in JOURNEY_DATA_KEYS" in result.output
    assert NUMBER not in result.output


def test_hash_key_rotation_keeps_search_working(app, world, keys):
    keys(hash_key=HASH1)
    p = _with_number(world)
    keys(hash_key=HASH2)
    # Before the rehash the new hash finds nothing: the number looks unknown.
    assert list_participants(world["coach_a"], national_id=NUMBER).rows == []
    refused = _rotate(app, "--rehash", env={"JOURNEY_OLD_HASH_KEY": ""})
    assert refused.exit_code == 1 and "JOURNEY_OLD_HASH_KEY" in refused.output
    result = _rotate(app, "--rehash", env={"JOURNEY_OLD_HASH_KEY": HASH1})
    assert result.exit_code == 0, result.output
    assert "Rehashed: 1; hash already current: 0." in result.output
    db.session.expire_all()
    assert [r.id for r in list_participants(world["coach_a"], national_id=NUMBER).rows] == [p.id]
    rerun = _rotate(app, "--rehash", env={"JOURNEY_OLD_HASH_KEY": HASH1})
    assert "Rehashed: 0; hash already current: 1." in rerun.output
    wrong = _rotate(app, "--rehash", env={"JOURNEY_OLD_HASH_KEY": generate_key()})
    assert wrong.exit_code == 0  # every hash is already current: nothing to match


def test_rehash_with_an_unrelated_old_key_refuses(app, world, keys):
    keys(hash_key=HASH1)
    _with_number(world)
    keys(hash_key=HASH2)
    result = _rotate(app, "--rehash", env={"JOURNEY_OLD_HASH_KEY": generate_key()})
    assert result.exit_code == 1
    assert "matches neither JOURNEY_HASH_KEY nor JOURNEY_OLD_HASH_KEY" in result.output


def test_dev_keys_are_the_testing_profile_defaults(app):
    assert app.config["JOURNEY_DATA_KEYS"] == DEV_DATA_KEYS
    assert app.config["JOURNEY_HASH_KEY"] == DEV_HASH_KEY
    assert crypto.cipher().current_id == "dev1"


def test_encrypting_many_numbers_is_cheap(app):
    import time

    numbers = [make_id(date(1990, 1, 1 + i % 28), 100 + i % 800) for i in range(5000)]
    start = time.perf_counter()
    rows = [crypto.stored_columns(n) for n in numbers]
    elapsed = time.perf_counter() - start
    assert len({r["national_id_encrypted"] for r in rows}) == 5000
    # Measured ~9 µs a number (≈0.9 s per 100k); generous bound for slow CI machines.
    assert elapsed < 2.5, elapsed

