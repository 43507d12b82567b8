"""The benchmark's cached SQLite data set: only a complete build is kept under its name."""

import os
import sqlite3
from contextlib import closing

import pytest


def _fake_build(path_from_url):
    def build(url, participants, seed):
        path = path_from_url(url)
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute("PRAGMA journal_mode=WAL")  # as the app's database
            conn.execute("CREATE TABLE marker (n INTEGER)")
            conn.execute("INSERT INTO marker VALUES (?)", (participants,))
        return 1.5

    return build


def test_a_build_is_cached_under_its_name_only_when_complete(bench, monkeypatch, tmp_path):
    monkeypatch.setattr(bench, "CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(bench, "build", _fake_build(lambda url: url[len("sqlite:///"):]))
    work = tmp_path / "work"
    work.mkdir()
    database = bench.SqliteDatabase(50, 7, str(work))
    database.prepare(rebuild=False)
    assert database.seed_seconds == 1.5
    # Nothing but the data set itself (no half-built file, no -wal/-shm of one).
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        database.key + ".sqlite3"]
    for path in (database.cached, database.path):  # the cache and the working copy
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("SELECT n FROM marker").fetchone() == (50,)


def test_an_interrupted_build_leaves_nothing_taken_for_the_data_set(bench, monkeypatch,
                                                                      tmp_path):
    monkeypatch.setattr(bench, "CACHE", str(tmp_path / "cache"))

    def interrupted(url, participants, seed):
        sqlite3.connect(url[len("sqlite:///"):]).execute("CREATE TABLE half (n INTEGER)")
        raise KeyboardInterrupt

    monkeypatch.setattr(bench, "build", interrupted)
    work = tmp_path / "work"
    work.mkdir()
    database = bench.SqliteDatabase(50, 7, str(work))
    with pytest.raises(KeyboardInterrupt):
        database.prepare(rebuild=False)

    assert not os.path.exists(database.cached)
    # The next run builds again (and clears the half-built file first).
    monkeypatch.setattr(bench, "build", _fake_build(lambda url: url[len("sqlite:///"):]))
    database.prepare(rebuild=False)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        database.key + ".sqlite3"]
