import os

# The restart test needs the throwaway PostgreSQL server of scripts/with_postgres.sh;
# on the SQLite run there is no server to restart, so the file is not collected.
collect_ignore = [] if os.environ.get("TEST_DATABASE_URL") else ["test_pg_restart.py"]
