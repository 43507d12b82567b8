"""The benchmark's --rounds: each route reported by its median round (bench/run.py)."""

import pytest


def _run(bench, rate, p50, p99, requests=100, errors=0, notes=()):
    return bench.Measurement("caseload", "/caseload", 8, requests_per_s=rate, p50_ms=p50,
                             p99_ms=p99, requests=requests, errors=errors, notes=list(notes))


def test_the_median_round_gives_all_three_figures(bench):
    runs = [_run(bench, 240.0, 30.0, 44.0), _run(bench, 180.0, 40.0, 70.0),
            _run(bench, 210.0, 36.0, 52.0)]
    m = bench.median_round(runs)
    # req/s, p50 and p99 of the same round (210 req/s), not medians taken apart.
    assert (m.requests_per_s, m.p50_ms, m.p99_ms) == (210.0, 36.0, 52.0)
    assert [r["requests_per_s"] for r in m.rounds] == [240.0, 180.0, 210.0]
    assert m.rounds[1] == {"requests_per_s": 180.0, "p50_ms": 40.0, "p99_ms": 70.0}


def test_an_even_count_takes_the_lower_middle_round(bench):
    runs = [_run(bench, 200.0, 35.0, 55.0), _run(bench, 250.0, 28.0, 41.0)]
    assert bench.median_round(runs).requests_per_s == 200.0


def test_requests_errors_and_notes_add_up_over_the_rounds(bench):
    runs = [_run(bench, 100.0, 1, 2, requests=1500, errors=0),
            _run(bench, 90.0, 1, 2, requests=1400, errors=3, notes=["socket errors: x"])]
    m = bench.median_round(runs)
    assert (m.requests, m.errors, m.notes) == (2900, 3, ["socket errors: x"])


def test_one_round_is_reported_as_measured(bench):
    m = bench.median_round([_run(bench, 123.4, 10.0, 20.0)])
    assert (m.requests_per_s, m.p99_ms, m.rounds) == (123.4, 20.0, [])


def test_no_rounds_is_an_error(bench):
    with pytest.raises(ValueError, match="no rounds"):
        bench.median_round([])


@pytest.mark.parametrize("text", ["0", "-2", "two", "1.5"])
def test_rounds_must_be_a_positive_whole_number(bench, text):
    import argparse

    with pytest.raises(argparse.ArgumentTypeError):
        bench.positive_int(text)
    assert bench.positive_int("3") == 3
