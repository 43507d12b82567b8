"""The benchmark script (bench/run.py) loaded as a module for its tests."""

import importlib.util
import os
import sys

import pytest

_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "bench", "run.py")


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("journey_bench_run", _PATH)
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclasses look their module up while being built.
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)
