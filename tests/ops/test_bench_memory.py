"""The benchmark counts a worker's memory with the private memory of its PDF child."""

import os
import signal


def test_a_childs_private_memory_is_seen(bench):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: 40 MB of its own, then waits to be measured
        try:
            os.close(read_end)
            block = bytearray(os.urandom(1 << 20)) * 40
            os.write(write_end, b"x")
            signal.pause()
            del block
        finally:
            os._exit(0)
    try:
        os.close(write_end)
        assert os.read(read_end, 1) == b"x"
        assert pid in bench._children(os.getpid())
        assert bench._private_kb(pid) > 40 * 1024
        assert bench._status_kb(pid, "VmRSS") >= bench._private_kb(pid)
        assert bench._status_kb(os.getpid(), "NoSuchField") is None
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_end)
    assert bench._private_kb(pid) == 0 and bench._status_kb(pid, "VmRSS") is None
