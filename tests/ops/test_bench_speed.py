"""The benchmark's machine-speed figure: a fixed workload's best CPU time."""


def test_the_best_of_the_repeats_in_milliseconds(bench, monkeypatch):
    # Three repeats that take 0.5, 0.2 and 0.3 s of CPU: the figure is the best, 200 ms.
    clock = iter([10.0, 10.5, 20.0, 20.2, 30.0, 30.3])
    monkeypatch.setattr(bench.time, "process_time", lambda: next(clock))
    calls = []
    monkeypatch.setattr(bench, "_fixed_workload", lambda: calls.append(1))
    assert abs(bench.machine_speed(repeat=3) - 200.0) < 1e-6
    assert len(calls) == 3


def test_the_workload_is_fixed_and_takes_measurable_time(bench):
    assert bench._fixed_workload() == bench._fixed_workload()
    ms = bench.machine_speed(repeat=1)
    assert 1 < ms < 60_000
