"""Migration 6d2e3f4a5b6c: plaintext personnummer encrypted on upgrade, restored on downgrade."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from journey import create_app
from journey.extensions import db
from journey.participants import crypto
from journey.participants.models import Participant
from tests.db.test_migrations import migration_url  # noqa: F401  # fixture

BEFORE, AFTER = "5c1d2e3f4a5b", "6d2e3f4a5b6c"
NUMBERS = ("199001012385", "198506304574")


def _insert_plain_rows(conn) -> None:
    conn.execute(sa.text(
        "INSERT INTO organization (name, attention_no_contact_days, attention_no_show_streak, "
        "attention_no_step_days, attention_follow_up_days, created_at, updated_at) "
        "VALUES ('Kommun', 14, 2, 60, 30, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    org_id = conn.execute(sa.text("SELECT id FROM organization")).scalar()
    for i, (kind, number) in enumerate(
            [("personnummer", NUMBERS[0]), ("samordningsnummer", NUMBERS[1]), ("none", None)]):
        conn.execute(sa.text(
            "INSERT INTO participant (organization_id, first_name, last_name, id_kind, "
            "national_id, gender, birth_region, district, education_level, swedish_level, "
            "phone, email, protected_identity, version, created_at, updated_at) VALUES "
            "(:org, :first, 'Test', :kind, :number, 'unknown', 'unknown', '', 'unknown', "
            "'unknown', '', '', false, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
            {"org": org_id, "first": f"P{i}", "kind": kind, "number": number})


def _plain(conn) -> list:
    return conn.execute(sa.text(
        "SELECT first_name, national_id FROM participant ORDER BY first_name")).all()


def test_upgrade_encrypts_and_downgrade_restores_the_numbers(migration_url):  # noqa: F811
    app = create_app({"SQLALCHEMY_DATABASE_URI": migration_url})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _insert_plain_rows(conn)

        upgrade(revision=AFTER)
        with db.engine.connect() as conn:
            raw = conn.execute(sa.text("SELECT * FROM participant")).mappings().all()
        assert "national_id" not in raw[0]
        for number in NUMBERS:  # not in any column, in any form
            assert number not in repr(raw) and number[2:] not in repr(raw)
        people = db.session.scalars(sa.select(Participant).order_by(Participant.first_name))
        assert [(p.national_id, p.masked_national_id) for p in people] == [
            (NUMBERS[0], "19900101-****"), (NUMBERS[1], "19850630-****"), (None, "")]
        # The hash written by the migration is the one the app searches with.
        hashes = {r["first_name"]: r["national_id_hash"] for r in raw}
        assert hashes["P0"] == crypto.national_id_hash(NUMBERS[0])
        assert db.session.scalars(sa.select(Participant.first_name).where(
            Participant.national_id_matches(NUMBERS[1]))).all() == ["P1"]
        db.session.remove()

        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert _plain(conn) == [("P0", NUMBERS[0]), ("P1", NUMBERS[1]), ("P2", None)]
            columns = {c["name"] for c in sa.inspect(conn).get_columns("participant")}
        assert not columns & {"national_id_encrypted", "national_id_hash", "national_id_prefix"}

        upgrade()  # and up again: encrypted once more, still readable
        assert db.session.scalars(sa.select(Participant).where(
            Participant.first_name == "P0")).one().national_id == NUMBERS[0]
        db.session.remove()
        db.engine.dispose()
