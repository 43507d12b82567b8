import pytest
import sqlalchemy as sa

from journey import create_app
from journey.auth.models import Organization, User
from journey.config import ConfigError
from journey.participants.crypto import generate_key


def test_create_user_with_password_from_stdin(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["journey", "create-user", "Chef@Kommun.se", "--role", "manager",
                                 "--org", "Kommun X", "--password-stdin"],
                           input="ett-långt-lösenord-123\n")
    assert result.exit_code == 0, result.output
    assert "chef@kommun.se" in result.output
    user = db.session.scalars(sa.select(User).where(User.email == "chef@kommun.se")).one()
    assert user.role == "manager" and user.organization.name == "Kommun X"
    assert user.check_password("ett-långt-lösenord-123")
    # The password never appears in the output.
    assert "ett-långt" not in result.output

    # A second user joins the existing organisation rather than creating another.
    result = runner.invoke(args=["journey", "create-user", "coach@kommun.se", "--role", "coach",
                                 "--org", "Kommun X", "--password-stdin"],
                           input="ett-annat-långt-lösenord\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 1


@pytest.mark.parametrize("args,stdin,message", [
    (["--role", "coach"], "kort\n", "minst 12 tecken"),
    (["--role", "wizard"], "ett-långt-lösenord-123\n", "Invalid value for '--role'"),
])
def test_create_user_refuses_bad_input(app, db, args, stdin, message):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["journey", "create-user", "x@kommun.se", *args, "--org", "K",
                                 "--password-stdin"], input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_create_user_refuses_duplicate_email_case_insensitively(app, db):
    runner = app.test_cli_runner()
    base = ["journey", "create-user", "--role", "coach", "--org", "K", "--password-stdin"]
    assert runner.invoke(args=[*base, "a@k.se"], input="ett-långt-lösenord-123\n").exit_code == 0
    result = runner.invoke(args=[*base, "A@K.SE"], input="ett-långt-lösenord-123\n")
    assert result.exit_code != 0
    assert "finns redan" in result.output


def test_production_requires_a_secret_key(monkeypatch):
    monkeypatch.setenv("JOURNEY_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_requires_the_personnummer_keys(monkeypatch):
    monkeypatch.setenv("JOURNEY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("JOURNEY_HASH_KEY", generate_key())
    monkeypatch.delenv("JOURNEY_DATA_KEYS", raising=False)
    with pytest.raises(ConfigError, match="JOURNEY_DATA_KEYS and JOURNEY_HASH_KEY must be set"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_cookies_are_secure_and_env_overrides_apply(monkeypatch):
    monkeypatch.setenv("JOURNEY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    data_keys, hash_key = "k1:" + generate_key(), generate_key()
    monkeypatch.setenv("JOURNEY_DATA_KEYS", data_keys)
    monkeypatch.setenv("JOURNEY_HASH_KEY", hash_key)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.internal/journey")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal/journey"
    assert app.config["SECRET_KEY"] == "x" * 40
    assert (app.config["JOURNEY_DATA_KEYS"], app.config["JOURNEY_HASH_KEY"]) == (
        data_keys, hash_key)


def test_unknown_profile_is_refused(monkeypatch):
    monkeypatch.setenv("JOURNEY_ENV", "staging")
    with pytest.raises(ConfigError, match="JOURNEY_ENV"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_default_database_is_sqlite_in_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("JOURNEY_ENV", "development")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "sqlite:///" + app.instance_path + "/journey.sqlite3")


def test_seed_demo_command_prints_logins_and_refuses_a_second_run(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["journey", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "chef@journey.example" in result.output
    assert "demo-lösenord-2026" in result.output
    participants = db.session.scalar(sa.text("SELECT count(*) FROM participant"))
    assert 140 <= participants <= 170
    again = runner.invoke(args=["journey", "seed-demo"])
    assert again.exit_code != 0
    assert db.session.scalar(sa.text("SELECT count(*) FROM participant")) == participants


def test_init_db_migrates_and_seeds_an_empty_database_once(monkeypatch, tmp_path):
    monkeypatch.setenv("JOURNEY_ENV", "development")
    url = "sqlite:///" + str(tmp_path / "fresh.sqlite3")
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": url})
    runner = fresh.test_cli_runner()
    # The suite's autouse fixture holds another app's context; the CLI would reuse it.
    with fresh.app_context():
        from journey.extensions import db as fresh_db

        first = runner.invoke(args=["journey", "init-db"])
        assert first.exit_code == 0, first.output
        assert "anna.coach@journey.example" in first.output
        second = runner.invoke(args=["journey", "init-db"])
        assert second.exit_code == 0 and "up to date" in second.output

        assert fresh_db.session.scalar(sa.text("SELECT count(*) FROM organization")) == 2
        fresh_db.session.remove()
        fresh_db.engine.dispose()
