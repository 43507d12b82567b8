"""The benchmark times the retention job for real: a rule set, the selection, the --apply."""

import sqlite3


def test_retention_is_timed_on_a_rule_it_sets(bench, tmp_path):
    path = tmp_path / "bench.sqlite3"
    url = f"sqlite:///{path}"
    bench.build(url, 400, 2026)
    # A shorter rule than the benchmark's: this small data set's exits are recent.
    timing = bench.time_retention(url, months=12)

    assert timing["months"] == 12
    due = timing["dry_run_participants"]
    assert due and due == timing["apply_participants"]
    assert timing["dry_run_seconds"] > 0 and timing["apply_seconds"] > 0
    with sqlite3.connect(path) as conn:
        rules = {r for (r,) in conn.execute(
            "SELECT retention_months_after_exit FROM organization")}
        anonymised = conn.execute(
            "SELECT COUNT(*) FROM participant WHERE anonymized_at IS NOT NULL").fetchone()[0]
        events = conn.execute(
            "SELECT COUNT(*) FROM audit_event WHERE action = 'anonymize'").fetchone()[0]
    assert rules == {12}
    assert anonymised == due == events
