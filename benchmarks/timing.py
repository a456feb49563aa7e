"""Timing shared by the benchmark scripts (run them as ``python benchmarks/<name>.py``)."""

import time


def best_of(function, repeats):
    """Shortest wall-clock time of ``repeats`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result
