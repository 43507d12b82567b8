"""The app keeps serving after its PostgreSQL server restarts (connections dropped)."""

import os
import subprocess

import sqlalchemy as sa

from journey.extensions import db as _db


def _restart_server() -> None:
    pg_ctl, data = os.environ.get("JOURNEY_TEST_PG_CTL"), os.environ.get("JOURNEY_TEST_PG_DATA")
    assert pg_ctl and data, "run under scripts/with_postgres.sh, which says how to restart"
    # The restarted server logs to a file: given our pipes it would hold them open.
    log = os.path.join(os.path.dirname(data), "postgres-restart.log")
    command = [pg_ctl, "-D", data, "-l", log, "-m", "fast", "-w", "-t", "60", "restart"]
    if os.environ.get("JOURNEY_TEST_PG_RUNAS"):
        command = ["runuser", "-u", os.environ["JOURNEY_TEST_PG_RUNAS"], "--", *command]
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)


def _backend_pids() -> set[int]:
    with _db.engine.connect() as conn:
        return set(conn.scalars(sa.text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")))


def test_pages_work_again_right_after_a_restart(client, login_as, world, db):
    login_as(world["coach_a"])
    assert client.get("/caseload").status_code == 200
    enrollment_url = f"/enrollments/{world['enr_a'].id}"
    assert client.get(enrollment_url).status_code == 200
    before = _backend_pids()
    db.session.remove()  # the test's own session holds no connection over the restart

    _restart_server()

    # Pooled connections died with the server; pre-ping replaces them, so the
    # very first requests after the restart succeed.
    assert client.get("/caseload").status_code == 200
    assert client.get(enrollment_url).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert not (_backend_pids() & before), "the old server processes should be gone"
